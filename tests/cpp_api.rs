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
