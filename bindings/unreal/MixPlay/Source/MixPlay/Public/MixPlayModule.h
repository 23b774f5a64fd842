// The MixPlay runtime module: loads the native library (where it is a DLL) and checks its ABI.
#pragma once

#include "CoreMinimal.h"
#include "Modules/ModuleInterface.h"

DECLARE_LOG_CATEGORY_EXTERN(LogMixPlay, Log, All);

class MIXPLAY_API FMixPlayModule : public IModuleInterface
{
public:
	virtual void StartupModule() override;
	virtual void ShutdownModule() override;

	/** Whether the native library is loaded and matches the header the plugin was built with. */
	static bool IsNativeAvailable();

private:
	void* LibraryHandle = nullptr;
};
