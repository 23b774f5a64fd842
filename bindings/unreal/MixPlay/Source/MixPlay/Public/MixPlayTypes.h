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
	/** Signed in: Connect and ConnectChat use the token (and refresh it by themselves). */
	Approved,
	Denied,
	/** The code expired: a new one is asked for by itself. */
	Expired,
	/** Trading the stored refresh token for fresh tokens (a silent sign-in): no code to show. */
	Refreshing,
	Failed
};

/** What happened to a scene, a group or a control. */
UENUM(BlueprintType)
enum class EMixPlayChange : uint8
{
	Created,
	Updated,
	Deleted
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

/** A group as the session's cache holds it. */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayGroup
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	FString GroupId;

	/** The scene its members see. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay")
	FString SceneId;
};

/** A button, as GetButtonState reads it: this frame's input and the button's properties. */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayButtonState
{
	GENERATED_BODY()

	/** Presses (mouse, touch or key) this frame: everyone's, or the participant's when one was given. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	int32 DownCount = 0;

	/** Releases this frame. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	int32 UpCount = 0;

	/** How many hold the button down now (0 or 1 for one participant). */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	int32 HeldCount = 0;

	/** Held now, or pressed this frame (a press and release within one frame still reads as held). */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	bool bPressed = false;

	/** Milliseconds until the button's cooldown ends (0 when none). */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	int64 RemainingCooldownMs = 0;

	/** The progress bar, 0..1. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	float Progress = 0.f;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	bool bEnabled = true;

	/** The price in sparks. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	int32 Cost = 0;
};

/** A joystick, as GetJoystickState reads it. */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayJoystickState
{
	GENERATED_BODY()

	/** The mean of this frame's moves (everyone's), or the participant's last move this frame; -1..1. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	float X = 0.f;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	float Y = 0.f;

	/** Whether there was a move this frame (else X and Y are 0: keep the previous position). */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	bool bMoved = false;

	/** How many moves everyone made this frame. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	int32 MoveCount = 0;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	bool bEnabled = true;
};

/** A press or release on a screen control: who, and where (0..1 from the top left of the video). */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayScreenClick
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	FString ParticipantId;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	float X = 0.f;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	float Y = 0.f;
};

/** A screen control (input over the stream's video), as GetScreenState reads it. */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayScreenState
{
	GENERATED_BODY()

	/** This frame's presses, in order. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	TArray<FMixPlayScreenClick> Clicks;

	/** This frame's releases, in order. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	TArray<FMixPlayScreenClick> Releases;

	/** Someone holds a press now, or pressed this frame. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	bool bPressed = false;

	/** The mean position of this frame's moves over the video (with bMoved). */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	float X = 0.f;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	float Y = 0.f;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	bool bMoved = false;
};

/** A textbox, as GetTextboxState reads it: this frame's submissions and typing. */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayTextboxState
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	TArray<FMixPlayTextSubmission> Submissions;

	/** Typing sent as viewers type (textboxes without a submit button). */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	TArray<FMixPlayTextSubmission> Changes;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Controls")
	bool bEnabled = true;
};

/** The signed-in user (GET /api/v1/users/current): who, and which channel is theirs. */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayUser
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Sign-in")
	int32 UserId = 0;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Sign-in")
	FString Username;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Sign-in")
	int32 Level = 0;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Sign-in")
	int64 Sparks = 0;

	/** The user's own channel (0 when none): ConnectChat(0, ...) joins it. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Sign-in")
	int32 ChannelId = 0;
};

/** What the chat said on joining. */
USTRUCT(BlueprintType)
struct MIXPLAY_API FMixPlayChatJoined
{
	GENERATED_BODY()

	/** Signed in (false: reading anonymously). */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	bool bSignedIn = false;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	int32 UserId = 0;

	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	int32 ChannelId = 0;

	/** The user's roles as a JSON array, e.g. ["Owner","User"]. */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	FString RolesJson;

	/** What the user may do: chat, whisper, poll_vote, poll_start, timeout, purge, remove_message, ... */
	UPROPERTY(BlueprintReadOnly, Category = "MixPlay|Chat")
	TArray<FString> Permissions;
};
