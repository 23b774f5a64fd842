//! Control properties: the setters (coalesced per frame into one `updateControls` per scene) and
//! the getters that read them from the cache.

use std::os::raw::c_char;

use serde_json::Value;

use super::{mixplay_session, req, request, with_inner, Inner};
use crate::ffi::args::{arg_json, arg_str, copy_out, write_out};
use crate::ffi::result::{boundary, mixplay_result, Fail, FfiResult};
use crate::ffi::str::mixplay_str;

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

/// Reads a property with `read` into `*out_value`; `WRONG_TYPE` (not `want`) when it finds none.
fn get_scalar<T>(
    session: *const mixplay_session,
    control: *const c_char,
    key: *const c_char,
    meta: bool,
    out_value: *mut T,
    read: fn(&Value) -> Option<T>,
    want: &str,
) -> mixplay_result {
    get_property(session, control, key, meta, |v, _| {
        let value = read(v).ok_or_else(|| wrong_type(want))?;
        // SAFETY: the callers forward their caller's out-pointer.
        unsafe { write_out(out_value, value, "out_value") }
    })
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
    get_scalar(session, control, key, meta, out_value, Value::as_i64, "an integer")
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
    get_scalar(session, control, key, meta, out_value, Value::as_f64, "a number")
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
    get_scalar(session, control, key, meta, out_value, Value::as_bool, "a boolean")
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
