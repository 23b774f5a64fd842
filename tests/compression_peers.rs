#![cfg(feature = "server")]
//! Interop: an independent implementation of the protocol's compression (Python's zlib and
//! liblz4 through the PyPI `lz4` bindings, in `tests/peers/compression_peer.py`) talks to the
//! mediator. `scripts/test.sh` (or `tests/peers/install.sh` alone) creates the Python venv it uses.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use tokio::process::Command;

/// The interpreter for the peers: `MIXPLAY_PYTHON`, or the venv that `install.sh` creates.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("MIXPLAY_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/.venv/bin/python");
    assert!(
        venv.exists(),
        "the Python interop peers need {}: run the repo's test script `scripts/test.sh` (or just \
         `bash tests/peers/install.sh`), which creates that venv with the pinned websockets and lz4, \
         or set MIXPLAY_PYTHON to an interpreter that has them",
        venv.display()
    );
    venv
}

async fn run_peer(scheme: &str, extra: &[&str]) {
    let python = python();
    let m = common::mediator().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/compression_peer.py");
    let cmd = format!("{} {}", python.display(), script.display());
    let child = Command::new(&python)
        .arg(&script)
        .arg(m.local_addr().to_string())
        .arg(scheme)
        .args(extra)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), child)
        .await
        .unwrap_or_else(|_| panic!("{scheme} peer did not finish within 120 s"))
        .unwrap_or_else(|e| panic!("could not run {cmd}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{scheme} {extra:?} peer failed ({}):\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        out.status
    );
    println!("{stdout}{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_interoperates_with_python_zlib() {
    run_peer("gzip", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lz4_interoperates_with_liblz4() {
    run_peer("lz4", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_accepts_plain_text_frames_from_python() {
    run_peer("gzip", &["--text"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lz4_accepts_plain_text_frames_from_python() {
    run_peer("lz4", &["--text"]).await;
}
