#include "MixPlayDispatch.h"

#if MIXPLAY_WITH_NATIVE

using namespace MixPlayConvert;

namespace
{
	/** The change an event kind of a created/updated/deleted triple reports. */
	EMixPlayChange ChangeOf(mixplay::EventKind Kind, mixplay::EventKind Created)
	{
		const uint32 Offset = static_cast<uint32>(Kind) - static_cast<uint32>(Created);
		return Offset == 0 ? EMixPlayChange::Created : Offset == 1 ? EMixPlayChange::Updated : EMixPlayChange::Deleted;
	}
}

void FMixPlayDispatch::Session(UMixPlaySubsystem& Self, FMixPlayNative& Native, const mixplay::Event& E)
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
		Input(Self, Native, E);
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
	case mixplay::EventKind::SceneCreated:
	case mixplay::EventKind::SceneUpdated:
	case mixplay::EventKind::SceneDeleted:
	{
		const EMixPlayChange Change = ChangeOf(E.kind, mixplay::EventKind::SceneCreated);
		const FString Scene = ToFString(E.scene);
		const FString ReassignedTo = ToFString(E.text);
		Self.OnSceneChanged.Broadcast(Change, Scene, ReassignedTo);
		break;
	}
	case mixplay::EventKind::GroupCreated:
	case mixplay::EventKind::GroupUpdated:
	case mixplay::EventKind::GroupDeleted:
	{
		const EMixPlayChange Change = ChangeOf(E.kind, mixplay::EventKind::GroupCreated);
		const FString Group = ToFString(E.group);
		const FString ReassignedTo = ToFString(E.text);
		Self.OnGroupChanged.Broadcast(Change, Group, ReassignedTo);
		break;
	}
	case mixplay::EventKind::ControlCreated:
	case mixplay::EventKind::ControlUpdated:
	case mixplay::EventKind::ControlDeleted:
	{
		const EMixPlayChange Change = ChangeOf(E.kind, mixplay::EventKind::ControlCreated);
		const FString Scene = ToFString(E.scene);
		const FString Control = ToFString(E.control);
		Self.OnControlChanged.Broadcast(Change, Scene, Control);
		break;
	}
	case mixplay::EventKind::WorldUpdated:
		Self.OnWorldUpdated.Broadcast();
		break;
	case mixplay::EventKind::MemoryWarning:
	{
		const FString Json = ToFString(E.json);
		Self.OnMemoryWarning.Broadcast(static_cast<int64>(E.used_bytes), static_cast<int64>(E.total_bytes), Json);
		break;
	}
	case mixplay::EventKind::UnhandledMethod:
	{
		const FString Method = ToFString(E.text);
		const FString Params = ToFString(E.json);
		Self.OnUnhandledMethod.Broadcast(Method, Params);
		break;
	}
	case mixplay::EventKind::Reply:
		Reply(Self, Native, E);
		break;
	case mixplay::EventKind::Tokens:
		Tokens(Self, E.new_tokens(), E.text);
		break;
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
		break;
	}
}

void FMixPlayDispatch::Input(UMixPlaySubsystem& Self, FMixPlayNative& Native, const mixplay::Event& E)
{
	const std::string ControlUtf8(E.control), WhoUtf8(E.participant);
	const FString Control = ToFString(E.control);
	const FString Participant = ToFString(E.participant);
	const float X = static_cast<float>(E.x), Y = static_cast<float>(E.y);
	const bool bPress = E.input_kind == mixplay::InputKind::MouseDown || E.input_kind == mixplay::InputKind::KeyDown;
	const bool bRelease = E.input_kind == mixplay::InputKind::MouseUp || E.input_kind == mixplay::InputKind::KeyUp;
	if (bPress || bRelease)
	{
		Native.Frame.Press(ControlUtf8, WhoUtf8, bPress, E.has_position, E.x, E.y);
	}
	const FString Transaction = ToFString(E.transaction);
	const bool bPaid = bPress || E.input_kind == mixplay::InputKind::TextSubmit;
	if (bPaid && !Transaction.IsEmpty() && GetDefault<UMixPlaySettings>()->bAutoCaptureSparks)
	{
		// Captured before the delegates run; OnTransactionResult reports it.
		Native.PendingCaptures.Add(Native.Session->capture(E.transaction), Transaction);
	}
	switch (E.input_kind)
	{
	case mixplay::InputKind::MouseDown:
	case mixplay::InputKind::KeyDown:
		if (E.has_position)
		{
			Self.OnScreenPressed.Broadcast(Control, Participant, X, Y, Transaction);
		}
		else
		{
			Self.OnButtonDown.Broadcast(Control, Participant, Transaction);
		}
		break;
	case mixplay::InputKind::MouseUp:
	case mixplay::InputKind::KeyUp:
		if (E.has_position)
		{
			Self.OnScreenReleased.Broadcast(Control, Participant, X, Y);
		}
		else
		{
			Self.OnButtonUp.Broadcast(Control, Participant);
		}
		break;
	case mixplay::InputKind::Move:
		Native.Frame.Move(ControlUtf8, WhoUtf8, E.x, E.y);
		Self.OnJoystickMoved.Broadcast(Control, Participant, X, Y);
		break;
	case mixplay::InputKind::TextChange:
	{
		const std::string TextUtf8(E.text);
		Native.Frame.Type(ControlUtf8, WhoUtf8, TextUtf8);
		const FString Text = ToFString(E.text);
		Self.OnTextChanged.Broadcast(Control, Participant, Text);
		break;
	}
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

void FMixPlayDispatch::Reply(UMixPlaySubsystem& Self, FMixPlayNative& Native, const mixplay::Event& E)
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
}

void FMixPlayDispatch::Tokens(UMixPlaySubsystem& Self, const std::optional<mixplay::Tokens>& Fresh, std::string_view Why)
{
	if (Fresh)
	{
		Self.SignedInToken = ToFString(Fresh->access_token);
		Self.SignedInRefreshToken = ToFString(Fresh->refresh_token);
		Self.SignedInExpiresIn = static_cast<int64>(Fresh->expires_in);
		Self.SignedInGrantedAt = Fresh->granted_at;
	}
	Self.TokensRefreshed(Fresh.has_value(), ToFString(Why));
}

void FMixPlayDispatch::Chat(UMixPlaySubsystem& Self, const mixplay::ChatEvent& E)
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
	case mixplay::ChatEventKind::Joined:
	{
		FMixPlayChatJoined J;
		J.bSignedIn = E.flag;
		J.UserId = static_cast<int32>(E.user_id);
		J.ChannelId = static_cast<int32>(E.channel_id);
		J.RolesJson = ToFString(E.roles);
		J.Permissions = MixPlayJson::Names(E.permissions);
		Self.OnChatJoined.Broadcast(J);
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
	case mixplay::ChatEventKind::Event:
	{
		const FString Name = ToFString(E.text);
		const FString Json = ToFString(E.json);
		Self.OnChatEvent.Broadcast(Name, Json);
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
	case mixplay::ChatEventKind::Tokens:
		// The chat shares the session's refresh when both were given the signed-in tokens: the
		// same new tokens, kept the same way.
		Tokens(Self, E.new_tokens(), E.text);
		break;
	default:
		break;
	}
}

#endif // MIXPLAY_WITH_NATIVE
