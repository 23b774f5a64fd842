#![cfg(feature = "server")]
//! The C++ wrapper (`bindings/cpp/mixplay.hpp`) from C++17 programs in `tests/cpp`, driven like
//! the C tests (`tests/c_api.rs`, line protocol in `tests/c/README.md`): built against the static
//! and the shared library, and run plainly, with ASan/UBSan/LSan and under valgrind.
mod common;

use common::client::serve;
use common::native::{check, Lang};

const INCLUDES: &[&str] = &["bindings/cpp", "tests/c"];

#[test]
fn cpp_wrapper_end_to_end() {
    check(Lang::Cpp, "tests/cpp/session.cpp", INCLUDES, serve);
}

/// `examples/cpp/game.cpp` builds and plays like the C example.
#[test]
fn cpp_example_game_plays() {
    use common::native::{build_example, drive_example, Variant};
    let exe = build_example(Lang::Cpp, "examples/cpp/game.cpp", Variant::Static);
    drive_example(&exe, &serve());
}
