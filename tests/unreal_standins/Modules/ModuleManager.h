// STAND-IN for Unreal Engine's Modules/ModuleManager.h (see CoreMinimal.h here).
#pragma once
#include "CoreMinimal.h"
#include "Modules/ModuleInterface.h"

#define IMPLEMENT_MODULE(ModuleImplClass, ModuleName)                                          \
    static_assert(std::is_base_of<IModuleInterface, ModuleImplClass>::value, "not a module"); \
    extern "C" IModuleInterface *InitializeModule_##ModuleName() { return new ModuleImplClass(); }
