// What the subsystem's sources share: the conversions between the wrapper's types and the
// engine's, and the two guards every call goes through (WithSession, WithChat), which turn a
// missing session or chat, a missing library, or a wrapper exception into OnError and a fallback
// value. Included by the Private/*.cpp files only.
#pragma once

#include "CoreMinimal.h"

#include "MixPlayModule.h"
#include "MixPlayNative.h"
#include "MixPlaySettings.h"
#include "MixPlaySubsystem.h"
#include "MixPlayUtf8.h"

#include <string>

#if MIXPLAY_WITH_NATIVE

namespace MixPlayConvert
{
	using MixPlayUtf8::FromFString;
	using MixPlayUtf8::ToFString;

	inline EMixPlayConnectionState ToState(mixplay::ConnectionState State)
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

	inline EMixPlayErrorSource ToSource(mixplay::ErrorKind Kind)
	{
		switch (Kind)
		{
		case mixplay::ErrorKind::Connection: return EMixPlayErrorSource::Connection;
		case mixplay::ErrorKind::Protocol: return EMixPlayErrorSource::Protocol;
		case mixplay::ErrorKind::QueueOverflow: return EMixPlayErrorSource::QueueOverflow;
		default: return EMixPlayErrorSource::Internal;
		}
	}

	inline EMixPlaySignInState ToSignIn(mixplay::AuthState State)
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

	inline FMixPlayParticipant ToParticipant(const mixplay::Participant& P)
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
	inline std::optional<std::string_view> OptionalView(const std::string& Utf8)
	{
		return Utf8.empty() ? std::nullopt : std::optional<std::string_view>(Utf8);
	}

	/** The message of a failed wrapper call. */
	inline FString Describe(const mixplay::Error& Error)
	{
		return ToFString(std::string_view(Error.what()));
	}

	/** The project's reconnect policy, timeouts and TLS roots, for a session's or a chat's config. */
	inline void ApplyConnection(mixplay::Config& Config, const UMixPlaySettings& Settings)
	{
		Config.reconnect(Settings.bReconnect, static_cast<uint32_t>(FMath::Max(1, Settings.ReconnectInitialDelayMs)),
				static_cast<uint32_t>(FMath::Max(1, Settings.ReconnectMaxDelayMs)), Settings.ReconnectMaxAttempts)
			.connect_timeout_ms(static_cast<uint32_t>(FMath::Max(1, Settings.ConnectTimeoutMs)))
			.request_timeout_ms(static_cast<uint32_t>(FMath::Max(1, Settings.RequestTimeoutMs)));
		if (!Settings.TlsRootsPem.IsEmpty())
		{
			Config.tls_roots_pem(FromFString(Settings.TlsRootsPem), Settings.bTlsAlsoSystemRoots);
		}
	}

	/** The automatic refresh of the signed-in tokens (one refresh for the session and the chat). */
	inline mixplay::TokenRefresh RefreshOf(const UMixPlaySettings& Settings, const FString& RefreshToken, int64 ExpiresIn, int64 GrantedAt)
	{
		return mixplay::TokenRefresh{FromFString(Settings.GetBaseUrl()), FromFString(Settings.ClientId), FromFString(RefreshToken),
			static_cast<uint64_t>(ExpiresIn), GrantedAt};
	}
}

#endif // MIXPLAY_WITH_NATIVE

/** JSON for the wrapper's calls, built from engine types (also in the null build, where the calls
 *  that use them are compiled but never run). */
namespace MixPlayJson
{
	/** Strings as a JSON array (ids, scopes, poll answers). */
	inline std::string JsonStrings(const TArray<FString>& Items)
	{
		std::string Json = "[";
		for (const FString& Item : Items)
		{
			if (Json.size() > 1)
			{
				Json += ",";
			}
			Json += MixPlayUtf8::JsonQuote(MixPlayUtf8::FromFString(Item));
		}
		return Json + "]";
	}

	/** Numbers as a JSON array. */
	inline std::string JsonNumbers(const TArray<int32>& Items)
	{
		std::string Json = "[";
		for (const int32 Item : Items)
		{
			if (Json.size() > 1)
			{
				Json += ",";
			}
			Json += std::to_string(Item);
		}
		return Json + "]";
	}

	/** A JSON array of plain names (the library writes it: no escapes) as strings. */
	inline TArray<FString> Names(std::string_view Json)
	{
		TArray<FString> Out;
		size_t At = 0;
		while ((At = Json.find('"', At)) != std::string_view::npos)
		{
			const size_t End = Json.find('"', At + 1);
			if (End == std::string_view::npos)
			{
				break;
			}
			Out.Add(MixPlayUtf8::ToFString(Json.substr(At + 1, End - At - 1)));
			At = End + 1;
		}
		return Out;
	}
}

template <class ResultType, class CallType>
ResultType UMixPlaySubsystem::WithNative(const TCHAR* What, EMixPlayErrorSource Source, bool bReady, const TCHAR* Missing, ResultType Fallback, CallType&& Call) const
{
#if MIXPLAY_WITH_NATIVE
	if (!bReady)
	{
		ReportFailure(Source, What, static_cast<int32>(MIXPLAY_RESULT_CLOSED), Missing);
		return Fallback;
	}
	try
	{
		return Call(*Native);
	}
	catch (const mixplay::Error& Error)
	{
		ReportFailure(Source, What, static_cast<int32>(Error.code()), MixPlayConvert::Describe(Error));
		return Fallback;
	}
#else
	(void)Source;
	(void)bReady;
	(void)Missing;
	(void)Call;
	ReportFailure(EMixPlayErrorSource::Unavailable, What, 0, TEXT("MixPlay has no native library on this platform"));
	return Fallback;
#endif
}

template <class ResultType, class CallType>
ResultType UMixPlaySubsystem::WithSession(const TCHAR* What, ResultType Fallback, CallType&& Call) const
{
#if MIXPLAY_WITH_NATIVE
	const bool bReady = Native && Native->Session;
#else
	const bool bReady = false;
#endif
	return WithNative(What, EMixPlayErrorSource::Call, bReady, TEXT("not connected (call Connect first)"), Fallback, Call);
}

template <class ResultType, class CallType>
ResultType UMixPlaySubsystem::WithChat(const TCHAR* What, ResultType Fallback, CallType&& Call) const
{
#if MIXPLAY_WITH_NATIVE
	const bool bReady = Native && Native->Chat;
#else
	const bool bReady = false;
#endif
	return WithNative(What, EMixPlayErrorSource::Chat, bReady, TEXT("no chat (call ConnectChat first)"), Fallback, Call);
}
