// UMixPlaySubsystem: one MixPlay session (plus optional chat and short-code sign-in) per game
// instance, polled once a frame on the game thread; everything it hears is broadcast through the
// BlueprintAssignable delegates below, from inside that tick only.
#pragma once

#include "CoreMinimal.h"
#include "Subsystems/GameInstanceSubsystem.h"
#include "Tickable.h"
#include "MixPlayTypes.h"
#include "MixPlaySubsystem.generated.h"

class FMixPlayNative;
class FMixPlayDispatch;

DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayConnectionStateChanged, EMixPlayConnectionState, State, int32, CloseCode, const FString&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FMixPlayReadyChanged, bool, bReady);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayButtonDown, const FString&, ControlId, const FString&, ParticipantId, const FString&, TransactionId);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FMixPlayButtonUp, const FString&, ControlId, const FString&, ParticipantId);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FMixPlayJoystickMoved, const FString&, ControlId, const FString&, ParticipantId, float, X, float, Y);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayTextSubmitted, const FString&, ControlId, const FString&, ParticipantId, const FString&, Text);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FMixPlayCustomInput, const FString&, ControlId, const FString&, ParticipantId, const FString&, EventName, const FString&, InputJson);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FMixPlayParticipantChanged, const FMixPlayParticipant&, Participant);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FMixPlayParticipantLeft, const FString&, ParticipantId, const FString&, LastKnownJson);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FiveParams(FMixPlayTransactionResult, int64, RequestId, const FString&, TransactionId, bool, bCaptured, int32, ErrorCode, const FString&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FiveParams(FMixPlayReply, int64, RequestId, bool, bSuccess, int32, ErrorCode, const FString&, Message, const FString&, ResultJson);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayError, EMixPlayErrorSource, Source, int32, Code, const FString&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FMixPlaySignInChanged, EMixPlaySignInState, State, const FString&, Code, const FString&, Url, const FString&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FMixPlayChatMessageReceived, const FMixPlayChatMessage&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FMixPlayChatStateChanged, EMixPlayConnectionState, State, const FString&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FMixPlayChatReply, int64, RequestId, bool, bSuccess, const FString&, Error, const FString&, ResultJson);

/**
 * The MixPlay session of a game instance. Get it with GetGameInstance()->GetSubsystem<UMixPlaySubsystem>()
 * or the "MixPlay Subsystem" Blueprint node. Requests return a request id (0 when the call failed
 * at once; OnError then says why); their answers arrive through OnReply with that id.
 */
UCLASS()
class MIXPLAY_API UMixPlaySubsystem : public UGameInstanceSubsystem, public FTickableGameObject
{
	GENERATED_BODY()

public:
	// ----- UGameInstanceSubsystem -----
	virtual void Initialize(FSubsystemCollectionBase& Collection) override;
	virtual void Deinitialize() override;

	// ----- FTickableGameObject: polls the session, chat and sign-in once a frame -----
	virtual void Tick(float DeltaTime) override;
	virtual TStatId GetStatId() const override;
	virtual ETickableTickType GetTickableTickType() const override;
	virtual bool IsTickable() const override;
	virtual bool IsTickableWhenPaused() const override;

	// ----- session -----

	/** Connects with the project settings and this OAuth token (empty: the token of the last approved sign-in). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay")
	bool Connect(const FString& OAuthToken);

	/** Closes the session (and nothing else). Safe to call from a delegate. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay")
	void Disconnect();

	/** Whether the native library is present on this platform. */
	UFUNCTION(BlueprintPure, Category = "MixPlay")
	bool IsAvailable() const;

	UFUNCTION(BlueprintPure, Category = "MixPlay")
	EMixPlayConnectionState GetConnectionState() const;

	/** Whether participants can interact (as of the events polled). */
	UFUNCTION(BlueprintPure, Category = "MixPlay")
	bool IsReady() const;

	/** Tells the service the game is (not) ready for input. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay")
	int64 SetReady(bool bReady);

	/** The detail of the last failed call. */
	UFUNCTION(BlueprintPure, Category = "MixPlay")
	FString GetLastError() const { return LastError; }

	// ----- control properties (sent together at the end of the frame) -----

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlText(const FString& ControlId, const FString& Text);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlTooltip(const FString& ControlId, const FString& Tooltip);

	/** A button's progress bar, 0..1. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlProgress(const FString& ControlId, float Progress);

	/** Starts a cooldown lasting CooldownMs from now. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlCooldown(const FString& ControlId, int64 CooldownMs);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlDisabled(const FString& ControlId, bool bDisabled);

	/** A button's price in sparks. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlCost(const FString& ControlId, int32 Sparks);

	/** A control's string property (e.g. "text") from the cache. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetControlString(const FString& ControlId, const FString& Key, FString& OutValue);

	// ----- groups and scenes -----

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Groups")
	int64 MoveParticipantToGroup(const FString& ParticipantId, const FString& GroupId);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Groups")
	int64 CreateGroup(const FString& GroupId, const FString& SceneId);

	/** Shows SceneId to everyone in GroupId. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Groups")
	int64 SetGroupScene(const FString& GroupId, const FString& SceneId);

	UFUNCTION(BlueprintPure, Category = "MixPlay|Groups")
	TArray<FString> GetScenes() const;

	// ----- sparks -----

	/** Charges the sparks of the transaction a costed button press opened; OnTransactionResult tells the outcome. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Sparks")
	int64 Capture(const FString& TransactionId);

	// ----- participants -----

	UFUNCTION(BlueprintPure, Category = "MixPlay|Participants")
	TArray<FMixPlayParticipant> GetParticipants() const;

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Participants")
	bool FindParticipant(const FString& ParticipantId, FMixPlayParticipant& OutParticipant) const;

	// ----- this frame's input (the events of the last tick) -----

	UFUNCTION(BlueprintPure, Category = "MixPlay|Input")
	void GetButtonCounts(const FString& ControlId, int32& Presses, int32& Releases) const;

	/** Who holds the button down right now. */
	UFUNCTION(BlueprintPure, Category = "MixPlay|Input")
	TArray<FString> GetButtonHolders(const FString& ControlId) const;

	/** The mean joystick position of this frame's moves; returns how many moves there were. */
	UFUNCTION(BlueprintPure, Category = "MixPlay|Input")
	int32 GetJoystick(const FString& ControlId, float& X, float& Y) const;

	UFUNCTION(BlueprintPure, Category = "MixPlay|Input")
	TArray<FMixPlayTextSubmission> GetTextSubmissions(const FString& ControlId) const;

	/** Any method with JSON params, for what the functions above do not cover. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Advanced")
	int64 CallMethod(const FString& Method, const FString& ParamsJson);

	// ----- short-code sign-in -----

	/** Starts (or restarts) a short-code sign-in with the project's ClientId; OnSignInChanged brings the code to show. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Sign-in")
	bool StartSignIn();

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Sign-in")
	void CancelSignIn();

	UFUNCTION(BlueprintPure, Category = "MixPlay|Sign-in")
	EMixPlaySignInState GetSignInState() const { return SignInState; }

	/** Whether a sign-in was approved (its token is then used by Connect and ConnectChat when given none). */
	UFUNCTION(BlueprintPure, Category = "MixPlay|Sign-in")
	bool IsSignedIn() const { return !SignedInToken.IsEmpty(); }

	// ----- chat -----

	/** Joins a channel's chat with this token (empty: the signed-in token, else anonymous and read-only). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	bool ConnectChat(int32 ChannelId, const FString& OAuthToken);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	void DisconnectChat();

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 SendChatMessage(const FString& Text);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 SendChatWhisper(const FString& Username, const FString& Text);

	// ----- events -----

	UPROPERTY(BlueprintAssignable, Category = "MixPlay")
	FMixPlayConnectionStateChanged OnConnectionStateChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay")
	FMixPlayReadyChanged OnReadyChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayButtonDown OnButtonDown;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayButtonUp OnButtonUp;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayJoystickMoved OnJoystickMoved;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayTextSubmitted OnTextSubmitted;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayCustomInput OnCustomInput;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Participants")
	FMixPlayParticipantChanged OnParticipantJoined;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Participants")
	FMixPlayParticipantLeft OnParticipantLeft;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Participants")
	FMixPlayParticipantChanged OnParticipantUpdated;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Sparks")
	FMixPlayTransactionResult OnTransactionResult;

	/** The answer to every request (captures too). */
	UPROPERTY(BlueprintAssignable, Category = "MixPlay")
	FMixPlayReply OnReply;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay")
	FMixPlayError OnError;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Sign-in")
	FMixPlaySignInChanged OnSignInChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Chat")
	FMixPlayChatStateChanged OnChatStateChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Chat")
	FMixPlayChatMessageReceived OnChatMessage;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Chat")
	FMixPlayChatReply OnChatReply;

private:
	friend class FMixPlayDispatch;

	/** Runs Call(FMixPlayNative&) when a session exists; on failure records it and returns Fallback. */
	template <class ResultType, class CallType>
	ResultType WithSession(const TCHAR* What, ResultType Fallback, CallType&& Call) const;

	/** Records a failed call and reports it through OnError on the next tick. */
	void ReportFailure(EMixPlayErrorSource Source, const TCHAR* What, int32 Code, const FString& Message) const;

	void PollSession();
	void PollChat();
	void PollSignIn();

	struct FPendingError
	{
		EMixPlayErrorSource Source;
		int32 Code;
		FString Message;
	};

	TSharedPtr<FMixPlayNative> Native;
	/** Bumped whenever the session is made or freed: a delegate that does either ends this tick's drain. */
	uint32 SessionGeneration = 0;
	uint32 ChatGeneration = 0;
	bool bInitialized = false;
	bool bLoggedUnavailable = false;
	EMixPlaySignInState SignInState = EMixPlaySignInState::Idle;
	FString SignedInToken;
	mutable FString LastError;
	mutable TArray<FPendingError> PendingErrors;
};
