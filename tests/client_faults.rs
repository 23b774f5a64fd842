#![cfg(feature = "server")]
//! The session engine against a scripted fake service: what it does when replies never come,
//! frames are corrupt, malformed or unknown, packets come batched or in floods, the service
//! closes with various codes, and the participant list is paged.
mod common;

use std::time::{Duration, Instant};

use common::client::{reply_for, until, wait_for, wait_state};
use common::fake::{method, participant_json, Fake, Script};
use mixplay::client::{ButtonAction, ConnectionState, ErrorKind, Event, InputKind, LocalError, Session, SessionId};
use mixplay::protocol::Scheme;
use serde_json::{json, Value};

/// A session connected to `fake` with its default config.
fn connect(fake: &Fake) -> Session {
    connect_with(fake.config())
}

fn connect_with(config: mixplay::client::Config) -> Session {
    let mut game = Session::connect(config).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    game
}

fn is_state(e: &Event, state: ConnectionState) -> bool {
    matches!(e, Event::Connection { state: s, .. } if *s == state)
}

fn give_input(participant: &str, input: Value) -> Value {
    method(0, "giveInput", json!({"participantID": participant, "input": input}), true)
}

fn press(participant: &str) -> Value {
    give_input(participant, json!({"controlID": "b", "event": "mousedown", "button": 0}))
}

/// The session still answers requests (the fake replies to `getTime`).
fn still_works(game: &mut Session) {
    let id = game.get_time().unwrap();
    let time: Value = serde_json::from_str(&reply_for(game, id).expect("getTime succeeds")).unwrap();
    assert!(time["time"].as_i64().is_some());
}

#[test]
fn a_reply_that_never_comes_times_out() {
    let mut fake = Fake::start();
    fake.script(|s| {
        s.ignore.insert("getMemoryStats".into());
    });
    let mut config = fake.config();
    config.request_timeout = Duration::from_millis(300);
    let mut game = connect_with(config);

    let started = Instant::now();
    let lost = game.get_memory_stats().unwrap();
    fake.expect("getMemoryStats", |r| r.packet["method"] == "getMemoryStats");
    // Other requests are answered meanwhile.
    still_works(&mut game);
    let e = reply_for(&mut game, lost).expect_err("the request times out");
    assert_eq!(e.code, LocalError::TimedOut as u32);
    assert_eq!(e.code, 1);
    assert!(e.protocol_code().is_none());
    assert!(started.elapsed() >= Duration::from_millis(300), "not before the request timeout");
    assert_eq!(game.connection_state(), ConnectionState::Connected, "a lost reply does not drop the connection");
    still_works(&mut game);
    assert_eq!(fake.connections(), 1);
}

#[test]
fn a_corrupt_compressed_frame_reconnects() {
    let mut fake = Fake::with(Script { compression: Scheme::Lz4, ..Script::default() });
    let mut game = connect(&fake);
    let negotiated = fake.expect("setCompression", |r| r.packet["method"] == "setCompression");
    assert_eq!(negotiated.packet["params"]["scheme"][0], "lz4");
    still_works(&mut game);
    let time = fake.expect("a compressed getTime", |r| r.packet["method"] == "getTime" && r.binary);
    assert_eq!(time.conn, 0);

    // A block header that claims far more than any block may hold.
    fake.send_binary(vec![5, 0xde, 0xad, 0xbe, 0xef, 0x00]);
    let mut connected = 0;
    let seen = until(&mut game, "the reconnection", |e| {
        connected += usize::from(is_state(e, ConnectionState::Connected));
        connected == 1
    });
    let error = seen
        .iter()
        .position(|e| matches!(e, Event::Error { kind: ErrorKind::Protocol, code: Some(4001), .. }))
        .unwrap_or_else(|| panic!("a 4001 protocol error: {seen:?}"));
    let reconnecting = seen
        .iter()
        .position(|e| matches!(e, Event::Connection { state: ConnectionState::Reconnecting, code: Some(4001), .. }))
        .unwrap_or_else(|| panic!("reconnecting: {seen:?}"));
    assert!(error < reconnecting);
    assert_eq!(fake.connections(), 2);

    // The new connection negotiates lz4 afresh and works.
    still_works(&mut game);
    fake.expect("getTime on the new connection", |r| r.packet["method"] == "getTime" && r.conn == 1 && r.binary);
}

#[test]
fn custom_input_events_carry_their_json() {
    let mut fake = Fake::start();
    let mut game = connect(&fake);
    fake.send(method(
        0,
        "giveInput",
        json!({"participantID": "p1", "transactionID": "t9", "input": {"controlID": "b", "event": "spin", "speed": 3}}),
        true,
    ));
    let Event::Input(input) = wait_for(&mut game, "the custom input", |e| matches!(e, Event::Input(_))) else {
        unreachable!()
    };
    assert_eq!(input.kind, InputKind::Custom { event: "spin".into() });
    assert_eq!(&*input.control, "b");
    assert_eq!(input.participant, SessionId::parse("p1"));
    assert_eq!(input.transaction.as_deref(), Some("t9"));
    let raw: Value = serde_json::from_str(&input.raw).unwrap();
    assert_eq!(raw["speed"], 3);
    assert_eq!(raw["event"], "spin");
    // Custom events are not counted as presses.
    assert_eq!(game.frame().presses("b"), 0);
    fake.barrier();
}

#[test]
fn unknown_server_methods() {
    let mut fake = Fake::start();
    let mut game = connect(&fake);

    fake.send(method(41, "shinyNewThing", json!({"a": 1}), false));
    let e = wait_for(&mut game, "the unhandled method", |e| matches!(e, Event::UnhandledMethod { .. }));
    let Event::UnhandledMethod { method: name, params } = e else { unreachable!() };
    assert_eq!(name, "shinyNewThing");
    assert_eq!(serde_json::from_str::<Value>(&params).unwrap(), json!({"a": 1}));
    let reply = fake.reply_to(41);
    assert_eq!(reply.packet["error"]["code"], 4003, "{:?}", reply.packet);

    // discard: true asks for no reply.
    fake.send(method(42, "otherThing", json!(null), true));
    let e = wait_for(&mut game, "the unhandled method", |e| matches!(e, Event::UnhandledMethod { .. }));
    assert_eq!(e, Event::UnhandledMethod { method: "otherThing".into(), params: "null".into() });
    fake.barrier();
    let replies: Vec<_> =
        fake.drain().into_iter().filter(|r| r.packet["type"] == "reply" && r.packet["id"] == 42).collect();
    assert!(replies.is_empty(), "no reply to a discarded method: {replies:?}");
    still_works(&mut game);
}

#[test]
fn a_malformed_known_event_is_reported_and_skipped() {
    let mut fake = Fake::start();
    let mut game = connect(&fake);

    fake.send(method(0, "onParticipantJoin", json!({}), true));
    let e = wait_for(&mut game, "the protocol error", |e| matches!(e, Event::Error { .. }));
    let Event::Error { kind, message, .. } = e else { unreachable!() };
    assert_eq!(kind, ErrorKind::Protocol);
    assert!(message.contains("participants"), "{message}");

    // Asked for a reply, the client answers with invalid params.
    fake.send(method(43, "onSceneDelete", json!({"sceneID": 7}), false));
    wait_for(&mut game, "the protocol error", |e| matches!(e, Event::Error { kind: ErrorKind::Protocol, .. }));
    assert_eq!(fake.reply_to(43).packet["error"]["code"], 4004);

    // The session goes on: the next good event is applied.
    fake.send(method(0, "onParticipantJoin", json!({"participants": [participant_json(1, 10)]}), true));
    wait_for(&mut game, "the join", |e| *e == Event::ParticipantJoined(SessionId::parse("p1")));
    assert_eq!(game.state().participants.get(&SessionId::parse("p1")).unwrap().username, "user1");
    assert!(game.state().scenes.contains_key("default"));
    still_works(&mut game);
    assert_eq!(fake.connections(), 1);
}

#[test]
fn a_non_json_text_frame_is_reported_and_skipped() {
    let fake = Fake::start();
    let mut game = connect(&fake);
    fake.send_text("this is {not json");
    let e = wait_for(&mut game, "the protocol error", |e| matches!(e, Event::Error { .. }));
    assert!(matches!(e, Event::Error { kind: ErrorKind::Protocol, .. }), "{e:?}");
    fake.send_text(r#"{"type": "mystery", "id": 3}"#);
    let e = wait_for(&mut game, "the protocol error", |e| matches!(e, Event::Error { .. }));
    assert!(matches!(e, Event::Error { kind: ErrorKind::Protocol, .. }), "{e:?}");
    still_works(&mut game);
    fake.send(press("p1"));
    wait_for(&mut game, "input", |e| matches!(e, Event::Input(_)));
    assert_eq!(game.connection_state(), ConnectionState::Connected);
    assert_eq!(fake.connections(), 1);
}

#[test]
fn batched_frames_are_handled_in_order() {
    let mut fake = Fake::start();
    fake.script(|s| {
        s.ignore.insert("getActiveParticipants".into());
    });
    let mut game = connect(&fake);
    let request = game.get_active_participants(0).unwrap();
    let call = fake.expect("getActiveParticipants", |r| r.packet["method"] == "getActiveParticipants");
    let reply = json!({"type": "reply", "id": call.packet["id"], "result": {"participants": [], "total": 0, "hasMore": false}, "error": null});

    fake.send(json!([
        method(0, "onParticipantJoin", json!({"participants": [participant_json(1, 10)]}), true),
        press("p1"),
        reply,
        method(0, "onParticipantUpdate", json!({"participants": [{"sessionID": "p1", "username": "renamed"}]}), true),
        give_input("p1", json!({"controlID": "b", "event": "mouseup", "button": 0})),
        method(0, "onParticipantLeave", json!({"participants": [{"sessionID": "p1"}]}), true),
    ]));
    let p1 = SessionId::parse("p1");
    let seen = until(&mut game, "the leave", |e| matches!(e, Event::ParticipantLeft { .. }));
    let order: Vec<String> = seen
        .iter()
        .filter_map(|e| match e {
            Event::ParticipantJoined(id) if *id == p1 => Some("join".to_owned()),
            Event::Input(i) => Some(format!("input {:?}", i.kind)),
            Event::Reply(r) if r.request_id == request => Some("reply".to_owned()),
            Event::ParticipantUpdated(id) if *id == p1 => Some("update".to_owned()),
            Event::ParticipantLeft { participant, .. } if *participant == p1 => Some("leave".to_owned()),
            _ => None,
        })
        .collect();
    let down = format!("input {:?}", InputKind::Button { action: ButtonAction::MouseDown, button: 0 });
    let up = format!("input {:?}", InputKind::Button { action: ButtonAction::MouseUp, button: 0 });
    assert_eq!(order, vec!["join".to_owned(), down, "reply".to_owned(), "update".to_owned(), up, "leave".to_owned()]);
    let Some(Event::ParticipantLeft { last, .. }) = seen.last() else { unreachable!() };
    assert!(last.contains("renamed"), "{last}");
    assert!(game.state().participants.is_empty());
}

#[test]
fn everything_polled_before_none_is_one_frame() {
    let mut fake = Fake::start();
    let mut game = connect(&fake);
    while game.poll().is_some() {}

    fake.send(press("p1"));
    fake.send(json!([press("p2"), give_input("p1", json!({"controlID": "b", "event": "mouseup", "button": 0}))]));
    fake.send(press("p3"));
    fake.send(give_input("p1", json!({"controlID": "j", "event": "move", "x": 1.0, "y": 0.0})));
    fake.send(give_input("p2", json!({"controlID": "j", "event": "move", "x": 0.0, "y": 0.5})));
    fake.send(give_input("p2", json!({"controlID": "t", "event": "submit", "value": "hi"})));
    // Once the barrier is answered, every input is queued for the game: the polls below see them
    // all before `poll` returns `None`, so they are one frame.
    fake.barrier();
    let mut inputs = 0;
    while let Some(e) = game.poll() {
        inputs += usize::from(matches!(e, Event::Input(_)));
    }
    assert_eq!(inputs, 7);
    let f = game.frame();
    assert_eq!((f.presses("b"), f.releases("b")), (3, 1));
    let held = &f.control("b").unwrap().held_by;
    assert_eq!(held, &vec![SessionId::parse("p2"), SessionId::parse("p3")]);
    assert_eq!(f.control("b").unwrap().pressed_by.len(), 3);
    assert_eq!(f.mean_position("j"), Some((0.5, 0.25)));
    assert_eq!(f.submissions("t"), &[(SessionId::parse("p2"), "hi".to_owned())]);

    // The next frame starts from zero.
    assert!(game.poll().is_none());
    let f = game.frame();
    assert_eq!((f.presses("b"), f.releases("b"), f.mean_position("j")), (0, 0, None));
    assert!(f.submissions("t").is_empty());
    assert!(f.is_held("b"));
}

#[test]
fn close_4027_stops_for_good() {
    let fake = Fake::start();
    let mut game = connect(&fake);
    fake.close(4027, "terminated");
    let e = wait_state(&mut game, ConnectionState::Disconnected);
    let Event::Connection { code, .. } = e else { unreachable!() };
    assert_eq!(code, Some(4027));
    assert_eq!(game.connection_state(), ConnectionState::Disconnected);

    // Requests fail at once; nothing reconnects.
    let id = game.get_time().unwrap();
    assert_eq!(reply_for(&mut game, id).unwrap_err().code, LocalError::NotConnected as u32);
    let deadline = Instant::now() + Duration::from_millis(300);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if let Some(e) = game.wait(left) {
            assert!(!matches!(e, Event::Connection { .. }), "no reconnection after 4027: {e:?}");
        }
    }
    assert_eq!(fake.connections(), 1);
}

#[test]
fn close_1011_reconnects() {
    let mut fake = Fake::start();
    fake.script(|s| {
        s.ignore.insert("getMemoryStats".into());
    });
    let mut game = connect(&fake);
    let pending = game.get_memory_stats().unwrap();
    fake.expect("getMemoryStats", |r| r.packet["method"] == "getMemoryStats");
    fake.close(1011, "internal error");
    let seen = until(&mut game, "reconnecting", |e| is_state(e, ConnectionState::Reconnecting));
    let Some(Event::Connection { code, .. }) = seen.last() else { unreachable!() };
    assert_eq!(*code, Some(1011));
    // The request in flight on the lost connection is answered before the state change.
    let lost = seen.iter().find_map(|e| match e {
        Event::Reply(r) if r.request_id == pending => Some(r.result.clone()),
        _ => None,
    });
    assert_eq!(lost.expect("the pending request is answered").unwrap_err().code, LocalError::ConnectionLost as u32);
    wait_state(&mut game, ConnectionState::Connected);
    assert_eq!(fake.connections(), 2);
    still_works(&mut game);
}

/// The count in a queue-overflow message ("N inputs were dropped …").
fn dropped_in(message: &str) -> usize {
    message.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{message}"))
}

#[test]
fn an_input_flood_overflows_the_queue_but_keeps_state_events() {
    let mut fake = Fake::start();
    let mut config = fake.config();
    config.event_queue_capacity = 16;
    let mut game = connect_with(config);
    while game.poll().is_some() {}

    // 1000 inputs while the game does not poll; once the barrier is answered the network task
    // has handled all of them, and at most 16 fit in the queue.
    for _ in 0..1000 {
        fake.send(press("p1"));
    }
    fake.barrier();
    fake.send(method(0, "onParticipantJoin", json!({"participants": [participant_json(7, 10)]}), true));

    let (mut inputs, mut dropped, mut overflows) = (0, 0, 0);
    let p7 = SessionId::parse("p7");
    wait_for(&mut game, "the join after the flood", |e| {
        match e {
            Event::Input(_) => inputs += 1,
            Event::Error { kind: ErrorKind::QueueOverflow, message, .. } => {
                overflows += 1;
                dropped += dropped_in(message);
            }
            _ => {}
        }
        *e == Event::ParticipantJoined(p7.clone())
    });
    assert!(overflows >= 1);
    assert_eq!(inputs + dropped, 1000, "every input was delivered or counted as dropped");
    assert!(inputs <= 16, "{inputs} inputs queued");
    assert!(game.state().participants.contains(&p7), "state events are never dropped");

    // Input flows again once the game polls.
    fake.send(press("p7"));
    let e = wait_for(&mut game, "input", |e| matches!(e, Event::Input(_) | Event::Error { .. }));
    assert!(matches!(e, Event::Input(_)), "{e:?}");
}

#[test]
fn participants_are_read_page_by_page() {
    let participants: Vec<Value> = (0..250).map(|n| participant_json(n, 1_000 + n as i64)).collect();
    let mut fake = Fake::with(Script { participants, page_size: 100, ..Script::default() });
    let mut game = Session::connect(fake.config()).unwrap();
    let seen = until(&mut game, "connected", |e| is_state(e, ConnectionState::Connected));
    let joined = seen.iter().filter(|e| matches!(e, Event::ParticipantJoined(_))).count();
    assert_eq!(joined, 250);
    assert_eq!(game.state().participants.len(), 250);
    let p249 = &game.state().participants.get(&SessionId::parse("p249")).unwrap();
    assert_eq!((p249.username, p249.user_id), ("user249", 1249));

    let mut froms = Vec::new();
    for _ in 0..3 {
        let r = fake.expect("a page request", |r| r.packet["method"] == "getAllParticipants");
        froms.push(r.packet["params"]["from"].as_i64().unwrap());
    }
    assert_eq!(froms, vec![0, 1_099, 1_199]);
    assert!(fake.drain().iter().all(|r| r.packet["method"] != "getAllParticipants"), "three pages, no more");
}
