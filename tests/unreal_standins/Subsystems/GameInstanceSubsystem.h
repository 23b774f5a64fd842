// STAND-IN for Unreal Engine's Subsystems/GameInstanceSubsystem.h (see CoreMinimal.h here).
#pragma once
#include "CoreMinimal.h"

class UGameInstance;

class FSubsystemCollectionBase {
public:
    virtual ~FSubsystemCollectionBase() {}
};

class USubsystem : public UObject {
public:
    virtual bool ShouldCreateSubsystem(UObject *Outer) const;
    virtual void Initialize(FSubsystemCollectionBase &Collection);
    virtual void Deinitialize();
};

class UGameInstanceSubsystem : public USubsystem {
public:
    UGameInstance *GetGameInstance() const;
};

class UGameInstance : public UObject {
public:
    template <class TSubsystemClass>
    TSubsystemClass *GetSubsystem() const {
        static_assert(std::is_base_of<UGameInstanceSubsystem, TSubsystemClass>::value, "not a game instance subsystem");
        return nullptr;
    }
};
