// Turns the library's events into the subsystem's delegate broadcasts (a friend of the subsystem).
// Each handler copies what it needs out of the event into engine types *before* broadcasting,
// because a delegate may disconnect (freeing the storage the event's views point into) or call
// back into the subsystem.
#pragma once

#include "MixPlayCalls.h"

#if MIXPLAY_WITH_NATIVE

class FMixPlayDispatch
{
public:
	static void Session(UMixPlaySubsystem& Self, FMixPlayNative& Native, const mixplay::Event& E);
	static void Chat(UMixPlaySubsystem& Self, const mixplay::ChatEvent& E);

private:
	static void Input(UMixPlaySubsystem& Self, FMixPlayNative& Native, const mixplay::Event& E);
	static void Reply(UMixPlaySubsystem& Self, FMixPlayNative& Native, const mixplay::Event& E);
	/** New tokens from automatic refresh (kept and saved), or why refreshing stopped. */
	static void Tokens(UMixPlaySubsystem& Self, const std::optional<mixplay::Tokens>& Fresh, std::string_view Why);
};

#endif
