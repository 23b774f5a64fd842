//! The C ABI. Every item here appears in the generated `include/mixplay.h`; the Rust names are
//! the C names, so the source reads like the header.
//!
//! Conventions: every function returns a `mixplay_result` (0 = OK) and writes values through
//! `out_*` pointers; handles are registry tokens, so stale or foreign handles are refused; strings
//! in are NUL-terminated UTF-8; strings out are `mixplay_str`, owned by the library; no panic
//! crosses the boundary; the library never calls into the game from another thread.
#![allow(non_camel_case_types)]

mod args;
mod auth;
mod cell;
mod chat;
mod config;
mod connection;
mod handle;
mod log;
mod result;
mod session;
mod str;
mod tokens;

pub use auth::*;
pub use chat::*;
pub use config::*;
pub use connection::mixplay_connection_state;
pub use log::*;
pub use result::*;
pub use session::*;
pub use str::mixplay_str;
pub use tokens::mixplay_tokens;

use std::os::raw::c_char;

/// The ABI version of this library. It changes only when an existing declaration of the header
/// changes incompatibly; compare it with `mixplay_abi_version()` to detect a mismatched library.
pub const MIXPLAY_ABI_VERSION: u32 = 2;

/// The library's version as a NUL-terminated UTF-8 string, for example `"0.1.0"`.
///
/// Ownership: the string is static; never free it. Threads: callable from any thread.
/// Errors: none.
#[no_mangle]
pub extern "C" fn mixplay_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI version the library was built with (`MIXPLAY_ABI_VERSION` of its header).
///
/// Threads: callable from any thread. Errors: none.
#[no_mangle]
pub extern "C" fn mixplay_abi_version() -> u32 {
    MIXPLAY_ABI_VERSION
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_strings() {
        let v = unsafe { CStr::from_ptr(mixplay_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert_eq!(mixplay_abi_version(), MIXPLAY_ABI_VERSION);
    }
}
