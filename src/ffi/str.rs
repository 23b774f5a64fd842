//! Strings out of the library: `mixplay_str` (pointer + length, also NUL-terminated), and the
//! arena that owns them until the next poll. (Strings in are read by `super::args`.)

use std::os::raw::c_char;

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
}
