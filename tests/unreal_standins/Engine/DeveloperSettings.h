// STAND-IN for Unreal Engine's Engine/DeveloperSettings.h (see CoreMinimal.h here).
#pragma once
#include "CoreMinimal.h"

class UDeveloperSettings : public UObject {
public:
    virtual FName GetContainerName() const;
    virtual FName GetCategoryName() const;
    virtual FName GetSectionName() const;
};
