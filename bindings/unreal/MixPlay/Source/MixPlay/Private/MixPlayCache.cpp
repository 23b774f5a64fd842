// What the session's cache holds besides controls: its scenes, groups and participants.
#include "MixPlayCalls.h"

#if MIXPLAY_WITH_NATIVE
using namespace MixPlayConvert;
#endif

using MixPlayUtf8::FromFString;
using MixPlayUtf8::ToFString;

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

TArray<FString> UMixPlaySubsystem::GetControls(const FString& SceneId) const
{
	TArray<FString> Out;
	if (!Native)
	{
		return Out;
	}
	WithSession(TEXT("GetControls"), false, [&](auto& N) {
		for (std::string_view Control : N.Session->controls(FromFString(SceneId)))
		{
			Out.Add(ToFString(Control));
		}
		return true;
	});
	return Out;
}

TArray<FMixPlayGroup> UMixPlaySubsystem::GetGroups() const
{
	TArray<FMixPlayGroup> Out;
	if (!Native)
	{
		return Out;
	}
	WithSession(TEXT("GetGroups"), false, [&](auto& N) {
		const size_t Count = N.Session->group_count();
		for (size_t I = 0; I < Count; ++I)
		{
			const auto Group = N.Session->group_at(I);
			FMixPlayGroup Entry;
			Entry.GroupId = ToFString(Group.first);
			Entry.SceneId = ToFString(Group.second);
			Out.Add(Entry);
		}
		return true;
	});
	return Out;
}

TArray<FMixPlayParticipant> UMixPlaySubsystem::GetParticipants() const
{
	return GetParticipantsInGroup(FString());
}

TArray<FMixPlayParticipant> UMixPlaySubsystem::GetParticipantsInGroup(const FString& GroupId) const
{
	TArray<FMixPlayParticipant> Out;
	if (!Native)
	{
		return Out;
	}
	WithSession(TEXT("GetParticipants"), false, [&](auto& N) {
		const std::string Group = FromFString(GroupId);
		N.Session->for_each_participant([&](const auto& P) {
			if (Group.empty() || P.group == Group)
			{
				Out.Add(ToParticipant(P));
			}
		});
		return true;
	});
	return Out;
}

int32 UMixPlaySubsystem::GetParticipantCount() const
{
	if (!Native)
	{
		return 0;
	}
	return WithSession(TEXT("GetParticipantCount"), int32(0), [](auto& N) { return static_cast<int32>(N.Session->participant_count()); });
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

#if MIXPLAY_WITH_NATIVE

bool UMixPlaySubsystem::FindParticipantByUserId(int32 UserId, FMixPlayParticipant& OutParticipant) const
{
	if (!Native || UserId <= 0)
	{
		return false;
	}
	return WithSession(TEXT("FindParticipantByUserId"), false, [&](auto& N) {
		try
		{
			OutParticipant = ToParticipant(N.Session->participant_by_user_id(static_cast<uint32_t>(UserId)));
			return true;
		}
		catch (const mixplay::Error& Error)
		{
			if (Error.code() != MIXPLAY_RESULT_NOT_FOUND)
			{
				throw;
			}
			return false; // not here: an answer, not a failure
		}
	});
}

#else

bool UMixPlaySubsystem::FindParticipantByUserId(int32, FMixPlayParticipant&) const
{
	return false;
}

#endif // MIXPLAY_WITH_NATIVE
