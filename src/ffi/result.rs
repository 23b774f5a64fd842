//! Result codes, the per-thread last-error message, and the panic boundary every extern
//! function runs inside.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::str::mixplay_str;

/// What every mixplay function returns. `MIXPLAY_RESULT_OK` is 0, so `if (rc)` tests for failure.
/// Values are grouped in blocks and never renumbered: 1–99 misuse by the caller, 100–199 the
/// session's state, 200–299 the environment. Errors the *service* reports (4xxx codes) are not
/// result codes: they arrive as data in reply and connection events.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mixplay_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullArgument = 1,
    /// The handle was never made, was already freed, or is of another type.
    InvalidHandle = 2,
    /// A string argument is not valid UTF-8.
    InvalidUtf8 = 3,
    /// An argument is out of range or malformed (see `mixplay_last_error`).
    InvalidArgument = 4,
    /// A JSON argument does not parse, or has the wrong shape.
    InvalidJson = 5,
    /// The caller's buffer is too small; the needed length was written to the length out-param.
    BufferTooSmall = 6,
    /// `poll` was called on a session while another `poll` on it was still running.
    Busy = 7,
    /// The library caught a panic; the session that raised it is unusable (free it).
    Panic = 8,
    /// The session is closed: no more requests can be sent.
    Closed = 100,
    /// No such control, scene, group, participant or property in the state cache.
    NotFound = 101,
    /// The property exists but holds another type than the getter reads.
    WrongType = 102,
    /// Too many requests are waiting to be sent; try again next frame.
    QueueFull = 103,
    /// The library could not start its network threads.
    RuntimeFailed = 200,
}

impl mixplay_result {
    /// A static description of the code.
    pub fn describe(self) -> &'static str {
        let text = self.text();
        &text[..text.len() - 1]
    }

    /// The description with its NUL: the one table behind `describe` and `mixplay_result_str`.
    fn text(self) -> &'static str {
        match self {
            mixplay_result::Ok => "ok\0",
            mixplay_result::NullArgument => "a required pointer argument was NULL\0",
            mixplay_result::InvalidHandle => "the handle is not a live handle of the expected type\0",
            mixplay_result::InvalidUtf8 => "a string argument is not valid UTF-8\0",
            mixplay_result::InvalidArgument => "an argument is invalid\0",
            mixplay_result::InvalidJson => "a JSON argument is invalid\0",
            mixplay_result::BufferTooSmall => "the buffer is too small\0",
            mixplay_result::Busy => "poll is already running on this session\0",
            mixplay_result::Panic => "the library caught an internal panic\0",
            mixplay_result::Closed => "the session is closed\0",
            mixplay_result::NotFound => "not found in the state cache\0",
            mixplay_result::WrongType => "the property holds another type\0",
            mixplay_result::QueueFull => "too many requests are waiting to be sent\0",
            mixplay_result::RuntimeFailed => "the network runtime could not be started\0",
        }
    }

    /// Every code, for the C header's tests and the wrappers' checks.
    pub const ALL: [mixplay_result; 14] = [
        mixplay_result::Ok,
        mixplay_result::NullArgument,
        mixplay_result::InvalidHandle,
        mixplay_result::InvalidUtf8,
        mixplay_result::InvalidArgument,
        mixplay_result::InvalidJson,
        mixplay_result::BufferTooSmall,
        mixplay_result::Busy,
        mixplay_result::Panic,
        mixplay_result::Closed,
        mixplay_result::NotFound,
        mixplay_result::WrongType,
        mixplay_result::QueueFull,
        mixplay_result::RuntimeFailed,
    ];
}

/// A failure inside an extern function: the code to return and the detail for
/// `mixplay_last_error`.
#[derive(Debug)]
pub struct Fail {
    pub code: mixplay_result,
    pub message: String,
}

impl Fail {
    pub fn new(code: mixplay_result, message: impl Into<String>) -> Fail {
        Fail { code, message: message.into() }
    }
}

pub type FfiResult<T> = Result<T, Fail>;

thread_local! {
    /// The detail of the last failure on this thread, NUL-terminated.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

fn set_last_error(message: &str) {
    LAST_ERROR.with(|e| {
        let mut e = e.borrow_mut();
        e.clear();
        e.push_str(message);
        e.push('\0');
    });
}

/// Runs an extern function's body: a panic becomes `MIXPLAY_RESULT_PANIC`, a failure sets the
/// thread's last error. Success leaves the last error as it was.
pub fn boundary(body: impl FnOnce() -> FfiResult<()>) -> mixplay_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => mixplay_result::Ok,
        Ok(Err(fail)) => {
            set_last_error(&fail.message);
            fail.code
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            set_last_error(&format!("internal panic: {what}"));
            mixplay_result::Panic
        }
    }
}

/// A human-readable description of a result code, as a static NUL-terminated string. Unknown
/// codes give "unknown result code".
///
/// **Lifetime**: static; never free it. **Threads**: any thread.
#[no_mangle]
pub extern "C" fn mixplay_result_str(code: u32) -> *const std::os::raw::c_char {
    let text = mixplay_result::ALL.iter().find(|r| **r as u32 == code).map_or("unknown result code\0", |r| r.text());
    text.as_ptr().cast()
}

/// The detail of the most recent failure of a mixplay call **on the calling thread** (empty if
/// none). Successful calls do not clear it.
///
/// **Lifetime**: valid until the next mixplay call on this thread; copy it to keep it.
/// **Threads**: each thread has its own. Tokens and other secrets are never included.
#[no_mangle]
pub extern "C" fn mixplay_last_error() -> mixplay_str {
    LAST_ERROR.with(|e| {
        let e = e.borrow();
        let text = e.strip_suffix('\0').unwrap_or("");
        if text.is_empty() {
            mixplay_str::from_static("\0")
        } else {
            // The buffer lives in this thread's slot until the next failure overwrites it.
            mixplay_str { ptr: e.as_ptr().cast(), len: text.len() }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_match_and_panics_are_caught() {
        for r in mixplay_result::ALL {
            let c = unsafe { std::ffi::CStr::from_ptr(mixplay_result_str(r as u32)) };
            assert_eq!(c.to_str().unwrap(), r.describe());
        }
        let rc = boundary(|| panic!("boom"));
        assert_eq!(rc, mixplay_result::Panic);
        let e = mixplay_last_error();
        let text = unsafe { std::str::from_utf8(std::slice::from_raw_parts(e.ptr.cast::<u8>(), e.len)).unwrap() };
        assert!(text.contains("boom"));
    }
}
