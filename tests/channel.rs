//! A channel's settings over REST against the real mediator: the public view, the owner's changes
//! (title, stream source, the live switch, slow chat), every refusal in words, roles by username
//! and slow chat taking effect in a loaded chat room at once, the dashboard page's sign-in, CSRF
//! and origin rules, and the settings surviving a restart on a real database.
#![cfg(feature = "server")]
mod common;

use mixplay::client::Session;
use mixplay::server::world::WorldFile;
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};

use common::client::{config, reply_for, serve_with, wait_state, Served};
use common::durable::{ChatSocket, Durable, TempDir};
use common::oauth::{field_value, get, post_json, send, Browser, Http};

/// The demo users, channel 1 owned by the streamer, and a published project anyone may run.
fn world() -> World {
    let file: WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "streamer", "token": "demo-streamer", "level": 50 },
            { "id": 2, "username": "viewer1", "token": "demo-viewer-1", "sparks": 1000 },
            { "id": 3, "username": "viewer2", "token": "demo-viewer-2", "sparks": 1000 },
            { "id": 4, "username": "viewer3", "token": "demo-viewer-3", "sparks": 1000 }
        ],
        "channels": [ { "id": 1, "owner": 1 } ],
        "projects": [ { "versionId": 1, "owner": 1, "published": true } ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

fn serve() -> Served {
    serve_with(world(), MediatorConfig::default())
}

fn api(s: &Served, path: &str) -> String {
    format!("{}/api/v1{path}", s.m.base_url())
}

/// `PATCH` with a bearer token.
fn patch(url: &str, token: &str, body: &Value) -> Http {
    send("PATCH", url, &[("Authorization", &format!("Bearer {token}"))], &body.to_string())
}

fn message(r: &Http) -> String {
    r.body["message"].as_str().unwrap_or_default().to_owned()
}

/// Asserts a refusal: `status`, and a message that says `says`.
fn refused(r: Http, status: u16, says: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(message(&r).contains(says), "expected a message saying {says:?}: {}", r.text);
}

#[test]
fn anyone_reads_a_channel_and_its_owner_changes_it() {
    let s = serve();
    let channel = api(&s, "/channels/1");
    let fresh = get(&channel, None);
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    assert_eq!(fresh.header("cache-control"), Some("no-store"));
    let b = &fresh.body;
    assert_eq!((b["id"].clone(), b["userId"].clone(), b["token"].clone()), (json!(1), json!(1), json!("streamer")));
    assert_eq!(
        (b["title"].clone(), b["online"].clone(), b["interactive"].clone()),
        (json!(""), json!(false), json!(false))
    );
    assert_eq!((b["streamSource"].clone(), b["participants"].clone()), (Value::Null, json!(0)));
    refused(get(&api(&s, "/channels/99"), None), 404, "channel 99 not found");
    refused(get(&api(&s, "/channels/abc"), None), 404, "not found");

    let changed = patch(
        &channel,
        "demo-streamer",
        &json!({"title": "  Speedrun night  ", "streamSource": "https://cdn.example.com/live/index.m3u8", "slowChat": 1500}),
    );
    assert_eq!(changed.status, 200, "{}", changed.text);
    let v = &changed.body;
    assert_eq!(v["title"], "Speedrun night", "trimmed");
    assert_eq!(v["name"], "Speedrun night", "Mixer's name for the title");
    assert_eq!(v["streamSource"], json!({"kind": "hls", "url": "https://cdn.example.com/live/index.m3u8"}));
    assert_eq!(
        (v["slowChat"].clone(), v["live"].clone(), v["online"].clone()),
        (json!(1500), json!(false), json!(false))
    );
    assert_eq!(v["game"], json!({"state": "none", "versionId": null}));
    assert_eq!((v["mods"].clone(), v["banned"].clone()), (json!([]), json!([])));

    let public = get(&channel, None).body;
    assert_eq!(public["title"], "Speedrun night");
    assert_eq!(public["streamSource"]["kind"], "hls");
    assert!(public.get("slowChat").is_none() && public.get("mods").is_none(), "the public view is public: {public}");

    // An embed page, its kind named; the live switch.
    let embed = json!({"kind": "embed", "url": "https://player.example.com/embed/7?autoplay=1"});
    let changed = patch(&channel, "demo-streamer", &json!({"streamSource": embed, "live": true}));
    assert_eq!(changed.status, 200, "{}", changed.text);
    let public = get(&channel, None).body;
    assert_eq!(public["streamSource"], embed);
    assert_eq!(public["online"], true, "the owner went live");
    let index = get(&s.m.base_url(), None).text;
    assert!(index.contains("Speedrun night") && index.contains("badge live"), "the channel list: {index}");

    // The viewer page shows the title, as text.
    let title = "<b>\"Bold\"</b> & friends";
    assert_eq!(patch(&channel, "demo-streamer", &json!({"title": title})).status, 200);
    let page = get(&format!("{}/channel/1", s.m.base_url()), None).text;
    assert!(page.contains("&lt;b&gt;&quot;Bold&quot;&lt;/b&gt; &amp; friends"), "{page}");
    assert!(!page.contains(title), "never as markup");

    let cleared = patch(&channel, "demo-streamer", &json!({"streamSource": null, "live": false, "title": ""}));
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    let public = get(&channel, None).body;
    assert_eq!((public["streamSource"].clone(), public["online"].clone()), (Value::Null, json!(false)));
    let page = get(&format!("{}/channel/1", s.m.base_url()), None).text;
    assert!(page.contains("<span class=\"title\" id=\"channel-title\">Channel 1</span>"), "untitled: {page}");

    // The owner's view is the owner's.
    assert_eq!(get(&api(&s, "/channels/1/manage"), Some("demo-streamer")).status, 200);
    refused(get(&api(&s, "/channels/1/manage"), Some("demo-viewer-1")), 403, "only the channel's owner");
    refused(get(&api(&s, "/channels/1/manage"), None), 401, "sign in");
}

#[test]
fn bad_changes_are_refused_in_words_and_change_nothing() {
    let s = serve();
    let channel = api(&s, "/channels/1");
    let source = json!({"kind": "hls", "url": "https://cdn.example.com/a.m3u8"});
    assert_eq!(patch(&channel, "demo-streamer", &json!({"streamSource": source, "title": "Kept"})).status, 200);

    refused(
        patch(&channel, "demo-streamer", &json!({"streamSource": "javascript:alert(document.cookie)"})),
        400,
        "the stream source must be an http:// or https:// address; javascript: addresses are refused",
    );
    refused(
        patch(&channel, "demo-streamer", &json!({"streamSource": {"kind": "embed", "url": "JavaScript:alert(1)"}})),
        400,
        "javascript: addresses are refused",
    );
    for bad in ["data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "vbscript:msgbox(1)"] {
        refused(patch(&channel, "demo-streamer", &json!({"streamSource": bad})), 400, "addresses are refused");
    }
    refused(
        patch(&channel, "demo-streamer", &json!({"streamSource": "https://u:p@example.com/a.m3u8"})),
        400,
        "password",
    );
    let long_url = format!("https://example.com/{}.m3u8", "a".repeat(2048));
    refused(patch(&channel, "demo-streamer", &json!({"streamSource": long_url})), 400, "the limit is 2048");
    refused(patch(&channel, "demo-streamer", &json!({"title": "x".repeat(141)})), 400, "the limit is 140");
    refused(patch(&channel, "demo-streamer", &json!({"title": "one\ntwo"})), 400, "one line");
    refused(patch(&channel, "demo-streamer", &json!({"slowChat": 3_600_001})), 400, "an hour");
    refused(patch(&channel, "demo-streamer", &json!({"live": "yes"})), 400, "true or false");
    refused(patch(&channel, "demo-streamer", &json!({"colour": "red"})), 400, "unknown setting \"colour\"");
    refused(patch(&channel, "demo-streamer", &json!({})), 400, "nothing to change");
    let not_json = send("PATCH", &channel, &[("Authorization", "Bearer demo-streamer")], "{title: 1");
    refused(not_json, 400, "the body is not JSON");
    let huge = json!({"title": "x".repeat(20 * 1024)}).to_string();
    let too_big = send("PATCH", &channel, &[("Authorization", "Bearer demo-streamer")], &huge);
    assert_eq!(too_big.status, 413, "bodies are bounded (16 KiB): {}", too_big.text);

    // Not the owner, nobody, no such channel.
    refused(patch(&channel, "demo-viewer-1", &json!({"title": "Mine now"})), 403, "only the channel's owner");
    refused(send("PATCH", &channel, &[], &json!({"title": "Anyone"}).to_string()), 401, "sign in");
    refused(patch(&channel, "no-such-token", &json!({"title": "x"})), 401, "not valid");
    refused(patch(&api(&s, "/channels/42"), "demo-streamer", &json!({"title": "x"})), 404, "channel 42 not found");

    let public = get(&channel, None).body;
    assert_eq!((public["title"].clone(), public["streamSource"].clone()), (json!("Kept"), source), "nothing changed");
}

#[test]
fn a_channel_is_online_while_its_owner_is_live_or_its_game_is_ready() {
    let s = serve();
    let channel = api(&s, "/channels/1");
    let online = |what| {
        let v = get(&channel, None).body;
        (v["online"].as_bool().unwrap(), v["interactive"].as_bool().unwrap(), v["participants"].as_u64().unwrap(), what)
    };
    assert_eq!(online("no game"), (false, false, 0, "no game"));
    let mut game = Session::connect(config(&s)).unwrap();
    wait_state(&mut game, mixplay::client::ConnectionState::Connected);
    assert_eq!(online("a game, not ready"), (false, false, 0, "a game, not ready"));
    let manage = get(&api(&s, "/channels/1/manage"), Some("demo-streamer")).body;
    assert_eq!(manage["game"], json!({"state": "connected", "versionId": 1}));
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).unwrap();
    assert_eq!(online("ready"), (true, true, 0, "ready"));
    let viewer = s.rt.block_on(common::participant(&s.m, Some("demo-viewer-1"))).open();
    assert_eq!(online("a viewer"), (true, true, 1, "a viewer"));
    let manage = get(&api(&s, "/channels/1/manage"), Some("demo-streamer")).body;
    assert_eq!((manage["game"]["state"].clone(), manage["participants"].clone()), (json!("ready"), json!(1)));
    drop(viewer);
    drop(game);
    // The game left: offline again (the session ends when its socket closes).
    let deadline = std::time::Instant::now() + common::WAIT;
    while get(&channel, None).body["interactive"] == true {
        assert!(std::time::Instant::now() < deadline, "the channel never noticed the game leaving");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(online("gone"), (false, false, 0, "gone"));
    assert_eq!(patch(&channel, "demo-streamer", &json!({"live": true})).status, 200);
    assert_eq!(online("live without a game"), (true, false, 0, "live without a game"));
}

/// Joins channel 1's chat as the user of `token`.
fn chatter(s: &Served, token: &str) -> ChatSocket {
    let details = get(&api(s, "/chats/1"), Some(token));
    let me = get(&api(s, "/users/current"), Some(token));
    let base_ws = s.m.base_url().replace("http://", "ws://");
    s.rt.block_on(async {
        let mut chat = ChatSocket::open(&base_ws).await;
        chat.call("auth", json!([1, me.body["id"], details.body["authkey"]])).await.expect("auth");
        chat
    })
}

fn say(s: &Served, chat: &mut ChatSocket, text: &str) -> Result<Value, String> {
    s.rt.block_on(chat.call("msg", json!([text])))
}

#[test]
fn roles_by_username_and_slow_chat_take_effect_in_chat_at_once() {
    let s = serve();
    let roles = api(&s, "/channels/1/roles");
    // Everyone is in the room before anything changes: the room's settings are in memory.
    let mut viewer1 = chatter(&s, "demo-viewer-1");
    let mut viewer2 = chatter(&s, "demo-viewer-2");
    let mut viewer3 = chatter(&s, "demo-viewer-3");
    assert!(say(&s, &mut viewer2, "hello before the ban").is_ok());
    assert_eq!(s.rt.block_on(viewer1.call("clearMessages", json!([]))), Err("UACCESS".into()), "not a mod yet");

    let made = patch(&roles, "demo-streamer", &json!({"username": "VIEWER1", "add": ["Mod"]}));
    assert_eq!(made.status, 200, "{}", made.text);
    assert_eq!(
        made.body,
        json!({"id": 2, "username": "viewer1", "roles": ["Mod", "User"]}),
        "names match whatever their case"
    );
    assert!(s.rt.block_on(viewer1.call("clearMessages", json!([]))).is_ok(), "a mod at once");

    let banned = patch(&roles, "demo-streamer", &json!({"username": "viewer2", "add": ["Banned"]}));
    assert_eq!(banned.status, 200, "{}", banned.text);
    assert_eq!(say(&s, &mut viewer2, "hello after the ban"), Err("UACCESS".into()), "banned at once");

    let slow = patch(&api(&s, "/channels/1"), "demo-streamer", &json!({"slowChat": 60_000}));
    assert_eq!(slow.status, 200, "{}", slow.text);
    assert!(say(&s, &mut viewer3, "first").is_ok());
    let second = say(&s, &mut viewer3, "second").unwrap_err();
    assert!(second.contains("slow chat is on"), "slow chat at once: {second}");
    assert!(say(&s, &mut viewer1, "a mod").is_ok() && say(&s, &mut viewer1, "is exempt").is_ok());

    let manage = get(&api(&s, "/channels/1/manage"), Some("demo-streamer")).body;
    assert_eq!(manage["mods"], json!([{"id": 2, "username": "viewer1"}]));
    assert_eq!(manage["banned"], json!([{"id": 3, "username": "viewer2"}]));
    assert_eq!(manage["slowChat"], 60_000);

    // Lifting them, by name and by today's PATCH by user id.
    let unbanned = patch(&roles, "demo-streamer", &json!({"username": "viewer2", "remove": ["Banned"]}));
    assert_eq!(unbanned.body["roles"], json!(["User"]), "{}", unbanned.text);
    // No longer UACCESS: slow chat (viewer2 spoke less than a minute ago) is what holds the message now.
    let back = say(&s, &mut viewer2, "back again").unwrap_err();
    assert!(back.contains("slow chat is on"), "unbanned at once: {back}");
    let by_id = patch(&api(&s, "/channels/1/users/2"), "demo-streamer", &json!({"remove": ["Mod"]}));
    assert_eq!(by_id.status, 200, "{}", by_id.text);
    assert_eq!(s.rt.block_on(viewer1.call("clearMessages", json!([]))), Err("UACCESS".into()), "no longer a mod");
    assert_eq!(patch(&api(&s, "/channels/1"), "demo-streamer", &json!({"slowChat": 0})).status, 200);
    assert!(say(&s, &mut viewer3, "slow chat is off").is_ok(), "slow chat off at once");

    refused(
        patch(&roles, "demo-streamer", &json!({"username": "nobody_here", "add": ["Mod"]})),
        404,
        "no user named nobody_here",
    );
    refused(
        patch(&roles, "demo-streamer", &json!({"username": "streamer", "add": ["Banned"]})),
        400,
        "owns this channel",
    );
    refused(
        patch(&roles, "demo-streamer", &json!({"username": "viewer3", "add": ["Admin"]})),
        400,
        "only \"Mod\" and \"Banned\"",
    );
    refused(patch(&roles, "demo-streamer", &json!({"add": ["Mod"]})), 400, "username");
    refused(patch(&roles, "demo-streamer", &json!({"username": "x".repeat(65), "add": ["Mod"]})), 400, "username");
    refused(
        patch(&roles, "demo-viewer-1", &json!({"username": "viewer3", "add": ["Mod"]})),
        403,
        "only the channel's owner",
    );
}

/// The CSRF token a page carries in `<meta name="csrf-token">`.
fn meta_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf-token\" content=\"").expect("the page carries a CSRF token") + 27;
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

#[test]
fn the_dashboard_is_the_signed_in_owners_and_follows_the_csrf_and_origin_rules() {
    let s = serve();
    let base = s.m.base_url();
    let mut browser = Browser::new(&base);
    let away = browser.get("/dashboard");
    assert_eq!(away.status, 303, "signed out: sign in first");
    assert_eq!(away.header("location"), Some("/login?next=/dashboard"));

    assert_eq!(
        post_json(&api(&s, "/users"), &json!({"username": "ann_streams", "password": "correct horse"})).status,
        201
    );
    let login = browser.get("/login?next=/dashboard");
    let csrf = field_value(&login.text, "csrf").unwrap();
    let signed_in = browser.post_form(
        "/login",
        &[("username", "ann_streams"), ("password", "correct horse"), ("csrf", &csrf), ("next", "/dashboard")],
    );
    assert_eq!((signed_in.status, signed_in.header("location")), (303, Some("/dashboard")), "{}", signed_in.text);

    let page = browser.get("/dashboard");
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let channel_id = {
        let at = page.text.find("data-channel=\"").unwrap() + 14;
        page.text[at..at + page.text[at..].find('"').unwrap()].parse::<u32>().unwrap()
    };
    assert_ne!(channel_id, 1, "her own channel");
    assert!(page.text.contains("Signed in as <strong>ann_streams</strong>"));
    assert!(page.text.contains("maxlength=\"140\""), "the limits are on the form");
    let token = meta_csrf(&page.text);
    let cookie = format!("mixplay_session={}", browser.cookie("mixplay_session").unwrap());
    let url = api(&s, &format!("/channels/{channel_id}"));
    let body = json!({"title": "Ann plays"}).to_string();

    let without = send("PATCH", &url, &[("Cookie", &cookie), ("Origin", &base)], &body);
    refused(without, 403, "CSRF token");
    let foreign =
        send("PATCH", &url, &[("Cookie", &cookie), ("X-CSRF-Token", &token), ("Origin", "http://evil.example")], &body);
    refused(foreign, 403, "other sites");
    let done = send("PATCH", &url, &[("Cookie", &cookie), ("X-CSRF-Token", &token), ("Origin", &base)], &body);
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(get(&url, None).body["title"], "Ann plays");
    let not_hers = send(
        "PATCH",
        &api(&s, "/channels/1"),
        &[("Cookie", &cookie), ("X-CSRF-Token", &token), ("Origin", &base)],
        &body,
    );
    refused(not_hers, 403, "only the channel's owner");
}

#[test]
fn the_page_assets_and_the_vendored_player_are_served() {
    let s = serve();
    let base = s.m.base_url();
    for path in ["/page/stage.js", "/page/channel-status.js", "/page/stream.js", "/page/dashboard.js"] {
        let r = get(&format!("{base}{path}"), None);
        assert_eq!((r.status, r.header("content-type")), (200, Some("text/javascript; charset=utf-8")), "{path}");
    }
    let hls = get(&format!("{base}/page/vendor/hls-1.7.4.min.js"), None);
    assert_eq!(hls.status, 200);
    assert_eq!(hls.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert!(hls.text.len() > 100_000);
    let licence = get(&format!("{base}/page/vendor/hls.js-LICENSE.txt"), None);
    assert!(licence.status == 200 && licence.text.contains("Apache License"), "{}", licence.text);
}

#[test]
fn the_settings_survive_a_restart() {
    let folder = TempDir::new("channel-settings");
    let d = Durable::start(folder.path(), Some(world()), MediatorConfig::default());
    let change = json!({
        "title": "Kept across restarts",
        "streamSource": {"kind": "embed", "url": "https://player.example.com/e/1"},
        "live": true,
        "slowChat": 2500
    });
    assert_eq!(patch(&d.api("/channels/1"), "demo-streamer", &change).status, 200);
    assert_eq!(
        patch(&d.api("/channels/1/roles"), "demo-streamer", &json!({"username": "viewer1", "add": ["Mod"]})).status,
        200
    );
    let before = get(&d.api("/channels/1/manage"), Some("demo-streamer")).body;
    let d = d.restart(None);
    let after = get(&d.api("/channels/1/manage"), Some("demo-streamer")).body;
    assert_eq!(after, before);
    assert_eq!(after["title"], "Kept across restarts");
    assert_eq!(after["online"], true);
    drop(d);
}
