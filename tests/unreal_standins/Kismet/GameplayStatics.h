// STAND-IN for Unreal Engine's Kismet/GameplayStatics.h (see CoreMinimal.h here): the SaveGame
// slot functions, with the engine's signatures.
#pragma once
#include "CoreMinimal.h"
#include "GameFramework/SaveGame.h"

class UGameplayStatics : public UObject {
public:
    static USaveGame *CreateSaveGameObject(TSubclassOf<USaveGame> SaveGameClass);
    static bool SaveGameToSlot(USaveGame *SaveGameObject, const FString &SlotName, const int32 UserIndex);
    static USaveGame *LoadGameFromSlot(const FString &SlotName, const int32 UserIndex);
    static bool DoesSaveGameExist(const FString &SlotName, const int32 UserIndex);
    static bool DeleteGameInSlot(const FString &SlotName, const int32 UserIndex);
};
