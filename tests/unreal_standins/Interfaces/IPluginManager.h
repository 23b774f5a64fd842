// STAND-IN for Unreal Engine's Interfaces/IPluginManager.h (see CoreMinimal.h here).
#pragma once
#include "CoreMinimal.h"

class IPlugin {
public:
    virtual ~IPlugin() {}
    virtual FString GetBaseDir() const = 0;
};

class IPluginManager {
public:
    virtual ~IPluginManager() {}
    static IPluginManager &Get();
    virtual TSharedPtr<IPlugin> FindPlugin(const FString &Name) = 0;
};
