//! The session's file storage: uploading a file the channel's viewers' pages can load (a
//! button's `backgroundImage`), and deleting it.

use std::os::raw::c_char;

use super::{mixplay_session, req, request};
use crate::ffi::args::{arg_bytes, arg_str};
use crate::ffi::result::mixplay_result;

/// Stores `len` bytes at `bytes` as the channel's file `path` (`images/tile.png`: letters,
/// digits, `.`, `_`, `-`, and `/` between segments), replacing any file there. The bytes are
/// copied before the call returns; the upload runs in the background.
///
/// The reply's `result_json` is `{"url", "path", "size", "contentType"}`: `url` is where
/// viewers' pages load the file (give it to a control's `backgroundImage`). A failed reply's
/// `code` is a protocol code (4004: a bad path), the upload's HTTP status with the service's
/// sentence in `message` (400 a body the service could not read, 403 an authorization the
/// service no longer accepts, 413 past the channel's quota or file count, 429 too many uploads
/// at once, 503 the service's storage failed), or a local code (1 timed out, 2 the upload could
/// not be sent, 3 the connection was lost before `uploadFile` answered).
///
/// **Errors**: `NULL_ARGUMENT` (`bytes` NULL with a non-zero `len`), `INVALID_UTF8`,
/// `INVALID_ARGUMENT` (empty path), `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
/// **Threads**: any thread, like every call on the session (one at a time).
///
/// # Safety
/// `path` must be NUL-terminated; `bytes` NULL or readable for `len` bytes during the call;
/// `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_upload_file(
    session: *mut mixplay_session,
    path: *const c_char,
    bytes: *const u8,
    len: usize,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let (path, bytes) = unsafe { (arg_str(path, "path")?, arg_bytes(bytes, len, "bytes")?) };
        req(s.upload_file(path, bytes.to_vec()))
    })
}

/// Deletes the channel's file `path`; the reply's result is `null` (also when there was none).
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (empty path), `INVALID_HANDLE`,
/// `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `path` must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_delete_file(
    session: *mut mixplay_session,
    path: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(session, out_request_id, |s| {
        // SAFETY: forwarded from the caller.
        let path = unsafe { arg_str(path, "path") }?;
        req(s.delete_file(path))
    })
}
