//! Custom controls (protocol 1.6): a version's bundle, uploaded through the Studio's REST API,
//! runs on the participant page in headless Chromium in a sandboxed frame, built against the
//! original control development kit (`@mixer/cdk-std` from the npm registry, installed into
//! `tests/browser/node_modules` by `scripts/test.sh`); the bundle (`tests/custom_bundle/`) shows
//! the scene's button and a click in it reaches the game as input.
#![cfg(feature = "server")]
mod common;

use base64::Engine;
use common::client::*;
use common::oauth::{agent, finish, Http};
use common::script::{artifacts, browser_dir, Script};
use mixplay::client::{ButtonAction, Config, Endpoints, InputKind, Session};
use serde_json::{json, Value};

fn call(method: &str, url: &str, token: &str, body: Option<&Value>) -> Http {
    let auth = format!("Bearer {token}");
    let a = agent();
    match (method, body) {
        ("POST", b) => finish(
            a.post(url)
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .send(b.map(Value::to_string).unwrap_or_default()),
        ),
        ("PUT", Some(b)) => finish(
            a.put(url).header("Authorization", &auth).header("Content-Type", "application/json").send(b.to_string()),
        ),
        ("DELETE", _) => finish(a.delete(url).header("Authorization", &auth).call()),
        _ => finish(a.get(url).header("Authorization", &auth).call()),
    }
}

/// The test bundle's files, with the kit's browser build as `cdk-std.js`.
fn bundle_files() -> Value {
    let b64 = |bytes: Vec<u8>| Value::String(base64::engine::general_purpose::STANDARD.encode(bytes));
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/custom_bundle");
    let kit = browser_dir().join("node_modules/@mixer/cdk-std/dist/bundle.min.js");
    let kit = std::fs::read(&kit).unwrap_or_else(|e| {
        panic!("{}: {e}; run `scripts/test.sh` (it runs `npm ci` in tests/browser)", kit.display())
    });
    json!({
        "index.html": b64(std::fs::read(dir.join("index.html")).unwrap()),
        "app.js": b64(std::fs::read(dir.join("app.js")).unwrap()),
        "cdk-std.js": b64(kit),
    })
}

#[test]
fn a_cdk_std_bundle_runs_sandboxed_on_the_participant_page_and_its_clicks_reach_the_game() {
    let s = serve();
    let api = format!("{}/api/v1/interactive", s.m.base_url());

    // A new draft version of the demo game holds the bundle.
    let created = call("POST", &format!("{api}/games/1/versions"), "demo-streamer", None);
    assert_eq!(created.status, 201, "{}", created.text);
    let version = created.body["id"].as_u64().unwrap();
    let bundle_url = format!("{api}/versions/{version}/bundle");
    let files = bundle_files();

    // Refusals: no index.html, a bad path, someone who is not a member.
    let no_entry = call("PUT", &bundle_url, "demo-streamer", Some(&json!({ "files": { "app.js": files["app.js"] } })));
    assert_eq!(no_entry.status, 400, "{}", no_entry.text);
    let bad_path = call(
        "PUT",
        &bundle_url,
        "demo-streamer",
        Some(&json!({ "files": { "index.html": files["index.html"], "../x.js": "" } })),
    );
    assert_eq!(bad_path.status, 400, "{}", bad_path.text);
    assert_eq!(call("PUT", &bundle_url, "demo-viewer-1", Some(&json!({ "files": files }))).status, 404);

    let put = call("PUT", &bundle_url, "demo-streamer", Some(&json!({ "files": files })));
    assert_eq!(put.status, 200, "{}", put.text);
    let entry = put.body["entry"].as_str().unwrap().to_owned();
    assert!(entry.starts_with(&format!("/bundles/{version}/")) && entry.ends_with("/index.html"), "{entry}");
    // Served with its type, sandboxed even when opened on its own, cached for good.
    let page = finish(agent().get(&format!("{}{entry}", s.m.base_url())).call());
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(page.header("content-security-policy"), Some("sandbox allow-scripts"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.header("cache-control").is_some_and(|c| c.contains("immutable")));
    let js = finish(agent().get(&format!("{}{}", s.m.base_url(), entry.replace("index.html", "app.js"))).call());
    assert_eq!(js.header("content-type"), Some("text/javascript; charset=utf-8"));
    assert_eq!(
        finish(agent().get(&format!("{}{}", s.m.base_url(), entry.replace("index.html", "nope.js"))).call()).status,
        404
    );

    // The game runs the draft and puts a button in the scene.
    let config = Config::new(Endpoints::Discover(s.m.hosts_url()), "demo-streamer", version as u32);
    let mut game = Session::connect(config).unwrap();
    wait_state(&mut game, mixplay::client::ConnectionState::Connected);
    let fire = json!([{"controlID": "fire", "kind": "button", "text": "Fire",
        "position": [{"size": "large", "x": 0, "y": 0, "width": 10, "height": 5}]}]);
    let id = game.create_controls("default", fire).unwrap();
    reply_for(&mut game, id).unwrap();
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).unwrap();
    let info = finish(agent().get(&format!("{api}/1")).call());
    assert_eq!(info.body["bundle"], json!(entry), "the channel's info says where the bundle is");

    let mut script = Script::start("custom.js", &s.m.base_url(), &artifacts());
    script.expect("shown");
    script.ok();
    script.expect("clicked");
    let i = input_on(&mut game, "fire");
    assert_eq!(game.state().participants.get(&i.participant).unwrap().username, "viewer1");
    assert!(matches!(i.kind, InputKind::Button { action: ButtonAction::MouseDown, .. }), "{:?}", i.kind);
    let up = input_on(&mut game, "fire");
    assert!(matches!(up.kind, InputKind::Button { action: ButtonAction::MouseUp, .. }), "{:?}", up.kind);
    // A change the game makes reaches the bundle.
    let id = game.set_text("fire", "Fire again").unwrap();
    game.end_frame();
    reply_for(&mut game, id).unwrap();
    script.ok();
    script.expect("done");
    script.ok();
    script.finish();
}

/// The bundle's bounds: its bytes (413) and its file count (400), and the draft-only rule (409).
#[test]
fn bundles_past_their_limits_are_refused() {
    let mut config = mixplay::server::MediatorConfig::default();
    config.files.bundle_bytes = 1000;
    config.files.bundle_files = 2;
    let s = serve_with(mixplay::server::World::demo(), config);
    let url = format!("{}/api/v1/interactive/versions/1/bundle", s.m.base_url());
    let b64 = |n: usize| Value::String(base64::engine::general_purpose::STANDARD.encode(vec![b'x'; n]));
    let big = call("PUT", &url, "demo-streamer", Some(&json!({ "files": { "index.html": b64(1001) } })));
    assert_eq!(big.status, 413, "{}", big.text);
    assert!(big.text.contains("--bundle-max-bytes"), "{}", big.text);
    let many = json!({ "files": { "index.html": b64(1), "a.js": b64(1), "b.js": b64(1) } });
    let many = call("PUT", &url, "demo-streamer", Some(&many));
    assert_eq!(many.status, 400, "{}", many.text);
    assert!(many.text.contains("--bundle-max-files"), "{}", many.text);
    assert_eq!(call("PUT", &url, "demo-streamer", Some(&json!({ "files": { "index.html": b64(10) } }))).status, 200);
    // Once submitted for review, the version's bundle no longer changes.
    let base = s.m.base_url();
    let saved = call(
        "PUT",
        &format!("{base}/api/v1/interactive/games/1"),
        "demo-streamer",
        Some(&json!({ "description": "A game" })),
    );
    assert_eq!(saved.status, 200, "{}", saved.text);
    let controls = json!({ "controls": { "scenes": [{ "sceneID": "default", "controls": [
        { "controlID": "go", "kind": "button", "text": "Go",
          "position": [{ "size": "large", "x": 0, "y": 0, "width": 10, "height": 5 }] }
    ] }] } });
    let version = format!("{base}/api/v1/interactive/versions/1");
    let stored = call("PUT", &version, "demo-streamer", Some(&controls));
    assert_eq!(stored.status, 200, "{}", stored.text);
    let submitted = call("POST", &format!("{version}/submit"), "demo-streamer", None);
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    let late = call("PUT", &url, "demo-streamer", Some(&json!({ "files": { "index.html": b64(10) } })));
    assert_eq!(late.status, 409, "{}", late.text);
    assert_eq!(call("DELETE", &url, "demo-streamer", None).status, 409);
}
