// Blueprint types of the MixPlay plugin.
#pragma once

#include "CoreMinimal.h"
#include "MixPlayTypes.generated.h"

/** The connection of the game-client session (or of the chat). */
UENUM(BlueprintType)
enum class EMixPlayConnectionState : uint8
{
	Disconnected,
	Connecting,
	Connected,
	Reconnecting
};

/** Where an error reported through OnError comes from. */
UENUM(BlueprintType)
enum class EMixPlayErrorSource : uint8
{
	/** A plugin function failed before anything was sent (bad argument, unknown control, not connected). */
	Call,
	/** The connection failed or was closed. */
	Connection,
	/** A packet from the service could not be read. */
	Protocol,
	/** Input was dropped because the game polled too slowly. */
	QueueOverflow,
	/** Something failed inside the library. */
	Internal,
	/** There is no native library on this platform (or it failed to load). */
	Unavailable,
	/** The chat connection. */
	Chat,
	/** The short-code sign-in. */
	SignIn
};

/** Where a short-code sign-in stands. */
UENUM(BlueprintType)
enum class EMixPlaySignInState : uint8
{
	Idle,
	Starting,
	/** Show Code and Url to the player. */
	WaitingForUser,
	/** Signed in: Connect and ConnectChat use the token. */
	Approved,
	Denied,
	/** The code expired: start again. */
	Expired,
	Refreshing,
	Failed
};

/** A participant as the session's cache holds it. */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayParticipant
{
	GENERATED_BODY()

	/** The participant's session id (the id every event uses). */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	FString SessionId;

	/** 0 for anonymous viewers. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	int32 UserId = 0;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	int32 Level = 0;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	FString Username;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	FString GroupId;

	/** Unix milliseconds. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	int64 ConnectedAt = 0;

	/** Unix milliseconds; 0 before the first input. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	int64 LastInputAt = 0;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	bool bDisabled = false;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	bool bAnonymous = false;
};

/** One text submitted to a textbox this frame. */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayTextSubmission
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	FString ParticipantId;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	FString Text;
};

/** A chat message. */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayChatMessage
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	FString MessageId;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	int32 UserId = 0;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	FString UserName;

	/** The text of all the message's parts joined. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	FString Text;

	/** A whisper to Target. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	bool bWhisper = false;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	FString Target;

	/** A `/me` action. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	bool bAction = false;

	/** The sender's roles as a JSON array, e.g. ["Owner","User"]. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	FString RolesJson;
};
