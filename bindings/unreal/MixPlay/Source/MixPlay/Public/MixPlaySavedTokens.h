// The signed-in tokens, kept between runs in a SaveGame slot (UMixPlaySettings::TokenSaveSlot) so
// the next run signs in silently. SaveGame files are plain on the player's disk: a game that must
// not keep the tokens there turns bRememberSignIn off (the streamer then enters a code each run).
#pragma once

#include "CoreMinimal.h"
#include "GameFramework/SaveGame.h"
#include "MixPlaySavedTokens.generated.h"

UCLASS()
class MIXPLAY_API UMixPlaySavedTokens : public USaveGame
{
	GENERATED_BODY()

public:
	/** The service and OAuth app that granted the tokens (tokens of another are not tried). */
	UPROPERTY()
	FString BaseUrl;

	UPROPERTY()
	FString ClientId;

	UPROPERTY()
	FString AccessToken;

	UPROPERTY()
	FString RefreshToken;

	/** The access token's lifetime in seconds from GrantedAt (unix seconds). */
	UPROPERTY()
	int64 ExpiresIn = 0;

	UPROPERTY()
	int64 GrantedAt = 0;
};
