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

	/** Capture every press's (and submission's) spark transaction as it arrives, before the input
	 *  delegates fire; OnTransactionResult tells how it went. Off: call Capture yourself, after
	 *  granting what was paid for. */
	UPROPERTY(config, EditAnywhere, Category = "Session")
	bool bAutoCaptureSparks = false;

	/** Log the library's progress (connecting, reconnecting, refreshing) to LogMixPlay, not only
	 *  its warnings and errors. */
	UPROPERTY(config, EditAnywhere, Category = "Session", AdvancedDisplay)
	bool bVerboseLog = false;

	/** Keep the signed-in tokens between runs (a SaveGame slot) and sign in silently next time. */
	UPROPERTY(config, EditAnywhere, Category = "Sign-in")
	bool bRememberSignIn = true;

	/** The SaveGame slot the tokens are kept in. */
	UPROPERTY(config, EditAnywhere, Category = "Sign-in", AdvancedDisplay)
	FString TokenSaveSlot;

	/** Game-client websocket URLs to use instead of discovery (tried in order; empty: discover). */
	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay)
	TArray<FString> Endpoints;

	/** Compression schemes to offer, most preferred first ("lz4,gzip"; "none"). */
	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay)
	FString Compression;

	/** Send the handshake values as query parameters (for proxies that drop websocket headers). */
	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay)
	bool bHandshakeInQuery = false;

	/** Extra trusted root certificates (PEM) for a self-hosted service's wss:// and https://. */
	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay)
	FString TlsRootsPem;

	/** Trust the system's roots too when TlsRootsPem is set. */
	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay)
	bool bTlsAlsoSystemRoots = true;

	/** Reconnect after a lost connection (with backoff from the first to the longest delay). */
	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay)
	bool bReconnect = true;

	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay, meta = (ClampMin = "1"))
	int32 ReconnectInitialDelayMs = 500;

	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay, meta = (ClampMin = "1"))
	int32 ReconnectMaxDelayMs = 20000;

	/** Failed attempts in a row to allow; -1 for no limit. */
	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay)
	int32 ReconnectMaxAttempts = -1;

	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay, meta = (ClampMin = "1"))
	int32 ConnectTimeoutMs = 10000;

	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay, meta = (ClampMin = "1"))
	int32 RequestTimeoutMs = 15000;

	/** Most events waiting for the game; past it, input is dropped (and reported through OnError). */
	UPROPERTY(config, EditAnywhere, Category = "Connection", AdvancedDisplay, meta = (ClampMin = "16"))
	int32 EventQueueCapacity = 65536;

	/** ServiceUrl without a trailing slash (the base URL of chat and sign-in). */
	FString GetBaseUrl() const;

	/** The discovery URL derived from ServiceUrl. */
	FString GetDiscoveryUrl() const;

	virtual FName GetCategoryName() const override;
};
