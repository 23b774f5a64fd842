//! The session's requests: the calls that send a method now and answer later with a reply event.

use std::os::raw::c_char;

use super::{mixplay_session, req, request};
use crate::client::SessionId;
use crate::ffi::args::{arg_json, arg_str, json_strings};
use crate::ffi::result::{mixplay_result, Fail};

/// Calls any method with JSON params (an object, or `null`). For methods this API does not wrap.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_ARGUMENT` (empty method),
/// `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_call(
    session: *mut mixplay_session,
    method: *const c_char,
    params_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let (method, params) = unsafe { (arg_str(method, "method")?, arg_json(params_json, "params_json")?) };
        req(s.call(method, params))
    })
}

/// Tells the service the game is ready (participants may interact) or not.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `out_request_id` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_ready(
    session: *mut mixplay_session,
    is_ready: bool,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| req(s.ready(is_ready)))
}

/// Creates scenes: `scenes_json` is an array of scene objects with fully qualified controls.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_create_scenes(
    session: *mut mixplay_session,
    scenes_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let scenes = unsafe { arg_json(scenes_json, "scenes_json") }?;
        req(s.create_scenes(scenes))
    })
}

/// Updates scenes' own properties: `scenes_json` is an array of `{sceneID, …}` patches.
///
/// **Errors**: as `mixplay_session_create_scenes`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_update_scenes(
    session: *mut mixplay_session,
    scenes_json: *const c_char,
    priority: i64,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let scenes = unsafe { arg_json(scenes_json, "scenes_json") }?;
        req(s.update_scenes(scenes, priority))
    })
}

/// Deletes a scene, moving its groups to `reassign_to`.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_delete_scene(
    session: *mut mixplay_session,
    scene: *const c_char,
    reassign_to: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let (scene, to) = unsafe { (arg_str(scene, "scene")?, arg_str(reassign_to, "reassign_to")?) };
        req(s.delete_scene(scene, to))
    })
}

/// Creates controls in `scene`: `controls_json` is an array of fully qualified control objects.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_create_controls(
    session: *mut mixplay_session,
    scene: *const c_char,
    controls_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let (scene, controls) = unsafe { (arg_str(scene, "scene")?, arg_json(controls_json, "controls_json")?) };
        req(s.create_controls(scene, controls))
    })
}

/// Updates controls in `scene` now (not coalesced): `controls_json` is an array of
/// `{controlID, …changes}`. For per-frame coalesced writes use the `set_control_*` calls.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_update_controls(
    session: *mut mixplay_session,
    scene: *const c_char,
    controls_json: *const c_char,
    priority: i64,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let (scene, controls) = unsafe { (arg_str(scene, "scene")?, arg_json(controls_json, "controls_json")?) };
        req(s.update_controls(scene, controls, priority))
    })
}

/// Deletes controls from `scene`: `control_ids_json` is an array of control ids.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_delete_controls(
    session: *mut mixplay_session,
    scene: *const c_char,
    control_ids_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let (scene, ids) = unsafe { (arg_str(scene, "scene")?, arg_json(control_ids_json, "control_ids_json")?) };
        let ids = json_strings(&ids, "control_ids_json")?;
        req(s.delete_controls(scene, &ids))
    })
}

/// Creates groups: `groups_json` is an array of `{groupID, sceneID?}`.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_create_groups(
    session: *mut mixplay_session,
    groups_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let groups = unsafe { arg_json(groups_json, "groups_json") }?;
        req(s.create_groups(groups))
    })
}

/// Updates groups: `groups_json` is an array of `{groupID, …changes}` (for example `sceneID`).
///
/// **Errors**: as `mixplay_session_create_groups`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_update_groups(
    session: *mut mixplay_session,
    groups_json: *const c_char,
    priority: i64,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let groups = unsafe { arg_json(groups_json, "groups_json") }?;
        req(s.update_groups(groups, priority))
    })
}

/// Deletes a group, moving its participants to `reassign_to`.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_delete_group(
    session: *mut mixplay_session,
    group: *const c_char,
    reassign_to: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let (group, to) = unsafe { (arg_str(group, "group")?, arg_str(reassign_to, "reassign_to")?) };
        req(s.delete_group(group, to))
    })
}

/// Updates participants: `participants_json` is an array of `{sessionID, …changes}`
/// (`groupID`, `disabled`, custom properties).
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_update_participants(
    session: *mut mixplay_session,
    participants_json: *const c_char,
    priority: i64,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let participants = unsafe { arg_json(participants_json, "participants_json") }?;
        req(s.update_participants(participants, priority))
    })
}

/// Moves a participant (by session id) to a group, and so to the group's scene.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_move_participant(
    session: *mut mixplay_session,
    participant: *const c_char,
    group: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let (p, group) = unsafe { (arg_str(participant, "participant")?, arg_str(group, "group")?) };
        req(s.move_participant(&SessionId::parse(p), group))
    })
}

/// Disables or re-enables a participant's input.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_participant_disabled(
    session: *mut mixplay_session,
    participant: *const c_char,
    disabled: bool,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let p = unsafe { arg_str(participant, "participant") }?;
        req(s.set_participant_disabled(&SessionId::parse(p), disabled))
    })
}

/// Updates the world's properties: `world_json` is an object patch.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_update_world(
    session: *mut mixplay_session,
    world_json: *const c_char,
    priority: i64,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let world = unsafe { arg_json(world_json, "world_json") }?;
        req(s.update_world(world, priority))
    })
}

/// Charges the spark transaction an input opened. Wait for a successful reply before rewarding
/// the viewer (errors: 4006 unknown or expired, 4007 not enough sparks).
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_capture(
    session: *mut mixplay_session,
    transaction: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let t = unsafe { arg_str(transaction, "transaction") }?;
        req(s.capture(t))
    })
}

/// Sends `data_json` to participants as an `event` method. `scopes_json` is an array of
/// `"everyone"`, `"group:ID"`, `"scene:ID"`, `"participant:SESSIONID"`.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_broadcast_event(
    session: *mut mixplay_session,
    scopes_json: *const c_char,
    data_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let (scopes, data) = unsafe { (arg_json(scopes_json, "scopes_json")?, arg_json(data_json, "data_json")?) };
        let scopes = json_strings(&scopes, "scopes_json")?;
        req(s.broadcast_event(&scopes, data))
    })
}

/// Sets leaky-bucket throttles on what the service sends: `rules_json` maps method names (or
/// `"*"`) to `{"capacity": bytes, "drainRate": bytes_per_second}` or `null` to remove.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_bandwidth_throttle(
    session: *mut mixplay_session,
    rules_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let rules = unsafe { arg_json(rules_json, "rules_json") }?;
        req(s.set_bandwidth_throttle(rules))
    })
}

/// Asks for the throttles' counts; the reply's JSON maps methods to `{inserted, rejected}`.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `out_request_id` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_throttle_state(
    session: *mut mixplay_session,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| req(s.get_throttle_state()))
}

/// Asks for the session's memory use; the reply's JSON is `{usedBytes, totalBytes, resources}`.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `out_request_id` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_memory_stats(
    session: *mut mixplay_session,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| req(s.get_memory_stats()))
}

/// Asks for the service's time; the reply's JSON is `{time}`.
/// (`mixplay_session_server_time_ms` answers at once from the connect-time estimate.)
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `out_request_id` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_time(
    session: *mut mixplay_session,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| req(s.get_time()))
}

/// Asks for a page (up to 100) of participants who connected after `from` (unix ms); the reply's
/// JSON is `{participants, total, hasMore}`. The cache already holds every participant.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `out_request_id` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_all_participants(
    session: *mut mixplay_session,
    from: i64,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| req(s.get_all_participants(from)))
}

/// Asks for participants who gave input after `threshold` (unix ms), oldest input first.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `out_request_id` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_active_participants(
    session: *mut mixplay_session,
    threshold: i64,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| req(s.get_active_participants(threshold)))
}

/// Asks the service for participants by user id: `user_ids_json` is an array of numbers; the
/// reply maps each id to a participant or null.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_participants_by_user_id(
    session: *mut mixplay_session,
    user_ids_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let ids = unsafe { arg_json(user_ids_json, "user_ids_json") }?;
        let ids: Vec<u32> = ids
            .as_array()
            .and_then(|a| a.iter().map(|v| v.as_u64().and_then(|n| u32::try_from(n).ok())).collect::<Option<Vec<_>>>())
            .ok_or_else(|| Fail::new(mixplay_result::InvalidJson, "user_ids_json must be an array of user ids"))?;
        req(s.get_participants_by_user_id(&ids))
    })
}

/// Asks the service for participants by session id: `session_ids_json` is an array of strings.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_participants_by_session_id(
    session: *mut mixplay_session,
    session_ids_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let ids = unsafe { arg_json(session_ids_json, "session_ids_json") }?;
        let ids = json_strings(&ids, "session_ids_json")?;
        req(s.get_participants_by_session_id(&ids))
    })
}
