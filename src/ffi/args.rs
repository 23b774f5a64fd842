//! Arguments across the boundary: reading the caller's strings and JSON, and writing through
//! the caller's out-pointers and buffers. Each failure is a `Fail` naming the argument.

use std::ffi::CStr;
use std::os::raw::c_char;

use serde_json::Value;

use super::result::{mixplay_result, Fail, FfiResult};

/// Reads a required NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that stays alive during the call.
pub unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> FfiResult<&'a str> {
    if ptr.is_null() {
        return Err(Fail::new(mixplay_result::NullArgument, format!("{name} is NULL")));
    }
    // SAFETY: the caller promises a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|e| Fail::new(mixplay_result::InvalidUtf8, format!("{name} is not UTF-8: {e}")))
}

/// Reads an optional string argument: NULL is `None`.
///
/// # Safety
/// As [`arg_str`].
pub unsafe fn arg_opt_str<'a>(ptr: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded from the caller.
        unsafe { arg_str(ptr, name) }.map(Some)
    }
}

/// Reads a JSON argument.
///
/// # Safety
/// As [`arg_str`].
pub unsafe fn arg_json(ptr: *const c_char, name: &str) -> FfiResult<serde_json::Value> {
    // SAFETY: forwarded from the caller.
    let text = unsafe { arg_str(ptr, name) }?;
    serde_json::from_str(text).map_err(|e| Fail::new(mixplay_result::InvalidJson, format!("{name} is not JSON: {e}")))
}

/// Reads a byte buffer argument `(ptr, len)`: NULL is allowed only with `len` 0.
///
/// # Safety
/// `ptr` must be NULL or valid for reading `len` bytes during the call.
pub unsafe fn arg_bytes<'a>(ptr: *const u8, len: usize, name: &str) -> FfiResult<&'a [u8]> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Fail::new(mixplay_result::NullArgument, format!("{name} is NULL with a length of {len}")));
    }
    // SAFETY: the caller promises `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Writes a value through a required out-pointer.
///
/// # Safety
/// `out` must be NULL or valid for writing a `T`.
pub unsafe fn write_out<T>(out: *mut T, value: T, name: &str) -> FfiResult<()> {
    if out.is_null() {
        return Err(Fail::new(mixplay_result::NullArgument, format!("{name} is NULL")));
    }
    // SAFETY: the caller promises a writable location.
    unsafe { out.write(value) };
    Ok(())
}

/// Copies `text` into the caller's buffer `(buf, cap)` with a NUL, writing the needed length
/// (without the NUL) to `out_len` in every case. When `cap <= len`, nothing is copied and the
/// result is `BUFFER_TOO_SMALL`. `buf` may be NULL to ask for the length only.
///
/// # Safety
/// `buf` must be NULL or valid for `cap` bytes; `out_len` must be NULL or writable.
pub unsafe fn copy_out(text: &str, buf: *mut c_char, cap: usize, out_len: *mut usize) -> FfiResult<()> {
    // SAFETY: forwarded from the caller.
    unsafe { write_out(out_len, text.len(), "out_len") }?;
    if buf.is_null() || cap <= text.len() {
        return Err(Fail::new(
            mixplay_result::BufferTooSmall,
            format!("the buffer holds {cap} bytes; {} are needed with the NUL", text.len() + 1),
        ));
    }
    // SAFETY: `buf` has at least `len + 1` bytes, checked above.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
        buf.add(text.len()).write(0);
    }
    Ok(())
}

/// Reads a JSON array of strings (already parsed from argument `name`).
pub fn json_strings<'v>(value: &'v Value, name: &str) -> FfiResult<Vec<&'v str>> {
    value
        .as_array()
        .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| Fail::new(mixplay_result::InvalidJson, format!("{name} must be a JSON array of strings")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_out_reports_needed_size() {
        let mut len = 0usize;
        let mut buf = [0 as c_char; 4];
        let e = unsafe { copy_out("hello", buf.as_mut_ptr(), buf.len(), &mut len) }.unwrap_err();
        assert_eq!((e.code, len), (mixplay_result::BufferTooSmall, 5));
        let mut buf = [0 as c_char; 6];
        unsafe { copy_out("hello", buf.as_mut_ptr(), buf.len(), &mut len) }.unwrap();
        assert_eq!(unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap(), "hello");
        let bad = [0xffu8, 0];
        assert_eq!(unsafe { arg_str(bad.as_ptr().cast(), "x") }.unwrap_err().code, mixplay_result::InvalidUtf8);
        assert_eq!(unsafe { arg_str(std::ptr::null(), "x") }.unwrap_err().code, mixplay_result::NullArgument);
    }

    #[test]
    fn string_arrays() {
        let v = serde_json::json!(["a", "b"]);
        assert_eq!(json_strings(&v, "x").unwrap(), ["a", "b"]);
        for bad in [serde_json::json!(["a", 1]), serde_json::json!("a"), serde_json::json!({})] {
            assert_eq!(json_strings(&bad, "x").unwrap_err().code, mixplay_result::InvalidJson);
        }
    }
}
