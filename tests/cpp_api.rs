#![cfg(feature = "server")]
//! The C++ wrapper (`bindings/cpp/mixplay.hpp`) from C++17 programs in `tests/cpp`, driven like
//! the C tests (`tests/c_api.rs`, line protocol in `tests/c/README.md`): built against the static
//! and the shared library, and run plainly, with ASan/UBSan/LSan and under valgrind.
mod common;

use common::client::{serve, serve_with};
use common::native::{check, Lang};
use mixplay::server::{MediatorConfig, World};

const INCLUDES: &[&str] = &["bindings/cpp", "tests/c"];

#[test]
fn cpp_wrapper_end_to_end() {
    check(Lang::Cpp, "tests/cpp/session.cpp", INCLUDES, serve);
}

/// `mixplay::Auth` signs in by short code (approved through `/go`; denied, cancelled, refreshed),
/// then `mixplay::Session` and two `mixplay::Chat`s use the token: `tests/c/chat_auth.c` through
/// the wrapper.
#[test]
fn cpp_sign_in_session_and_chat() {
    check(Lang::Cpp, "tests/cpp/chat_auth.cpp", INCLUDES, serve);
}

/// `tests/c/token_refresh.c` through the wrapper: `Config::token_refresh`, `Event::new_tokens`,
/// the user's own chat with `ChatEvent::may`, `set_token` across a restart,
/// `set_token_refresh`/`clear_token_refresh`, `Auth::fetch_user`/`user`.
#[test]
fn cpp_tokens_outlive_a_restart() {
    check(Lang::Cpp, "tests/cpp/token_refresh.cpp", INCLUDES, || {
        let ttl = std::time::Duration::from_secs(3);
        serve_with(World::demo(), MediatorConfig { access_token_ttl: ttl, ..MediatorConfig::default() })
    });
}

/// `upload_file` (a vector, a pointer and a size) and `delete_file`, against a 4 KiB quota: what
/// viewers load, the failed replies, and misuse as exceptions.
#[test]
fn cpp_files_upload_and_delete() {
    check(Lang::Cpp, "tests/cpp/files.cpp", INCLUDES, || {
        let mut config = MediatorConfig::default();
        config.files.quota_bytes = 4096;
        serve_with(World::demo(), config)
    });
}

/// `examples/cpp/game.cpp` builds and plays like the C example.
#[test]
fn cpp_example_game_plays() {
    use common::native::{build_example, drive_example, Variant};
    let exe = build_example(Lang::Cpp, "examples/cpp/game.cpp", Variant::Static);
    drive_example(&exe, &serve());
}

// That the wrapper calls every C function is checked, with the C# and Unreal layers, by
// tests/bindings_coverage.rs.
