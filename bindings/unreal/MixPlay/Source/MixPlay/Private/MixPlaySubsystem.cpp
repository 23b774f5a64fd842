// The subsystem's life, its tick, and the session itself (connecting, the token, the state). The
// other functions live beside this file by theme (see MixPlaySubsystem.h).
#include "MixPlaySubsystem.h"

#include "MixPlayCalls.h"
#include "MixPlayDispatch.h"

#if MIXPLAY_WITH_NATIVE
using namespace MixPlayConvert;
#endif

// ---------------------------------------------------------------------------------------------
// Lifetime and ticking
// ---------------------------------------------------------------------------------------------

void UMixPlaySubsystem::Initialize(FSubsystemCollectionBase& Collection)
{
	Super::Initialize(Collection);
	if (FMixPlayModule::IsNativeAvailable())
	{
		Native = MakeShared<FMixPlayNative>();
#if MIXPLAY_WITH_NATIVE
		try
		{
			mixplay::set_log_level(GetDefault<UMixPlaySettings>()->bVerboseLog ? mixplay::LogLevel::Info : mixplay::LogLevel::Warning);
		}
		catch (const mixplay::Error& Error)
		{
			ReportFailure(EMixPlayErrorSource::Internal, TEXT("set_log_level"), static_cast<int32>(Error.code()), Describe(Error));
		}
#endif
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
	if (Native)
	{
		// A new frame: the per-frame state nodes describe what this tick hands out.
		Native->Frame.Clear();
	}
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

// ---------------------------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------------------------

void UMixPlaySubsystem::ReportFailure(EMixPlayErrorSource Source, const TCHAR* What, int32 Code, const FString& Message) const
{
	LastError = FString::Printf(TEXT("%s: %s"), What, *Message);
	UE_LOG(LogMixPlay, Warning, TEXT("MixPlay %s failed (%d): %s"), What, Code, *Message);
	PendingErrors.Add(FPendingError{Source, Code, Message});
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
	const bool bSignedInToken = OAuthToken.IsEmpty();
	const FString& Token = bSignedInToken ? SignedInToken : OAuthToken;
	try
	{
		mixplay::Config Config;
		if (Settings->Endpoints.Num() > 0)
		{
			for (const FString& Endpoint : Settings->Endpoints)
			{
				Config.add_endpoint(FromFString(Endpoint));
			}
		}
		else
		{
			Config.discovery_url(FromFString(Settings->GetDiscoveryUrl()));
		}
		Config.token(FromFString(Token))
			.version_id(static_cast<uint32_t>(FMath::Max(0, Settings->VersionId)))
			.auto_ready(Settings->bAutoReady)
			.compression(FromFString(Settings->Compression.IsEmpty() ? FString(TEXT("none")) : Settings->Compression))
			.handshake_in_query(Settings->bHandshakeInQuery)
			.event_queue_capacity(static_cast<uint32_t>(FMath::Max(16, Settings->EventQueueCapacity)));
		ApplyConnection(Config, *Settings);
		if (!Settings->ShareCode.IsEmpty())
		{
			Config.share_code(FromFString(Settings->ShareCode));
		}
		if (bSignedInToken && !SignedInRefreshToken.IsEmpty())
		{
			// The signed-in token refreshes by itself; OnTokensRefreshed keeps the save slot current.
			Config.token_refresh(RefreshOf(*Settings, SignedInRefreshToken, SignedInExpiresIn, SignedInGrantedAt));
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

bool UMixPlaySubsystem::SetToken(const FString& OAuthToken)
{
	return WithSession(TEXT("SetToken"), false, [&](auto& N) {
		N.Session->set_token(MixPlayUtf8::FromFString(OAuthToken));
		return true;
	});
}

int64 UMixPlaySubsystem::GetServerTime() const
{
	if (!Native)
	{
		return 0;
	}
	return WithSession(TEXT("GetServerTime"), int64(0), [](auto& N) { return static_cast<int64>(N.Session->server_time_ms()); });
}

int64 UMixPlaySubsystem::CallMethod(const FString& Method, const FString& ParamsJson)
{
	return WithSession(TEXT("CallMethod"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->call(MixPlayUtf8::FromFString(Method),
			MixPlayUtf8::FromFString(ParamsJson.IsEmpty() ? FString(TEXT("null")) : ParamsJson)));
	});
}
