// Project Settings > Plugins > MixPlay (saved to Config/DefaultGame.ini).
#pragma once

#include "CoreMinimal.h"
#include "Engine/DeveloperSettings.h"
#include "MixPlaySettings.generated.h"

UCLASS(config = Game, defaultconfig, meta = (DisplayName = "MixPlay"))
class MIXPLAY_API UMixPlaySettings : public UDeveloperSettings
{
	GENERATED_BODY()

public:
	UMixPlaySettings();

	/** The service, e.g. https://mixer.com or a mediator's http://127.0.0.1:8080. The session finds its
	 *  servers at <ServiceUrl>/api/v1/interactive/hosts; chat and sign-in use its REST API under /api/v1. */
	UPROPERTY(config, EditAnywhere, Category = "Service")
	FString ServiceUrl;

	/** The interactive project version to run. */
	UPROPERTY(config, EditAnywhere, Category = "Project", meta = (ClampMin = "1"))
	int32 VersionId = 0;

	/** The share code of a project shared with the streamer by its author (empty if none). */
	UPROPERTY(config, EditAnywhere, Category = "Project")
	FString ShareCode;

	/** The OAuth client id of the game, for short-code sign-in and chat. */
	UPROPERTY(config, EditAnywhere, Category = "Sign-in")
	FString ClientId;

	/** The OAuth scopes short-code sign-in asks for. */
	UPROPERTY(config, EditAnywhere, Category = "Sign-in")
	FString Scopes;

	/** Tell the service the game is ready as soon as the session is synchronised. */
	UPROPERTY(config, EditAnywhere, Category = "Session")
	bool bAutoReady = true;

	/** At most this many events are handed to delegates per frame; the rest wait for the next frame. */
	UPROPERTY(config, EditAnywhere, Category = "Session", AdvancedDisplay, meta = (ClampMin = "1"))
	int32 MaxEventsPerFrame = 1024;

	/** ServiceUrl without a trailing slash (the base URL of chat and sign-in). */
	FString GetBaseUrl() const;

	/** The discovery URL derived from ServiceUrl. */
	FString GetDiscoveryUrl() const;

	virtual FName GetCategoryName() const override;
};
