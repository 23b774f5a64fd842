// Controls: property setters (coalesced per frame) and getters, one state node per control kind in
// the style of the original plugin (GetButtonState, GetJoystickState, ...), and this frame's input.
#include "MixPlayCalls.h"

#if MIXPLAY_WITH_NATIVE
using namespace MixPlayConvert;
#endif

using MixPlayUtf8::FromFString;
using MixPlayUtf8::ToFString;

// ----- control properties (sent together at the end of the frame) -----

int64 UMixPlaySubsystem::SetControlText(const FString& ControlId, const FString& Text)
{
	return WithSession(TEXT("SetControlText"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_text(FromFString(ControlId), FromFString(Text)));
	});
}

int64 UMixPlaySubsystem::SetLabelText(const FString& ControlId, const FString& Text)
{
	return SetControlText(ControlId, Text);
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

int64 UMixPlaySubsystem::SetControlKeyCode(const FString& ControlId, int32 KeyCode)
{
	return WithSession(TEXT("SetControlKeyCode"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_key_code(FromFString(ControlId), static_cast<uint32_t>(FMath::Max(0, KeyCode))));
	});
}

int64 UMixPlaySubsystem::SetControlInt(const FString& ControlId, const FString& Key, int64 Value)
{
	return WithSession(TEXT("SetControlInt"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_int(FromFString(ControlId), FromFString(Key), Value));
	});
}

int64 UMixPlaySubsystem::SetControlFloat(const FString& ControlId, const FString& Key, float Value)
{
	return WithSession(TEXT("SetControlFloat"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_float(FromFString(ControlId), FromFString(Key), static_cast<double>(Value)));
	});
}

int64 UMixPlaySubsystem::SetControlBool(const FString& ControlId, const FString& Key, bool bValue)
{
	return WithSession(TEXT("SetControlBool"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_bool(FromFString(ControlId), FromFString(Key), bValue));
	});
}

int64 UMixPlaySubsystem::SetControlString(const FString& ControlId, const FString& Key, const FString& Value)
{
	return WithSession(TEXT("SetControlString"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_string(FromFString(ControlId), FromFString(Key), FromFString(Value)));
	});
}

int64 UMixPlaySubsystem::SetControlJson(const FString& ControlId, const FString& Key, const FString& ValueJson)
{
	return WithSession(TEXT("SetControlJson"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_json(FromFString(ControlId), FromFString(Key), FromFString(ValueJson)));
	});
}

int64 UMixPlaySubsystem::SetControlMetaJson(const FString& ControlId, const FString& Key, const FString& ValueJson)
{
	return WithSession(TEXT("SetControlMetaJson"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_control_meta_json(FromFString(ControlId), FromFString(Key), FromFString(ValueJson)));
	});
}

// ----- control property getters (the cache) -----

bool UMixPlaySubsystem::GetControlString(const FString& ControlId, const FString& Key, FString& OutValue)
{
	return WithSession(TEXT("GetControlString"), false, [&](auto& N) {
		OutValue = ToFString(N.Session->get_control_string(FromFString(ControlId), FromFString(Key)));
		return true;
	});
}

bool UMixPlaySubsystem::GetControlInt(const FString& ControlId, const FString& Key, int64& OutValue)
{
	return WithSession(TEXT("GetControlInt"), false, [&](auto& N) {
		OutValue = static_cast<int64>(N.Session->get_control_int(FromFString(ControlId), FromFString(Key)));
		return true;
	});
}

bool UMixPlaySubsystem::GetControlFloat(const FString& ControlId, const FString& Key, float& OutValue)
{
	return WithSession(TEXT("GetControlFloat"), false, [&](auto& N) {
		OutValue = static_cast<float>(N.Session->get_control_float(FromFString(ControlId), FromFString(Key)));
		return true;
	});
}

bool UMixPlaySubsystem::GetControlBool(const FString& ControlId, const FString& Key, bool& bOutValue)
{
	return WithSession(TEXT("GetControlBool"), false, [&](auto& N) {
		bOutValue = N.Session->get_control_bool(FromFString(ControlId), FromFString(Key));
		return true;
	});
}

bool UMixPlaySubsystem::GetControlJson(const FString& ControlId, const FString& Key, FString& OutJson)
{
	return WithSession(TEXT("GetControlJson"), false, [&](auto& N) {
		OutJson = ToFString(N.Session->get_control_json(FromFString(ControlId), FromFString(Key)));
		return true;
	});
}

bool UMixPlaySubsystem::GetControl(const FString& ControlId, FString& OutJson)
{
	return WithSession(TEXT("GetControl"), false, [&](auto& N) {
		OutJson = ToFString(N.Session->get_control(FromFString(ControlId)));
		return true;
	});
}

// ----- one node per control kind -----

#if MIXPLAY_WITH_NATIVE

namespace
{
	/** A property of a cached control, or `Fallback` when the control does not set it. */
	template <class T, class Get>
	T PropertyOr(T Fallback, Get&& Read)
	{
		try
		{
			return Read();
		}
		catch (const mixplay::Error&)
		{
			return Fallback;
		}
	}

	/** Whether the cache holds the control (a missing one is an answer, not a failure). */
	bool Exists(const mixplay::Session& S, const std::string& Control)
	{
		return PropertyOr(false, [&] { return !S.get_control(Control).empty(); });
	}

	bool EnabledOf(const mixplay::Session& S, const std::string& Control)
	{
		return !PropertyOr(false, [&] { return S.get_control_bool(Control, "disabled"); });
	}

	std::string StringOf(const mixplay::Session& S, const std::string& Control, const char* Key)
	{
		return PropertyOr(std::string(), [&] { return S.get_control_string(Control, Key); });
	}

	int32 IntOf(const mixplay::Session& S, const std::string& Control, const char* Key)
	{
		return PropertyOr(int32(0), [&] { return static_cast<int32>(S.get_control_int(Control, Key)); });
	}

	TArray<FMixPlayScreenClick> Clicks(const std::vector<MixPlayInputFrame::Mark>& Marks)
	{
		TArray<FMixPlayScreenClick> Out;
		for (const MixPlayInputFrame::Mark& M : Marks)
		{
			FMixPlayScreenClick C;
			C.ParticipantId = ToFString(M.Participant);
			C.X = static_cast<float>(M.X);
			C.Y = static_cast<float>(M.Y);
			Out.Add(C);
		}
		return Out;
	}

	/** Whether `Who` holds the button now. */
	bool Holds(const mixplay::Session& S, const std::string& Control, const std::string& Who)
	{
		const size_t Count = S.button_holder_count(Control);
		for (size_t I = 0; I < Count; ++I)
		{
			if (S.button_holder_at(Control, I) == Who)
			{
				return true;
			}
		}
		return false;
	}
}

bool UMixPlaySubsystem::GetButtonState(const FString& ControlId, const FString& ParticipantId, FMixPlayButtonState& OutState)
{
	OutState = FMixPlayButtonState();
	return WithSession(TEXT("GetButtonState"), false, [&](auto& N) {
		const mixplay::Session& S = *N.Session;
		const std::string Control = FromFString(ControlId);
		if (!Exists(S, Control))
		{
			return false;
		}
		if (ParticipantId.IsEmpty())
		{
			const auto Counts = S.button_counts(Control);
			OutState.DownCount = static_cast<int32>(Counts.first);
			OutState.UpCount = static_cast<int32>(Counts.second);
			OutState.HeldCount = static_cast<int32>(S.button_holder_count(Control));
		}
		else
		{
			const std::string Who = FromFString(ParticipantId);
			OutState.DownCount = N.Frame.Presses(Control, Who);
			OutState.UpCount = N.Frame.Releases(Control, Who);
			OutState.HeldCount = Holds(S, Control, Who) ? 1 : 0;
		}
		OutState.bPressed = OutState.HeldCount > 0 || OutState.DownCount > 0;
		const int64 CooldownEnd = PropertyOr(int64(0), [&] { return static_cast<int64>(S.get_control_int(Control, "cooldown")); });
		OutState.RemainingCooldownMs = FMath::Max<int64>(0, CooldownEnd - static_cast<int64>(S.server_time_ms()));
		OutState.Progress = static_cast<float>(PropertyOr(0.0, [&] { return S.get_control_float(Control, "progress"); }));
		OutState.bEnabled = EnabledOf(S, Control);
		OutState.Cost = IntOf(S, Control, "cost");
		return true;
	});
}

bool UMixPlaySubsystem::GetButtonDescription(const FString& ControlId, FString& OutText, FString& OutTooltip, int32& OutCost, int32& OutKeyCode)
{
	return WithSession(TEXT("GetButtonDescription"), false, [&](auto& N) {
		const mixplay::Session& S = *N.Session;
		const std::string Control = FromFString(ControlId);
		if (!Exists(S, Control))
		{
			return false;
		}
		OutText = ToFString(StringOf(S, Control, "text"));
		OutTooltip = ToFString(StringOf(S, Control, "tooltip"));
		OutCost = IntOf(S, Control, "cost");
		OutKeyCode = IntOf(S, Control, "keyCode");
		return true;
	});
}

bool UMixPlaySubsystem::GetJoystickState(const FString& ControlId, const FString& ParticipantId, FMixPlayJoystickState& OutState)
{
	OutState = FMixPlayJoystickState();
	return WithSession(TEXT("GetJoystickState"), false, [&](auto& N) {
		const mixplay::Session& S = *N.Session;
		const std::string Control = FromFString(ControlId);
		if (!Exists(S, Control))
		{
			return false;
		}
		const auto Mean = S.joystick_mean(Control);
		OutState.MoveCount = static_cast<int32>(Mean.moves);
		double X = Mean.x, Y = Mean.y;
		OutState.bMoved = ParticipantId.IsEmpty() ? Mean.moves > 0 : N.Frame.LastMove(Control, FromFString(ParticipantId), X, Y);
		OutState.X = static_cast<float>(X);
		OutState.Y = static_cast<float>(Y);
		OutState.bEnabled = EnabledOf(S, Control);
		return true;
	});
}

bool UMixPlaySubsystem::GetScreenState(const FString& ControlId, FMixPlayScreenState& OutState)
{
	OutState = FMixPlayScreenState();
	return WithSession(TEXT("GetScreenState"), false, [&](auto& N) {
		const mixplay::Session& S = *N.Session;
		const std::string Control = FromFString(ControlId);
		if (!Exists(S, Control))
		{
			return false;
		}
		OutState.Clicks = Clicks(N.Frame.ScreenDowns(Control));
		OutState.Releases = Clicks(N.Frame.ScreenUps(Control));
		OutState.bPressed = S.button_holder_count(Control) > 0 || OutState.Clicks.Num() > 0;
		const auto Mean = S.joystick_mean(Control);
		OutState.bMoved = Mean.moves > 0;
		OutState.X = static_cast<float>(Mean.x);
		OutState.Y = static_cast<float>(Mean.y);
		return true;
	});
}

bool UMixPlaySubsystem::GetTextboxState(const FString& ControlId, const FString& ParticipantId, FMixPlayTextboxState& OutState)
{
	OutState = FMixPlayTextboxState();
	return WithSession(TEXT("GetTextboxState"), false, [&](auto& N) {
		const mixplay::Session& S = *N.Session;
		const std::string Control = FromFString(ControlId);
		if (!Exists(S, Control))
		{
			return false;
		}
		const std::string Who = FromFString(ParticipantId);
		const size_t Count = S.text_submission_count(Control);
		for (size_t I = 0; I < Count; ++I)
		{
			const auto Submission = S.text_submission_at(Control, I);
			if (Who.empty() || Submission.first == Who)
			{
				FMixPlayTextSubmission Entry;
				Entry.ParticipantId = ToFString(Submission.first);
				Entry.Text = ToFString(Submission.second);
				OutState.Submissions.Add(Entry);
			}
		}
		for (const MixPlayInputFrame::Mark& Typed : N.Frame.Changes(Control))
		{
			if (Who.empty() || Typed.Participant == Who)
			{
				FMixPlayTextSubmission Entry;
				Entry.ParticipantId = ToFString(Typed.Participant);
				Entry.Text = ToFString(Typed.Text);
				OutState.Changes.Add(Entry);
			}
		}
		OutState.bEnabled = EnabledOf(S, Control);
		return true;
	});
}

bool UMixPlaySubsystem::GetTextboxDescription(const FString& ControlId, FString& OutPlaceholder, bool& bOutMultiline, bool& bOutHasSubmit, FString& OutSubmitText, int32& OutCost)
{
	return WithSession(TEXT("GetTextboxDescription"), false, [&](auto& N) {
		const mixplay::Session& S = *N.Session;
		const std::string Control = FromFString(ControlId);
		if (!Exists(S, Control))
		{
			return false;
		}
		OutPlaceholder = ToFString(StringOf(S, Control, "placeholder"));
		bOutMultiline = PropertyOr(false, [&] { return S.get_control_bool(Control, "multiline"); });
		bOutHasSubmit = PropertyOr(false, [&] { return S.get_control_bool(Control, "hasSubmit"); });
		OutSubmitText = ToFString(StringOf(S, Control, "submitText"));
		OutCost = IntOf(S, Control, "cost");
		return true;
	});
}

bool UMixPlaySubsystem::GetLabelDescription(const FString& ControlId, FString& OutText, FString& OutTextSize, FString& OutTextColor, bool& bOutBold, bool& bOutUnderline, bool& bOutItalic)
{
	return WithSession(TEXT("GetLabelDescription"), false, [&](auto& N) {
		const mixplay::Session& S = *N.Session;
		const std::string Control = FromFString(ControlId);
		if (!Exists(S, Control))
		{
			return false;
		}
		OutText = ToFString(StringOf(S, Control, "text"));
		OutTextSize = ToFString(StringOf(S, Control, "textSize"));
		OutTextColor = ToFString(StringOf(S, Control, "textColor"));
		bOutBold = PropertyOr(false, [&] { return S.get_control_bool(Control, "bold"); });
		bOutUnderline = PropertyOr(false, [&] { return S.get_control_bool(Control, "underline"); });
		bOutItalic = PropertyOr(false, [&] { return S.get_control_bool(Control, "italic"); });
		return true;
	});
}

#else // the null module: every node reports that MixPlay is unavailable

bool UMixPlaySubsystem::GetButtonState(const FString&, const FString&, FMixPlayButtonState& OutState)
{
	OutState = FMixPlayButtonState();
	return WithSession(TEXT("GetButtonState"), false, [](auto&) { return false; });
}

bool UMixPlaySubsystem::GetButtonDescription(const FString&, FString&, FString&, int32&, int32&)
{
	return WithSession(TEXT("GetButtonDescription"), false, [](auto&) { return false; });
}

bool UMixPlaySubsystem::GetJoystickState(const FString&, const FString&, FMixPlayJoystickState& OutState)
{
	OutState = FMixPlayJoystickState();
	return WithSession(TEXT("GetJoystickState"), false, [](auto&) { return false; });
}

bool UMixPlaySubsystem::GetScreenState(const FString&, FMixPlayScreenState& OutState)
{
	OutState = FMixPlayScreenState();
	return WithSession(TEXT("GetScreenState"), false, [](auto&) { return false; });
}

bool UMixPlaySubsystem::GetTextboxState(const FString&, const FString&, FMixPlayTextboxState& OutState)
{
	OutState = FMixPlayTextboxState();
	return WithSession(TEXT("GetTextboxState"), false, [](auto&) { return false; });
}

bool UMixPlaySubsystem::GetTextboxDescription(const FString&, FString&, bool&, bool&, FString&, int32&)
{
	return WithSession(TEXT("GetTextboxDescription"), false, [](auto&) { return false; });
}

bool UMixPlaySubsystem::GetLabelDescription(const FString&, FString&, FString&, FString&, bool&, bool&, bool&)
{
	return WithSession(TEXT("GetLabelDescription"), false, [](auto&) { return false; });
}

#endif // MIXPLAY_WITH_NATIVE

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

TArray<FString> UMixPlaySubsystem::GetButtonPressers(const FString& ControlId) const
{
	TArray<FString> Out;
	if (!Native)
	{
		return Out;
	}
	WithSession(TEXT("GetButtonPressers"), false, [&](auto& N) {
		const std::string Control = FromFString(ControlId);
		const uint32_t Presses = N.Session->button_counts(Control).first;
		for (uint32_t I = 0; I < Presses; ++I)
		{
			Out.Add(ToFString(N.Session->button_presser_at(Control, I)));
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
