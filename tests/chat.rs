#![cfg(feature = "server")]
//! Chat: the mediator's REST details and chat socket (every method, event, role and error) over
//! raw websockets, and the Rust chat client (`mixplay::chat`) against it.
mod common;

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mixplay::chat::{Chat, ChatConfig, ChatEvent, ChatMessage};
use mixplay::client::{ConnectionState, ReconnectPolicy};
use mixplay::server::world::WorldFile;
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use common::client::{serve_with, Served};
use common::oauth::{get, patch_json};
use common::WAIT;

/// Streamer 1 owns channel 1 (mod: user 4); user 3 owns channel 2, which has slow chat.
fn world() -> World {
    let file: WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "streamer", "token": "demo-streamer", "level": 50 },
            { "id": 2, "username": "viewer1", "token": "demo-viewer-1", "level": 1 },
            { "id": 3, "username": "viewer2", "token": "demo-viewer-2", "level": 2 },
            { "id": 4, "username": "viewer3", "token": "demo-viewer-3", "level": 3 }
        ],
        "channels": [ { "id": 1, "owner": 1, "mods": [4] }, { "id": 2, "owner": 3, "slowChat": 60000 } ],
        "projects": [ { "versionId": 1, "owner": 1 } ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

fn serve() -> Served {
    serve_with(world(), MediatorConfig::default())
}

/// A raw chat socket.
struct Ws {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    backlog: Vec<Value>,
}

impl Ws {
    async fn open(s: &Served) -> Ws {
        let url = format!("ws://{}/chat?version=1.0&Client-ID=test-app", s.m.local_addr());
        let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("the chat socket opens");
        let mut w = Ws { ws, next_id: 0, backlog: Vec::new() };
        let first = w.next().await;
        assert_eq!(first["type"], "event");
        assert_eq!(first["event"], "WelcomeEvent", "the first packet is the welcome: {first}");
        w
    }

    async fn next(&mut self) -> Value {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await.expect("a packet in time") {
                Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).unwrap(),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("unexpected frame: {other:?}"),
            }
        }
    }

    async fn send_raw(&mut self, text: &str) {
        self.ws.send(Message::text(text.to_owned())).await.unwrap();
    }

    /// Calls a method and returns its reply (events meanwhile go to the backlog).
    async fn call(&mut self, method: &str, args: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let packet = json!({ "type": "method", "method": method, "arguments": args, "id": id });
        self.send_raw(&packet.to_string()).await;
        loop {
            let p = self.next().await;
            if p["type"] == "reply" && p["id"] == json!(id) {
                return p;
            }
            self.backlog.push(p);
        }
    }

    /// The reply's data; fails if it is an error.
    async fn ok(&mut self, method: &str, args: Value) -> Value {
        let r = self.call(method, args).await;
        assert!(r["error"].is_null(), "{method} failed: {r}");
        r["data"].clone()
    }

    /// The reply's error; fails if it succeeded.
    async fn err(&mut self, method: &str, args: Value) -> String {
        let r = self.call(method, args).await;
        r["error"].as_str().unwrap_or_else(|| panic!("{method} should have failed: {r}")).to_owned()
    }

    /// Waits for event `name`; returns its data.
    async fn event(&mut self, name: &str) -> Value {
        self.event_where(name, |_| true).await
    }

    /// Waits for event `name` whose data passes `pred` (earlier ones stay in the backlog).
    async fn event_where(&mut self, name: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(i) = self.backlog.iter().position(|p| p["event"] == name && pred(&p["data"])) {
                return self.backlog.remove(i)["data"].clone();
            }
            let p = self.next().await;
            self.backlog.push(p);
        }
    }

    /// Asserts no event `name` has arrived, after a `ping` round trip (everything sent before
    /// the ping's reply has been read by then).
    async fn none(&mut self, name: &str) {
        self.ok("ping", json!([])).await;
        assert!(!self.backlog.iter().any(|p| p["event"] == name), "unexpected {name}: {:?}", self.backlog);
    }

    /// Joins channel `channel` as the user of `token` (REST authkey, then `auth`).
    async fn join(s: &Served, channel: u32, token: &str) -> Ws {
        let (user, key) = authkey(s, channel, token).await;
        let mut w = Ws::open(s).await;
        let data = w.ok("auth", json!([channel, user, key, null])).await;
        assert_eq!(data["authenticated"], true);
        w
    }
}

/// The user id and a fresh authkey for `token` in `channel`.
async fn authkey(s: &Served, channel: u32, token: &str) -> (u32, String) {
    let base = s.m.base_url();
    let token = token.to_owned();
    tokio::task::spawn_blocking(move || {
        let me = get(&format!("{base}/api/v1/users/current"), Some(&token));
        let d = get(&format!("{base}/api/v1/chats/{channel}"), Some(&token));
        assert_eq!(d.status, 200, "{}", d.text);
        (me.body["id"].as_u64().unwrap() as u32, d.body["authkey"].as_str().unwrap().to_owned())
    })
    .await
    .unwrap()
}

#[test]
fn chat_details_authenticated_anonymous_and_refused() {
    let s = serve();
    let base = s.m.base_url();
    let signed = get(&format!("{base}/api/v1/chats/1"), Some("demo-viewer-1"));
    assert_eq!(signed.status, 200);
    assert_eq!(signed.body["endpoints"], json!([format!("ws://{}/chat", s.m.local_addr())]));
    assert!(signed.body["authkey"].as_str().is_some_and(|k| k.len() >= 16));
    assert!(signed.body["permissions"].as_array().unwrap().contains(&json!("chat")));
    assert!(!signed.body["permissions"].as_array().unwrap().contains(&json!("purge")));
    let owner = get(&format!("{base}/api/v1/chats/1"), Some("demo-streamer"));
    assert!(owner.body["permissions"].as_array().unwrap().contains(&json!("purge")));
    assert_ne!(owner.body["authkey"], signed.body["authkey"]);
    let anonymous = get(&format!("{base}/api/v1/chats/1"), None);
    assert_eq!(anonymous.status, 200);
    assert!(anonymous.body.get("authkey").is_none(), "no authkey without a token: {}", anonymous.text);
    assert_eq!(anonymous.body["endpoints"], signed.body["endpoints"]);
    assert_eq!(get(&format!("{base}/api/v1/chats/1"), Some("nobody")).status, 401);
    assert_eq!(get(&format!("{base}/api/v1/chats/99"), None).status, 404);

    // Behind a proxy the endpoints name the public address.
    let proxied = serve_with(
        world(),
        MediatorConfig { public_url: Some("https://chat.example.com".into()), ..MediatorConfig::default() },
    );
    let d = get(&format!("{}/api/v1/chats/1", proxied.m.base_url()), None);
    assert_eq!(d.body["endpoints"], json!(["wss://chat.example.com/chat"]));
}

#[test]
fn auth_messages_whispers_and_history() {
    let s = serve();
    s.rt.block_on(async {
        let mut owner = Ws::join(&s, 1, "demo-streamer").await;
        let mut viewer = Ws::join(&s, 1, "demo-viewer-1").await;
        let me = owner.event("UserJoin").await;
        assert_eq!(me["username"], "streamer", "a user sees their own join first");
        let join = owner.event("UserJoin").await;
        assert_eq!(join, json!({ "originatingChannel": 1, "username": "viewer1", "roles": ["User"], "id": 2 }));

        // Roles: the owner, a world mod, a user.
        let mut m = Ws::join(&s, 1, "demo-viewer-3").await;
        let (_, key) = authkey(&s, 1, "demo-viewer-3").await;
        let mut again = Ws::open(&s).await;
        let data = again.ok("auth", json!([1, 4, key])).await;
        assert_eq!(data["roles"], json!(["Mod", "User"]));
        drop(again);

        // A message reaches everyone, the sender too, with its parts; the reply is the message.
        let sent = viewer.ok("msg", json!(["hi @streamer see https://example.com :)"])).await;
        for w in [&mut owner, &mut viewer, &mut m] {
            let got = w.event("ChatMessage").await;
            assert_eq!(got, sent);
        }
        assert_eq!(sent["channel"], 1);
        assert_eq!((sent["user_id"].clone(), sent["user_name"].clone()), (json!(2), json!("viewer1")));
        assert_eq!(sent["user_roles"], json!(["User"]));
        let kinds: Vec<&str> =
            sent["message"]["message"].as_array().unwrap().iter().map(|p| p["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["text", "tag", "text", "link", "text", "emoticon"]);
        assert_eq!(sent["message"]["message"][1]["id"], 1);
        assert_eq!(sent["message"]["message"][3]["url"], "https://example.com");
        assert_eq!(ChatMessage::parse(&sent).text, "hi @streamer see https://example.com :)");
        let action = owner.ok("msg", json!(["/me waves"])).await;
        assert_eq!(action["message"]["meta"]["me"], true);
        assert_eq!(action["user_roles"], json!(["Owner", "User"]));

        // A whisper reaches only its target.
        let w = viewer.ok("whisper", json!(["viewer3", "psst"])).await;
        assert_eq!((w["target"].clone(), w["message"]["meta"]["whisper"].clone()), (json!("viewer3"), json!(true)));
        assert_eq!(m.event("ChatMessage").await["id"], action["id"]);
        assert_eq!(m.event("ChatMessage").await, w);
        owner.event("ChatMessage").await; // its own action
        owner.none("ChatMessage").await;
        assert!(viewer.err("whisper", json!(["viewer2", "not here"])).await.contains("not in this chat"));

        // History: oldest first, whispers excluded, bounded.
        let h = m.ok("history", json!([10])).await;
        assert_eq!(
            h.as_array().unwrap().iter().map(|x| x["id"].clone()).collect::<Vec<_>>(),
            vec![sent["id"].clone(), action["id"].clone()]
        );
        assert_eq!(m.ok("history", json!([1])).await.as_array().unwrap().len(), 1);
        assert!(m.err("history", json!([101])).await.contains("0 to 100"));

        // An anonymous reader sees messages but may not send.
        let mut anon = Ws::open(&s).await;
        let data = anon.ok("auth", json!([1, null, null, null])).await;
        assert_eq!(data, json!({ "authenticated": false, "roles": [], "permissions": ["connect"] }));
        owner.backlog.clear();
        owner.none("UserJoin").await; // anonymous readers are not announced
        assert_eq!(anon.err("msg", json!(["hello"])).await, "UACCESS");
        assert_eq!(anon.err("whisper", json!(["viewer1", "hello"])).await, "UACCESS");
        viewer.ok("msg", json!(["for everyone"])).await;
        assert_eq!(anon.event("ChatMessage").await["message"]["message"][0]["text"], "for everyone");

        // Leaving is announced.
        viewer.ws.close(None).await.unwrap();
        let left = owner.event("UserLeave").await;
        assert_eq!((left["username"].clone(), left["id"].clone()), (json!("viewer1"), json!(2)));
    });
}

#[test]
fn errors_unotfound_unotjson_uaccess_and_the_rest() {
    let s = serve();
    s.rt.block_on(async {
        let mut w = Ws::open(&s).await;
        // Anything but auth and ping needs a room first.
        assert!(w.err("msg", json!(["x"])).await.contains("call auth first"));
        assert_eq!(w.ok("ping", json!([])).await, Value::Null);
        assert!(w.err("optOutEvents", json!(["UserJoin"])).await.contains("call auth first"));
        // UNOTFOUND: unknown channel, unknown key, a key of another user or channel, a used key.
        let (user, key) = authkey(&s, 1, "demo-viewer-1").await;
        assert_eq!(w.err("auth", json!([99, user, key])).await, "UNOTFOUND");
        assert_eq!(w.err("auth", json!([1, user, "not-a-key"])).await, "UNOTFOUND");
        assert_eq!(w.err("auth", json!([1, 3, key])).await, "UNOTFOUND", "the key is the user's");
        let (user, key) = authkey(&s, 1, "demo-viewer-1").await;
        assert_eq!(w.err("auth", json!([2, user, key])).await, "UNOTFOUND", "and the channel's");
        let (user, key) = authkey(&s, 1, "demo-viewer-1").await;
        w.ok("auth", json!([1, user, key.clone()])).await;
        assert_eq!(w.ok("optOutEvents", json!(["UserJoin"])).await, json!({}));
        w.backlog.clear(); // its own join, from before the opt-out
        let mut w2 = Ws::open(&s).await;
        assert_eq!(w2.err("auth", json!([1, user, key])).await, "UNOTFOUND", "authkeys work once");
        // UNOTJSON: not JSON, not a method packet, binary.
        w.send_raw("{nope").await;
        let r = w.next().await;
        assert_eq!((r["type"].clone(), r["error"].clone()), (json!("reply"), json!("UNOTJSON")));
        w.send_raw(r#"{"type":"reply","id":3}"#).await;
        assert_eq!(w.next().await["error"], "UNOTJSON");
        w.ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
        assert_eq!(w.next().await["error"], "UNOTJSON");
        // Clear errors for the rest.
        assert_eq!(w.err("fly", json!([])).await, "unknown method \"fly\"");
        assert!(w.err("msg", json!([5])).await.contains("must be the message"));
        assert!(w.err("msg", json!(["   "])).await.contains("empty"));
        let r = w.call("msg", json!("not an array")).await;
        assert_eq!(r["error"], "arguments must be an array");
        // UACCESS: a user may not moderate.
        for (method, args) in [
            ("timeout", json!(["viewer3", "30s"])),
            ("purge", json!(["viewer3"])),
            ("deleteMessage", json!(["x"])),
            ("clearMessages", json!([])),
            ("vote:start", json!(["q?", ["a", "b"], 30])),
        ] {
            assert_eq!(w.err(method, args).await, "UACCESS", "{method}");
        }
        // The optOut applies: this socket sees no UserJoin.
        let _other = Ws::join(&s, 1, "demo-viewer-2").await;
        w.none("UserJoin").await;
    });
}

#[test]
fn moderation_timeouts_purges_deletes_clears_and_roles() {
    let s = serve();
    s.rt.block_on(async {
        let mut owner = Ws::join(&s, 1, "demo-streamer").await;
        let mut viewer = Ws::join(&s, 1, "demo-viewer-1").await;
        let mut m = Ws::join(&s, 1, "demo-viewer-3").await;
        let first = viewer.ok("msg", json!(["one"])).await;
        let second = viewer.ok("msg", json!(["two"])).await;

        // A mod deletes one message.
        assert_eq!(m.ok("deleteMessage", json!([first["id"]])).await, "Message deleted.");
        let d = owner.event("DeleteMessage").await;
        assert_eq!(d["id"], first["id"]);
        assert_eq!(d["moderator"], json!({ "user_name": "viewer3", "user_id": 4, "user_roles": ["Mod", "User"] }));
        assert!(m.err("deleteMessage", json!([first["id"]])).await.contains("no message"));

        // Mods cannot be timed out; a viewer can, and their messages are purged.
        assert!(owner.err("timeout", json!(["viewer3", "30s"])).await.contains("moderator"));
        assert!(owner.err("timeout", json!(["viewer1", "soon"])).await.contains("not a duration"));
        assert_eq!(owner.ok("timeout", json!(["viewer1", "1m15s"])).await, "viewer1 has been timed out for 1m15s.");
        let p = m.event("PurgeMessage").await;
        assert_eq!(p["user_id"], 2);
        assert_eq!(p["cause"], json!({ "type": "timeout", "durationString": "1m15s" }));
        let t = viewer.event("UserTimeout").await;
        assert_eq!(t["duration"], 75_000);
        assert_eq!(t["user"]["user_id"], 2);
        m.none("UserTimeout").await;
        assert!(viewer.err("msg", json!(["let me talk"])).await.contains("timed out for another"));
        assert_eq!(m.ok("history", json!([100])).await, json!([]), "the purge removed {second}");
        assert_eq!(owner.ok("timeout", json!(["viewer1", "clear"])).await, "viewer1's timeout has been cleared.");
        viewer.ok("msg", json!(["back"])).await;

        // Purge and clear.
        assert_eq!(m.ok("purge", json!(["viewer1"])).await, Value::Null);
        let p = owner.event("PurgeMessage").await;
        assert_eq!(p["user_id"], 2);
        assert!(m.err("purge", json!(["ghost"])).await.contains("no user named ghost"));
        viewer.ok("msg", json!(["again"])).await;
        assert_eq!(owner.ok("clearMessages", json!([])).await, "Messages cleared.");
        assert_eq!(viewer.event("ClearMessages").await["clearer"]["user_name"], "streamer");
        assert_eq!(viewer.ok("history", json!([5])).await, json!([]));

        // The owner makes viewer1 a mod, then bans them.
        let base = s.m.base_url();
        let r = tokio::task::spawn_blocking(move || {
            let url = format!("{base}/api/v1/channels/1/users/2");
            let refused = patch_json(&url, "demo-viewer-3", &json!({ "add": ["Mod"] }));
            assert_eq!(refused.status, 403, "only the owner");
            let r = patch_json(&url, "demo-streamer", &json!({ "add": ["Mod"] }));
            assert_eq!(r.status, 200, "{}", r.text);
            r.body
        })
        .await
        .unwrap();
        assert_eq!(r["roles"], json!(["Mod", "User"]));
        let u = m.event("UserUpdate").await;
        assert_eq!((u["user"].clone(), u["roles"].clone()), (json!(2), json!(["Mod", "User"])));
        viewer.ok("clearMessages", json!([])).await;
        let base = s.m.base_url();
        tokio::task::spawn_blocking(move || {
            let url = format!("{base}/api/v1/channels/1/users/2");
            let r = patch_json(&url, "demo-streamer", &json!({ "remove": ["Mod"], "add": ["Banned"] }));
            assert_eq!(r.body["roles"], json!(["Banned", "User"]));
        })
        .await
        .unwrap();
        let p = owner.event_where("PurgeMessage", |d| d["cause"]["type"] == "ban").await;
        assert_eq!(p["user_id"], 2);
        assert_eq!(viewer.err("msg", json!(["hello?"])).await, "UACCESS");
        let (user, key) = authkey(&s, 1, "demo-viewer-1").await;
        let mut banned = Ws::open(&s).await;
        assert_eq!(banned.err("auth", json!([1, user, key])).await, "UACCESS");
    });
}

#[test]
fn polls_start_collect_votes_and_end() {
    let s = serve();
    s.rt.block_on(async {
        let mut owner = Ws::join(&s, 1, "demo-streamer").await;
        let mut viewer = Ws::join(&s, 1, "demo-viewer-1").await;
        assert!(viewer.err("vote:choose", json!([0])).await.contains("no poll"));
        assert!(owner.err("vote:start", json!(["q?", ["only"], 5])).await.contains("two different answers"));
        assert!(owner.err("vote:start", json!(["q?", ["a", "b"], 0])).await.contains("1 to 3600"));
        assert_eq!(owner.ok("vote:start", json!(["Which way?", ["left", "right"], 1])).await, "Poll started.");
        assert!(owner.err("vote:start", json!(["again?", ["a", "b"], 5])).await.contains("already running"));
        let start = viewer.event("PollStart").await;
        assert_eq!((start["q"].clone(), start["answers"].clone()), (json!("Which way?"), json!(["left", "right"])));
        assert_eq!(start["author"]["user_name"], "streamer");
        assert_eq!(start["responses"], json!({ "left": 0, "right": 0 }));
        assert!(viewer.err("vote:choose", json!([2])).await.contains("not one of them"));
        assert_eq!(viewer.ok("vote:choose", json!([1])).await, true);
        let progress = owner.event("PollStart").await; // its own start
        assert_eq!(progress["voters"], 0);
        let progress = owner.event("PollStart").await;
        assert_eq!((progress["voters"].clone(), progress["responses"]["right"].clone()), (json!(1), json!(1)));
        // The poll ends on its own after its duration.
        let end = owner.event("PollEnd").await;
        assert_eq!(end["responses"], json!({ "left": 0, "right": 1 }));
        assert!(viewer.err("vote:choose", json!([0])).await.contains("no poll"));
    });
}

#[test]
fn slow_chat_and_message_length_limits() {
    let s = serve_with(world(), MediatorConfig { chat_max_message_chars: 10, ..MediatorConfig::default() });
    s.rt.block_on(async {
        let mut owner = Ws::join(&s, 2, "demo-viewer-2").await;
        let mut viewer = Ws::join(&s, 2, "demo-viewer-1").await;
        viewer.ok("msg", json!(["first"])).await;
        let e = viewer.err("msg", json!(["second"])).await;
        assert!(e.starts_with("slow chat is on: wait") && e.contains("one every 60000 ms"), "{e}");
        owner.ok("msg", json!(["owner 1"])).await;
        owner.ok("msg", json!(["owner 2"])).await; // the owner is exempt
        let e = owner.err("msg", json!(["ünïcödé...."])).await;
        assert_eq!(e, "the message is too long: 11 characters; the limit is 10");
        owner.ok("msg", json!(["ünïcödé..."])).await; // characters, not bytes
        assert!(owner.err("whisper", json!(["viewer1", "a much longer whisper"])).await.contains("too long"));
    });
}

#[test]
fn websocket_pings_are_answered() {
    let s = serve();
    s.rt.block_on(async {
        let mut w = Ws::open(&s).await;
        w.ws.send(Message::Ping(b"are you there".to_vec().into())).await.unwrap();
        loop {
            match tokio::time::timeout(WAIT, w.ws.next()).await.expect("a pong in time") {
                Some(Ok(Message::Pong(p))) => {
                    assert_eq!(&p[..], b"are you there");
                    break;
                }
                Some(Ok(_)) => continue,
                other => panic!("no pong: {other:?}"),
            }
        }
    });
}

// ----- the Rust chat client -----

fn chat_config(s: &Served, token: Option<&str>) -> ChatConfig {
    let mut c = ChatConfig::new(s.m.base_url(), 1, token.map(str::to_owned));
    c.client_id = Some("rust-tests".into());
    c.reconnect = ReconnectPolicy {
        initial_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        ..ReconnectPolicy::default()
    };
    c
}

fn wait_for(chat: &mut Chat, what: &str, mut pred: impl FnMut(&ChatEvent) -> bool) -> ChatEvent {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for {what}");
        if let Some(e) = chat.wait(left) {
            if pred(&e) {
                return e;
            }
        }
    }
}

fn joined(chat: &mut Chat) -> (bool, u32, Vec<String>) {
    match wait_for(chat, "joined", |e| matches!(e, ChatEvent::Joined { .. })) {
        ChatEvent::Joined { authenticated, user_id, roles, .. } => (authenticated, user_id, roles),
        _ => unreachable!(),
    }
}

fn reply(chat: &mut Chat, id: u64) -> Result<String, mixplay::chat::ChatReplyError> {
    match wait_for(chat, "a reply", |e| matches!(e, ChatEvent::Reply(r) if r.request_id == id)) {
        ChatEvent::Reply(r) => r.result,
        _ => unreachable!(),
    }
}

fn message(chat: &mut Chat) -> ChatMessage {
    match wait_for(chat, "a message", |e| matches!(e, ChatEvent::Message(_))) {
        ChatEvent::Message(m) => m,
        _ => unreachable!(),
    }
}

fn event(chat: &mut Chat, name: &str) -> Value {
    match wait_for(chat, name, |e| matches!(e, ChatEvent::Event { name: n, .. } if n == name)) {
        ChatEvent::Event { data, .. } => serde_json::from_str(&data).unwrap(),
        _ => unreachable!(),
    }
}

#[test]
fn rust_chat_client_talks_whispers_and_moderates() {
    let s = serve();
    let mut owner = Chat::connect(chat_config(&s, Some("demo-streamer"))).unwrap();
    assert_eq!(joined(&mut owner), (true, 1, vec!["Owner".to_owned(), "User".to_owned()]));
    assert_eq!(owner.connection_state(), ConnectionState::Connected);
    let mut viewer = Chat::connect(chat_config(&s, Some("demo-viewer-1"))).unwrap();
    assert_eq!(joined(&mut viewer), (true, 2, vec!["User".to_owned()]));
    let join = wait_for(
        &mut owner,
        "viewer1's join",
        |e| matches!(e, ChatEvent::Event { name, data } if name == "UserJoin" && data.contains("viewer1")),
    );
    assert!(matches!(join, ChatEvent::Event { .. }));

    let id = viewer.send_message("hello streamer").unwrap();
    let sent: Value = serde_json::from_str(&reply(&mut viewer, id).unwrap()).unwrap();
    let got = message(&mut owner);
    assert_eq!((got.user_id, got.user_name.as_str(), got.text.as_str()), (2, "viewer1", "hello streamer"));
    assert_eq!(got.id, sent["id"].as_str().unwrap());
    assert_eq!(message(&mut viewer).id, got.id, "the sender gets its own message too");

    let id = owner.whisper("viewer1", "psst").unwrap();
    reply(&mut owner, id).unwrap();
    let w = message(&mut viewer);
    assert!(w.whisper && w.target.as_deref() == Some("viewer1") && w.text == "psst");

    let id = owner.history(10).unwrap();
    let h: Value = serde_json::from_str(&reply(&mut owner, id).unwrap()).unwrap();
    assert_eq!(h.as_array().unwrap().len(), 1);

    let id = viewer.clear_messages().unwrap();
    assert_eq!(reply(&mut viewer, id).unwrap_err().message, "UACCESS");
    let id = owner.delete_message(&got.id).unwrap();
    assert_eq!(reply(&mut owner, id).unwrap(), "\"Message deleted.\"");
    assert_eq!(event(&mut viewer, "DeleteMessage")["id"], got.id.as_str());
    let id = owner.timeout("viewer1", "30s").unwrap();
    reply(&mut owner, id).unwrap();
    assert_eq!(event(&mut viewer, "UserTimeout")["duration"], 30_000);
    let id = owner.timeout("viewer1", "clear").unwrap();
    reply(&mut owner, id).unwrap();
    let id = owner.purge("viewer1").unwrap();
    reply(&mut owner, id).unwrap();
    assert_eq!(event(&mut viewer, "PurgeMessage")["user_id"], 2);
    let id = owner.start_poll("Best?", &["a", "b"], 30).unwrap();
    reply(&mut owner, id).unwrap();
    assert_eq!(event(&mut viewer, "PollStart")["q"], "Best?");
    let id = viewer.vote(0).unwrap();
    assert_eq!(reply(&mut viewer, id).unwrap(), "true");
    let id = owner.clear_messages().unwrap();
    reply(&mut owner, id).unwrap();
    assert_eq!(event(&mut viewer, "ClearMessages")["clearer"]["user_id"], 1);
    let id = owner.call("optOutEvents", vec![json!("UserLeave")]).unwrap();
    assert_eq!(reply(&mut owner, id).unwrap(), "{}");
    assert!(owner.call("auth", vec![]).is_err(), "auth belongs to the library");

    drop(viewer);
    let id = owner.send_message("still here").unwrap();
    reply(&mut owner, id).unwrap();
    owner.close();
    assert!(owner.send_message("after close").is_err());
}

/// Channel 0 joins the signed-in user's own channel (from `users/current`), and `Joined` carries
/// the channel and the permissions the chat details gave.
#[test]
fn rust_chat_client_joins_its_own_channel_with_permissions() {
    let s = serve();
    let joined_with = |chat: &mut Chat| match wait_for(chat, "joined", |e| matches!(e, ChatEvent::Joined { .. })) {
        ChatEvent::Joined { channel_id, permissions, .. } => (channel_id, permissions),
        _ => unreachable!(),
    };
    let mut c = chat_config(&s, Some("demo-streamer"));
    c.channel_id = 0;
    let mut owner = Chat::connect(c).unwrap();
    let (channel, permissions) = joined_with(&mut owner);
    assert_eq!(channel, 1, "the streamer's own channel");
    for p in ["chat", "whisper", "poll_start", "timeout", "remove_message"] {
        assert!(permissions.iter().any(|q| q == p), "{p} in {permissions:?}");
    }
    let mut viewer = Chat::connect(chat_config(&s, Some("demo-viewer-1"))).unwrap();
    let (channel, permissions) = joined_with(&mut viewer);
    assert_eq!(channel, 1);
    assert!(permissions.iter().any(|p| p == "chat") && !permissions.iter().any(|p| p == "timeout"), "{permissions:?}");
    let mut anon = Chat::connect(chat_config(&s, None)).unwrap();
    assert_eq!(joined_with(&mut anon).1, vec!["connect".to_owned()]);

    // Anonymous readers have no channel of their own to join.
    let mut c = chat_config(&s, None);
    c.channel_id = 0;
    let mut nowhere = Chat::connect(c).unwrap();
    match wait_for(&mut nowhere, "disconnected", |e| {
        matches!(e, ChatEvent::Connection { state: ConnectionState::Disconnected, .. })
    }) {
        ChatEvent::Connection { message, .. } => assert!(message.contains("needs a token"), "{message}"),
        _ => unreachable!(),
    }
}

#[test]
fn rust_chat_client_anonymous_and_refused() {
    let s = serve();
    let mut anon = Chat::connect(chat_config(&s, None)).unwrap();
    assert_eq!(joined(&mut anon), (false, 0, vec![]));
    let id = anon.send_message("hi").unwrap();
    let e = reply(&mut anon, id).unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (0, "UACCESS"));
    let mut owner = Chat::connect(chat_config(&s, Some("demo-streamer"))).unwrap();
    joined(&mut owner);
    let id = owner.send_message("to the anonymous reader").unwrap();
    reply(&mut owner, id).unwrap();
    assert_eq!(message(&mut anon).text, "to the anonymous reader");

    // A bad token or channel stops for good, and requests are answered "not connected".
    let mut bad = Chat::connect(chat_config(&s, Some("nobody"))).unwrap();
    match wait_for(&mut bad, "disconnected", |e| {
        matches!(e, ChatEvent::Connection { state: ConnectionState::Disconnected, .. })
    }) {
        ChatEvent::Connection { message, .. } => assert!(message.contains("refused (HTTP 401)"), "{message}"),
        _ => unreachable!(),
    }
    let id = bad.send_message("x").unwrap();
    assert_eq!(reply(&mut bad, id).unwrap_err().code, 2);
    let mut c = chat_config(&s, None);
    c.channel_id = 99;
    let mut nowhere = Chat::connect(c).unwrap();
    match wait_for(&mut nowhere, "disconnected", |e| {
        matches!(e, ChatEvent::Connection { state: ConnectionState::Disconnected, .. })
    }) {
        ChatEvent::Connection { message, .. } => assert!(message.contains("no channel 99"), "{message}"),
        _ => unreachable!(),
    }
}

#[test]
fn rust_chat_client_falls_back_across_endpoints_and_reconnects() {
    let s = serve();
    // A port nothing listens on comes first.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("ws://{}/chat", dead.local_addr().unwrap());
    drop(dead);
    let mut c = chat_config(&s, Some("demo-viewer-1"));
    c.endpoints = Some(vec![dead_url, format!("ws://{}/chat", s.m.local_addr())]);
    let mut chat = Chat::connect(c).unwrap();
    joined(&mut chat);

    // The service restarts: the chat reconnects with a fresh authkey and joins again.
    let stopped = s.stop();
    wait_for(&mut chat, "reconnecting", |e| {
        matches!(e, ChatEvent::Connection { state: ConnectionState::Reconnecting, .. })
    });
    let id = chat.send_message("while away").unwrap();
    assert_eq!(reply(&mut chat, id).unwrap_err().code, 2, "not connected");
    let s = stopped.restart();
    assert!(joined(&mut chat).0);
    let id = chat.send_message("back again").unwrap();
    reply(&mut chat, id).unwrap();
    drop(s);
}
