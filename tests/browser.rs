//! The participant page in headless Chromium (Debian's `chromium`, driven by `playwright-core`)
//! against the mediator, while this thread plays the game through `mixplay::client::Session` (and,
//! for the chat panel, the streamer on a raw chat socket).
//!
//! The scripts in `tests/browser/` print `STEP {json}` lines; for each, this side asserts what
//! it received (or changes something) and answers `OK` on the script's stdin, so both sides check
//! each other in turn. Screenshots land in `tests/artifacts/`.
#![cfg(feature = "server")]
mod common;

use std::path::PathBuf;

use common::client::*;
use common::oauth::get;
use common::script::Script;
use common::WAIT;
use futures_util::{SinkExt, StreamExt};
use mixplay::client::{ButtonAction, Event, InputKind, Session, SessionId};
use mixplay::server::world::WorldFile;
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A placement on every grid size.
fn at(x: u32, y: u32, w: u32, h: u32) -> Value {
    json!([
        {"size": "large", "x": x, "y": y, "width": w, "height": h},
        {"size": "medium", "x": x.min(45 - w.min(45)), "y": y, "width": w, "height": h},
        {"size": "small", "x": x.min(30 - w.min(30)), "y": y, "width": w, "height": h},
    ])
}

fn button(game: &mut Session, control: &str, who: &SessionId, action: ButtonAction) {
    let i = input_on(game, control);
    assert_eq!(&i.participant, who, "the input comes from the viewer who signed in");
    match i.kind {
        InputKind::Button { action: a, .. } => assert_eq!(a, action, "{control}"),
        other => panic!("expected a {action:?} on {control}, got {other:?}"),
    }
}

/// Sets the game up: a scene with every kind of control, a second group with its own scene.
fn set_up(game: &mut Session) {
    let controls = json!([
        {"controlID": "jump", "kind": "button", "text": "Jump", "tooltip": "Jump over things", "keyCode": 74,
         "backgroundColor": "#0000ff", "borderColor": "#00ff00", "accentColor": "#ff00ff", "focusColor": "#ffffff",
         "textColor": "#ffff00", "textSize": "20px", "position": at(2, 0, 10, 5)},
        {"controlID": "buy", "kind": "button", "text": "Buy", "cost": 5, "position": at(12, 0, 10, 5)},
        {"controlID": "stick", "kind": "joystick", "sampleRate": 100, "position": at(0, 6, 12, 12)},
        {"controlID": "say", "kind": "textbox", "placeholder": "Say something", "hasSubmit": true,
         "submitText": "Send", "position": at(12, 6, 18, 4)},
        {"controlID": "chat", "kind": "textbox", "placeholder": "Type freely", "multiline": true,
         "position": at(12, 10, 18, 4)},
        {"controlID": "note", "kind": "label", "text": "Welcome, viewers", "textSize": "22px", "textColor": "#ff0000",
         "bold": true, "italic": true, "underline": true, "position": at(0, 18, 30, 3)},
        {"controlID": "aim", "kind": "screen", "sendMoveEvents": "mousedown", "moveThrottle": 50}
    ]);
    let id = game.create_controls("default", controls).unwrap();
    reply_for(game, id).unwrap();
    let id = game
        .create_scenes(json!([{"sceneID": "second", "controls": [
            {"controlID": "other", "kind": "button", "text": "Other scene", "position": at(0, 0, 12, 5)}
        ]}]))
        .unwrap();
    reply_for(game, id).unwrap();
    let id = game.create_groups(json!([{"groupID": "team", "sceneID": "second"}])).unwrap();
    reply_for(game, id).unwrap();
    let id = game.ready(true).unwrap();
    reply_for(game, id).unwrap();
}

#[test]
fn participant_page_plays_in_headless_chromium() {
    let s = serve();
    let mut game = connected(&s);
    set_up(&mut game);
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    let mut script = Script::start("participant.js", &s.m.base_url(), &artifacts);

    script.expect("joined");
    let Event::ParticipantJoined(viewer) =
        wait_for(&mut game, "the viewer joins", |e| matches!(e, Event::ParticipantJoined(_)))
    else {
        unreachable!()
    };
    assert_eq!(game.state().participants.get(&viewer).unwrap().username, "viewer1");
    script.ok();

    script.expect("clicked");
    button(&mut game, "jump", &viewer, ButtonAction::MouseDown);
    button(&mut game, "jump", &viewer, ButtonAction::MouseUp);
    script.ok();

    script.expect("keys");
    button(&mut game, "jump", &viewer, ButtonAction::KeyDown);
    button(&mut game, "jump", &viewer, ButtonAction::KeyUp);
    // Enter on the focused button presses it like a click.
    button(&mut game, "jump", &viewer, ButtonAction::MouseDown);
    button(&mut game, "jump", &viewer, ButtonAction::MouseUp);
    script.ok();

    script.expect("dragged");
    let (mut right, mut up) = (false, false);
    loop {
        let i = input_on(&mut game, "stick");
        assert_eq!(i.participant, viewer);
        let InputKind::Move { x, y } = i.kind else { panic!("a joystick sends moves, got {:?}", i.kind) };
        assert!(x.abs() <= 1.0 && y.abs() <= 1.0 && x * x + y * y <= 1.0 + 1e-9, "({x}, {y}) is in the circle");
        right |= x >= 0.99 && y.abs() < 0.01;
        up |= y <= -0.45 && x.abs() < 0.05;
        if x == 0.0 && y == 0.0 {
            break; // released
        }
    }
    assert!(right && up, "the game saw the joystick pushed right and then up");
    script.ok();

    script.expect("halo-request");
    game.set_control_property("stick", "angle", json!(std::f64::consts::FRAC_PI_2)).unwrap();
    let id = game.set_control_property("stick", "intensity", json!(0.5)).unwrap();
    game.end_frame();
    reply_for(&mut game, id).unwrap();
    script.ok();

    script.expect("submitted");
    let i = input_on(&mut game, "say");
    assert_eq!(i.participant, viewer);
    assert_eq!(i.kind, InputKind::Text { submit: true, text: "hello world".into() });
    for typed in ["a", "ab"] {
        let i = input_on(&mut game, "chat");
        assert_eq!(i.kind, InputKind::Text { submit: false, text: typed.into() }, "a change per keystroke");
    }
    script.ok();

    script.expect("screen-clicked");
    let i = input_on(&mut game, "aim");
    match i.kind {
        InputKind::ScreenButton { action: ButtonAction::MouseDown, x, y } => {
            assert!((x - 0.25).abs() < 0.02 && (y - 0.5).abs() < 0.02, "the press is where it was clicked: ({x}, {y})")
        }
        other => panic!("expected a screen mousedown, got {other:?}"),
    }
    let i = input_on(&mut game, "aim");
    assert!(matches!(i.kind, InputKind::ScreenButton { action: ButtonAction::MouseUp, .. }), "{:?}", i.kind);
    script.ok();

    script.expect("update-request");
    game.set_text("jump", "Leap").unwrap();
    game.set_progress("jump", 0.5).unwrap();
    game.set_disabled("say", true).unwrap();
    let id = game.set_text("note", "Updated note").unwrap();
    game.end_frame();
    reply_for(&mut game, id).unwrap();
    script.ok();

    script.expect("bought");
    let i = input_on(&mut game, "buy");
    assert_eq!(i.participant, viewer);
    let txn = i.transaction.expect("a costed press opens a spark transaction");
    let id = game.capture(&txn).unwrap();
    reply_for(&mut game, id).expect("the capture succeeds");
    assert_eq!(s.m.sparks_of(2), 995);
    script.ok();

    script.expect("cooldown-request");
    let id = game.set_cooldown("jump", 30_000).unwrap();
    game.end_frame();
    reply_for(&mut game, id).unwrap();
    script.ok();

    script.expect("move-request");
    let id = game.move_participant(&viewer, "team").unwrap();
    reply_for(&mut game, id).unwrap();
    script.ok();

    script.expect("other-clicked");
    button(&mut game, "other", &viewer, ButtonAction::MouseDown);
    script.ok();

    script.expect("anonymous");
    // The refused press never reached the game; only the join did.
    let Event::ParticipantJoined(anon) =
        wait_for(&mut game, "the anonymous viewer joins", |e| matches!(e, Event::ParticipantJoined(_)))
    else {
        unreachable!()
    };
    assert!(game.state().participants.get(&anon).unwrap().anonymous);
    script.ok();

    script.expect("done");
    script.ok();
    let status = script.child.wait().expect("the script exits");
    assert!(status.success(), "the browser script failed: {status:?}");
    for size in ["large", "medium", "small"] {
        assert!(artifacts.join(format!("participant-{size}.png")).is_file(), "a {size} screenshot was saved");
    }
}

/// The demo world, with slow chat (one message a minute) on channel 1.
fn chat_world() -> World {
    let file: WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "streamer", "token": "demo-streamer", "sparks": 0, "level": 50 },
            { "id": 2, "username": "viewer1", "token": "demo-viewer-1", "sparks": 1000, "level": 1 },
            { "id": 3, "username": "viewer2", "token": "demo-viewer-2", "sparks": 1000, "level": 2 }
        ],
        "channels": [ { "id": 1, "owner": 1, "slowChat": 60000 } ],
        "projects": [ {
            "versionId": 1, "owner": 1,
            "scenes": [ { "sceneID": "default", "controls": [] } ],
            "groups": [ { "groupID": "default", "sceneID": "default" } ]
        } ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

/// The streamer's chat socket (raw packets), driven on the mediator's runtime.
struct StreamerChat<'a> {
    s: &'a Served,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Packets read while waiting for something else.
    backlog: Vec<Value>,
}

impl<'a> StreamerChat<'a> {
    /// Joins channel 1's chat as the streamer: `GET /api/v1/chats/1` with the streamer's bearer
    /// token gives the endpoint and an authkey, then `auth`.
    fn join(s: &'a Served) -> StreamerChat<'a> {
        let base = s.m.base_url();
        let me = get(&format!("{base}/api/v1/users/current"), Some("demo-streamer"));
        assert_eq!(me.status, 200, "{}", me.text);
        let details = get(&format!("{base}/api/v1/chats/1"), Some("demo-streamer"));
        assert_eq!(details.status, 200, "{}", details.text);
        let endpoint = details.body["endpoints"][0].as_str().expect("an endpoint").to_owned();
        let key = details.body["authkey"].as_str().expect("an authkey with a bearer token").to_owned();
        let url = format!("{endpoint}?version=1.0&Client-ID=browser-test");
        let (ws, _) = s.rt.block_on(tokio_tungstenite::connect_async(url)).expect("the chat socket opens");
        let mut chat = StreamerChat { s, ws, next_id: 1, backlog: Vec::new() };
        let welcome = chat.next();
        assert_eq!(welcome["event"], "WelcomeEvent", "{welcome}");
        let auth = chat.ok("auth", json!([1, me.body["id"], key]));
        assert_eq!(auth["authenticated"], true);
        assert!(auth["roles"].as_array().unwrap().contains(&json!("Owner")), "{auth}");
        chat
    }

    fn next(&mut self) -> Value {
        self.s.rt.block_on(async {
            loop {
                match tokio::time::timeout(WAIT, self.ws.next()).await.expect("a chat packet in time") {
                    Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).unwrap(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    other => panic!("unexpected chat frame: {other:?}"),
                }
            }
        })
    }

    /// Calls `method`; returns the reply (events read meanwhile go to the backlog).
    fn call(&mut self, method: &str, args: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let packet = json!({ "type": "method", "method": method, "arguments": args, "id": id });
        self.s.rt.block_on(self.ws.send(Message::text(packet.to_string()))).expect("the chat socket takes a packet");
        loop {
            let p = self.next();
            if p["type"] == "reply" && p["id"] == json!(id) {
                return p;
            }
            self.backlog.push(p);
        }
    }

    fn ok(&mut self, method: &str, args: Value) -> Value {
        let r = self.call(method, args);
        assert!(r["error"].is_null(), "{method} failed: {r}");
        r["data"].clone()
    }

    /// Waits for event `name` whose data passes `pred`; returns the data.
    fn event(&mut self, name: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(i) = self.backlog.iter().position(|p| p["event"] == name && pred(&p["data"])) {
                return self.backlog.remove(i)["data"].clone();
            }
            let p = self.next();
            self.backlog.push(p);
        }
    }

    /// Asserts that no chat message from anyone but the streamer is pending, after a `ping` round
    /// trip (by its reply, everything the mediator sent before has been read).
    fn no_viewer_messages(&mut self) {
        self.ok("ping", json!([]));
        let stray: Vec<&Value> =
            self.backlog.iter().filter(|p| p["event"] == "ChatMessage" && p["data"]["user_id"] != 1).collect();
        assert!(stray.is_empty(), "the mediator took messages it should have refused: {stray:?}");
    }
}

/// The text of a chat message, its parts joined.
fn message_text(data: &Value) -> String {
    data["message"]["message"].as_array().into_iter().flatten().filter_map(|p| p["text"].as_str()).collect()
}

#[test]
fn participant_page_chats_in_headless_chromium() {
    let config = MediatorConfig { chat_max_message_chars: 100, ..MediatorConfig::default() };
    let s = serve_with(chat_world(), config);
    let mut game = connected(&s);
    set_up(&mut game);
    let mut streamer = StreamerChat::join(&s);
    // History for the page to show on joining: an emoticon, a link, and markup that must stay text.
    streamer
        .ok("msg", json!(["Welcome :) rules at https://example.com/rules <b>bold?</b> <img src=x onerror=alert(1)>"]));
    streamer.ok("msg", json!(["the other emoticons: :( :D ;) :P <3"]));
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    let mut script = Script::start("chat.js", &s.m.base_url(), &artifacts);

    script.expect("chat-joined");
    streamer.event("UserJoin", |d| d["username"] == "viewer1");
    script.ok();

    // What the viewer typed reaches the streamer's socket.
    script.expect("chat-sent");
    let sent = streamer.event("ChatMessage", |d| d["user_name"] == "viewer1");
    assert_eq!(message_text(&sent), "hello from the page @streamer");
    assert_eq!(sent["user_id"], 2);
    assert!(sent["message"]["meta"].get("whisper").is_none(), "a message to everyone: {sent}");
    let parts = sent["message"]["message"].as_array().unwrap();
    assert!(parts.iter().any(|p| p["type"] == "tag" && p["username"] == "streamer"), "{sent}");
    // The streamer answers everyone, and whispers to the viewer.
    streamer.ok("msg", json!(["thanks for watching, viewer1!"]));
    streamer.ok("whisper", json!(["viewer1", "psst, a secret"]));
    script.ok();

    // The viewer whispered back; the streamer deletes the viewer's message.
    script.expect("chat-received");
    let back = streamer.event("ChatMessage", |d| d["user_name"] == "viewer1");
    assert_eq!(back["message"]["meta"]["whisper"], true, "{back}");
    assert_eq!(back["target"], "streamer");
    assert_eq!(message_text(&back), "thank you!");
    streamer.ok("deleteMessage", json!([sent["id"]]));
    script.ok();

    // Too long, slow chat, and a whisper to someone absent: all refused.
    script.expect("chat-errors");
    streamer.no_viewer_messages();
    streamer.ok("vote:start", json!(["Best snack?", ["Chips", "Fruit"], 600]));
    script.ok();

    script.expect("voted");
    streamer.event("PollStart", |d| d["voters"] == 1 && d["responses"]["Fruit"] == 1 && d["responses"]["Chips"] == 0);
    streamer.ok("timeout", json!(["viewer1", "30s"]));
    script.ok();

    script.expect("timed-out");
    streamer.no_viewer_messages();
    script.ok();

    script.expect("anonymous");
    streamer.no_viewer_messages();
    streamer.ok("clearMessages", json!([]));
    script.ok();

    script.expect("done");
    script.ok();
    let status = script.child.wait().expect("the script exits");
    assert!(status.success(), "the browser script failed: {status:?}");
    for name in ["chat-large", "chat-small", "chat-anonymous"] {
        assert!(artifacts.join(format!("{name}.png")).is_file(), "{name}.png was saved");
    }
}

#[test]
fn a_new_viewer_signs_up_and_spends_sparks_in_headless_chromium() {
    let s = serve_with(World::demo(), MediatorConfig { signup_sparks: 100, ..MediatorConfig::default() });
    let mut game = connected(&s);
    let boost =
        json!([{"controlID": "boost", "kind": "button", "text": "Boost", "cost": 10, "position": at(0, 0, 10, 5)}]);
    let id = game.create_controls("default", boost).unwrap();
    reply_for(&mut game, id).unwrap();
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).unwrap();
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    let mut script = Script::start("signup.js", &s.m.base_url(), &artifacts);

    script.expect("signed-in");
    let Event::ParticipantJoined(viewer) =
        wait_for(&mut game, "the new viewer joins", |e| matches!(e, Event::ParticipantJoined(_)))
    else {
        unreachable!()
    };
    let joined = game.state().participants.get(&viewer).unwrap();
    let user_id = joined.user_id;
    assert_eq!((joined.username, joined.anonymous), ("new_fan", false), "a signed-in participant");
    script.ok();

    script.expect("pressed");
    let press = input_on(&mut game, "boost");
    assert_eq!(press.participant, viewer);
    let txn = press.transaction.expect("a costed press opens a transaction");
    let id = game.capture(&txn).unwrap();
    reply_for(&mut game, id).expect("the game captures the press");
    assert_eq!(s.m.sparks_of(user_id), 90);
    script.ok();

    script.expect("signed-out");
    script.ok();
    let status = script.child.wait().expect("the script exits");
    assert!(status.success(), "the browser script failed: {status:?}");
}
