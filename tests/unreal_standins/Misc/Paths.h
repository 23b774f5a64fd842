// STAND-IN for Unreal Engine's Misc/Paths.h (see CoreMinimal.h here).
#pragma once
#include "CoreMinimal.h"

class FPaths {
public:
    static bool FileExists(const FString &InPath);
    template <class... PathTypes>
    static FString Combine(PathTypes &&...InPaths) {
        static_assert(sizeof...(PathTypes) >= 2, "FPaths::Combine joins at least two parts");
        static_assert((std::is_constructible<FString, PathTypes>::value && ...), "FPaths::Combine takes FStrings or TCHAR strings");
        ((void)InPaths, ...);
        return FString();
    }
};
