//! The official JavaScript clients, unmodified, against the mediator.
#![cfg(feature = "server")]
mod common;

use std::path::PathBuf;
use std::process::Stdio;

fn node_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node")
}

/// Runs `script` with node against the mediator at `base`; fails the test with the script's
/// output when it does not exit 0.
async fn run_node(script: &str, base: &str) {
    let dir = node_dir();
    assert!(
        dir.join("node_modules/@mixer/interactive-node").is_dir(),
        "the Node peers are not installed: run `scripts/test.sh` (it runs `npm ci` in tests/node)"
    );
    let child = tokio::process::Command::new("node")
        .arg(dir.join(script))
        .arg(base)
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node is installed");
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the node script finishes within a minute")
        .expect("node runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{script} failed:\n{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactive_node_game_and_participant_clients_play_a_session() {
    let m = common::mediator().await;
    run_node("conformance.js", &m.base_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shortcode_oauth_client_signs_in_through_the_go_page() {
    let m = common::mediator().await;
    run_node("shortcode.js", &m.base_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_client_websocket_talks_with_a_short_code_token() {
    let m = common::mediator().await;
    run_node("chat.js", &m.base_url()).await;
}
