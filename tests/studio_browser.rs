//! The Studio in headless Chromium (`tests/browser/studio.js`, Debian's `chromium` driven by
//! `playwright-core`), against a real mediator: what the developer lays out in the browser is
//! what games get. With the version ID read from the Code tab, the SDK's own session
//! (`mixplay::client::Session`) and the official interactive-node GameClient
//! (`tests/node/studio.js`) connect and find the controls at the positions laid out; after
//! sharing by code, another user connects with the code (and is refused without it); after the
//! admin's review, anyone may run it. Screenshots of each tab go to `tests/artifacts/`.
#![cfg(feature = "server")]
mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::client::{serve_with, wait_state, Served};
use common::script::Script;
use common::studio::{call, Auth};
use common::{closed_with, game_with_headers, Connected};
use mixplay::client::{Config, ConnectionState, Endpoints, Session};
use mixplay::protocol::Packet;
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};

/// Where the browser script laid the controls out (the script asserts the same on the page).
fn laid_out() -> Value {
    json!({
        "jump": [
            { "size": "large", "x": 2, "y": 1, "width": 10, "height": 5 },
            { "size": "medium", "x": 0, "y": 0, "width": 10, "height": 5 }
        ],
        "aim": [ { "size": "large", "x": 20, "y": 2, "width": 12, "height": 12 } ]
    })
}

/// Waits until no game runs on `channel` (a game that disconnected has ended its session).
fn wait_channel_free(base: &str, channel: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let info = call("GET", &format!("{base}/api/v1/interactive/{channel}"), Auth::None, None).body;
        if info["versionId"].is_null() {
            return;
        }
        assert!(Instant::now() < deadline, "channel {channel} is still busy: {info}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The channel `token`'s user runs games on.
fn channel_of(base: &str, token: &str) -> u64 {
    call("GET", &format!("{base}/api/v1/users/current"), Auth::Bearer(token), None).body["channel"]["id"]
        .as_u64()
        .expect("a channel")
}

/// Runs `version` with the SDK's session as `token`'s user and returns the default scene's
/// controls' placements, by control id.
fn placements_seen_by_the_sdk(s: &Served, token: &str, version: u32, share_code: Option<&str>) -> Value {
    let mut config = Config::new(Endpoints::Discover(s.m.hosts_url()), token, version);
    config.share_code = share_code.map(str::to_owned);
    let mut game = Session::connect(config).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    let scene = &game.state().scenes["default"];
    let seen: serde_json::Map<String, Value> = scene
        .controls
        .iter()
        .map(|(id, c)| (id.to_string(), c.get("position").cloned().unwrap_or(Value::Null)))
        .collect();
    drop(game);
    wait_channel_free(&s.m.base_url(), channel_of(&s.m.base_url(), token));
    Value::Object(seen)
}

/// The official interactive-node GameClient checks the placements (see `tests/node/studio.js`).
fn interactive_node_finds(base: &str, token: &str, version: u32, share_code: Option<&str>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    assert!(
        dir.join("node_modules/@mixer/interactive-node").is_dir(),
        "the Node peers are not installed: run `scripts/test.sh` (it runs `npm ci` in tests/node)"
    );
    let mut cmd = Command::new("node");
    cmd.arg(dir.join("studio.js")).arg(base).arg(token).arg(version.to_string()).arg(laid_out().to_string());
    if let Some(code) = share_code {
        cmd.arg(code);
    }
    let out = cmd.current_dir(&dir).output().expect("node runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "interactive-node did not find the layout:\n{text}");
    wait_channel_free(base, channel_of(base, token));
}

/// Whether a raw game client of `token`'s user gets hello for `version`, or the close code.
fn runs(s: &Served, token: &str, version: u32) -> Result<(), u16> {
    let (auth, version) = (format!("Bearer {token}"), version.to_string());
    let headers =
        [("Authorization", auth.as_str()), ("X-Interactive-Version", &version), ("X-Protocol-Version", "2.0")];
    match s.rt.block_on(game_with_headers(&s.m, &headers)) {
        Connected::Open(mut g) => {
            s.rt.block_on(async {
                assert!(matches!(g.next_packet().await, Packet::Method(m) if m.method == "hello"));
                g.close().await;
            });
            wait_channel_free(&s.m.base_url(), channel_of(&s.m.base_url(), token));
            Ok(())
        }
        refused => Err(closed_with(refused)),
    }
}

fn sorted(placements: &Value) -> Value {
    let mut list = placements.as_array().cloned().unwrap_or_default();
    list.sort_by_key(|p| p["size"].as_str().unwrap_or("").to_owned());
    Value::Array(list)
}

#[test]
fn a_developer_builds_shares_and_publishes_a_project_in_headless_chromium() {
    let s = serve_with(World::demo(), MediatorConfig::default());
    let base = s.m.base_url();
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    let mut script = Script::start("studio.js", &base, &artifacts);

    let saved = script.expect("saved");
    let version = saved["versionId"].as_u64().expect("the version ID from the Code tab") as u32;
    let login = call(
        "POST",
        &format!("{base}/api/v1/users/login"),
        Auth::None,
        Some(&json!({ "username": saved["username"], "password": saved["password"] })),
    );
    let token = login.body["token"].as_str().expect("the developer's login token").to_owned();
    let seen = placements_seen_by_the_sdk(&s, &token, version, None);
    for (id, want) in laid_out().as_object().unwrap() {
        assert_eq!(sorted(&seen[id]), sorted(want), "the SDK's session finds {id} where it was laid out");
    }
    interactive_node_finds(&base, &token, version, None);
    assert_eq!(runs(&s, "demo-viewer-1", version), Err(4020), "not shared yet");
    script.ok();

    let shared = script.expect("shared");
    let code = shared["shareCode"].as_str().expect("the share code");
    assert_eq!(runs(&s, "demo-viewer-1", version), Err(4020), "another user without the code");
    let seen = placements_seen_by_the_sdk(&s, "demo-viewer-1", version, Some(code));
    assert_eq!(sorted(&seen["aim"]), sorted(&laid_out()["aim"]), "another user with the code gets the controls");
    interactive_node_finds(&base, "demo-viewer-1", version, Some(code));
    script.ok();

    script.expect("submitted");
    let v = call("GET", &format!("{base}/api/v1/interactive/versions/{version}"), Auth::Bearer(&token), None);
    assert_eq!(v.body["state"], "pending");
    script.ok();

    script.expect("admin-signed-up");
    // The operator gives the new account the admin role (what `mixplay-server --admin` does).
    assert!(s.rt.block_on(s.m.store().set_admin("site_admin", true)).unwrap());
    script.ok();

    script.expect("reviewed");
    let v = call("GET", &format!("{base}/api/v1/interactive/versions/{version}"), Auth::Bearer(&token), None);
    assert_eq!((&v.body["state"], &v.body["feedback"]), (&json!("published"), &json!("Nice and clear.")));
    assert_eq!(runs(&s, "demo-viewer-2", version), Ok(()), "anyone may run a published version");
    script.ok();

    script.expect("published");
    script.ok();
    script.expect("done");
    script.ok();
    script.finish();
    for name in ["list", "info", "build", "preview", "code", "share", "publish", "review", "phone"] {
        assert!(artifacts.join(format!("studio-{name}.png")).is_file(), "studio-{name}.png was saved");
    }
}
