#include "MixPlaySubsystem.h"

#include "MixPlayModule.h"
#include "MixPlayNative.h"
#include "MixPlaySettings.h"
#include "MixPlayUtf8.h"

using MixPlayUtf8::FromFString;
using MixPlayUtf8::ToFString;

// ---------------------------------------------------------------------------------------------
// Event dispatch (native builds only). Each handler copies what it needs out of the event into
// engine types *before* broadcasting, because a delegate may disconnect (freeing the storage the
// event's views point into) or call back into the subsystem.
// ---------------------------------------------------------------------------------------------

#if MIXPLAY_WITH_NATIVE

namespace
{
	EMixPlayConnectionState ToState(mixplay::ConnectionState State)
	{
		switch (State)
		{
		case mixplay::ConnectionState::Connected: return EMixPlayConnectionState::Connected;
		case mixplay::ConnectionState::Reconnecting: return EMixPlayConnectionState::Reconnecting;
		case mixplay::ConnectionState::Disconnected: return EMixPlayConnectionState::Disconnected;
		case mixplay::ConnectionState::Connecting:
		case mixplay::ConnectionState::Unknown:
		default: return EMixPlayConnectionState::Connecting;
		}
	}

	EMixPlayErrorSource ToSource(mixplay::ErrorKind Kind)
	{
		switch (Kind)
		{
		case mixplay::ErrorKind::Connection: return EMixPlayErrorSource::Connection;
		case mixplay::ErrorKind::Protocol: return EMixPlayErrorSource::Protocol;
		case mixplay::ErrorKind::QueueOverflow: return EMixPlayErrorSource::QueueOverflow;
		default: return EMixPlayErrorSource::Internal;
		}
	}

	EMixPlaySignInState ToSignIn(mixplay::AuthState State)
	{
		switch (State)
		{
		case mixplay::AuthState::Starting: return EMixPlaySignInState::Starting;
		case mixplay::AuthState::Waiting: return EMixPlaySignInState::WaitingForUser;
		case mixplay::AuthState::Approved: return EMixPlaySignInState::Approved;
		case mixplay::AuthState::Denied: return EMixPlaySignInState::Denied;
		case mixplay::AuthState::Expired: return EMixPlaySignInState::Expired;
		case mixplay::AuthState::Refreshing: return EMixPlaySignInState::Refreshing;
		case mixplay::AuthState::Failed: return EMixPlaySignInState::Failed;
		case mixplay::AuthState::Idle:
		default: return EMixPlaySignInState::Idle;
		}
	}

	FMixPlayParticipant ToParticipant(const mixplay::Participant& P)
	{
		FMixPlayParticipant Out;
		Out.SessionId = ToFString(P.session_id);
		Out.UserId = static_cast<int32>(P.user_id);
		Out.Level = static_cast<int32>(P.level);
		Out.Username = ToFString(P.username);
		Out.GroupId = ToFString(P.group);
		Out.ConnectedAt = P.connected_at;
		Out.LastInputAt = P.last_input_at;
		Out.bDisabled = P.disabled;
		Out.bAnonymous = P.anonymous;
		return Out;
	}

	/** An empty string as "none" (the wrapper's optional token and client id). */
	std::optional<std::string_view> OptionalView(const std::string& Utf8)
	{
		return Utf8.empty() ? std::nullopt : std::optional<std::string_view>(Utf8);
	}

	/** The message of a failed wrapper call. */
	FString Describe(const mixplay::Error& Error)
	{
		return ToFString(std::string_view(Error.what()));
	}
}

/** Turns one session event into delegate broadcasts (a friend of the subsystem). */
class FMixPlayDispatch
{
public:
	static void Session(UMixPlaySubsystem& Self, FMixPlayNative& Native, const mixplay::Event& E)
	{
		switch (E.kind)
		{
		case mixplay::EventKind::Connection:
		{
			const EMixPlayConnectionState State = ToState(E.connection_state);
			const int32 Code = static_cast<int32>(E.code);
			const FString Message = ToFString(E.text);
			Self.OnConnectionStateChanged.Broadcast(State, Code, Message);
			break;
		}
		case mixplay::EventKind::Ready:
			Self.OnReadyChanged.Broadcast(E.flag);
			break;
		case mixplay::EventKind::Input:
			Input(Self, E);
			break;
		case mixplay::EventKind::ParticipantJoined:
		case mixplay::EventKind::ParticipantUpdated:
		{
			FMixPlayParticipant P;
			try
			{
				P = ToParticipant(Native.Session->participant(E.participant));
			}
			catch (const mixplay::Error&)
			{
				// Gone again within the same frame: report what the event says.
				P.SessionId = ToFString(E.participant);
			}
			if (E.kind == mixplay::EventKind::ParticipantJoined)
			{
				Self.OnParticipantJoined.Broadcast(P);
			}
			else
			{
				Self.OnParticipantUpdated.Broadcast(P);
			}
			break;
		}
		case mixplay::EventKind::ParticipantLeft:
		{
			const FString Id = ToFString(E.participant);
			const FString Json = ToFString(E.json);
			Self.OnParticipantLeft.Broadcast(Id, Json);
			break;
		}
		case mixplay::EventKind::Reply:
		{
			const int64 Id = static_cast<int64>(E.request_id);
			const bool bOk = E.ok();
			const int32 Code = static_cast<int32>(E.code);
			const FString Message = ToFString(E.text);
			const FString Json = ToFString(E.json);
			FString Transaction;
			const bool bCapture = Native.PendingCaptures.RemoveAndCopyValue(E.request_id, Transaction);
			Self.OnReply.Broadcast(Id, bOk, Code, Message, Json);
			if (bCapture)
			{
				Self.OnTransactionResult.Broadcast(Id, Transaction, bOk, Code, Message);
			}
			break;
		}
		case mixplay::EventKind::Error:
		{
			const EMixPlayErrorSource Source = ToSource(E.error_kind);
			const int32 Code = static_cast<int32>(E.code);
			const FString Message = ToFString(E.text);
			UE_LOG(LogMixPlay, Warning, TEXT("MixPlay error %d: %s"), Code, *Message);
			Self.OnError.Broadcast(Source, Code, Message);
			break;
		}
		default:
			// Scene, group, control and world changes are in the cache (GetScenes, GetControlString, ...).
			break;
		}
	}

	static void Input(UMixPlaySubsystem& Self, const mixplay::Event& E)
	{
		const FString Control = ToFString(E.control);
		const FString Participant = ToFString(E.participant);
		switch (E.input_kind)
		{
		case mixplay::InputKind::MouseDown:
		case mixplay::InputKind::KeyDown:
		{
			const FString Transaction = ToFString(E.transaction);
			Self.OnButtonDown.Broadcast(Control, Participant, Transaction);
			break;
		}
		case mixplay::InputKind::MouseUp:
		case mixplay::InputKind::KeyUp:
			Self.OnButtonUp.Broadcast(Control, Participant);
			break;
		case mixplay::InputKind::Move:
			Self.OnJoystickMoved.Broadcast(Control, Participant, static_cast<float>(E.x), static_cast<float>(E.y));
			break;
		case mixplay::InputKind::TextSubmit:
		{
			const FString Text = ToFString(E.text);
			Self.OnTextSubmitted.Broadcast(Control, Participant, Text);
			break;
		}
		case mixplay::InputKind::Custom:
		{
			const FString Name = ToFString(E.text);
			const FString Json = ToFString(E.json);
			Self.OnCustomInput.Broadcast(Control, Participant, Name, Json);
			break;
		}
		default:
			break;
		}
	}

	static void Chat(UMixPlaySubsystem& Self, const mixplay::ChatEvent& E)
	{
		switch (E.kind)
		{
		case mixplay::ChatEventKind::Connection:
		{
			const EMixPlayConnectionState State = ToState(E.connection_state);
			const FString Why = ToFString(E.text);
			Self.OnChatStateChanged.Broadcast(State, Why);
			break;
		}
		case mixplay::ChatEventKind::Message:
		{
			FMixPlayChatMessage M;
			M.MessageId = ToFString(E.message_id);
			M.UserId = static_cast<int32>(E.user_id);
			M.UserName = ToFString(E.user_name);
			M.Text = ToFString(E.text);
			M.bWhisper = E.whisper;
			M.Target = ToFString(E.target);
			M.bAction = E.action;
			M.RolesJson = ToFString(E.roles);
			Self.OnChatMessage.Broadcast(M);
			break;
		}
		case mixplay::ChatEventKind::Reply:
		{
			const int64 Id = static_cast<int64>(E.request_id);
			const bool bOk = E.ok();
			const FString Error = ToFString(E.text);
			const FString Json = ToFString(E.json);
			Self.OnChatReply.Broadcast(Id, bOk, Error, Json);
			break;
		}
		default:
			// JOINED and other chat events (UserJoin, PollStart, ...) are not surfaced yet.
			break;
		}
	}
};

#endif // MIXPLAY_WITH_NATIVE

// ---------------------------------------------------------------------------------------------
// Lifetime and ticking
// ---------------------------------------------------------------------------------------------

void UMixPlaySubsystem::Initialize(FSubsystemCollectionBase& Collection)
{
	Super::Initialize(Collection);
	if (FMixPlayModule::IsNativeAvailable())
	{
		Native = MakeShared<FMixPlayNative>();
	}
	bInitialized = true;
}

void UMixPlaySubsystem::Deinitialize()
{
	bInitialized = false;
	// Frees the sign-in, chat and session (in the reverse order of FMixPlayNative's members).
	Native.Reset();
	++SessionGeneration;
	++ChatGeneration;
	PendingErrors.Empty();
	Super::Deinitialize();
}

TStatId UMixPlaySubsystem::GetStatId() const
{
	RETURN_QUICK_DECLARE_CYCLE_STAT(UMixPlaySubsystem, STATGROUP_Tickables);
}

ETickableTickType UMixPlaySubsystem::GetTickableTickType() const
{
	// The class default object never ticks; instances tick while initialised.
	return HasAnyFlags(RF_ClassDefaultObject) ? ETickableTickType::Never : ETickableTickType::Conditional;
}

bool UMixPlaySubsystem::IsTickable() const
{
	return bInitialized;
}

bool UMixPlaySubsystem::IsTickableWhenPaused() const
{
	// Keep draining while paused: the service keeps sending, and the queue is bounded.
	return true;
}

void UMixPlaySubsystem::Tick(float DeltaTime)
{
	(void)DeltaTime;
	if (PendingErrors.Num() > 0)
	{
		TArray<FPendingError> Errors = MoveTemp(PendingErrors);
		PendingErrors.Reset();
		for (const FPendingError& Error : Errors)
		{
			OnError.Broadcast(Error.Source, Error.Code, Error.Message);
		}
	}
	PollSignIn();
	PollChat();
	PollSession();
}

void UMixPlaySubsystem::PollSession()
{
#if MIXPLAY_WITH_NATIVE
	const int32 Budget = FMath::Max(1, GetDefault<UMixPlaySettings>()->MaxEventsPerFrame);
	const uint32 Generation = SessionGeneration;
	for (int32 Handled = 0;; ++Handled)
	{
		// A delegate may have disconnected or reconnected: stop this frame's drain.
		if (!Native || !Native->Session || SessionGeneration != Generation)
		{
			return;
		}
		FMixPlayNative& N = *Native;
		try
		{
			if (Handled == Budget)
			{
				// Over budget: send this frame's control writes now; the rest waits for the next tick.
				N.Session->end_frame();
				return;
			}
			std::optional<mixplay::Event> Event = N.Session->poll();
			if (!Event)
			{
				return; // the frame ended: control writes are sent, the per-frame helpers hold this frame
			}
			// Keep the native objects alive even if a delegate disconnects or the subsystem deinitialises.
			TSharedPtr<FMixPlayNative> Keep = Native;
			FMixPlayDispatch::Session(*this, N, *Event);
		}
		catch (const mixplay::Error& Error)
		{
			ReportFailure(EMixPlayErrorSource::Internal, TEXT("poll"), static_cast<int32>(Error.code()), Describe(Error));
			return;
		}
	}
#endif
}

void UMixPlaySubsystem::PollChat()
{
#if MIXPLAY_WITH_NATIVE
	const int32 Budget = FMath::Max(1, GetDefault<UMixPlaySettings>()->MaxEventsPerFrame);
	const uint32 Generation = ChatGeneration;
	for (int32 Handled = 0; Handled < Budget; ++Handled)
	{
		if (!Native || !Native->Chat || ChatGeneration != Generation)
		{
			return;
		}
		try
		{
			std::optional<mixplay::ChatEvent> Event = Native->Chat->poll();
			if (!Event)
			{
				return;
			}
			TSharedPtr<FMixPlayNative> Keep = Native;
			FMixPlayDispatch::Chat(*this, *Event);
		}
		catch (const mixplay::Error& Error)
		{
			ReportFailure(EMixPlayErrorSource::Chat, TEXT("chat poll"), static_cast<int32>(Error.code()), Describe(Error));
			return;
		}
	}
#endif
}

void UMixPlaySubsystem::PollSignIn()
{
#if MIXPLAY_WITH_NATIVE
	if (!Native || !Native->Auth)
	{
		return;
	}
	FString Code, Url, Message;
	EMixPlaySignInState NewState = EMixPlaySignInState::Idle;
	try
	{
		const mixplay::AuthStatus Status = Native->Auth->poll();
		if (Status.state == Native->LastAuthState)
		{
			return;
		}
		Native->LastAuthState = Status.state;
		NewState = ToSignIn(Status.state);
		Code = ToFString(Status.code);
		Url = ToFString(Status.url);
		Message = ToFString(Status.message);
		if (Status.approved())
		{
			SignedInToken = ToFString(Status.access_token);
		}
	}
	catch (const mixplay::Error& Error)
	{
		ReportFailure(EMixPlayErrorSource::SignIn, TEXT("sign-in poll"), static_cast<int32>(Error.code()), Describe(Error));
		return;
	}
	SignInState = NewState;
	OnSignInChanged.Broadcast(NewState, Code, Url, Message);
#endif
}

// ---------------------------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------------------------

void UMixPlaySubsystem::ReportFailure(EMixPlayErrorSource Source, const TCHAR* What, int32 Code, const FString& Message) const
{
	LastError = FString::Printf(TEXT("%s: %s"), What, *Message);
	UE_LOG(LogMixPlay, Warning, TEXT("MixPlay %s failed (%d): %s"), What, Code, *Message);
	PendingErrors.Add(FPendingError{Source, Code, Message});
}

template <class ResultType, class CallType>
ResultType UMixPlaySubsystem::WithSession(const TCHAR* What, ResultType Fallback, CallType&& Call) const
{
#if MIXPLAY_WITH_NATIVE
	if (!Native || !Native->Session)
	{
		ReportFailure(EMixPlayErrorSource::Call, What, static_cast<int32>(MIXPLAY_RESULT_CLOSED), TEXT("not connected (call Connect first)"));
		return Fallback;
	}
	try
	{
		return Call(*Native);
	}
	catch (const mixplay::Error& Error)
	{
		ReportFailure(EMixPlayErrorSource::Call, What, static_cast<int32>(Error.code()), Describe(Error));
		return Fallback;
	}
#else
	(void)Call;
	ReportFailure(EMixPlayErrorSource::Unavailable, What, 0, TEXT("MixPlay has no native library on this platform"));
	return Fallback;
#endif
}

// ---------------------------------------------------------------------------------------------
// Session
// ---------------------------------------------------------------------------------------------

bool UMixPlaySubsystem::IsAvailable() const
{
	return Native.IsValid();
}

bool UMixPlaySubsystem::Connect(const FString& OAuthToken)
{
#if MIXPLAY_WITH_NATIVE
	if (!Native)
	{
		ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("Connect"), 0, TEXT("the MixPlay library did not load (see the log)"));
		return false;
	}
	const UMixPlaySettings* Settings = GetDefault<UMixPlaySettings>();
	const FString& Token = OAuthToken.IsEmpty() ? SignedInToken : OAuthToken;
	try
	{
		mixplay::Config Config;
		Config.discovery_url(FromFString(Settings->GetDiscoveryUrl()))
			.token(FromFString(Token))
			.version_id(static_cast<uint32_t>(FMath::Max(0, Settings->VersionId)))
			.auto_ready(Settings->bAutoReady);
		if (!Settings->ShareCode.IsEmpty())
		{
			Config.share_code(FromFString(Settings->ShareCode));
		}
		// Free the old session before making the new one, and end any drain in progress.
		Native->Session.reset();
		Native->PendingCaptures.Empty();
		++SessionGeneration;
		Native->Session.emplace(Config);
		return true;
	}
	catch (const mixplay::Error& Error)
	{
		ReportFailure(EMixPlayErrorSource::Call, TEXT("Connect"), static_cast<int32>(Error.code()), Describe(Error));
		return false;
	}
#else
	(void)OAuthToken;
	if (!bLoggedUnavailable)
	{
		bLoggedUnavailable = true;
		UE_LOG(LogMixPlay, Warning, TEXT("MixPlay is not available on this platform; Connect does nothing."));
	}
	ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("Connect"), 0, TEXT("MixPlay has no native library on this platform"));
	return false;
#endif
}

void UMixPlaySubsystem::Disconnect()
{
#if MIXPLAY_WITH_NATIVE
	if (Native && Native->Session)
	{
		Native->Session.reset();
		Native->PendingCaptures.Empty();
		++SessionGeneration;
	}
#endif
}

EMixPlayConnectionState UMixPlaySubsystem::GetConnectionState() const
{
#if MIXPLAY_WITH_NATIVE
	if (!Native || !Native->Session)
	{
		return EMixPlayConnectionState::Disconnected;
	}
	return WithSession(TEXT("GetConnectionState"), EMixPlayConnectionState::Disconnected,
		[](auto& N) { return ToState(N.Session->connection_state()); });
#else
	return EMixPlayConnectionState::Disconnected;
#endif
}

bool UMixPlaySubsystem::IsReady() const
{
	if (!Native)
	{
		return false;
	}
	return WithSession(TEXT("IsReady"), false, [](auto& N) { return N.Session->is_ready(); });
}

int64 UMixPlaySubsystem::SetReady(bool bReady)
{
	return WithSession(TEXT("SetReady"), int64(0), [&](auto& N) { return static_cast<int64>(N.Session->ready(bReady)); });
}

// ----- control properties -----

int64 UMixPlaySubsystem::SetControlText(const FString& ControlId, const FString& Text)
{
	return WithSession(TEXT("SetControlText"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_text(FromFString(ControlId), FromFString(Text)));
	});
}

int64 UMixPlaySubsystem::SetControlTooltip(const FString& ControlId, const FString& Tooltip)
{
	return WithSession(TEXT("SetControlTooltip"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_tooltip(FromFString(ControlId), FromFString(Tooltip)));
	});
}

int64 UMixPlaySubsystem::SetControlProgress(const FString& ControlId, float Progress)
{
	return WithSession(TEXT("SetControlProgress"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_progress(FromFString(ControlId), static_cast<double>(Progress)));
	});
}

int64 UMixPlaySubsystem::SetControlCooldown(const FString& ControlId, int64 CooldownMs)
{
	return WithSession(TEXT("SetControlCooldown"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_cooldown(FromFString(ControlId), static_cast<uint64_t>(FMath::Max<int64>(0, CooldownMs))));
	});
}

int64 UMixPlaySubsystem::SetControlDisabled(const FString& ControlId, bool bDisabled)
{
	return WithSession(TEXT("SetControlDisabled"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_disabled(FromFString(ControlId), bDisabled));
	});
}

int64 UMixPlaySubsystem::SetControlCost(const FString& ControlId, int32 Sparks)
{
	return WithSession(TEXT("SetControlCost"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_cost(FromFString(ControlId), static_cast<uint32_t>(FMath::Max(0, Sparks))));
	});
}

bool UMixPlaySubsystem::GetControlString(const FString& ControlId, const FString& Key, FString& OutValue)
{
	return WithSession(TEXT("GetControlString"), false, [&](auto& N) {
		OutValue = ToFString(N.Session->get_control_string(FromFString(ControlId), FromFString(Key)));
		return true;
	});
}

// ----- groups and scenes -----

int64 UMixPlaySubsystem::MoveParticipantToGroup(const FString& ParticipantId, const FString& GroupId)
{
	return WithSession(TEXT("MoveParticipantToGroup"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->move_participant(FromFString(ParticipantId), FromFString(GroupId)));
	});
}

int64 UMixPlaySubsystem::CreateGroup(const FString& GroupId, const FString& SceneId)
{
	return WithSession(TEXT("CreateGroup"), int64(0), [&](auto& N) {
		const std::string Json = "[{\"groupID\":" + MixPlayUtf8::JsonQuote(FromFString(GroupId)) +
			",\"sceneID\":" + MixPlayUtf8::JsonQuote(FromFString(SceneId)) + "}]";
		return static_cast<int64>(N.Session->create_groups(Json));
	});
}

int64 UMixPlaySubsystem::SetGroupScene(const FString& GroupId, const FString& SceneId)
{
	return WithSession(TEXT("SetGroupScene"), int64(0), [&](auto& N) {
		const std::string Json = "[{\"groupID\":" + MixPlayUtf8::JsonQuote(FromFString(GroupId)) +
			",\"sceneID\":" + MixPlayUtf8::JsonQuote(FromFString(SceneId)) + "}]";
		return static_cast<int64>(N.Session->update_groups(Json));
	});
}

TArray<FString> UMixPlaySubsystem::GetScenes() const
{
	TArray<FString> Out;
	if (!Native)
	{
		return Out;
	}
	WithSession(TEXT("GetScenes"), false, [&](auto& N) {
		for (std::string_view Scene : N.Session->scenes())
		{
			Out.Add(ToFString(Scene));
		}
		return true;
	});
	return Out;
}

// ----- sparks -----

int64 UMixPlaySubsystem::Capture(const FString& TransactionId)
{
	return WithSession(TEXT("Capture"), int64(0), [&](auto& N) {
		const uint64_t Id = N.Session->capture(FromFString(TransactionId));
		N.PendingCaptures.Add(Id, TransactionId);
		return static_cast<int64>(Id);
	});
}

// ----- participants -----

TArray<FMixPlayParticipant> UMixPlaySubsystem::GetParticipants() const
{
	TArray<FMixPlayParticipant> Out;
	if (!Native)
	{
		return Out;
	}
	WithSession(TEXT("GetParticipants"), false, [&](auto& N) {
		N.Session->for_each_participant([&](const auto& P) { Out.Add(ToParticipant(P)); });
		return true;
	});
	return Out;
}

bool UMixPlaySubsystem::FindParticipant(const FString& ParticipantId, FMixPlayParticipant& OutParticipant) const
{
	if (!Native)
	{
		return false;
	}
	// Not found is an answer, not a failure: look before asking.
	return WithSession(TEXT("FindParticipant"), false, [&](auto& N) {
		bool bFound = false;
		const std::string Wanted = FromFString(ParticipantId);
		N.Session->for_each_participant([&](const auto& P) {
			if (P.session_id != Wanted)
			{
				return true;
			}
			OutParticipant = ToParticipant(P);
			bFound = true;
			return false;
		});
		return bFound;
	});
}

// ----- this frame's input -----

void UMixPlaySubsystem::GetButtonCounts(const FString& ControlId, int32& Presses, int32& Releases) const
{
	Presses = 0;
	Releases = 0;
	if (!Native)
	{
		return;
	}
	WithSession(TEXT("GetButtonCounts"), false, [&](auto& N) {
		const auto Counts = N.Session->button_counts(FromFString(ControlId));
		Presses = static_cast<int32>(Counts.first);
		Releases = static_cast<int32>(Counts.second);
		return true;
	});
}

TArray<FString> UMixPlaySubsystem::GetButtonHolders(const FString& ControlId) const
{
	TArray<FString> Out;
	if (!Native)
	{
		return Out;
	}
	WithSession(TEXT("GetButtonHolders"), false, [&](auto& N) {
		const std::string Control = FromFString(ControlId);
		const size_t Count = N.Session->button_holder_count(Control);
		for (size_t I = 0; I < Count; ++I)
		{
			Out.Add(ToFString(N.Session->button_holder_at(Control, I)));
		}
		return true;
	});
	return Out;
}

int32 UMixPlaySubsystem::GetJoystick(const FString& ControlId, float& X, float& Y) const
{
	X = 0.f;
	Y = 0.f;
	if (!Native)
	{
		return 0;
	}
	return WithSession(TEXT("GetJoystick"), int32(0), [&](auto& N) {
		const auto Mean = N.Session->joystick_mean(FromFString(ControlId));
		X = static_cast<float>(Mean.x);
		Y = static_cast<float>(Mean.y);
		return static_cast<int32>(Mean.moves);
	});
}

TArray<FMixPlayTextSubmission> UMixPlaySubsystem::GetTextSubmissions(const FString& ControlId) const
{
	TArray<FMixPlayTextSubmission> Out;
	if (!Native)
	{
		return Out;
	}
	WithSession(TEXT("GetTextSubmissions"), false, [&](auto& N) {
		const std::string Control = FromFString(ControlId);
		const size_t Count = N.Session->text_submission_count(Control);
		for (size_t I = 0; I < Count; ++I)
		{
			const auto Submission = N.Session->text_submission_at(Control, I);
			FMixPlayTextSubmission Entry;
			Entry.ParticipantId = ToFString(Submission.first);
			Entry.Text = ToFString(Submission.second);
			Out.Add(Entry);
		}
		return true;
	});
	return Out;
}

int64 UMixPlaySubsystem::CallMethod(const FString& Method, const FString& ParamsJson)
{
	return WithSession(TEXT("CallMethod"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->call(FromFString(Method), FromFString(ParamsJson.IsEmpty() ? FString(TEXT("null")) : ParamsJson)));
	});
}

// ---------------------------------------------------------------------------------------------
// Short-code sign-in
// ---------------------------------------------------------------------------------------------

bool UMixPlaySubsystem::StartSignIn()
{
#if MIXPLAY_WITH_NATIVE
	if (!Native)
	{
		ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("StartSignIn"), 0, TEXT("the MixPlay library did not load (see the log)"));
		return false;
	}
	const UMixPlaySettings* Settings = GetDefault<UMixPlaySettings>();
	try
	{
		if (!Native->Auth)
		{
			Native->Auth.emplace(FromFString(Settings->GetBaseUrl()), FromFString(Settings->ClientId), FromFString(Settings->Scopes));
			Native->LastAuthState = mixplay::AuthState::Idle;
		}
		Native->Auth->start();
		return true;
	}
	catch (const mixplay::Error& Error)
	{
		Native->Auth.reset();
		ReportFailure(EMixPlayErrorSource::SignIn, TEXT("StartSignIn"), static_cast<int32>(Error.code()), Describe(Error));
		return false;
	}
#else
	ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("StartSignIn"), 0, TEXT("MixPlay has no native library on this platform"));
	return false;
#endif
}

void UMixPlaySubsystem::CancelSignIn()
{
#if MIXPLAY_WITH_NATIVE
	if (Native && Native->Auth)
	{
		try
		{
			Native->Auth->cancel();
		}
		catch (const mixplay::Error& Error)
		{
			ReportFailure(EMixPlayErrorSource::SignIn, TEXT("CancelSignIn"), static_cast<int32>(Error.code()), Describe(Error));
		}
	}
#endif
}

// ---------------------------------------------------------------------------------------------
// Chat
// ---------------------------------------------------------------------------------------------

bool UMixPlaySubsystem::ConnectChat(int32 ChannelId, const FString& OAuthToken)
{
#if MIXPLAY_WITH_NATIVE
	if (!Native)
	{
		ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("ConnectChat"), 0, TEXT("the MixPlay library did not load (see the log)"));
		return false;
	}
	const UMixPlaySettings* Settings = GetDefault<UMixPlaySettings>();
	const FString& Token = OAuthToken.IsEmpty() ? SignedInToken : OAuthToken;
	try
	{
		Native->Chat.reset();
		++ChatGeneration;
		// An empty token reads the chat anonymously; an empty client id sends none.
		const std::string TokenUtf8 = FromFString(Token);
		const std::string ClientIdUtf8 = FromFString(Settings->ClientId);
		Native->Chat.emplace(FromFString(Settings->GetBaseUrl()), static_cast<uint32_t>(FMath::Max(0, ChannelId)),
			OptionalView(TokenUtf8), OptionalView(ClientIdUtf8));
		return true;
	}
	catch (const mixplay::Error& Error)
	{
		ReportFailure(EMixPlayErrorSource::Chat, TEXT("ConnectChat"), static_cast<int32>(Error.code()), Describe(Error));
		return false;
	}
#else
	(void)ChannelId;
	(void)OAuthToken;
	ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("ConnectChat"), 0, TEXT("MixPlay has no native library on this platform"));
	return false;
#endif
}

void UMixPlaySubsystem::DisconnectChat()
{
#if MIXPLAY_WITH_NATIVE
	if (Native && Native->Chat)
	{
		Native->Chat.reset();
		++ChatGeneration;
	}
#endif
}

int64 UMixPlaySubsystem::SendChatMessage(const FString& Text)
{
#if MIXPLAY_WITH_NATIVE
	if (!Native || !Native->Chat)
	{
		ReportFailure(EMixPlayErrorSource::Chat, TEXT("SendChatMessage"), static_cast<int32>(MIXPLAY_RESULT_CLOSED), TEXT("no chat (call ConnectChat first)"));
		return 0;
	}
	try
	{
		return static_cast<int64>(Native->Chat->send(FromFString(Text)));
	}
	catch (const mixplay::Error& Error)
	{
		ReportFailure(EMixPlayErrorSource::Chat, TEXT("SendChatMessage"), static_cast<int32>(Error.code()), Describe(Error));
		return 0;
	}
#else
	(void)Text;
	ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("SendChatMessage"), 0, TEXT("MixPlay has no native library on this platform"));
	return 0;
#endif
}

int64 UMixPlaySubsystem::SendChatWhisper(const FString& Username, const FString& Text)
{
#if MIXPLAY_WITH_NATIVE
	if (!Native || !Native->Chat)
	{
		ReportFailure(EMixPlayErrorSource::Chat, TEXT("SendChatWhisper"), static_cast<int32>(MIXPLAY_RESULT_CLOSED), TEXT("no chat (call ConnectChat first)"));
		return 0;
	}
	try
	{
		return static_cast<int64>(Native->Chat->whisper(FromFString(Username), FromFString(Text)));
	}
	catch (const mixplay::Error& Error)
	{
		ReportFailure(EMixPlayErrorSource::Chat, TEXT("SendChatWhisper"), static_cast<int32>(Error.code()), Describe(Error));
		return 0;
	}
#else
	(void)Username;
	(void)Text;
	ReportFailure(EMixPlayErrorSource::Unavailable, TEXT("SendChatWhisper"), 0, TEXT("MixPlay has no native library on this platform"));
	return 0;
#endif
}
