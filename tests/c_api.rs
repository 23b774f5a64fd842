#![cfg(feature = "server")]
//! The C API from C: the programs in `tests/c` drive whole sessions against the mediator, while
//! this harness plays their participants (line protocol: `tests/c/README.md`). Each program is
//! built against the static and the shared library and run plainly, with ASan/UBSan/LSan, and
//! under valgrind (see `common::native`).
mod common;

use common::client::{serve, serve_with};
use common::native::{check, Lang};
use mixplay::server::{MediatorConfig, World};

const INCLUDES: &[&str] = &["tests/c"];

/// The memory cap of the mediator `limits.c` runs against.
const MEMORY_LIMIT: u64 = 8_000;

#[test]
fn c_session_end_to_end() {
    check(Lang::C, "tests/c/session.c", INCLUDES, serve);
}

#[test]
fn c_misuse_is_refused() {
    check(Lang::C, "tests/c/misuse.c", INCLUDES, serve);
}

#[test]
fn c_limits_memory_warning_and_queue_overflow() {
    check(Lang::C, "tests/c/limits.c", INCLUDES, || {
        serve_with(World::demo(), MediatorConfig { memory_limit_bytes: MEMORY_LIMIT, ..MediatorConfig::default() })
    });
}

/// Short-code sign-in approved through `/go`, then a session and chats with that token.
#[test]
fn c_sign_in_session_and_chat() {
    check(Lang::C, "tests/c/chat_auth.c", INCLUDES, serve);
}

/// With `--access-token-ttl 3`: a session and the user's own chat (channel 0) signed in by
/// short code refresh by themselves, sharing one refresh, and carry on across a mediator restart
/// after every token expired; the current user and their channel; swapped tokens; misuse.
#[test]
fn c_tokens_outlive_a_restart() {
    use std::time::Duration;
    check(Lang::C, "tests/c/token_refresh.c", INCLUDES, || {
        serve_with(
            World::demo(),
            MediatorConfig { access_token_ttl: Duration::from_secs(3), ..MediatorConfig::default() },
        )
    });
}

/// Uploading, serving, replacing and deleting a file, against a 4 KiB quota.
#[test]
fn c_files_upload_serve_and_delete() {
    check(Lang::C, "tests/c/files.c", INCLUDES, || {
        let mut config = MediatorConfig::default();
        config.files.quota_bytes = 4096;
        serve_with(World::demo(), config)
    });
}

#[test]
fn c_sessions_leave_no_threads_or_sockets() {
    check(Lang::C, "tests/c/lifecycle.c", INCLUDES, serve);
}

/// `examples/c/game.c` builds against both libraries and plays: it reacts to a viewer's
/// buttons, joystick and costed press, and exits cleanly on SIGINT.
#[test]
fn c_example_game_plays() {
    use common::native::{build_example, drive_example, Variant};
    build_example(Lang::C, "examples/c/game.c", Variant::Shared);
    let exe = build_example(Lang::C, "examples/c/game.c", Variant::Static);
    drive_example(&exe, &serve());
}
