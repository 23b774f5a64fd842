// STAND-IN for Unreal Engine's HAL/PlatformProcess.h (see CoreMinimal.h here).
#pragma once
#include "CoreMinimal.h"

struct FPlatformProcess {
    static void *GetDllHandle(const TCHAR *Filename);
    static void FreeDllHandle(void *DllHandle);
    static const TCHAR *BaseDir();
    static const TCHAR *GetBinariesSubdirectory();
};
