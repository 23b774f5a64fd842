//! Reading the state cache: whole controls, scenes, controls and groups by index, and
//! participants.

use std::os::raw::c_char;

use serde_json::Value;

use super::event::session_id;
use super::{mixplay_session, with_inner, Inner};
use crate::client::{Participant, SessionId};
use crate::ffi::args::{arg_str, write_out};
use crate::ffi::result::{boundary, mixplay_result, Fail};
use crate::ffi::str::{mixplay_str, Arena};

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

fn participant_view(arena: &mut Arena, p: &Participant) -> mixplay_participant {
    mixplay_participant {
        session_id: session_id(arena, &p.id),
        user_id: p.user_id,
        level: p.level,
        username: arena.put(p.username),
        group: arena.put(p.group),
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
        let Inner { session, arena, .. } = inner;
        let p = session
            .state()
            .participants
            .get(&id)
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no participant {id}")))?;
        let view = participant_view(arena, &p);
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
        let Inner { session, arena, .. } = inner;
        let p = session
            .state()
            .participants
            .by_user(user_id)
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no participant with user id {user_id}")))?;
        let view = participant_view(arena, &p);
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
    // The views' strings, in an arena of this call's own (its chunks never move).
    let mut arena = Arena::default();
    let mut snapshot: Vec<mixplay_participant> = Vec::new();
    let rc = with_inner(session, |inner| {
        callback.ok_or_else(|| Fail::new(mixplay_result::NullArgument, "callback is NULL"))?;
        let participants = &inner.session.state().participants;
        snapshot = participants.iter().map(|p| participant_view(&mut arena, &p)).collect();
        Ok(())
    });
    if rc != mixplay_result::Ok {
        return rc;
    }
    // The callbacks run without the session's lock, so they may call back into the library.
    boundary(|| {
        let callback = callback.expect("checked above");
        for view in &snapshot {
            // SAFETY: the caller promises a valid callback.
            if !unsafe { callback(user_data, view) } {
                break;
            }
        }
        Ok(())
    })
}
