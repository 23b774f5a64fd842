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

// ----- session events -----
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayConnectionStateChanged, EMixPlayConnectionState, State, int32, CloseCode, const FString&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FMixPlayReadyChanged, bool, bReady);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayButtonDown, const FString&, ControlId, const FString&, ParticipantId, const FString&, TransactionId);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FMixPlayButtonUp, const FString&, ControlId, const FString&, ParticipantId);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FMixPlayJoystickMoved, const FString&, ControlId, const FString&, ParticipantId, float, X, float, Y);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FiveParams(FMixPlayScreenPressed, const FString&, ControlId, const FString&, ParticipantId, float, X, float, Y, const FString&, TransactionId);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FMixPlayScreenReleased, const FString&, ControlId, const FString&, ParticipantId, float, X, float, Y);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayTextSubmitted, const FString&, ControlId, const FString&, ParticipantId, const FString&, Text);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayTextChanged, const FString&, ControlId, const FString&, ParticipantId, const FString&, Text);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FMixPlayCustomInput, const FString&, ControlId, const FString&, ParticipantId, const FString&, EventName, const FString&, InputJson);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FMixPlayParticipantChanged, const FMixPlayParticipant&, Participant);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FMixPlayParticipantLeft, const FString&, ParticipantId, const FString&, LastKnownJson);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlaySceneChanged, EMixPlayChange, Change, const FString&, SceneId, const FString&, ReassignedTo);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayGroupChanged, EMixPlayChange, Change, const FString&, GroupId, const FString&, ReassignedTo);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayControlChanged, EMixPlayChange, Change, const FString&, SceneId, const FString&, ControlId);
DECLARE_DYNAMIC_MULTICAST_DELEGATE(FMixPlayWorldUpdated);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayMemoryWarning, int64, UsedBytes, int64, TotalBytes, const FString&, StatsJson);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FMixPlayUnhandledMethod, const FString&, Method, const FString&, ParamsJson);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FiveParams(FMixPlayTransactionResult, int64, RequestId, const FString&, TransactionId, bool, bCaptured, int32, ErrorCode, const FString&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FiveParams(FMixPlayReply, int64, RequestId, bool, bSuccess, int32, ErrorCode, const FString&, Message, const FString&, ResultJson);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FMixPlayError, EMixPlayErrorSource, Source, int32, Code, const FString&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FMixPlayTokensRefreshed, bool, bRefreshed, const FString&, Message);
// ----- sign-in -----
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FMixPlaySignInChanged, EMixPlaySignInState, State, const FString&, Code, const FString&, Url, const FString&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FMixPlayUserFound, const FMixPlayUser&, User);
// ----- chat -----
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FMixPlayChatMessageReceived, const FMixPlayChatMessage&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FMixPlayChatStateChanged, EMixPlayConnectionState, State, const FString&, Message);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FMixPlayChatJoinedEvent, const FMixPlayChatJoined&, Joined);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FMixPlayChatEvent, const FString&, EventName, const FString&, EventJson);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_FourParams(FMixPlayChatReply, int64, RequestId, bool, bSuccess, const FString&, Error, const FString&, ResultJson);

/**
 * The MixPlay session of a game instance. Get it with GetGameInstance()->GetSubsystem<UMixPlaySubsystem>()
 * or the "MixPlay Subsystem" Blueprint node. Requests return a request id (0 when the call failed
 * at once; OnError then says why); their answers arrive through OnReply with that id. The
 * functions are grouped by theme in the Private/ sources: the session and its tick
 * (MixPlaySubsystem.cpp), events (MixPlayDispatch.cpp), game-client methods (MixPlayRequests.cpp),
 * controls and this frame's input (MixPlayControls.cpp), scenes, groups and participants of the
 * cache (MixPlayCache.cpp), chat (MixPlayChat.cpp), and sign-in with
 * the remembered tokens (MixPlaySignIn.cpp).
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

	/** Connects with the project settings and this OAuth token (empty: the signed-in token, which
	 *  is then refreshed by itself and kept in the save slot). */
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

	/** Connects with this token from the next reconnection on (the connection up now is kept). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay")
	bool SetToken(const FString& OAuthToken);

	/** The service's clock in unix milliseconds (cooldowns are set in it). */
	UFUNCTION(BlueprintPure, Category = "MixPlay")
	int64 GetServerTime() const;

	/** The detail of the last failed call. */
	UFUNCTION(BlueprintPure, Category = "MixPlay")
	FString GetLastError() const { return LastError; }

	// ----- control properties (sent together at the end of the frame) -----

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlText(const FString& ControlId, const FString& Text);

	/** A label's text (the original plugin's SetLabelText; the same as SetControlText). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetLabelText(const FString& ControlId, const FString& Text);

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

	/** The keyboard key (a JavaScript key code) that presses the button. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlKeyCode(const FString& ControlId, int32 KeyCode);

	/** Any property by name, with an integer, float, bool, string or JSON value. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlInt(const FString& ControlId, const FString& Key, int64 Value);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlFloat(const FString& ControlId, const FString& Key, float Value);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlBool(const FString& ControlId, const FString& Key, bool bValue);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlString(const FString& ControlId, const FString& Key, const FString& Value);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlJson(const FString& ControlId, const FString& Key, const FString& ValueJson);

	/** A custom control's meta property (meta.Key.value). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	int64 SetControlMetaJson(const FString& ControlId, const FString& Key, const FString& ValueJson);

	/** A control's string property (e.g. "text") from the cache. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetControlString(const FString& ControlId, const FString& Key, FString& OutValue);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetControlInt(const FString& ControlId, const FString& Key, int64& OutValue);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetControlFloat(const FString& ControlId, const FString& Key, float& OutValue);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetControlBool(const FString& ControlId, const FString& Key, bool& bOutValue);

	/** A property as JSON (objects and arrays included). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetControlJson(const FString& ControlId, const FString& Key, FString& OutJson);

	/** The whole control as JSON. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetControl(const FString& ControlId, FString& OutJson);

	// ----- one node per control kind (the original plugin's GetButtonState, GetStickState, ...) -----

	/** A button this frame: presses, releases and holders (everyone's, or ParticipantId's when
	 *  given), and its cooldown, progress, enabled and cost. False when there is no such control. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetButtonState(const FString& ControlId, const FString& ParticipantId, FMixPlayButtonState& OutState);

	/** A button's text, tooltip, cost and key code. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetButtonDescription(const FString& ControlId, FString& OutText, FString& OutTooltip, int32& OutCost, int32& OutKeyCode);

	/** A joystick this frame: the mean of everyone's moves, or ParticipantId's last move. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetJoystickState(const FString& ControlId, const FString& ParticipantId, FMixPlayJoystickState& OutState);

	/** A screen control this frame: clicks and releases with their x/y, presses held, the mean move. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetScreenState(const FString& ControlId, FMixPlayScreenState& OutState);

	/** A textbox this frame: submissions and typing (everyone's, or ParticipantId's). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetTextboxState(const FString& ControlId, const FString& ParticipantId, FMixPlayTextboxState& OutState);

	/** A textbox's placeholder, multiline, submit button and cost. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetTextboxDescription(const FString& ControlId, FString& OutPlaceholder, bool& bOutMultiline, bool& bOutHasSubmit, FString& OutSubmitText, int32& OutCost);

	/** A label's text and style. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Controls")
	bool GetLabelDescription(const FString& ControlId, FString& OutText, FString& OutTextSize, FString& OutTextColor, bool& bOutBold, bool& bOutUnderline, bool& bOutItalic);

	// ----- scenes and controls -----

	/** ScenesJson: an array of scene objects, each with its fully qualified controls. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Scenes")
	int64 CreateScenes(const FString& ScenesJson);

	/** An empty scene. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Scenes")
	int64 CreateScene(const FString& SceneId);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Scenes")
	int64 UpdateScenes(const FString& ScenesJson, int64 Priority);

	/** Deletes a scene; the groups showing it move to ReassignToSceneId. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Scenes")
	int64 DeleteScene(const FString& SceneId, const FString& ReassignToSceneId);

	UFUNCTION(BlueprintPure, Category = "MixPlay|Scenes")
	TArray<FString> GetScenes() const;

	/** The control ids of a scene, from the cache. */
	UFUNCTION(BlueprintPure, Category = "MixPlay|Scenes")
	TArray<FString> GetControls(const FString& SceneId) const;

	/** ControlsJson: an array of control objects (controlID, kind, properties). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Scenes")
	int64 CreateControls(const FString& SceneId, const FString& ControlsJson);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Scenes")
	int64 UpdateControls(const FString& SceneId, const FString& ControlsJson, int64 Priority);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Scenes")
	int64 DeleteControls(const FString& SceneId, const TArray<FString>& ControlIds);

	// ----- groups -----

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Groups")
	int64 CreateGroup(const FString& GroupId, const FString& SceneId);

	/** GroupsJson: an array of {groupID, sceneID}. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Groups")
	int64 CreateGroups(const FString& GroupsJson);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Groups")
	int64 UpdateGroups(const FString& GroupsJson, int64 Priority);

	/** Shows SceneId to everyone in GroupId (the original plugin's SetCurrentScene). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Groups")
	int64 SetGroupScene(const FString& GroupId, const FString& SceneId);

	/** Deletes a group; its members move to ReassignToGroupId. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Groups")
	int64 DeleteGroup(const FString& GroupId, const FString& ReassignToGroupId);

	UFUNCTION(BlueprintPure, Category = "MixPlay|Groups")
	TArray<FMixPlayGroup> GetGroups() const;

	// ----- participants -----

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Participants")
	int64 MoveParticipantToGroup(const FString& ParticipantId, const FString& GroupId);

	/** Stops (or restores) a participant's input. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Participants")
	int64 SetParticipantDisabled(const FString& ParticipantId, bool bDisabled);

	/** ParticipantsJson: an array of {sessionID, ...changes}. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Participants")
	int64 UpdateParticipants(const FString& ParticipantsJson, int64 Priority);

	UFUNCTION(BlueprintPure, Category = "MixPlay|Participants")
	TArray<FMixPlayParticipant> GetParticipants() const;

	UFUNCTION(BlueprintPure, Category = "MixPlay|Participants")
	int32 GetParticipantCount() const;

	UFUNCTION(BlueprintPure, Category = "MixPlay|Participants")
	TArray<FMixPlayParticipant> GetParticipantsInGroup(const FString& GroupId) const;

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Participants")
	bool FindParticipant(const FString& ParticipantId, FMixPlayParticipant& OutParticipant) const;

	/** The participant signed in as this user (the original plugin's participant id). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Participants")
	bool FindParticipantByUserId(int32 UserId, FMixPlayParticipant& OutParticipant) const;

	/** Asks the service (the answer's JSON arrives through OnReply): every participant connected
	 *  after FromUnixMs (one page), those active since ThresholdUnixMs, or by user or session ids. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Participants")
	int64 GetAllParticipants(int64 FromUnixMs);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Participants")
	int64 GetActiveParticipants(int64 ThresholdUnixMs);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Participants")
	int64 GetParticipantsByUserId(const TArray<int32>& UserIds);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Participants")
	int64 GetParticipantsBySessionId(const TArray<FString>& ParticipantIds);

	// ----- world, broadcast, throttles, service state -----

	UFUNCTION(BlueprintCallable, Category = "MixPlay|World")
	int64 UpdateWorld(const FString& WorldJson, int64 Priority);

	/** Sends DataJson to the viewers in Scopes ("everyone", "group:ID", "scene:ID", "participant:ID"). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|World")
	int64 BroadcastEvent(const TArray<FString>& Scopes, const FString& DataJson);

	/** RulesJson: {method or "*": {capacity, drainRate} or null}. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|World")
	int64 SetBandwidthThrottle(const FString& RulesJson);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|World")
	int64 GetThrottleState();

	UFUNCTION(BlueprintCallable, Category = "MixPlay|World")
	int64 GetMemoryStats();

	UFUNCTION(BlueprintCallable, Category = "MixPlay|World")
	int64 GetTime();

	// ----- files -----

	/** Stores Bytes as the channel's file Path ("images/tile.png": letters, digits, '.', '_', '-',
	 *  and '/' between segments), replacing any file there. OnReply's JSON is {url, path, size,
	 *  contentType}: give url to a control's backgroundImage. A failed reply's code is 4004 for a
	 *  bad path, the upload's HTTP status (413: past the channel's quota) or a local code. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Files")
	int64 UploadFile(const FString& Path, const TArray<uint8>& Bytes);

	/** Deletes the channel's file Path (OnReply's JSON is null, also when there was none). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Files")
	int64 DeleteUploadedFile(const FString& Path);

	// ----- sparks -----

	/** Charges the sparks of the transaction a costed button press opened; OnTransactionResult tells the outcome. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Sparks")
	int64 Capture(const FString& TransactionId);

	// ----- this frame's input (the events of the last tick) -----

	UFUNCTION(BlueprintPure, Category = "MixPlay|Input")
	void GetButtonCounts(const FString& ControlId, int32& Presses, int32& Releases) const;

	/** Who holds the button down right now. */
	UFUNCTION(BlueprintPure, Category = "MixPlay|Input")
	TArray<FString> GetButtonHolders(const FString& ControlId) const;

	/** Who pressed the button this frame, in order (twice if they pressed twice). */
	UFUNCTION(BlueprintPure, Category = "MixPlay|Input")
	TArray<FString> GetButtonPressers(const FString& ControlId) const;

	/** The mean joystick position of this frame's moves; returns how many moves there were. */
	UFUNCTION(BlueprintPure, Category = "MixPlay|Input")
	int32 GetJoystick(const FString& ControlId, float& X, float& Y) const;

	UFUNCTION(BlueprintPure, Category = "MixPlay|Input")
	TArray<FMixPlayTextSubmission> GetTextSubmissions(const FString& ControlId) const;

	/** Any method with JSON params, for what the functions above do not cover. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Advanced")
	int64 CallMethod(const FString& Method, const FString& ParamsJson);

	// ----- sign-in -----

	/** Signs in: silently with the tokens kept from the last run (when bRememberSignIn), else with a
	 *  short code (OnSignInChanged brings it to show; an expired code is replaced by itself). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Sign-in")
	bool StartSignIn();

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Sign-in")
	void CancelSignIn();

	/** Forgets the signed-in tokens (and the saved ones): the next StartSignIn shows a code. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Sign-in")
	void SignOut();

	UFUNCTION(BlueprintPure, Category = "MixPlay|Sign-in")
	EMixPlaySignInState GetSignInState() const { return SignInState; }

	/** Whether a sign-in was approved (its token is then used by Connect and ConnectChat when given none). */
	UFUNCTION(BlueprintPure, Category = "MixPlay|Sign-in")
	bool IsSignedIn() const { return !SignedInToken.IsEmpty(); }

	/** Who signed in (looked up by itself after signing in; OnUserFound says when). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Sign-in")
	bool GetCurrentUser(FMixPlayUser& OutUser) const;

	/** Looks up who a token belongs to (empty: the signed-in token); OnUserFound brings the answer. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Sign-in")
	bool FetchCurrentUser(const FString& OAuthToken);

	// ----- chat -----

	/** Joins a channel's chat (0: the signed-in user's own) with this token (empty: the signed-in
	 *  token, refreshed with the session's; with none, anonymous and read-only). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	bool ConnectChat(int32 ChannelId, const FString& OAuthToken);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	void DisconnectChat();

	UFUNCTION(BlueprintPure, Category = "MixPlay|Chat")
	EMixPlayConnectionState GetChatConnectionState() const;

	/** Joins with this token from the chat's next reconnection on. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	bool SetChatToken(const FString& OAuthToken);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 SendChatMessage(const FString& Text);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 SendChatWhisper(const FString& Username, const FString& Text);

	/** Moderation: times a user out ("30s", "1m15s", "2h"; "clear" ends it). */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 ChatTimeout(const FString& Username, const FString& Duration);

	/** Moderation: removes every message of a user. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 ChatPurge(const FString& Username);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 ChatDeleteMessage(const FString& MessageId);

	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 ChatClearMessages();

	/** The last Count messages (at most 100): OnChatReply's JSON is an array, oldest first. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 ChatHistory(int32 Count);

	/** Starts a poll lasting Seconds; everyone gets PollStart events (again at each vote) and a PollEnd. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 StartChatPoll(const FString& Question, const TArray<FString>& Answers, int32 Seconds);

	/** Votes for answer AnswerIndex (0-based) of the running poll. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 VoteChatPoll(int32 AnswerIndex);

	/** Any chat method with a JSON array of its arguments. */
	UFUNCTION(BlueprintCallable, Category = "MixPlay|Chat")
	int64 CallChatMethod(const FString& Method, const FString& ArgsJson);

	// ----- session events -----

	UPROPERTY(BlueprintAssignable, Category = "MixPlay")
	FMixPlayConnectionStateChanged OnConnectionStateChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay")
	FMixPlayReadyChanged OnReadyChanged;

	/** A button pressed (mouse, touch or key); screen presses arrive as OnScreenPressed. */
	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayButtonDown OnButtonDown;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayButtonUp OnButtonUp;

	/** A joystick moved, or the pointer moved over a screen control. */
	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayJoystickMoved OnJoystickMoved;

	/** A click on a screen control, with where (0..1 from the top left of the video). */
	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayScreenPressed OnScreenPressed;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayScreenReleased OnScreenReleased;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayTextSubmitted OnTextSubmitted;

	/** Typing in a textbox without a submit button, sent as the viewer types. */
	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayTextChanged OnTextChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Input")
	FMixPlayCustomInput OnCustomInput;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Participants")
	FMixPlayParticipantChanged OnParticipantJoined;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Participants")
	FMixPlayParticipantLeft OnParticipantLeft;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Participants")
	FMixPlayParticipantChanged OnParticipantUpdated;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Scenes")
	FMixPlaySceneChanged OnSceneChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Groups")
	FMixPlayGroupChanged OnGroupChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Scenes")
	FMixPlayControlChanged OnControlChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|World")
	FMixPlayWorldUpdated OnWorldUpdated;

	/** The service warns the session is near its memory limit. */
	UPROPERTY(BlueprintAssignable, Category = "MixPlay|World")
	FMixPlayMemoryWarning OnMemoryWarning;

	/** A method from the service the library does not handle. */
	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Advanced")
	FMixPlayUnhandledMethod OnUnhandledMethod;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Sparks")
	FMixPlayTransactionResult OnTransactionResult;

	/** The answer to every request (captures too). */
	UPROPERTY(BlueprintAssignable, Category = "MixPlay")
	FMixPlayReply OnReply;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay")
	FMixPlayError OnError;

	/** The token was refreshed by itself (and saved), or could not be (bRefreshed false: sign in again). */
	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Sign-in")
	FMixPlayTokensRefreshed OnTokensRefreshed;

	// ----- sign-in events -----

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Sign-in")
	FMixPlaySignInChanged OnSignInChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Sign-in")
	FMixPlayUserFound OnUserFound;

	// ----- chat events -----

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Chat")
	FMixPlayChatStateChanged OnChatStateChanged;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Chat")
	FMixPlayChatJoinedEvent OnChatJoined;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Chat")
	FMixPlayChatMessageReceived OnChatMessage;

	/** Every other chat event: UserJoin, UserLeave, UserUpdate, UserTimeout, PollStart, PollEnd,
	 *  DeleteMessage, PurgeMessage, ClearMessages, ... with its data as JSON. */
	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Chat")
	FMixPlayChatEvent OnChatEvent;

	UPROPERTY(BlueprintAssignable, Category = "MixPlay|Chat")
	FMixPlayChatReply OnChatReply;

private:
	friend class FMixPlayDispatch;

	/** Runs Call(FMixPlayNative&) when a session exists; on failure records it and returns Fallback. */
	template <class ResultType, class CallType>
	ResultType WithSession(const TCHAR* What, ResultType Fallback, CallType&& Call) const;

	/** The same for the chat. */
	template <class ResultType, class CallType>
	ResultType WithChat(const TCHAR* What, ResultType Fallback, CallType&& Call) const;

	/** What both share: Call when bReady, else Missing reported; a wrapper error reported. */
	template <class ResultType, class CallType>
	ResultType WithNative(const TCHAR* What, EMixPlayErrorSource Source, bool bReady, const TCHAR* Missing, ResultType Fallback, CallType&& Call) const;

	/** Records a failed call and reports it through OnError on the next tick. */
	void ReportFailure(EMixPlayErrorSource Source, const TCHAR* What, int32 Code, const FString& Message) const;

	void PollSession();
	void PollChat();
	void PollSignIn();

	/** Signed in (by a code or silently): keeps and saves the tokens, looks the user up. */
	void SignedIn();
	/** New tokens from the session's or the chat's refresh: kept and saved. */
	void TokensRefreshed(bool bRefreshed, const FString& Message);
	void SaveTokens() const;
	void ForgetSavedTokens() const;

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
	/** The signed-in tokens (secrets; kept in the save slot when bRememberSignIn). */
	FString SignedInToken;
	FString SignedInRefreshToken;
	int64 SignedInExpiresIn = 0;
	int64 SignedInGrantedAt = 0;
	bool bHaveUser = false;
	FMixPlayUser CurrentUser;
	mutable FString LastError;
	mutable TArray<FPendingError> PendingErrors;
};
