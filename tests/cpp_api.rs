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
/// the user's own chat with `ChatEvent::may`, a restart after expiry, `set_token`,
/// `set_token_refresh`/`clear_token_refresh`, `Auth::fetch_user`/`user`.
#[test]
fn cpp_tokens_outlive_a_restart() {
    check(Lang::Cpp, "tests/cpp/token_refresh.cpp", INCLUDES, || {
        let ttl = std::time::Duration::from_secs(3);
        serve_with(World::demo(), MediatorConfig { access_token_ttl: ttl, ..MediatorConfig::default() })
    });
}

/// `examples/cpp/game.cpp` builds and plays like the C example.
#[test]
fn cpp_example_game_plays() {
    use common::native::{build_example, drive_example, Variant};
    let exe = build_example(Lang::Cpp, "examples/cpp/game.cpp", Variant::Static);
    drive_example(&exe, &serve());
}

/// Every function `include/mixplay.h` declares is called somewhere in `bindings/cpp/mixplay.hpp`
/// (outside comments), so a new C function cannot ship without its C++ wrapper.
#[test]
fn cpp_wrapper_covers_every_c_function() {
    let root = common::native::manifest_dir();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("read {p}: {e}"));
    let header = read("include/mixplay.h");
    // cbindgen writes each declaration from column 0: `<return type> mixplay_name(…`.
    let declared: Vec<&str> = header
        .lines()
        .filter(|l| !l.starts_with(|c: char| c.is_whitespace() || c == '/' || c == '#') && !l.starts_with("typedef"))
        .filter_map(|l| {
            let before = &l[..l.find('(')?];
            let start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
            Some(&before[start..]).filter(|name| name.starts_with("mixplay_"))
        })
        .collect();
    assert!(declared.len() > 100, "the declarations were not found in mixplay.h: {declared:?}");
    let wrapper: String = read("bindings/cpp/mixplay.hpp")
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let called = |name: &str| {
        wrapper.match_indices(name).any(|(i, _)| {
            let next = wrapper[i + name.len()..].chars().next();
            let prev = wrapper[..i].chars().next_back();
            !matches!(next, Some(c) if c.is_ascii_alphanumeric() || c == '_')
                && !matches!(prev, Some(c) if c.is_ascii_alphanumeric() || c == '_')
        })
    };
    let missing: Vec<&str> = declared.iter().copied().filter(|name| !called(name)).collect();
    assert!(missing.is_empty(), "bindings/cpp/mixplay.hpp does not wrap {missing:?}");
}
