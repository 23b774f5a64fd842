//! The per-frame input helpers: presses, releases, holders, joystick means and text submissions
//! counted over the events handed out in the current frame.

use std::os::raw::c_char;

use super::event::session_id;
use super::{mixplay_session, with_inner, Inner};
use crate::client::{ControlFrame, SessionId};
use crate::ffi::args::{arg_str, write_out};
use crate::ffi::result::{mixplay_result, Fail, FfiResult};
use crate::ffi::str::mixplay_str;

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

/// Writes the session id at `index` of one of `control`'s lists of participants this frame.
fn participant_at(
    session: *const mixplay_session,
    control: *const c_char,
    index: usize,
    out_participant: *mut mixplay_str,
    list: fn(&ControlFrame) -> &Vec<SessionId>,
    what: &str,
) -> mixplay_result {
    frame_read(session, control, |inner, c| {
        let Inner { session, arena, .. } = inner;
        let id = session
            .frame()
            .control(c)
            .and_then(|f| list(f).get(index))
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no {what} at index {index}")))?;
        let view = session_id(arena, id);
        // SAFETY: the callers forward their caller's out-pointer.
        unsafe { write_out(out_participant, view, "out_participant") }
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
    participant_at(session, control, index, out_participant, |f| &f.held_by, "holder")
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
    participant_at(session, control, index, out_participant, |f| &f.pressed_by, "press")
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
        let Inner { session, arena, .. } = inner;
        let (id, text) = session
            .frame()
            .submissions(c)
            .get(index)
            .ok_or_else(|| Fail::new(mixplay_result::NotFound, format!("no submission at index {index}")))?;
        let who = session_id(arena, id);
        let text = arena.put(text);
        // SAFETY: forwarded from the caller.
        unsafe {
            write_out(out_participant, who, "out_participant")?;
            write_out(out_text, text, "out_text")
        }
    })
}
