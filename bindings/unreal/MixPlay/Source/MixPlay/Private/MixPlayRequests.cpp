// The game-client methods: scenes, controls and groups created, updated and deleted;
// participants moved, disabled and queried; the world, broadcasts, throttles, the service's
// memory and clock; spark captures. Each returns the request id its OnReply will carry.
#include "MixPlayCalls.h"

#if MIXPLAY_WITH_NATIVE
using namespace MixPlayConvert;
#endif

namespace
{
	using MixPlayUtf8::FromFString;

	/** `[{"groupID": Group, "sceneID": Scene}]`. */
	std::string GroupJson(const FString& GroupId, const FString& SceneId)
	{
		return "[{\"groupID\":" + MixPlayUtf8::JsonQuote(FromFString(GroupId)) +
			",\"sceneID\":" + MixPlayUtf8::JsonQuote(FromFString(SceneId)) + "}]";
	}
}

// ----- scenes and controls -----

int64 UMixPlaySubsystem::CreateScenes(const FString& ScenesJson)
{
	return WithSession(TEXT("CreateScenes"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->create_scenes(FromFString(ScenesJson)));
	});
}

int64 UMixPlaySubsystem::CreateScene(const FString& SceneId)
{
	return WithSession(TEXT("CreateScene"), int64(0), [&](auto& N) {
		const std::string Json = "[{\"sceneID\":" + MixPlayUtf8::JsonQuote(FromFString(SceneId)) + ",\"controls\":[]}]";
		return static_cast<int64>(N.Session->create_scenes(Json));
	});
}

int64 UMixPlaySubsystem::UpdateScenes(const FString& ScenesJson, int64 Priority)
{
	return WithSession(TEXT("UpdateScenes"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->update_scenes(FromFString(ScenesJson), Priority));
	});
}

int64 UMixPlaySubsystem::DeleteScene(const FString& SceneId, const FString& ReassignToSceneId)
{
	return WithSession(TEXT("DeleteScene"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->delete_scene(FromFString(SceneId), FromFString(ReassignToSceneId)));
	});
}

int64 UMixPlaySubsystem::CreateControls(const FString& SceneId, const FString& ControlsJson)
{
	return WithSession(TEXT("CreateControls"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->create_controls(FromFString(SceneId), FromFString(ControlsJson)));
	});
}

int64 UMixPlaySubsystem::UpdateControls(const FString& SceneId, const FString& ControlsJson, int64 Priority)
{
	return WithSession(TEXT("UpdateControls"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->update_controls(FromFString(SceneId), FromFString(ControlsJson), Priority));
	});
}

int64 UMixPlaySubsystem::DeleteControls(const FString& SceneId, const TArray<FString>& ControlIds)
{
	return WithSession(TEXT("DeleteControls"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->delete_controls(FromFString(SceneId), MixPlayJson::JsonStrings(ControlIds)));
	});
}

// ----- groups -----

int64 UMixPlaySubsystem::CreateGroup(const FString& GroupId, const FString& SceneId)
{
	return WithSession(TEXT("CreateGroup"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->create_groups(GroupJson(GroupId, SceneId)));
	});
}

int64 UMixPlaySubsystem::CreateGroups(const FString& GroupsJson)
{
	return WithSession(TEXT("CreateGroups"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->create_groups(FromFString(GroupsJson)));
	});
}

int64 UMixPlaySubsystem::UpdateGroups(const FString& GroupsJson, int64 Priority)
{
	return WithSession(TEXT("UpdateGroups"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->update_groups(FromFString(GroupsJson), Priority));
	});
}

int64 UMixPlaySubsystem::SetGroupScene(const FString& GroupId, const FString& SceneId)
{
	return WithSession(TEXT("SetGroupScene"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->update_groups(GroupJson(GroupId, SceneId)));
	});
}

int64 UMixPlaySubsystem::DeleteGroup(const FString& GroupId, const FString& ReassignToGroupId)
{
	return WithSession(TEXT("DeleteGroup"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->delete_group(FromFString(GroupId), FromFString(ReassignToGroupId)));
	});
}

// ----- participants -----

int64 UMixPlaySubsystem::MoveParticipantToGroup(const FString& ParticipantId, const FString& GroupId)
{
	return WithSession(TEXT("MoveParticipantToGroup"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->move_participant(FromFString(ParticipantId), FromFString(GroupId)));
	});
}

int64 UMixPlaySubsystem::SetParticipantDisabled(const FString& ParticipantId, bool bDisabled)
{
	return WithSession(TEXT("SetParticipantDisabled"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_participant_disabled(FromFString(ParticipantId), bDisabled));
	});
}

int64 UMixPlaySubsystem::UpdateParticipants(const FString& ParticipantsJson, int64 Priority)
{
	return WithSession(TEXT("UpdateParticipants"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->update_participants(FromFString(ParticipantsJson), Priority));
	});
}

int64 UMixPlaySubsystem::GetAllParticipants(int64 FromUnixMs)
{
	return WithSession(TEXT("GetAllParticipants"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->get_all_participants(FromUnixMs));
	});
}

int64 UMixPlaySubsystem::GetActiveParticipants(int64 ThresholdUnixMs)
{
	return WithSession(TEXT("GetActiveParticipants"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->get_active_participants(ThresholdUnixMs));
	});
}

int64 UMixPlaySubsystem::GetParticipantsByUserId(const TArray<int32>& UserIds)
{
	return WithSession(TEXT("GetParticipantsByUserId"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->get_participants_by_user_id(MixPlayJson::JsonNumbers(UserIds)));
	});
}

int64 UMixPlaySubsystem::GetParticipantsBySessionId(const TArray<FString>& ParticipantIds)
{
	return WithSession(TEXT("GetParticipantsBySessionId"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->get_participants_by_session_id(MixPlayJson::JsonStrings(ParticipantIds)));
	});
}

// ----- world, broadcast, throttles, service state -----

int64 UMixPlaySubsystem::UpdateWorld(const FString& WorldJson, int64 Priority)
{
	return WithSession(TEXT("UpdateWorld"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->update_world(FromFString(WorldJson), Priority));
	});
}

int64 UMixPlaySubsystem::BroadcastEvent(const TArray<FString>& Scopes, const FString& DataJson)
{
	return WithSession(TEXT("BroadcastEvent"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->broadcast_event(MixPlayJson::JsonStrings(Scopes), FromFString(DataJson)));
	});
}

int64 UMixPlaySubsystem::SetBandwidthThrottle(const FString& RulesJson)
{
	return WithSession(TEXT("SetBandwidthThrottle"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->set_bandwidth_throttle(FromFString(RulesJson)));
	});
}

int64 UMixPlaySubsystem::GetThrottleState()
{
	return WithSession(TEXT("GetThrottleState"), int64(0), [](auto& N) { return static_cast<int64>(N.Session->get_throttle_state()); });
}

int64 UMixPlaySubsystem::GetMemoryStats()
{
	return WithSession(TEXT("GetMemoryStats"), int64(0), [](auto& N) { return static_cast<int64>(N.Session->get_memory_stats()); });
}

int64 UMixPlaySubsystem::GetTime()
{
	return WithSession(TEXT("GetTime"), int64(0), [](auto& N) { return static_cast<int64>(N.Session->get_time()); });
}

// ----- files -----

int64 UMixPlaySubsystem::UploadFile(const FString& Path, const TArray<uint8>& Bytes)
{
	return WithSession(TEXT("UploadFile"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->upload_file(FromFString(Path), Bytes.GetData(), static_cast<size_t>(Bytes.Num())));
	});
}

int64 UMixPlaySubsystem::DeleteUploadedFile(const FString& Path)
{
	return WithSession(TEXT("DeleteUploadedFile"), int64(0), [&](auto& N) {
		return static_cast<int64>(N.Session->delete_file(FromFString(Path)));
	});
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
