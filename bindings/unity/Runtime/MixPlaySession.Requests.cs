// Layer 3: the session's requests (each answered by a reply that completes its MixPlayRequest
// inside Update) and the control property setters, coalesced per frame.
using System;
using System.Collections.Generic;

namespace MixPlay
{
    public sealed unsafe partial class MixPlaySession
    {
        // ----- requests -----

        /// <summary>Requests waiting for their reply.</summary>
        public int PendingRequests
        {
            get { return pending.Count; }
        }

        MixPlayRequest Track(MixPlayResult rc, ulong id, string function)
        {
            return pending.Track(rc, id, function);
        }

        /// <summary>Calls any method with JSON params (an object, or "null").</summary>
        public MixPlayRequest Call(string method, string paramsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* m = Utf8.Required(method, "method"))
            fixed (byte* p = Utf8.Encode(paramsJson ?? "null"))
                rc = Native.mixplay_session_call(H, m, p, &id);
            return Track(rc, id, "mixplay_session_call");
        }

        /// <summary>Tells the service the game is ready (participants may interact) or not.</summary>
        public MixPlayRequest Ready(bool isReady)
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_ready(H, isReady, &id);
            return Track(rc, id, "mixplay_session_ready");
        }

        public MixPlayRequest CreateScenes(string scenesJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(scenesJson, "scenesJson"))
                rc = Native.mixplay_session_create_scenes(H, j, &id);
            return Track(rc, id, "mixplay_session_create_scenes");
        }

        public MixPlayRequest UpdateScenes(string scenesJson, long priority = 0)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(scenesJson, "scenesJson"))
                rc = Native.mixplay_session_update_scenes(H, j, priority, &id);
            return Track(rc, id, "mixplay_session_update_scenes");
        }

        public MixPlayRequest DeleteScene(string sceneId, string reassignTo)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Id(sceneId, "sceneId"))
            fixed (byte* r = Utf8.Id(reassignTo, "reassignTo"))
                rc = Native.mixplay_session_delete_scene(H, s, r, &id);
            return Track(rc, id, "mixplay_session_delete_scene");
        }

        public MixPlayRequest CreateControls(string sceneId, string controlsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Id(sceneId, "sceneId"))
            fixed (byte* j = Utf8.Required(controlsJson, "controlsJson"))
                rc = Native.mixplay_session_create_controls(H, s, j, &id);
            return Track(rc, id, "mixplay_session_create_controls");
        }

        /// <summary>Updates controls now (not coalesced); see the SetControl* calls for per-frame writes.</summary>
        public MixPlayRequest UpdateControls(string sceneId, string controlsJson, long priority = 0)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Id(sceneId, "sceneId"))
            fixed (byte* j = Utf8.Required(controlsJson, "controlsJson"))
                rc = Native.mixplay_session_update_controls(H, s, j, priority, &id);
            return Track(rc, id, "mixplay_session_update_controls");
        }

        public MixPlayRequest DeleteControls(string sceneId, string controlIdsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Id(sceneId, "sceneId"))
            fixed (byte* j = Utf8.Required(controlIdsJson, "controlIdsJson"))
                rc = Native.mixplay_session_delete_controls(H, s, j, &id);
            return Track(rc, id, "mixplay_session_delete_controls");
        }

        public MixPlayRequest CreateGroups(string groupsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(groupsJson, "groupsJson"))
                rc = Native.mixplay_session_create_groups(H, j, &id);
            return Track(rc, id, "mixplay_session_create_groups");
        }

        public MixPlayRequest UpdateGroups(string groupsJson, long priority = 0)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(groupsJson, "groupsJson"))
                rc = Native.mixplay_session_update_groups(H, j, priority, &id);
            return Track(rc, id, "mixplay_session_update_groups");
        }

        public MixPlayRequest DeleteGroup(string groupId, string reassignTo)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* g = Utf8.Id(groupId, "groupId"))
            fixed (byte* r = Utf8.Id(reassignTo, "reassignTo"))
                rc = Native.mixplay_session_delete_group(H, g, r, &id);
            return Track(rc, id, "mixplay_session_delete_group");
        }

        public MixPlayRequest UpdateParticipants(string participantsJson, long priority = 0)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(participantsJson, "participantsJson"))
                rc = Native.mixplay_session_update_participants(H, j, priority, &id);
            return Track(rc, id, "mixplay_session_update_participants");
        }

        /// <summary>Moves a participant to a group (and so to the group's scene).</summary>
        public MixPlayRequest MoveParticipant(string participantId, string groupId)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* p = Utf8.Required(participantId, "participantId"))
            fixed (byte* g = Utf8.Id(groupId, "groupId"))
                rc = Native.mixplay_session_move_participant(H, p, g, &id);
            return Track(rc, id, "mixplay_session_move_participant");
        }

        public MixPlayRequest SetParticipantDisabled(string participantId, bool disabled)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* p = Utf8.Required(participantId, "participantId"))
                rc = Native.mixplay_session_set_participant_disabled(H, p, disabled, &id);
            return Track(rc, id, "mixplay_session_set_participant_disabled");
        }

        public MixPlayRequest UpdateWorld(string worldJson, long priority = 0)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(worldJson, "worldJson"))
                rc = Native.mixplay_session_update_world(H, j, priority, &id);
            return Track(rc, id, "mixplay_session_update_world");
        }

        /// <summary>Charges a spark transaction an input opened. Reward the viewer only after a
        /// successful reply (4006: unknown or expired, 4007: not enough sparks).</summary>
        public MixPlayRequest Capture(string transactionId)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* t = Utf8.Required(transactionId, "transactionId"))
                rc = Native.mixplay_session_capture(H, t, &id);
            return Track(rc, id, "mixplay_session_capture");
        }

        /// <summary>Stores <paramref name="bytes"/> (copied before this returns) as the channel's
        /// file <paramref name="path"/> ("images/tile.png": letters, digits, '.', '_', '-', and '/'
        /// between segments), replacing any file there. The reply's Json is {url, path, size,
        /// contentType}: give url to a control's backgroundImage. A failed reply's Code is 4004
        /// for a bad path, the upload's HTTP status (413: past the channel's quota) or a local
        /// code.</summary>
        public MixPlayRequest UploadFile(string path, byte[] bytes)
        {
            if (bytes == null) throw new ArgumentNullException("bytes");
            ulong id;
            MixPlayResult rc;
            fixed (byte* p = Utf8.Required(path, "path"))
            fixed (byte* b = bytes)
                rc = Native.mixplay_session_upload_file(H, p, b, (UIntPtr)bytes.Length, &id);
            return Track(rc, id, "mixplay_session_upload_file");
        }

        /// <summary>Deletes the channel's file <paramref name="path"/>; the reply's Json is "null"
        /// (also when there was none).</summary>
        public MixPlayRequest DeleteFile(string path)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* p = Utf8.Required(path, "path"))
                rc = Native.mixplay_session_delete_file(H, p, &id);
            return Track(rc, id, "mixplay_session_delete_file");
        }

        /// <summary>Sends data to participants; scopes: "everyone", "group:ID", "scene:ID", "participant:SID".</summary>
        public MixPlayRequest BroadcastEvent(string scopesJson, string dataJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* s = Utf8.Required(scopesJson, "scopesJson"))
            fixed (byte* d = Utf8.Required(dataJson, "dataJson"))
                rc = Native.mixplay_session_broadcast_event(H, s, d, &id);
            return Track(rc, id, "mixplay_session_broadcast_event");
        }

        public MixPlayRequest SetBandwidthThrottle(string rulesJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(rulesJson, "rulesJson"))
                rc = Native.mixplay_session_set_bandwidth_throttle(H, j, &id);
            return Track(rc, id, "mixplay_session_set_bandwidth_throttle");
        }

        public MixPlayRequest GetThrottleState()
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_get_throttle_state(H, &id);
            return Track(rc, id, "mixplay_session_get_throttle_state");
        }

        public MixPlayRequest GetMemoryStats()
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_get_memory_stats(H, &id);
            return Track(rc, id, "mixplay_session_get_memory_stats");
        }

        public MixPlayRequest GetTime()
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_get_time(H, &id);
            return Track(rc, id, "mixplay_session_get_time");
        }

        public MixPlayRequest GetAllParticipants(long fromUnixMs)
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_get_all_participants(H, fromUnixMs, &id);
            return Track(rc, id, "mixplay_session_get_all_participants");
        }

        public MixPlayRequest GetActiveParticipants(long thresholdUnixMs)
        {
            ulong id;
            MixPlayResult rc = Native.mixplay_session_get_active_participants(H, thresholdUnixMs, &id);
            return Track(rc, id, "mixplay_session_get_active_participants");
        }

        public MixPlayRequest GetParticipantsByUserId(string userIdsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(userIdsJson, "userIdsJson"))
                rc = Native.mixplay_session_get_participants_by_user_id(H, j, &id);
            return Track(rc, id, "mixplay_session_get_participants_by_user_id");
        }

        public MixPlayRequest GetParticipantsBySessionId(string sessionIdsJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* j = Utf8.Required(sessionIdsJson, "sessionIdsJson"))
                rc = Native.mixplay_session_get_participants_by_session_id(H, j, &id);
            return Track(rc, id, "mixplay_session_get_participants_by_session_id");
        }

        // ----- control property setters (coalesced per frame, one request per scene) -----

        public MixPlayRequest SetControlText(string control, string text)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* t = Utf8.Required(text, "text"))
                rc = Native.mixplay_session_set_control_text(H, c, t, &id);
            return Track(rc, id, "mixplay_session_set_control_text");
        }

        public MixPlayRequest SetControlTooltip(string control, string tooltip)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* t = Utf8.Required(tooltip, "tooltip"))
                rc = Native.mixplay_session_set_control_tooltip(H, c, t, &id);
            return Track(rc, id, "mixplay_session_set_control_tooltip");
        }

        /// <summary>Sets a button's progress bar, clamped to [0, 1].</summary>
        public MixPlayRequest SetControlProgress(string control, double progress)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_set_control_progress(H, c, progress, &id);
            return Track(rc, id, "mixplay_session_set_control_progress");
        }

        /// <summary>Starts a cooldown lasting <paramref name="duration"/> from now.</summary>
        public MixPlayRequest SetControlCooldown(string control, TimeSpan duration)
        {
            if (duration < TimeSpan.Zero) throw new ArgumentOutOfRangeException("duration");
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_set_control_cooldown(H, c, (ulong)duration.TotalMilliseconds, &id);
            return Track(rc, id, "mixplay_session_set_control_cooldown");
        }

        public MixPlayRequest SetControlDisabled(string control, bool disabled)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_set_control_disabled(H, c, disabled, &id);
            return Track(rc, id, "mixplay_session_set_control_disabled");
        }

        public MixPlayRequest SetControlCost(string control, uint sparks)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_set_control_cost(H, c, sparks, &id);
            return Track(rc, id, "mixplay_session_set_control_cost");
        }

        public MixPlayRequest SetControlKeyCode(string control, uint keyCode)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
                rc = Native.mixplay_session_set_control_key_code(H, c, keyCode, &id);
            return Track(rc, id, "mixplay_session_set_control_key_code");
        }

        public MixPlayRequest SetControlProperty(string control, string key, long value)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_set_control_int(H, c, k, value, &id);
            return Track(rc, id, "mixplay_session_set_control_int");
        }

        public MixPlayRequest SetControlProperty(string control, string key, bool value)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_set_control_bool(H, c, k, value, &id);
            return Track(rc, id, "mixplay_session_set_control_bool");
        }

        public MixPlayRequest SetControlProperty(string control, string key, double value)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
                rc = Native.mixplay_session_set_control_float(H, c, k, value, &id);
            return Track(rc, id, "mixplay_session_set_control_float");
        }

        public MixPlayRequest SetControlProperty(string control, string key, string value)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
            fixed (byte* v = Utf8.Required(value, "value"))
                rc = Native.mixplay_session_set_control_string(H, c, k, v, &id);
            return Track(rc, id, "mixplay_session_set_control_string");
        }

        /// <summary>Sets a property to any JSON value (objects written twice in a frame merge).</summary>
        public MixPlayRequest SetControlPropertyJson(string control, string key, string valueJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
            fixed (byte* v = Utf8.Required(valueJson, "valueJson"))
                rc = Native.mixplay_session_set_control_json(H, c, k, v, &id);
            return Track(rc, id, "mixplay_session_set_control_json");
        }

        /// <summary>Sets meta property <paramref name="key"/> (meta.key.value) to a JSON value.</summary>
        public MixPlayRequest SetControlMetaJson(string control, string key, string valueJson)
        {
            ulong id;
            MixPlayResult rc;
            fixed (byte* c = Utf8.Id(control, "control"))
            fixed (byte* k = Utf8.Id(key, "key"))
            fixed (byte* v = Utf8.Required(valueJson, "valueJson"))
                rc = Native.mixplay_session_set_control_meta_json(H, c, k, v, &id);
            return Track(rc, id, "mixplay_session_set_control_meta_json");
        }
    }
}
