// STAND-IN for Unreal Engine's Tickable.h (see CoreMinimal.h here).
#pragma once
#include "CoreMinimal.h"

enum class ETickableTickType : uint8 { Conditional, Always, Never };

class UWorld;

class FTickableGameObject {
public:
    FTickableGameObject();
    virtual ~FTickableGameObject();
    virtual void Tick(float DeltaTime) = 0;
    virtual TStatId GetStatId() const = 0;
    virtual ETickableTickType GetTickableTickType() const { return ETickableTickType::Conditional; }
    virtual bool IsTickable() const { return true; }
    virtual bool IsTickableWhenPaused() const { return false; }
    virtual bool IsTickableInEditor() const { return false; }
    virtual UWorld *GetTickableGameObjectWorld() const { return nullptr; }
};
