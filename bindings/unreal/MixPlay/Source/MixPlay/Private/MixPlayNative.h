// The plugin's only door to the native library: includes the C++ wrapper (bindings/cpp/mixplay.hpp,
// staged into Source/ThirdParty/mixplay/include) with the engine's `check` macro parked, and
// holds the native objects one subsystem owns. Included by .cpp files only, never by a public
// header, so no wrapper or std type reaches game code and no engine type reaches the wrapper.
#pragma once

#include "CoreMinimal.h"

#ifndef MIXPLAY_WITH_NATIVE
#define MIXPLAY_WITH_NATIVE 0
#endif

#if MIXPLAY_WITH_NATIVE

#include <optional>

THIRD_PARTY_INCLUDES_START
// The engine defines a function-like `check(expr)` macro; the wrapper has `detail::check(rc)`.
#pragma push_macro("check")
#undef check
#include "mixplay.hpp"
#pragma pop_macro("check")
THIRD_PARTY_INCLUDES_END

#include "MixPlayInputFrame.h"

/** The native objects of one UMixPlaySubsystem (game thread only). */
class FMixPlayNative
{
public:
	std::optional<mixplay::Session> Session;
	std::optional<mixplay::Chat> Chat;
	std::optional<mixplay::Auth> Auth;
	/** Capture request id -> transaction id, to report OnTransactionResult. */
	TMap<uint64, FString> PendingCaptures;
	/** The sign-in state last broadcast, to report changes only. */
	mixplay::AuthState LastAuthState = mixplay::AuthState::Idle;
	/** The sign-in is trading saved tokens (no code shown); a refusal falls back to a code. */
	bool bResuming = false;
	/** A user look-up is running on Auth. */
	bool bFetchingUser = false;
	/** This frame's per-participant input, screen clicks and typing. */
	MixPlayInputFrame Frame;
};

#else

/** No native library for this platform: the subsystem never makes one. */
class FMixPlayNative
{
};

#endif
