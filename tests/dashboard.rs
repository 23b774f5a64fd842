//! The streamer's dashboard in headless Chromium (`tests/browser/dashboard.js`), while this thread
//! checks each change where it matters: over REST, and in the channel's chat, where viewers are
//! already connected (so the room's settings are in memory and must change at once). A non-owner
//! is refused with 403; the game client's state and the participant count reach the page.
#![cfg(feature = "server")]
mod common;

use mixplay::client::{Config, ConnectionState, Endpoints, Session};
use mixplay::server::world::WorldFile;
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};

use common::client::{reply_for, serve_with, wait_state, Served};
use common::durable::{ChatSocket, TempDir};
use common::media::{make_hls, serve_files};
use common::oauth::{get, post_json, send};
use common::script::{artifacts, Script};

const PASSWORD: &str = "correct horse battery";

/// Three viewers, and a published project anyone may run on their own channel.
fn world() -> World {
    let file: WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "streamer", "token": "demo-streamer", "level": 50 },
            { "id": 2, "username": "viewer1", "token": "demo-viewer-1" },
            { "id": 3, "username": "viewer2", "token": "demo-viewer-2" },
            { "id": 4, "username": "viewer3", "token": "demo-viewer-3" }
        ],
        "channels": [ { "id": 1, "owner": 1 } ],
        "projects": [ { "versionId": 1, "owner": 1, "published": true } ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

fn api(s: &Served, path: &str) -> String {
    format!("{}/api/v1{path}", s.m.base_url())
}

/// Joins `channel`'s chat as the user of `token`.
fn chatter(s: &Served, channel: u64, token: &str) -> ChatSocket {
    let details = get(&api(s, &format!("/chats/{channel}")), Some(token));
    let me = get(&api(s, "/users/current"), Some(token));
    let base_ws = s.m.base_url().replace("http://", "ws://");
    s.rt.block_on(async {
        let mut chat = ChatSocket::open(&base_ws).await;
        chat.call("auth", json!([channel, me.body["id"], details.body["authkey"]])).await.expect("auth");
        chat
    })
}

fn say(s: &Served, chat: &mut ChatSocket, text: &str) -> Result<Value, String> {
    s.rt.block_on(chat.call("msg", json!([text])))
}

#[test]
fn the_owner_runs_the_channel_from_the_dashboard() {
    let media = TempDir::new("dashboard-hls");
    make_hls(media.path(), "cam", "testsrc2=size=640x360:rate=25", true);
    let s = serve_with(world(), MediatorConfig::default());
    let files = serve_files(&s, media.path());
    let created = post_json(&api(&s, "/users"), &json!({"username": "ann_streams", "password": PASSWORD}));
    assert_eq!(created.status, 201, "{}", created.text);
    let login = post_json(&api(&s, "/users/login"), &json!({"username": "ann_streams", "password": PASSWORD}));
    let token = login.body["token"].as_str().unwrap().to_owned();
    let channel = get(&api(&s, "/users/current"), Some(&token)).body["channel"]["id"].as_u64().unwrap();
    let public = api(&s, &format!("/channels/{channel}"));
    let mut viewer1 = chatter(&s, channel, "demo-viewer-1");
    let mut viewer2 = chatter(&s, channel, "demo-viewer-2");
    let mut viewer3 = chatter(&s, channel, "demo-viewer-3");
    let mut script = Script::start("dashboard.js", &s.m.base_url(), &artifacts());

    script.expect("started");
    let hls = files.url("cam/index.m3u8");
    script.ok_with(&json!({"username": "ann_streams", "password": PASSWORD, "hls": hls, "channel": channel}));

    script.expect("title");
    assert_eq!(get(&public, None).body["title"], "Ann plays");
    script.ok();

    script.expect("source");
    assert_eq!(get(&public, None).body["streamSource"], json!({"kind": "hls", "url": hls}));
    assert!(files.asked.lock().iter().any(|p| p.starts_with("cam/seg")), "the preview played the stream");
    script.ok();

    script.expect("slow");
    assert!(say(&s, &mut viewer3, "first").is_ok());
    let second = say(&s, &mut viewer3, "second").unwrap_err();
    assert!(second.contains("slow chat is on") && second.contains("30000 ms"), "slow chat at once: {second}");
    script.ok();

    script.expect("roles");
    assert!(s.rt.block_on(viewer1.call("clearMessages", json!([]))).is_ok(), "viewer1 moderates at once");
    assert_eq!(say(&s, &mut viewer2, "hello?"), Err("UACCESS".into()), "viewer2 is banned at once");
    // Someone else's channel is not hers, nor hers theirs.
    let refused = send(
        "PATCH",
        &public,
        &[("Authorization", "Bearer demo-viewer-1")],
        &json!({"title": "Taken over"}).to_string(),
    );
    assert_eq!(refused.status, 403, "{}", refused.text);
    let roles = send(
        "PATCH",
        &format!("{public}/roles"),
        &[("Authorization", "Bearer demo-viewer-1")],
        &json!({"username": "viewer2", "remove": ["Banned"]}).to_string(),
    );
    assert_eq!(roles.status, 403, "a mod is not the owner: {}", roles.text);
    script.ok();

    script.expect("live");
    assert_eq!(get(&public, None).body["online"], true);
    // Her game: her login token runs the published project on her channel.
    let config = Config::new(Endpoints::Discover(s.m.hosts_url()), token.as_str(), 1);
    let mut game = Session::connect(config).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).unwrap();
    script.ok();

    script.expect("game");
    assert_eq!(get(&public, None).body["participants"], 1);
    script.ok();

    script.expect("offline");
    let v = get(&public, None).body;
    assert_eq!((v["online"].clone(), v["interactive"].clone()), (json!(true), json!(true)), "the game keeps it live");
    let manage = get(&format!("{public}/manage"), Some(&token)).body;
    assert_eq!(manage["live"], false);
    script.ok();

    script.expect("unbanned");
    assert!(say(&s, &mut viewer2, "back").is_ok(), "viewer2 is no longer banned");
    script.ok();

    script.expect("done");
    script.ok();
    script.finish();
    assert!(artifacts().join("dashboard.png").is_file(), "the dashboard screenshot was saved");
    drop(game);
}
