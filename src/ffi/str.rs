//! Strings across the boundary: UTF-8 in as NUL-terminated `const char *`, out as
//! `mixplay_str` (pointer + length, also NUL-terminated) owned by the library.

use std::ffi::CStr;
use std::os::raw::c_char;

use super::result::{mixplay_result, Fail, FfiResult};

/// A UTF-8 string owned by the library: `len` bytes at `ptr`, followed by a NUL byte (so it can
/// be printed as a C string; `len` is authoritative if the text itself contains `\0`). An empty
/// string has `len` 0 and a valid `ptr`. How long it stays valid is stated by the function or
/// event that returned it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mixplay_str {
    /// The first byte; never NULL.
    pub ptr: *const c_char,
    /// The length in bytes, without the NUL.
    pub len: usize,
}

impl mixplay_str {
    pub fn from_static(s: &'static str) -> mixplay_str {
        debug_assert!(s.ends_with('\0'));
        mixplay_str { ptr: s.as_ptr().cast(), len: s.len() - 1 }
    }

    pub fn empty() -> mixplay_str {
        mixplay_str::from_static("\0")
    }
}

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

/// Storage for the strings handed out until the next poll. Chunks never move once written, so
/// earlier pointers stay valid while later strings are added; `clear` keeps the first chunk's
/// memory, so a steady game loop stops allocating.
#[derive(Default)]
pub struct Arena {
    chunks: Vec<String>,
}

const CHUNK: usize = 16 * 1024;

impl Arena {
    /// Forgets every string handed out so far.
    pub fn clear(&mut self) {
        self.chunks.truncate(1);
        if let Some(c) = self.chunks.first_mut() {
            c.clear();
        }
    }

    /// Stores `text` (with a NUL) and returns a view of it.
    pub fn put(&mut self, text: &str) -> mixplay_str {
        if text.is_empty() {
            return mixplay_str::empty();
        }
        let need = text.len() + 1;
        let fits = self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= need);
        if !fits {
            self.chunks.push(String::with_capacity(need.max(CHUNK)));
        }
        let chunk = self.chunks.last_mut().expect("a chunk exists");
        let start = chunk.len();
        chunk.push_str(text);
        chunk.push('\0');
        // SAFETY: `start` is within the chunk, which never reallocates (capacity was reserved).
        mixplay_str { ptr: unsafe { chunk.as_ptr().add(start) }.cast(), len: text.len() }
    }

    /// Writes with `f` into the arena (for text produced piecewise, such as ids).
    pub fn put_with(&mut self, scratch: &mut String, f: impl FnOnce(&mut String)) -> mixplay_str {
        scratch.clear();
        f(scratch);
        let s = std::mem::take(scratch);
        let view = self.put(&s);
        *scratch = s;
        view
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: mixplay_str) -> String {
        let bytes = unsafe { std::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len + 1) };
        assert_eq!(bytes[s.len], 0, "NUL-terminated");
        String::from_utf8(bytes[..s.len].to_vec()).unwrap()
    }

    #[test]
    fn arena_views_survive_growth() {
        let mut a = Arena::default();
        let first = a.put("hello");
        let big = "x".repeat(CHUNK * 2);
        let second = a.put(&big);
        let third = a.put("world");
        assert_eq!(text(first), "hello");
        assert_eq!(text(second).len(), CHUNK * 2);
        assert_eq!(text(third), "world");
        a.clear();
        assert_eq!(text(a.put("again")), "again");
    }

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
}
