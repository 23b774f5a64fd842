//! Logging through the C API: a process-wide level and an optional sink, called only from
//! inside a poll (`mixplay_session_poll`, `mixplay_chat_poll`, `mixplay_auth_poll`) on the
//! polling thread.

use std::io::Write;

use parking_lot::Mutex;

use super::result::{boundary, mixplay_result, Fail};
use super::str::mixplay_str;
use crate::log;

/// `mixplay_set_log_level` levels; a record is delivered when its level is at most the set one.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mixplay_log_level {
    /// Deliver nothing.
    Off = 0,
    /// Failures: the session stopped for good.
    Error = 1,
    /// The default: also recoverable trouble (reconnects, dropped input, bad packets).
    Warning = 2,
    /// Also connection progress.
    Info = 3,
    /// Everything, for troubleshooting.
    Debug = 4,
}

/// A log sink: called with the record's `mixplay_log_level` and its text (valid during the call
/// only). Called only from inside `mixplay_session_poll` (or `mixplay_chat_poll`,
/// `mixplay_auth_poll`), on the polling thread.
pub type mixplay_log_fn =
    Option<unsafe extern "C" fn(user_data: *mut std::ffi::c_void, level: u32, message: mixplay_str)>;

struct Sink {
    callback: unsafe extern "C" fn(*mut std::ffi::c_void, u32, mixplay_str),
    user_data: usize,
}

static SINK: Mutex<Option<Sink>> = Mutex::new(None);

/// Sets the process-wide log level (a `mixplay_log_level`; default WARNING).
///
/// **Threads**: any thread. **Errors**: `INVALID_ARGUMENT` above DEBUG.
#[no_mangle]
pub extern "C" fn mixplay_set_log_level(level: u32) -> mixplay_result {
    boundary(|| {
        if level > mixplay_log_level::Debug as u32 {
            return Err(Fail::new(mixplay_result::InvalidArgument, "the level must be 0 (off) to 4 (debug)"));
        }
        log::set_level(level);
        Ok(())
    })
}

/// Sends log records to `callback` (with `user_data`) instead of stderr; NULL goes back to
/// stderr. The callback runs only inside `mixplay_session_poll` (or `mixplay_chat_poll`,
/// `mixplay_auth_poll`), on the polling thread, after
/// the session's own work; it may call mixplay functions except polling the same session
/// (which returns BUSY).
///
/// **Threads**: any thread. **Errors**: none.
///
/// # Safety
/// `callback` must stay callable until it is replaced; `user_data` is passed through untouched.
#[no_mangle]
pub unsafe extern "C" fn mixplay_set_log_sink(
    callback: mixplay_log_fn,
    user_data: *mut std::ffi::c_void,
) -> mixplay_result {
    boundary(|| {
        *SINK.lock() = callback.map(|callback| Sink { callback, user_data: user_data as usize });
        Ok(())
    })
}

/// Hands waiting log records to the sink, or to stderr.
pub fn deliver_logs() {
    if !log::pending() {
        return;
    }
    let sink = SINK.lock().as_ref().map(|s| (s.callback, s.user_data));
    log::drain(|level, text| match sink {
        Some((callback, user_data)) => {
            let mut owned = String::with_capacity(text.len() + 1);
            owned.push_str(text);
            owned.push('\0');
            let message = mixplay_str { ptr: owned.as_ptr().cast(), len: text.len() };
            // A panic in a foreign callback cannot unwind through here; a misbehaving sink is the
            // caller's, so just call it.
            // SAFETY: the caller registered a valid callback.
            unsafe { callback(user_data as *mut std::ffi::c_void, level as u32, message) };
        }
        None => {
            let name = match level {
                log::Level::Error => "error",
                log::Level::Warning => "warning",
                log::Level::Info => "info",
                log::Level::Debug => "debug",
            };
            let _ = writeln!(std::io::stderr(), "mixplay {name}: {text}");
        }
    });
}
