//! Generates `include/mixplay.h` from the C ABI in `src/ffi` with cbindgen. The header is
//! committed; it is rewritten only when its bytes change, and the test run fails when the
//! committed copy is stale.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    let bindings =
        match cbindgen::Builder::new().with_config(config).with_src(crate_dir.join("src/ffi/mod.rs")).generate() {
            Ok(b) => b,
            Err(e) => {
                // A syntax error elsewhere is reported by rustc itself, more clearly.
                println!("cargo:warning=cbindgen could not generate include/mixplay.h: {e}");
                return;
            }
        };
    let mut bytes = Vec::new();
    bindings.write(&mut bytes);
    let path = crate_dir.join("include/mixplay.h");
    if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
        std::fs::create_dir_all(crate_dir.join("include")).expect("include/ can be created");
        std::fs::write(&path, bytes).expect("include/mixplay.h can be written");
    }
}
