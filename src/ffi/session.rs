//! `mixplay_session`: a game-client session, its poll, its requests and its state cache.

use std::os::raw::c_char;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::Value;

use super::config::{config_of, mixplay_config};
use super::event::{convert, mixplay_event, session_id};
use super::handle::{self, Kind};
use super::log::deliver_logs;
use super::result::{boundary, mixplay_result, Fail, FfiResult};
use super::str::{arg_json, arg_str, copy_out, mixplay_str, write_out, Arena};
use crate::client::{ConnectionState, Participant, Session, SessionError, SessionId};
use crate::log;

/// A game-client session. Make it with `mixplay_session_new`, call `mixplay_session_poll` once a
/// frame, and free it with `mixplay_session_free`.
///
/// **Requests**: every call that needs the service returns at once with `MIXPLAY_RESULT_OK` and
/// writes a request id; the answer arrives later through poll as a `MIXPLAY_EVENT_KIND_REPLY`
/// event carrying that id. Requests made while the session is not connected are answered with a
/// reply whose `code` is 2 (not connected).
///
/// **Threads**: any thread may call any function, but `poll` must not run on one session from two
/// threads at once (the second gets `MIXPLAY_RESULT_BUSY`). The library never calls into the
/// game from its own threads.
///
/// **Strings** returned by lookups and events stay valid until the next poll on the session.
pub struct mixplay_session {
    _private: [u8; 0],
}

pub struct SessionCell {
    polling: AtomicBool,
    inner: Mutex<Inner>,
}

struct Inner {
    session: Session,
    arena: Arena,
    scratch: String,
    poisoned: bool,
}

fn cell_of(session: *const mixplay_session) -> FfiResult<Arc<SessionCell>> {
    if session.is_null() {
        return Err(Fail::new(mixplay_result::NullArgument, "session is NULL"));
    }
    handle::get::<SessionCell>(Kind::Session, session as usize)
}

/// Runs `f` on the session's inner state; a panic inside poisons the session.
fn with_inner(session: *const mixplay_session, f: impl FnOnce(&mut Inner) -> FfiResult<()>) -> mixplay_result {
    boundary(|| {
        let cell = cell_of(session)?;
        let mut inner = cell.inner.lock();
        if inner.poisoned {
            return Err(Fail::new(mixplay_result::Panic, "the session hit an internal error earlier; free it"));
        }
        match catch_unwind(AssertUnwindSafe(|| f(&mut inner))) {
            Ok(r) => r,
            Err(panic) => {
                inner.poisoned = true;
                resume_unwind(panic)
            }
        }
    })
}

fn session_error(e: SessionError) -> Fail {
    let code = match &e {
        SessionError::QueueFull => mixplay_result::QueueFull,
        SessionError::Closed => mixplay_result::Closed,
        SessionError::UnknownControl(_) => mixplay_result::NotFound,
        SessionError::InvalidArgument(_) => mixplay_result::InvalidArgument,
    };
    Fail::new(code, e.to_string())
}

/// Runs a request and writes its id.
fn request(
    session: *mut mixplay_session,
    out_request_id: *mut u64,
    f: impl FnOnce(&mut Session) -> FfiResult<u64>,
) -> mixplay_result {
    with_inner(session, |inner| {
        if out_request_id.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_request_id is NULL"));
        }
        let id = f(&mut inner.session)?;
        // SAFETY: checked for NULL above; the caller provides a writable u64.
        unsafe { out_request_id.write(id) };
        Ok(())
    })
}

fn req(r: Result<u64, SessionError>) -> FfiResult<u64> {
    r.map_err(session_error)
}

/// Makes a session from `config` (copied) and starts connecting in the background. The first
/// session starts the library's network threads; freeing the last one stops them.
///
/// **Ownership**: `*out_session` is yours; free it with `mixplay_session_free`.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE` (config), `INVALID_ARGUMENT` (no token or no
/// version id in the config), `RUNTIME_FAILED`.
///
/// # Safety
/// `out_session` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_new(
    config: *const mixplay_config,
    out_session: *mut *mut mixplay_session,
) -> mixplay_result {
    boundary(|| {
        if out_session.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_session is NULL"));
        }
        let config = config_of(config)?.lock().clone();
        if config.token.is_empty() {
            return Err(Fail::new(
                mixplay_result::InvalidArgument,
                "the config has no token (mixplay_config_set_token)",
            ));
        }
        if config.version_id == 0 {
            return Err(Fail::new(
                mixplay_result::InvalidArgument,
                "the config has no version id (mixplay_config_set_version_id)",
            ));
        }
        let session = Session::connect(config)
            .map_err(|e| Fail::new(mixplay_result::RuntimeFailed, format!("cannot start the network runtime: {e}")))?;
        let cell = SessionCell {
            polling: AtomicBool::new(false),
            inner: Mutex::new(Inner { session, arena: Arena::default(), scratch: String::new(), poisoned: false }),
        };
        let token = handle::insert(Kind::Session, Arc::new(cell))?;
        // SAFETY: checked for NULL above.
        unsafe { out_session.write(token as *mut mixplay_session) };
        Ok(())
    })
}

/// Closes the connection and frees the session. NULL is a no-op. Freeing the last session stops
/// and joins the library's network threads. Strings from this session become invalid.
///
/// **Errors**: `INVALID_HANDLE` (already freed, or not a session).
#[no_mangle]
pub extern "C" fn mixplay_session_free(session: *mut mixplay_session) -> mixplay_result {
    boundary(|| {
        if session.is_null() {
            return Ok(());
        }
        let cell = handle::remove::<SessionCell>(Kind::Session, session as usize)?;
        // A poll running on another thread keeps its own reference; the session closes when
        // the last reference goes.
        drop(cell);
        Ok(())
    })
}

fn poll_many(session: *mut mixplay_session, out: &mut [mixplay_event], out_count: &mut usize) -> mixplay_result {
    boundary(|| {
        if session.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "session is NULL"));
        }
        // The registry stays read-locked only for the session's own work (no reference count
        // traffic on the idle path); the log sink, which may free handles, runs after.
        let logs_waiting = handle::with_ref::<SessionCell, _>(Kind::Session, session as usize, |cell| {
            if cell.polling.swap(true, Ordering::Acquire) {
                return Err(Fail::new(mixplay_result::Busy, "poll is already running on this session"));
            }
            let polled = poll_cell(cell, out);
            let logs = log::pending();
            if polled.is_err() || !logs {
                cell.polling.store(false, Ordering::Release);
            }
            *out_count = polled?;
            Ok(logs)
        })??;
        if logs_waiting {
            // The flag stays set until the log sink has run, so a sink that polls this session
            // again gets BUSY; the sink may call other functions on this session.
            let cell = cell_of(session);
            deliver_logs();
            if let Ok(cell) = cell {
                cell.polling.store(false, Ordering::Release);
            }
        }
        Ok(())
    })
}

/// Polls a session whose `polling` flag the caller holds; a panic poisons it.
fn poll_cell(cell: &SessionCell, out: &mut [mixplay_event]) -> FfiResult<usize> {
    let mut inner = cell.inner.lock();
    if inner.poisoned {
        return Err(Fail::new(mixplay_result::Panic, "the session hit an internal error earlier; free it"));
    }
    let result = catch_unwind(AssertUnwindSafe(|| {
        let Inner { session, arena, scratch, .. } = &mut *inner;
        arena.clear();
        let mut n = 0;
        while n < out.len() {
            match session.poll() {
                Some(event) => {
                    convert(&event, arena, scratch, &mut out[n]);
                    n += 1;
                }
                None => break,
            }
        }
        n
    }));
    match result {
        Ok(n) => Ok(n),
        Err(panic) => {
            inner.poisoned = true;
            cell.polling.store(false, Ordering::Release);
            drop(inner);
            resume_unwind(panic);
        }
    }
}

/// Hands out the next event. Writes it to `*out_event` and sets `*out_has_event`; when there is
/// none, `*out_has_event` is false and the frame ends: control property writes made since the
/// last frame are sent (one `updateControls` per scene), and the next poll starts a new input
/// frame for the per-frame helpers. The state cache reflects every event handed out so far.
/// Log records are delivered to the log sink from inside this call.
///
/// **Lifetime**: strings in the event stay valid until the next poll on this session.
/// **Threads**: must not run concurrently with another poll on the same session (`BUSY`).
/// Idle polls allocate nothing.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `BUSY`, `PANIC`.
///
/// # Safety
/// `out_event` and `out_has_event` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_poll(
    session: *mut mixplay_session,
    out_event: *mut mixplay_event,
    out_has_event: *mut bool,
) -> mixplay_result {
    if out_event.is_null() || out_has_event.is_null() {
        return boundary(|| Err(Fail::new(mixplay_result::NullArgument, "out_event or out_has_event is NULL")));
    }
    let mut event = mixplay_event::empty();
    let mut count = 0;
    let rc = poll_many(session, std::slice::from_mut(&mut event), &mut count);
    if rc == mixplay_result::Ok {
        // SAFETY: both checked for NULL above.
        unsafe {
            out_event.write(event);
            out_has_event.write(count == 1);
        }
    }
    rc
}

/// Hands out up to `capacity` events into `out_events` and writes how many to `*out_count`.
/// Fewer than `capacity` means the queue ran dry and the frame ended (as for
/// `mixplay_session_poll`).
///
/// **Lifetime**: strings in all the events stay valid until the next poll on this session.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_ARGUMENT` (capacity 0), `INVALID_HANDLE`, `BUSY`, `PANIC`.
///
/// # Safety
/// `out_events` must point to `capacity` writable events; `out_count` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_poll_many(
    session: *mut mixplay_session,
    out_events: *mut mixplay_event,
    capacity: usize,
    out_count: *mut usize,
) -> mixplay_result {
    if out_events.is_null() || out_count.is_null() {
        return boundary(|| Err(Fail::new(mixplay_result::NullArgument, "out_events or out_count is NULL")));
    }
    if capacity == 0 {
        return boundary(|| Err(Fail::new(mixplay_result::InvalidArgument, "capacity must be at least 1")));
    }
    // SAFETY: the caller promises `capacity` writable events; they are initialised first.
    let out = unsafe {
        for i in 0..capacity {
            out_events.add(i).write(mixplay_event::empty());
        }
        std::slice::from_raw_parts_mut(out_events, capacity)
    };
    let mut count = 0;
    let rc = poll_many(session, out, &mut count);
    if rc == mixplay_result::Ok {
        // SAFETY: checked for NULL above.
        unsafe { out_count.write(count) };
    }
    rc
}

/// Ends the frame now without polling: sends the frame's control property writes; the next poll
/// starts a new input frame.
///
/// **Errors**: `INVALID_HANDLE`, `NULL_ARGUMENT`.
#[no_mangle]
pub extern "C" fn mixplay_session_end_frame(session: *mut mixplay_session) -> mixplay_result {
    with_inner(session, |inner| {
        inner.session.end_frame();
        Ok(())
    })
}

/// Writes the connection state as of the events polled so far (a `mixplay_connection_state`).
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_state` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_connection_state(
    session: *const mixplay_session,
    out_state: *mut u32,
) -> mixplay_result {
    with_inner(session, |inner| {
        let state = match inner.session.connection_state() {
            ConnectionState::Connecting => 1,
            ConnectionState::Connected => 2,
            ConnectionState::Reconnecting => 3,
            ConnectionState::Disconnected => 4,
        };
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_state, state, "out_state") }
    })
}

/// Writes whether the service is ready (participants can interact), as of the events polled.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_ready` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_is_ready(
    session: *const mixplay_session,
    out_ready: *mut bool,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_ready, inner.session.state().ready, "out_ready") }
    })
}

/// Writes the service's clock (unix milliseconds), estimated with `getTime` at connect.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_ms` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_server_time_ms(
    session: *const mixplay_session,
    out_ms: *mut i64,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_ms, inner.session.server_time_ms(), "out_ms") }
    })
}

// ----- requests -----

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
        let ids: Vec<&str> = ids
            .as_array()
            .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
            .ok_or_else(|| Fail::new(mixplay_result::InvalidJson, "control_ids_json must be an array of strings"))?;
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
        let scopes: Vec<&str> = scopes
            .as_array()
            .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
            .ok_or_else(|| Fail::new(mixplay_result::InvalidJson, "scopes_json must be an array of strings"))?;
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
        let ids: Vec<&str> = ids
            .as_array()
            .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
            .ok_or_else(|| Fail::new(mixplay_result::InvalidJson, "session_ids_json must be an array of strings"))?;
        req(s.get_participants_by_session_id(&ids))
    })
}

// ----- control properties (coalesced per frame) -----

fn set_property(
    session: *mut mixplay_session,
    control: *const c_char,
    key: *const c_char,
    value: Value,
    out: *mut u64,
) -> mixplay_result {
    request(session, out, |s| {
        // SAFETY: the callers forward NUL-terminated strings from C.
        let (control, key) = unsafe { (arg_str(control, "control")?, arg_str(key, "key")?) };
        req(s.set_control_property(control, key, value))
    })
}

fn meta_value(value: Value, key: *const c_char) -> FfiResult<(String, Value)> {
    // SAFETY: the callers forward NUL-terminated strings from C.
    let key = unsafe { arg_str(key, "key") }?;
    Ok((key.to_owned(), serde_json::json!({ key: { "value": value } })))
}

fn set_meta(
    session: *mut mixplay_session,
    control: *const c_char,
    key: *const c_char,
    value: Value,
    out: *mut u64,
) -> mixplay_result {
    request(session, out, |s| {
        // SAFETY: the callers forward NUL-terminated strings from C.
        let control = unsafe { arg_str(control, "control") }?;
        let (_, meta) = meta_value(value, key)?;
        req(s.set_control_property(control, "meta", meta))
    })
}

/// Sets a control's `text`. Writes made during a frame are sent together when the frame ends,
/// one `updateControls` per scene; the request id is that batch's (shared by the frame's writes
/// to the scene). The control is found in the cache, in the first scene that has it.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `NOT_FOUND` (no such control in the cache), `INVALID_HANDLE`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_text(
    session: *mut mixplay_session,
    control: *const c_char,
    text: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    // SAFETY: forwarded from the caller.
    match unsafe { arg_str(text, "text") } {
        Ok(t) => set_property(session, control, c"text".as_ptr(), Value::String(t.to_owned()), out_request_id),
        Err(e) => boundary(|| Err(e)),
    }
}

/// Sets a control's `tooltip` (coalesced like `mixplay_session_set_control_text`).
///
/// **Errors**: as `mixplay_session_set_control_text`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_tooltip(
    session: *mut mixplay_session,
    control: *const c_char,
    tooltip: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    // SAFETY: forwarded from the caller.
    match unsafe { arg_str(tooltip, "tooltip") } {
        Ok(t) => set_property(session, control, c"tooltip".as_ptr(), Value::String(t.to_owned()), out_request_id),
        Err(e) => boundary(|| Err(e)),
    }
}

/// Sets a button's progress bar, clamped to [0, 1] (coalesced).
///
/// **Errors**: as `mixplay_session_set_control_text`; `INVALID_ARGUMENT` for NaN or infinity.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_progress(
    session: *mut mixplay_session,
    control: *const c_char,
    progress: f64,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let control = unsafe { arg_str(control, "control") }?;
        req(s.set_progress(control, progress))
    })
}

/// Starts a cooldown lasting `ms` milliseconds from now, in the service's time (coalesced).
///
/// **Errors**: as `mixplay_session_set_control_text`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_cooldown(
    session: *mut mixplay_session,
    control: *const c_char,
    ms: u64,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let control = unsafe { arg_str(control, "control") }?;
        req(s.set_cooldown(control, ms))
    })
}

/// Disables or enables a control (coalesced).
///
/// **Errors**: as `mixplay_session_set_control_text`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_disabled(
    session: *mut mixplay_session,
    control: *const c_char,
    disabled: bool,
    out_request_id: *mut u64,
) -> mixplay_result {
    set_property(session, control, c"disabled".as_ptr(), Value::Bool(disabled), out_request_id)
}

/// Sets a button's spark cost (coalesced).
///
/// **Errors**: as `mixplay_session_set_control_text`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_cost(
    session: *mut mixplay_session,
    control: *const c_char,
    sparks: u32,
    out_request_id: *mut u64,
) -> mixplay_result {
    set_property(session, control, c"cost".as_ptr(), Value::from(sparks), out_request_id)
}

/// Sets the JavaScript key code that triggers a button (coalesced).
///
/// **Errors**: as `mixplay_session_set_control_text`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_key_code(
    session: *mut mixplay_session,
    control: *const c_char,
    key_code: u32,
    out_request_id: *mut u64,
) -> mixplay_result {
    set_property(session, control, c"keyCode".as_ptr(), Value::from(key_code), out_request_id)
}

/// Sets any control property to an integer (coalesced). `controlID` and `kind` cannot change.
///
/// **Errors**: as `mixplay_session_set_control_text`; `INVALID_ARGUMENT` for `controlID`/`kind`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_int(
    session: *mut mixplay_session,
    control: *const c_char,
    key: *const c_char,
    value: i64,
    out_request_id: *mut u64,
) -> mixplay_result {
    set_property(session, control, key, Value::from(value), out_request_id)
}

/// Sets any control property to a boolean (coalesced).
///
/// **Errors**: as `mixplay_session_set_control_int`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_bool(
    session: *mut mixplay_session,
    control: *const c_char,
    key: *const c_char,
    value: bool,
    out_request_id: *mut u64,
) -> mixplay_result {
    set_property(session, control, key, Value::Bool(value), out_request_id)
}

/// Sets any control property to a number (coalesced).
///
/// **Errors**: as `mixplay_session_set_control_int`; `INVALID_ARGUMENT` for NaN or infinity.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_float(
    session: *mut mixplay_session,
    control: *const c_char,
    key: *const c_char,
    value: f64,
    out_request_id: *mut u64,
) -> mixplay_result {
    match serde_json::Number::from_f64(value) {
        Some(n) => set_property(session, control, key, Value::Number(n), out_request_id),
        None => boundary(|| Err(Fail::new(mixplay_result::InvalidArgument, "the value must be a finite number"))),
    }
}

/// Sets any control property to a string (coalesced).
///
/// **Errors**: as `mixplay_session_set_control_int`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_string(
    session: *mut mixplay_session,
    control: *const c_char,
    key: *const c_char,
    value: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    // SAFETY: forwarded from the caller.
    match unsafe { arg_str(value, "value") } {
        Ok(v) => set_property(session, control, key, Value::String(v.to_owned()), out_request_id),
        Err(e) => boundary(|| Err(e)),
    }
}

/// Sets any control property to a JSON value (coalesced; objects written twice in one frame
/// merge).
///
/// **Errors**: as `mixplay_session_set_control_int`; `INVALID_JSON`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_json(
    session: *mut mixplay_session,
    control: *const c_char,
    key: *const c_char,
    value_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    // SAFETY: forwarded from the caller.
    match unsafe { arg_json(value_json, "value_json") } {
        Ok(v) => set_property(session, control, key, v, out_request_id),
        Err(e) => boundary(|| Err(e)),
    }
}

/// Sets a control's meta property `key` (stored as `meta.<key>.value`) to a JSON value
/// (coalesced).
///
/// **Errors**: as `mixplay_session_set_control_json`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_control_meta_json(
    session: *mut mixplay_session,
    control: *const c_char,
    key: *const c_char,
    value_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    // SAFETY: forwarded from the caller.
    match unsafe { arg_json(value_json, "value_json") } {
        Ok(v) => set_meta(session, control, key, v, out_request_id),
        Err(e) => boundary(|| Err(e)),
    }
}

// ----- reading the cache -----

/// Finds a control property (or, with `meta`, `meta.<key>.value`) in the cache.
fn property<'a>(inner: &'a Inner, control: &str, key: &str, meta: bool) -> FfiResult<&'a Value> {
    let state = inner.session.state();
    let scene = state
        .scene_of_control(control)
        .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no control {control:?} in the cache")))?;
    let c = state.control(scene, control).expect("scene_of_control found it");
    let value =
        if meta { c.get("meta").and_then(|m| m.get(key)).map(|m| m.get("value").unwrap_or(m)) } else { c.get(key) };
    value.ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("control {control:?} has no property {key:?}")))
}

fn get_property(
    session: *const mixplay_session,
    control: *const c_char,
    key: *const c_char,
    meta: bool,
    read: impl FnOnce(&Value, &mut Inner) -> FfiResult<()>,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: the callers forward NUL-terminated strings from C.
        let (control, key) = unsafe { (arg_str(control, "control")?, arg_str(key, "key")?) };
        let value = property(inner, control, key, meta)?.clone();
        read(&value, inner)
    })
}

fn wrong_type(want: &str) -> Fail {
    Fail::new(mixplay_result::WrongType, format!("the property is not {want}"))
}

/// Reads a control property (`meta` false) or meta property (`meta` true: `meta.<key>.value`)
/// as a 64-bit integer.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `NOT_FOUND`, `WRONG_TYPE`, `INVALID_HANDLE`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_value` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_control_int(
    session: *const mixplay_session,
    control: *const c_char,
    key: *const c_char,
    meta: bool,
    out_value: *mut i64,
) -> mixplay_result {
    get_property(session, control, key, meta, |v, _| {
        let n = v.as_i64().ok_or_else(|| wrong_type("an integer"))?;
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_value, n, "out_value") }
    })
}

/// Reads a control or meta property as a number (integers convert).
///
/// **Errors**: as `mixplay_session_get_control_int`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_value` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_control_float(
    session: *const mixplay_session,
    control: *const c_char,
    key: *const c_char,
    meta: bool,
    out_value: *mut f64,
) -> mixplay_result {
    get_property(session, control, key, meta, |v, _| {
        let n = v.as_f64().ok_or_else(|| wrong_type("a number"))?;
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_value, n, "out_value") }
    })
}

/// Reads a control or meta property as a boolean.
///
/// **Errors**: as `mixplay_session_get_control_int`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_value` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_control_bool(
    session: *const mixplay_session,
    control: *const c_char,
    key: *const c_char,
    meta: bool,
    out_value: *mut bool,
) -> mixplay_result {
    get_property(session, control, key, meta, |v, _| {
        let b = v.as_bool().ok_or_else(|| wrong_type("a boolean"))?;
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_value, b, "out_value") }
    })
}

/// Copies a control or meta string property into `(buf, capacity)` with a NUL and writes its
/// length (without the NUL) to `*out_len` — also when the buffer is too small, so a call with
/// `buf` NULL asks for the size.
///
/// **Errors**: as `mixplay_session_get_control_int`; `BUFFER_TOO_SMALL`.
///
/// # Safety
/// Strings must be NUL-terminated; `buf` must hold `capacity` bytes; `out_len` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_control_string(
    session: *const mixplay_session,
    control: *const c_char,
    key: *const c_char,
    meta: bool,
    buf: *mut c_char,
    capacity: usize,
    out_len: *mut usize,
) -> mixplay_result {
    get_property(session, control, key, meta, |v, _| {
        let s = v.as_str().ok_or_else(|| wrong_type("a string"))?;
        // SAFETY: forwarded from the caller.
        unsafe { copy_out(s, buf, capacity, out_len) }
    })
}

/// Writes a control or meta property as JSON text (any type).
///
/// **Lifetime**: `*out_json` stays valid until the next poll on this session.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `NOT_FOUND`, `INVALID_HANDLE`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_json` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_control_json(
    session: *const mixplay_session,
    control: *const c_char,
    key: *const c_char,
    meta: bool,
    out_json: *mut mixplay_str,
) -> mixplay_result {
    get_property(session, control, key, meta, |v, inner| {
        let view = inner.arena.put(&v.to_string());
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_json, view, "out_json") }
    })
}

/// Writes a whole control (all properties) as JSON text.
///
/// **Lifetime**: `*out_json` stays valid until the next poll on this session.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `NOT_FOUND`, `INVALID_HANDLE`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_json` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_control(
    session: *const mixplay_session,
    control: *const c_char,
    out_json: *mut mixplay_str,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        let control = unsafe { arg_str(control, "control") }?;
        let state = inner.session.state();
        let text = state
            .scene_of_control(control)
            .and_then(|scene| state.control(scene, control))
            .map(|c| Value::Object(c.clone()).to_string())
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no control {control:?} in the cache")))?;
        let view = inner.arena.put(&text);
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_json, view, "out_json") }
    })
}

/// Writes how many scenes the cache holds.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_count` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_scene_count(
    session: *const mixplay_session,
    out_count: *mut usize,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_count, inner.session.state().scenes.len(), "out_count") }
    })
}

/// Writes the id of the scene at `index` (in the service's order).
///
/// **Lifetime**: valid until the next poll on this session.
/// **Errors**: `NULL_ARGUMENT`, `NOT_FOUND` (index out of range), `INVALID_HANDLE`.
///
/// # Safety
/// `out_scene` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_scene_at(
    session: *const mixplay_session,
    index: usize,
    out_scene: *mut mixplay_str,
) -> mixplay_result {
    with_inner(session, |inner| {
        let id = inner.session.state().scenes.get_index(index).map(|(id, _)| id.clone());
        let id = id.ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no scene at index {index}")))?;
        let view = inner.arena.put(&id);
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_scene, view, "out_scene") }
    })
}

/// Writes how many controls `scene` holds.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `NOT_FOUND` (no such scene), `INVALID_HANDLE`.
///
/// # Safety
/// `scene` must be NUL-terminated; `out_count` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_control_count(
    session: *const mixplay_session,
    scene: *const c_char,
    out_count: *mut usize,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        let scene = unsafe { arg_str(scene, "scene") }?;
        let n = inner
            .session
            .state()
            .scenes
            .get(scene)
            .map(|s| s.controls.len())
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no scene {scene:?}")))?;
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_count, n, "out_count") }
    })
}

/// Writes the id of the control at `index` in `scene`.
///
/// **Lifetime**: valid until the next poll on this session.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `NOT_FOUND`, `INVALID_HANDLE`.
///
/// # Safety
/// `scene` must be NUL-terminated; `out_control` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_control_at(
    session: *const mixplay_session,
    scene: *const c_char,
    index: usize,
    out_control: *mut mixplay_str,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        let scene = unsafe { arg_str(scene, "scene") }?;
        let id = inner
            .session
            .state()
            .scenes
            .get(scene)
            .and_then(|s| s.controls.get_index(index))
            .map(|(id, _)| id.clone())
            .ok_or_else(|| {
                Fail::new(mixplay_result::NotFound, format!("no control at index {index} of scene {scene:?}"))
            })?;
        let view = inner.arena.put(&id);
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_control, view, "out_control") }
    })
}

/// Writes how many groups the cache holds.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_count` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_group_count(
    session: *const mixplay_session,
    out_count: *mut usize,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_count, inner.session.state().groups.len(), "out_count") }
    })
}

/// Writes the id of the group at `index` and, if `out_scene` is not NULL, its scene.
///
/// **Lifetime**: valid until the next poll on this session.
/// **Errors**: `NULL_ARGUMENT`, `NOT_FOUND`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_group` must be writable; `out_scene` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_group_at(
    session: *const mixplay_session,
    index: usize,
    out_group: *mut mixplay_str,
    out_scene: *mut mixplay_str,
) -> mixplay_result {
    with_inner(session, |inner| {
        let (id, scene) = inner
            .session
            .state()
            .groups
            .get_index(index)
            .map(|(id, g)| (id.clone(), g.get("sceneID").and_then(Value::as_str).unwrap_or("").to_owned()))
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no group at index {index}")))?;
        let id = inner.arena.put(&id);
        let scene = inner.arena.put(&scene);
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_group, id, "out_group") }?;
        if !out_scene.is_null() {
            // SAFETY: checked for NULL.
            unsafe { out_scene.write(scene) };
        }
        Ok(())
    })
}

/// A participant as the cache holds it. Strings stay valid until the next poll on the session.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mixplay_participant {
    pub session_id: mixplay_str,
    /// 0 for anonymous viewers.
    pub user_id: u32,
    pub level: u32,
    pub username: mixplay_str,
    pub group: mixplay_str,
    /// Unix milliseconds.
    pub connected_at: i64,
    /// Unix milliseconds; 0 before the first input.
    pub last_input_at: i64,
    pub disabled: bool,
    pub anonymous: bool,
}

fn participant_view(arena: &mut Arena, scratch: &mut String, id: &SessionId, p: &Participant) -> mixplay_participant {
    mixplay_participant {
        session_id: session_id(arena, scratch, id),
        user_id: p.user_id,
        level: p.level,
        username: arena.put(&p.username),
        group: arena.put(&p.group),
        connected_at: p.connected_at,
        last_input_at: p.last_input_at,
        disabled: p.disabled,
        anonymous: p.anonymous,
    }
}

/// Writes how many participants the cache holds.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_count` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_participant_count(
    session: *const mixplay_session,
    out_count: *mut usize,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_count, inner.session.state().participants.len(), "out_count") }
    })
}

/// Looks a participant up by session id.
///
/// **Lifetime**: the strings in `*out_participant` stay valid until the next poll.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `NOT_FOUND`, `INVALID_HANDLE`.
///
/// # Safety
/// `session_id` must be NUL-terminated; `out_participant` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_participant(
    session: *const mixplay_session,
    session_id: *const c_char,
    out_participant: *mut mixplay_participant,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        let id = SessionId::parse(unsafe { arg_str(session_id, "session_id") }?);
        let Inner { session, arena, scratch, .. } = inner;
        let p = session
            .state()
            .participants
            .get(&id)
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no participant {id}")))?;
        let view = participant_view(arena, scratch, &id, p);
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_participant, view, "out_participant") }
    })
}

/// Looks a signed-in participant up by user id.
///
/// **Lifetime**: the strings in `*out_participant` stay valid until the next poll.
/// **Errors**: `NULL_ARGUMENT`, `NOT_FOUND`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_participant` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_get_participant_by_user_id(
    session: *const mixplay_session,
    user_id: u32,
    out_participant: *mut mixplay_participant,
) -> mixplay_result {
    with_inner(session, |inner| {
        let Inner { session, arena, scratch, .. } = inner;
        let (id, p) = session
            .state()
            .participant_by_user(user_id)
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no participant with user id {user_id}")))?;
        let view = participant_view(arena, scratch, id, p);
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_participant, view, "out_participant") }
    })
}

/// A callback for `mixplay_session_for_each_participant`: return false to stop early.
pub type mixplay_participant_fn =
    Option<unsafe extern "C" fn(user_data: *mut std::ffi::c_void, participant: *const mixplay_participant) -> bool>;

/// Calls `callback` for every participant in the cache, on the calling thread, inside this call,
/// until it returns false. The participant pointer is valid only during its callback. The
/// callback sees the cache as it was when this call began, and may call mixplay functions,
/// including on this session.
///
/// **Errors**: `NULL_ARGUMENT` (callback), `INVALID_HANDLE`.
///
/// # Safety
/// `callback` must be a valid function; `user_data` is passed through untouched.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_for_each_participant(
    session: *const mixplay_session,
    callback: mixplay_participant_fn,
    user_data: *mut std::ffi::c_void,
) -> mixplay_result {
    let mut snapshot: Vec<(SessionId, Participant)> = Vec::new();
    let rc = with_inner(session, |inner| {
        callback.ok_or_else(|| Fail::new(mixplay_result::NullArgument, "callback is NULL"))?;
        snapshot = inner.session.state().participants.iter().map(|(id, p)| (id.clone(), p.clone())).collect();
        Ok(())
    });
    if rc != mixplay_result::Ok {
        return rc;
    }
    // The callbacks run without the session's lock, so they may call back into the library.
    boundary(|| {
        let callback = callback.expect("checked above");
        let (mut arena, mut scratch) = (Arena::default(), String::new());
        for (id, p) in &snapshot {
            arena.clear();
            let view = participant_view(&mut arena, &mut scratch, id, p);
            // SAFETY: the caller promises a valid callback.
            if !unsafe { callback(user_data, &view) } {
                break;
            }
        }
        Ok(())
    })
}

// ----- per-frame input -----

fn frame_read(
    session: *const mixplay_session,
    control: *const c_char,
    read: impl FnOnce(&mut Inner, &str) -> FfiResult<()>,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: the callers forward NUL-terminated strings from C.
        let control = unsafe { arg_str(control, "control") }?.to_owned();
        read(inner, &control)
    })
}

/// Writes how many times `control` was pressed (mousedown/keydown) this frame, and released
/// (mouseup/keyup) if `out_releases` is not NULL. A frame is the events handed out since the
/// previous poll that found no event.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`.
///
/// # Safety
/// `control` must be NUL-terminated; `out_presses` writable; `out_releases` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_button_counts(
    session: *const mixplay_session,
    control: *const c_char,
    out_presses: *mut u32,
    out_releases: *mut u32,
) -> mixplay_result {
    frame_read(session, control, |inner, c| {
        let f = inner.session.frame();
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_presses, f.presses(c), "out_presses") }?;
        if !out_releases.is_null() {
            // SAFETY: checked for NULL.
            unsafe { out_releases.write(f.releases(c)) };
        }
        Ok(())
    })
}

/// Writes how many participants hold `control` down right now (pressed, not yet released).
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`.
///
/// # Safety
/// `control` must be NUL-terminated; `out_count` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_button_holder_count(
    session: *const mixplay_session,
    control: *const c_char,
    out_count: *mut usize,
) -> mixplay_result {
    frame_read(session, control, |inner, c| {
        let n = inner.session.frame().control(c).map_or(0, |f| f.held_by.len());
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_count, n, "out_count") }
    })
}

/// Writes the session id of the `index`th participant holding `control` down.
///
/// **Lifetime**: valid until the next poll on this session.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `NOT_FOUND` (index out of range), `INVALID_HANDLE`.
///
/// # Safety
/// `control` must be NUL-terminated; `out_participant` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_button_holder_at(
    session: *const mixplay_session,
    control: *const c_char,
    index: usize,
    out_participant: *mut mixplay_str,
) -> mixplay_result {
    frame_read(session, control, |inner, c| {
        let Inner { session, arena, scratch, .. } = inner;
        let id = session
            .frame()
            .control(c)
            .and_then(|f| f.held_by.get(index))
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no holder at index {index}")))?;
        let view = session_id(arena, scratch, id);
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_participant, view, "out_participant") }
    })
}

/// Writes the session id of the `index`th press of `control` this frame (in order; a
/// participant who pressed twice appears twice). The count is `mixplay_session_button_counts`'s.
///
/// **Lifetime**: valid until the next poll on this session.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `NOT_FOUND`, `INVALID_HANDLE`.
///
/// # Safety
/// `control` must be NUL-terminated; `out_participant` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_button_presser_at(
    session: *const mixplay_session,
    control: *const c_char,
    index: usize,
    out_participant: *mut mixplay_str,
) -> mixplay_result {
    frame_read(session, control, |inner, c| {
        let Inner { session, arena, scratch, .. } = inner;
        let id = session
            .frame()
            .control(c)
            .and_then(|f| f.pressed_by.get(index))
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no press at index {index}")))?;
        let view = session_id(arena, scratch, id);
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_participant, view, "out_participant") }
    })
}

/// Writes the mean joystick (or screen) position of `control`'s moves this frame and how many
/// moves there were; with no moves, `*out_moves` is 0 and x, y are 0.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`.
///
/// # Safety
/// `control` must be NUL-terminated; the out-pointers writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_joystick_mean(
    session: *const mixplay_session,
    control: *const c_char,
    out_x: *mut f64,
    out_y: *mut f64,
    out_moves: *mut u32,
) -> mixplay_result {
    frame_read(session, control, |inner, c| {
        let f = inner.session.frame().control(c);
        let (x, y) = f.and_then(|f| f.mean_position()).unwrap_or((0.0, 0.0));
        let moves = f.map_or(0, |f| f.moves);
        // SAFETY: forwarded from the caller.
        unsafe {
            write_out(out_x, x, "out_x")?;
            write_out(out_y, y, "out_y")?;
            write_out(out_moves, moves, "out_moves")
        }
    })
}

/// Writes how many texts were submitted to textbox `control` this frame.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`.
///
/// # Safety
/// `control` must be NUL-terminated; `out_count` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_text_submission_count(
    session: *const mixplay_session,
    control: *const c_char,
    out_count: *mut usize,
) -> mixplay_result {
    frame_read(session, control, |inner, c| {
        let n = inner.session.frame().submissions(c).len();
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_count, n, "out_count") }
    })
}

/// Writes the `index`th text submitted to `control` this frame, and who sent it.
///
/// **Lifetime**: both strings stay valid until the next poll on this session.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `NOT_FOUND`, `INVALID_HANDLE`.
///
/// # Safety
/// `control` must be NUL-terminated; the out-pointers writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_text_submission_at(
    session: *const mixplay_session,
    control: *const c_char,
    index: usize,
    out_participant: *mut mixplay_str,
    out_text: *mut mixplay_str,
) -> mixplay_result {
    frame_read(session, control, |inner, c| {
        let Inner { session, arena, scratch, .. } = inner;
        let (id, text) = session
            .frame()
            .submissions(c)
            .get(index)
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no submission at index {index}")))?;
        let who = session_id(arena, scratch, id);
        let text = arena.put(text);
        // SAFETY: forwarded from the caller.
        unsafe {
            write_out(out_participant, who, "out_participant")?;
            write_out(out_text, text, "out_text")
        }
    })
}
