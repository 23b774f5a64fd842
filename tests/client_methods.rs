#![cfg(feature = "server")]
//! Every game-client method of the session API against the real mediator: each call returns a
//! request id at once and its answer arrives through `poll`; the events and the state cache that
//! follow; input of every kind; the control property setters and their per-frame coalescing; and
//! the per-frame input helpers.
mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::client::*;
use common::Conn;
use mixplay::client::{ButtonAction, Event, InputKind, ReplyError, Session, SessionError, SessionId};
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};

/// Waits for the reply to `id`, which must succeed; returns its result.
fn ok(session: &mut Session, id: u64) -> Value {
    let text = reply_for(session, id).unwrap_or_else(|e| panic!("request {id} failed: {e:?}"));
    serde_json::from_str(&text).expect("a reply's result is JSON")
}

/// Waits for the reply to `id`, which must fail; returns the error.
fn failed(session: &mut Session, id: u64) -> ReplyError {
    match reply_for(session, id) {
        Err(e) => e,
        Ok(r) => panic!("request {id} should fail, got {r}"),
    }
}

/// A connected session that has gone ready.
fn ready_session(s: &Served) -> Session {
    let mut game = connected(s);
    let id = game.ready(true).unwrap();
    ok(&mut game, id);
    assert!(game.state().ready);
    game
}

/// Joins a participant and waits until the game has seen the join. The participant's initial
/// burst (hello .. onReady) is dropped from its backlog.
fn join(s: &Served, game: &mut Session, key: Option<&str>) -> (Conn, SessionId) {
    let mut p = s.rt.block_on(common::participant(&s.m, key)).open();
    let me = s.rt.block_on(p.event("onParticipantJoin"));
    let sid = SessionId::parse(&common::first_session_id(&me));
    s.rt.block_on(p.event("onReady"));
    p.backlog.clear();
    wait_for(game, "the participant's join", |e| matches!(e, Event::ParticipantJoined(id) if *id == sid));
    (p, sid)
}

/// Sends participant input that the mediator must accept.
fn give(s: &Served, p: &mut Conn, input: Value) {
    s.rt.block_on(p.ok("giveInput", input));
}

/// Waits for the game's next input event.
fn next_input(game: &mut Session) -> mixplay::client::Input {
    match wait_for(game, "an input", |e| matches!(e, Event::Input(_))) {
        Event::Input(i) => i,
        _ => unreachable!(),
    }
}

/// A ready session with controls of every input kind in `default`: button `b`, costed button
/// `buy`, joystick `j`, screen `sc`, textbox `t`.
fn arcade(s: &Served) -> Session {
    let mut game = ready_session(s);
    let id = game
        .create_controls(
            "default",
            json!([
                {"controlID": "b", "kind": "button"},
                {"controlID": "buy", "kind": "button", "cost": 10},
                {"controlID": "j", "kind": "joystick"},
                {"controlID": "sc", "kind": "screen"},
                {"controlID": "t", "kind": "textbox"}
            ]),
        )
        .unwrap();
    ok(&mut game, id);
    game
}

#[test]
fn ready_is_a_request_with_an_event() {
    let s = serve();
    let mut game = connected(&s);
    assert!(!game.state().ready);
    let id = game.ready(true).unwrap();
    let seen = until(&mut game, "the ready reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::Ready(true)), "onReady arrives before the reply: {seen:?}");
    assert!(matches!(seen.last(), Some(Event::Reply(r)) if r.result.is_ok()));
    assert!(game.state().ready);

    let id = game.ready(false).unwrap();
    let seen = until(&mut game, "the unready reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::Ready(false)));
    assert!(!game.state().ready);
}

#[test]
fn scenes_controls_and_groups() {
    let s = serve();
    let mut game = connected(&s);

    // Scenes: create (with a control), update, and later delete.
    let id = game
        .create_scenes(json!([{"sceneID": "s2", "mood": "calm", "controls": [{"controlID": "c2", "kind": "button"}]}]))
        .unwrap();
    let seen = until(&mut game, "the createScenes reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    let Some(Event::Reply(reply)) = seen.last() else { unreachable!() };
    let created: Value = serde_json::from_str(reply.result.as_ref().unwrap()).unwrap();
    assert_eq!(created["scenes"][0]["sceneID"], "s2");
    let scene_created = seen.iter().position(|e| *e == Event::SceneCreated("s2".into())).expect("SceneCreated");
    let control_created = seen
        .iter()
        .position(|e| *e == Event::ControlCreated { scene: "s2".into(), control: "c2".into() })
        .expect("a new scene's controls are reported as created, as after a snapshot");
    assert!(scene_created < control_created);
    let scene = &game.state().scenes["s2"];
    assert_eq!(scene.props["mood"], "calm");
    assert!(game.state().control("s2", "c2").is_some());

    let id = game.update_scenes(json!([{"sceneID": "s2", "mood": "tense", "extra": {"a": 1}}]), 0).unwrap();
    let seen = until(&mut game, "the updateScenes reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::SceneUpdated("s2".into())), "{seen:?}");
    assert_eq!(game.state().scenes["s2"].props["mood"], "tense");
    assert_eq!(game.state().scenes["s2"].props["extra"], json!({"a": 1}));
    assert!(game.state().control("s2", "c2").is_some(), "a scene update keeps the scene's controls");

    // Controls: create, update, delete.
    let id = game.create_controls("s2", json!([{"controlID": "c3", "kind": "button", "text": "Three"}])).unwrap();
    let seen = until(&mut game, "the createControls reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::ControlCreated { scene: "s2".into(), control: "c3".into() }), "{seen:?}");
    assert_eq!(game.state().control("s2", "c3").unwrap()["text"], "Three");
    assert_eq!(game.state().scene_of_control("c3"), Some("s2"));

    let id = game.update_controls("s2", json!([{"controlID": "c3", "text": "Drei", "glow": true}]), 0).unwrap();
    let seen = until(&mut game, "the updateControls reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::ControlUpdated { scene: "s2".into(), control: "c3".into() }), "{seen:?}");
    let c3 = game.state().control("s2", "c3").unwrap();
    assert_eq!((&c3["text"], &c3["glow"], &c3["kind"]), (&json!("Drei"), &json!(true), &json!("button")));

    let id = game.delete_controls("s2", &["c3"]).unwrap();
    let seen = until(&mut game, "the deleteControls reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::ControlDeleted { scene: "s2".into(), control: "c3".into() }), "{seen:?}");
    assert!(game.state().control("s2", "c3").is_none());
    assert!(game.state().control("s2", "c2").is_some());

    // Groups: create, update, delete.
    let id = game.create_groups(json!([{"groupID": "g2", "sceneID": "s2"}])).unwrap();
    let seen = until(&mut game, "the createGroups reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::GroupCreated("g2".into())), "{seen:?}");
    assert_eq!(game.state().groups["g2"]["sceneID"], "s2");

    let id = game.update_groups(json!([{"groupID": "g2", "sceneID": "default", "color": "red"}]), 0).unwrap();
    let seen = until(&mut game, "the updateGroups reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::GroupUpdated("g2".into())), "{seen:?}");
    assert_eq!(game.state().groups["g2"]["sceneID"], "default");
    assert_eq!(game.state().groups["g2"]["color"], "red");

    let id = game.delete_group("g2", "default").unwrap();
    let seen = until(&mut game, "the deleteGroup reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::GroupDeleted { group: "g2".into(), reassigned_to: "default".into() }), "{seen:?}");
    assert!(!game.state().groups.contains_key("g2"));
    assert!(game.state().groups.contains_key("default"));

    let id = game.delete_scene("s2", "default").unwrap();
    let seen = until(&mut game, "the deleteScene reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::SceneDeleted { scene: "s2".into(), reassigned_to: "default".into() }), "{seen:?}");
    assert!(!game.state().scenes.contains_key("s2"));
    assert_eq!(game.state().scene_of_control("c2"), None);
}

#[test]
fn error_replies_carry_code_message_and_path() {
    let s = serve();
    let mut game = connected(&s);

    let id = game.update_controls("default", json!([{"controlID": "nope", "text": "x"}]), 0).unwrap();
    let e = failed(&mut game, id);
    assert_eq!(e.code, 4012);
    assert_eq!(e.path.as_deref(), Some("controls.0.controlID"));
    assert!(!e.message.is_empty());
    assert_eq!(e.protocol_code(), Some(mixplay::protocol::ErrorCode::UnknownControl));

    let id = game.call("someUnknownMethod", json!({"x": 1})).unwrap();
    let e = failed(&mut game, id);
    assert_eq!(e.code, 4003);
    assert!(e.message.contains("someUnknownMethod"), "{e:?}");

    let id = game.create_groups(json!([{"groupID": "g", "sceneID": "missing"}])).unwrap();
    let e = failed(&mut game, id);
    assert_eq!((e.code, e.path.as_deref()), (4010, Some("groups.0.sceneID")));

    let id = game.delete_scene("default", "default").unwrap();
    assert_eq!(failed(&mut game, id).code, 4018);

    assert!(matches!(game.call("", json!({})), Err(SessionError::InvalidArgument(_))));

    // Request ids are distinct and the session still works after errors.
    let a = game.get_time().unwrap();
    let b = game.get_time().unwrap();
    assert_ne!(a, b);
    ok(&mut game, a);
    ok(&mut game, b);
}

#[test]
fn participants_join_update_move_disable_and_leave() {
    let s = serve();
    let mut game = ready_session(&s);
    let id =
        game.create_scenes(json!([{"sceneID": "s2", "controls": [{"controlID": "s2b", "kind": "button"}]}])).unwrap();
    ok(&mut game, id);
    let id = game.create_groups(json!([{"groupID": "g2", "sceneID": "s2"}])).unwrap();
    ok(&mut game, id);

    let (mut p, sid) = join(&s, &mut game, Some("demo-viewer-1"));
    {
        let cached = &game.state().participants.get(&sid).unwrap();
        assert_eq!((cached.username, cached.user_id, cached.level), ("viewer1", 2, 1));
        assert_eq!(cached.group, "default");
        assert!(!cached.disabled && !cached.anonymous);
    }
    let (_anon, anon_sid) = join(&s, &mut game, None);
    assert!(game.state().participants.get(&anon_sid).unwrap().anonymous);
    assert_eq!(game.state().participants.len(), 2);

    // A custom property.
    let id = game.update_participants(json!([{"sessionID": sid.to_string(), "team": "red"}]), 0).unwrap();
    let seen = until(&mut game, "the update reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::ParticipantUpdated(sid.clone())), "{seen:?}");
    let extra = game.state().participants.get(&sid).unwrap().extra.cloned().expect("custom properties are kept");
    assert_eq!(extra["team"], "red");

    // Moving to g2 shows the participant g2's scene.
    let id = game.move_participant(&sid, "g2").unwrap();
    let result = ok(&mut game, id);
    assert_eq!(result["participants"][0]["groupID"], "g2");
    assert_eq!(game.state().participants.get(&sid).unwrap().group, "g2");
    let scene = s.rt.block_on(p.event("onSceneCreate"));
    assert_eq!(scene["scenes"][0]["sceneID"], "s2");
    s.rt.block_on(p.event_matching("onParticipantUpdate", |v| v["participants"][0]["groupID"] == "g2"));
    give(&s, &mut p, json!({"controlID": "s2b", "event": "mousedown", "button": 0}));
    let input = next_input(&mut game);
    assert_eq!((&*input.control, &input.participant), ("s2b", &sid));

    // Disabled participants' input is refused with 4099; re-enabled, it is accepted again.
    let id = game.set_participant_disabled(&sid, true).unwrap();
    ok(&mut game, id);
    assert!(game.state().participants.get(&sid).unwrap().disabled);
    let (code, _) = s.rt.block_on(p.err("giveInput", json!({"controlID": "s2b", "event": "mousedown", "button": 0})));
    assert_eq!(code, 4099);
    let id = game.set_participant_disabled(&sid, false).unwrap();
    ok(&mut game, id);
    assert!(!game.state().participants.get(&sid).unwrap().disabled);
    give(&s, &mut p, json!({"controlID": "s2b", "event": "mouseup", "button": 0}));
    assert_eq!(&*next_input(&mut game).control, "s2b");

    // Leaving removes the participant and reports its last properties.
    s.rt.block_on(p.close());
    let left = wait_for(
        &mut game,
        "the leave",
        |e| matches!(e, Event::ParticipantLeft { participant, .. } if *participant == sid),
    );
    let Event::ParticipantLeft { last, .. } = left else { unreachable!() };
    let last: Value = serde_json::from_str(&last).unwrap();
    assert_eq!((&last["username"], &last["groupID"], &last["team"]), (&json!("viewer1"), &json!("g2"), &json!("red")));
    assert!(!game.state().participants.contains(&sid));
    assert_eq!(game.state().participants.len(), 1);
}

#[test]
fn participant_queries() {
    let s = serve();
    let mut game = arcade(&s);
    let (mut p, sid) = join(&s, &mut game, Some("demo-viewer-2"));
    let (_q, other) = join(&s, &mut game, None);

    let id = game.get_all_participants(0).unwrap();
    let all = ok(&mut game, id);
    assert_eq!(all["total"], 2);
    assert_eq!(all["hasMore"], false);
    let ids: Vec<&str> =
        all["participants"].as_array().unwrap().iter().map(|p| p["sessionID"].as_str().unwrap()).collect();
    assert!(ids.contains(&sid.to_string().as_str()) && ids.contains(&other.to_string().as_str()));

    give(&s, &mut p, json!({"controlID": "b", "event": "mousedown", "button": 0}));
    next_input(&mut game);
    let id = game.get_active_participants(0).unwrap();
    let active = ok(&mut game, id);
    let list = active["participants"].as_array().unwrap();
    assert_eq!(list.len(), 1, "only the participant who gave input is active: {active}");
    assert_eq!(list[0]["sessionID"], sid.to_string());

    let id = game.get_participants_by_user_id(&[3, 99]).unwrap();
    let by_user = ok(&mut game, id);
    assert_eq!(by_user["users"]["3"]["sessionID"], sid.to_string());
    assert_eq!(by_user["users"]["99"], Value::Null);

    let sid_text = sid.to_string();
    let id = game.get_participants_by_session_id(&[&sid_text, "nobody"]).unwrap();
    let by_session = ok(&mut game, id);
    assert_eq!(by_session["users"][&sid_text]["username"], "viewer2");
    assert_eq!(by_session["users"]["nobody"], Value::Null);
}

#[test]
fn time_memory_and_world() {
    let s = serve();
    let mut game = connected(&s);

    let before = game.server_time_ms();
    let id = game.get_time().unwrap();
    let time = ok(&mut game, id)["time"].as_i64().expect("a time");
    assert!((time - before).abs() < 5_000, "the clock offset is applied: {time} vs {before}");

    let id = game.get_memory_stats().unwrap();
    let stats = ok(&mut game, id);
    assert!(stats["usedBytes"].as_u64().unwrap() > 0);
    assert_eq!(stats["totalBytes"], 0);
    assert!(stats["resources"].as_array().is_some_and(|r| !r.is_empty()));

    let id = game.update_world(json!({"round": 1, "settings": {"speed": 2}}), 0).unwrap();
    let seen = until(&mut game, "the world reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(seen.contains(&Event::WorldUpdated), "{seen:?}");
    assert_eq!(game.state().world["round"], 1);
    assert!(!game.state().world.contains_key("scenes"), "the scenes stay in the scene cache");

    let id = game.update_world(json!({"settings": {"size": 3}}), 0).unwrap();
    ok(&mut game, id);
    assert_eq!(game.state().world["settings"], json!({"speed": 2, "size": 3}), "updates merge");
    assert_eq!(game.state().world["round"], 1);
}

#[test]
fn capture_charges_or_fails_with_4006() {
    let s = serve();
    let mut game = arcade(&s);
    let (mut p, _) = join(&s, &mut game, Some("demo-viewer-1"));
    give(&s, &mut p, json!({"controlID": "buy", "event": "mousedown", "button": 0}));
    let txn = next_input(&mut game).transaction.expect("a costed press carries a transaction");

    let id = game.capture(&txn).unwrap();
    ok(&mut game, id);
    assert_eq!(s.m.sparks_of(2), 990);

    let id = game.capture(&txn).unwrap();
    let e = failed(&mut game, id);
    assert_eq!((e.code, e.path.as_deref()), (4006, Some("transactionID")));
    let id = game.capture("no-such-transaction").unwrap();
    assert_eq!(failed(&mut game, id).code, 4006);
    assert_eq!(s.m.sparks_of(2), 990);
}

#[test]
fn broadcast_reaches_participants() {
    let s = serve();
    let mut game = ready_session(&s);
    let (mut p, sid) = join(&s, &mut game, Some("demo-viewer-1"));
    let (mut q, _) = join(&s, &mut game, Some("demo-viewer-2"));

    let id = game.broadcast_event(&["everyone"], json!({"hello": "all"})).unwrap();
    ok(&mut game, id);
    assert_eq!(s.rt.block_on(p.event("event")), json!({"hello": "all"}));
    assert_eq!(s.rt.block_on(q.event("event")), json!({"hello": "all"}));

    let scope = format!("participant:{sid}");
    let id = game.broadcast_event(&[&scope], json!({"just": "you"})).unwrap();
    ok(&mut game, id);
    assert_eq!(s.rt.block_on(p.event("event")), json!({"just": "you"}));

    let id = game.broadcast_event(&["nowhere"], json!({})).unwrap();
    let e = failed(&mut game, id);
    assert_eq!((e.code, e.path.as_deref()), (4024, Some("scope.0")));
}

#[test]
fn throttles_and_their_state() {
    let s = serve();
    let mut game = connected(&s);
    let id = game.set_bandwidth_throttle(json!({"onGroupCreate": {"capacity": 0, "drainRate": 0}})).unwrap();
    ok(&mut game, id);

    // The event is throttled away; the request itself succeeds.
    let id = game.create_groups(json!([{"groupID": "quiet"}])).unwrap();
    let seen = until(&mut game, "the createGroups reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(matches!(seen.last(), Some(Event::Reply(r)) if r.result.is_ok()));
    assert!(!seen.iter().any(|e| matches!(e, Event::GroupCreated(_))), "{seen:?}");

    let id = game.get_throttle_state().unwrap();
    let state = ok(&mut game, id);
    assert_eq!(state["onGroupCreate"], json!({"inserted": 0, "rejected": 1}), "{state}");
    assert!(state["*"]["inserted"].as_u64().is_some(), "{state}");

    let id = game.set_bandwidth_throttle(json!({"onGroupCreate": {"capacity": -1}})).unwrap();
    let e = failed(&mut game, id);
    assert_eq!((e.code, e.path.as_deref()), (4004, Some("onGroupCreate")));
}

#[test]
fn memory_warning() {
    let limit = 4_000;
    let s = serve_with(World::demo(), MediatorConfig { memory_limit_bytes: limit, ..MediatorConfig::default() });
    let mut game = connected(&s);
    let id = game.get_memory_stats().unwrap();
    let stats = ok(&mut game, id);
    assert_eq!(stats["totalBytes"], limit);
    let used = stats["usedBytes"].as_u64().unwrap();

    // One control that brings the session to about 90% of its limit.
    let empty = json!({"controlID": "pad", "kind": "button", "text": ""}).to_string().len() as u64;
    let pad = "x".repeat((limit * 9 / 10 - used - empty) as usize);
    let id = game.create_controls("default", json!([{"controlID": "pad", "kind": "button", "text": pad}])).unwrap();
    let seen = until(&mut game, "the createControls reply", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    assert!(matches!(seen.last(), Some(Event::Reply(r)) if r.result.is_ok()), "{seen:?}");
    let warning = match seen.iter().find(|e| matches!(e, Event::MemoryWarning { .. })) {
        Some(w) => w.clone(),
        None => wait_for(&mut game, "the memory warning", |e| matches!(e, Event::MemoryWarning { .. })),
    };
    let Event::MemoryWarning { used_bytes, total_bytes, raw } = warning else { unreachable!() };
    assert_eq!(total_bytes, limit);
    assert!(used_bytes * 5 >= limit * 4 && used_bytes <= limit, "{used_bytes}");
    let raw: Value = serde_json::from_str(&raw).unwrap();
    assert!(raw["resources"].is_array());
}

#[test]
fn inputs_of_every_kind() {
    let s = serve();
    let mut game = arcade(&s);
    let (mut p, sid) = join(&s, &mut game, Some("demo-viewer-1"));

    let cases = [
        (
            json!({"controlID": "b", "event": "mousedown", "button": 2}),
            InputKind::Button { action: ButtonAction::MouseDown, button: 2 },
        ),
        (
            json!({"controlID": "b", "event": "mouseup", "button": 2}),
            InputKind::Button { action: ButtonAction::MouseUp, button: 2 },
        ),
        (json!({"controlID": "b", "event": "keydown"}), InputKind::Button { action: ButtonAction::KeyDown, button: 0 }),
        (json!({"controlID": "b", "event": "keyup"}), InputKind::Button { action: ButtonAction::KeyUp, button: 0 }),
        (json!({"controlID": "j", "event": "move", "x": 0.5, "y": -0.25}), InputKind::Move { x: 0.5, y: -0.25 }),
        (json!({"controlID": "sc", "event": "move", "x": 10.0, "y": 20.0}), InputKind::Move { x: 10.0, y: 20.0 }),
        (
            json!({"controlID": "sc", "event": "mousedown", "x": 3.0, "y": 4.0}),
            InputKind::ScreenButton { action: ButtonAction::MouseDown, x: 3.0, y: 4.0 },
        ),
        (
            json!({"controlID": "t", "event": "change", "value": "ab"}),
            InputKind::Text { submit: false, text: "ab".into() },
        ),
        (
            json!({"controlID": "t", "event": "submit", "value": "abc"}),
            InputKind::Text { submit: true, text: "abc".into() },
        ),
    ];
    for (sent, kind) in cases {
        give(&s, &mut p, sent.clone());
        let input = next_input(&mut game);
        assert_eq!(input.kind, kind, "for {sent}");
        assert_eq!(&*input.control, sent["controlID"].as_str().unwrap());
        assert_eq!(input.participant, sid);
        assert_eq!(input.transaction, None);
        assert!(input.raw.is_empty(), "built-in events carry no raw JSON");
    }

    // A costed button opens a transaction on its press, not on its release.
    give(&s, &mut p, json!({"controlID": "buy", "event": "keydown"}));
    let press = next_input(&mut game);
    assert_eq!(press.kind, InputKind::Button { action: ButtonAction::KeyDown, button: 0 });
    assert!(press.transaction.is_some_and(|t| !t.is_empty()));
    give(&s, &mut p, json!({"controlID": "buy", "event": "keyup"}));
    assert_eq!(next_input(&mut game).transaction, None);
}

#[test]
fn property_setters_write_the_control() {
    let s = serve();
    let mut game = connected(&s);
    let id = game.create_controls("default", json!([{"controlID": "a", "kind": "button"}])).unwrap();
    ok(&mut game, id);

    let before = game.server_time_ms();
    let ids = [
        game.set_text("a", "Hello").unwrap(),
        game.set_tooltip("a", "Press me").unwrap(),
        game.set_progress("a", 1.7).unwrap(),
        game.set_cooldown("a", 5_000).unwrap(),
        game.set_disabled("a", true).unwrap(),
        game.set_cost("a", 25).unwrap(),
        game.set_key_code("a", 32).unwrap(),
        game.set_control_property("a", "glow", json!({"color": "red"})).unwrap(),
    ];
    let after = game.server_time_ms();
    assert!(ids.iter().all(|&i| i == ids[0]), "one frame's writes to one scene share a request id: {ids:?}");
    game.end_frame();
    ok(&mut game, ids[0]);
    let a = game.state().control("default", "a").unwrap().clone();
    assert_eq!(a["text"], "Hello");
    assert_eq!(a["tooltip"], "Press me");
    assert_eq!(a["progress"], 1.0, "progress is clamped to [0, 1]");
    let cooldown = a["cooldown"].as_i64().unwrap();
    assert!((before + 5_000..=after + 5_000).contains(&cooldown), "{before} {cooldown} {after}");
    assert_eq!(a["disabled"], true);
    assert_eq!(a["cost"], 25);
    assert_eq!(a["keyCode"], 32);
    assert_eq!(a["glow"], json!({"color": "red"}));
    assert_eq!(a["kind"], "button");

    let id = game.set_progress("a", -3.0).unwrap();
    game.end_frame();
    assert_ne!(id, ids[0], "the next frame's writes are a new request");
    ok(&mut game, id);
    assert_eq!(game.state().control("default", "a").unwrap()["progress"], 0.0);

    assert_eq!(game.set_text("ghost", "boo"), Err(SessionError::UnknownControl("ghost".into())));
    assert!(matches!(game.set_progress("a", f64::NAN), Err(SessionError::InvalidArgument(_))));
    assert!(matches!(game.set_control_property("a", "controlID", json!("b")), Err(SessionError::InvalidArgument(_))));
    assert!(matches!(game.set_control_property("a", "kind", json!("label")), Err(SessionError::InvalidArgument(_))));
}

#[test]
fn one_frames_writes_are_one_update_per_scene() {
    let s = serve();
    let mut game = connected(&s);
    let id = game
        .create_controls("default", json!([{"controlID": "a", "kind": "button"}, {"controlID": "b", "kind": "button"}]))
        .unwrap();
    ok(&mut game, id);
    let id =
        game.create_scenes(json!([{"sceneID": "s2", "controls": [{"controlID": "c", "kind": "button"}]}])).unwrap();
    ok(&mut game, id);

    let in_default = [
        game.set_text("a", "one").unwrap(),
        game.set_progress("b", 0.5).unwrap(),
        game.set_text("a", "two").unwrap(),
        game.set_tooltip("a", "tip").unwrap(),
    ];
    let in_s2 = [game.set_text("c", "three").unwrap(), game.set_disabled("c", true).unwrap()];
    assert!(in_default.iter().all(|&i| i == in_default[0]), "{in_default:?}");
    assert!(in_s2.iter().all(|&i| i == in_s2[0]), "{in_s2:?}");
    assert_ne!(in_default[0], in_s2[0]);
    game.end_frame();

    // Both replies, then a barrier request: any further reply to the batches would come first.
    let mut replies: HashMap<u64, u32> = HashMap::new();
    let mut results = HashMap::new();
    let mut count = |e: &Event, replies: &mut HashMap<u64, u32>| {
        if let Event::Reply(r) = e {
            *replies.entry(r.request_id).or_default() += 1;
            results.insert(r.request_id, r.result.clone());
        }
    };
    wait_for(&mut game, "both batch replies", |e| {
        count(e, &mut replies);
        replies.contains_key(&in_default[0]) && replies.contains_key(&in_s2[0])
    });
    let barrier = game.get_time().unwrap();
    wait_for(&mut game, "the barrier reply", |e| {
        count(e, &mut replies);
        matches!(e, Event::Reply(r) if r.request_id == barrier)
    });
    assert_eq!(replies[&in_default[0]], 1);
    assert_eq!(replies[&in_s2[0]], 1);
    let batch: Value = serde_json::from_str(results[&in_default[0]].as_ref().unwrap()).unwrap();
    assert_eq!(batch["controls"].as_array().unwrap().len(), 2, "one update holds both controls of the scene: {batch}");

    let st = game.state();
    assert_eq!(st.control("default", "a").unwrap()["text"], "two", "the frame's last write wins");
    assert_eq!(st.control("default", "a").unwrap()["tooltip"], "tip");
    assert_eq!(st.control("default", "b").unwrap()["progress"], 0.5);
    assert_eq!(st.control("s2", "c").unwrap()["text"], "three");
    assert_eq!(st.control("s2", "c").unwrap()["disabled"], true);
}

/// What the frame helpers should show, rebuilt from the events `poll` returned since the frame
/// began (a frame ends whenever `poll` returns `None`).
#[derive(Default)]
struct Model {
    presses: HashMap<String, u32>,
    releases: HashMap<String, u32>,
    moves: HashMap<String, Vec<(f64, f64)>>,
    submissions: HashMap<String, Vec<(SessionId, String)>>,
}

impl Model {
    fn record(&mut self, i: &mixplay::client::Input) {
        let c = i.control.to_string();
        match &i.kind {
            InputKind::Button { action, .. } | InputKind::ScreenButton { action, .. } if action.is_press() => {
                *self.presses.entry(c).or_default() += 1
            }
            InputKind::Button { .. } | InputKind::ScreenButton { .. } => *self.releases.entry(c).or_default() += 1,
            InputKind::Move { x, y } => self.moves.entry(c).or_default().push((*x, *y)),
            InputKind::Text { submit: true, text } => {
                self.submissions.entry(c).or_default().push((i.participant.clone(), text.clone()))
            }
            _ => {}
        }
    }

    fn check(&self, game: &Session, control: &str) {
        let f = game.frame();
        assert_eq!(f.presses(control), self.presses.get(control).copied().unwrap_or(0), "presses of {control}");
        assert_eq!(f.releases(control), self.releases.get(control).copied().unwrap_or(0), "releases of {control}");
        let mean = self.moves.get(control).filter(|m| !m.is_empty()).map(|m| {
            let n = m.len() as f64;
            (m.iter().map(|p| p.0).sum::<f64>() / n, m.iter().map(|p| p.1).sum::<f64>() / n)
        });
        match (f.mean_position(control), mean) {
            (Some(a), Some(b)) => assert!((a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9, "{a:?} vs {b:?}"),
            (a, b) => assert_eq!(a, b, "mean position of {control}"),
        }
        assert_eq!(f.submissions(control), self.submissions.get(control).map_or(&[][..], |s| s.as_slice()));
    }
}

/// The next event, tracking frame boundaries in `model`.
fn next_tracked(game: &mut Session, model: &mut Model) -> Event {
    let deadline = Instant::now() + Duration::from_secs(10);
    let event = loop {
        if let Some(e) = game.poll() {
            break e;
        }
        // `poll` found nothing: that frame is over, and the next event starts a new one.
        *model = Model::default();
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for an event");
        if let Some(e) = game.wait(left) {
            break e;
        }
    };
    if let Event::Input(i) = &event {
        model.record(i);
    }
    event
}

#[test]
fn frame_input_helpers() {
    let s = serve();
    let mut game = arcade(&s);
    let (mut p1, id1) = join(&s, &mut game, Some("demo-viewer-1"));
    let (mut p2, id2) = join(&s, &mut game, Some("demo-viewer-2"));
    let mut model = Model::default();
    let held_by = |game: &Session| game.frame().control("b").map(|c| c.held_by.clone()).unwrap_or_default();

    let script: Vec<(u8, Value)> = vec![
        (1, json!({"controlID": "b", "event": "mousedown", "button": 0})),
        (2, json!({"controlID": "b", "event": "keydown"})),
        (1, json!({"controlID": "j", "event": "move", "x": 0.5, "y": 0.5})),
        (2, json!({"controlID": "j", "event": "move", "x": -0.25, "y": 0.0})),
        (1, json!({"controlID": "t", "event": "change", "value": "hel"})),
        (1, json!({"controlID": "t", "event": "submit", "value": "hello"})),
        (2, json!({"controlID": "t", "event": "submit", "value": "world"})),
        (1, json!({"controlID": "b", "event": "mouseup", "button": 0})),
    ];
    for (who, input) in script {
        let p = if who == 1 { &mut p1 } else { &mut p2 };
        give(&s, p, input);
        loop {
            if let Event::Input(_) = next_tracked(&mut game, &mut model) {
                break;
            }
        }
        for c in ["b", "j", "t"] {
            model.check(&game, c);
        }
    }
    // Pressed by both, released by 1: 2 still holds it.
    assert!(game.frame().is_held("b"));
    assert_eq!(held_by(&game), vec![id2.clone()]);
    assert_eq!(game.frame().control("j").unwrap().last_position, Some((-0.25, 0.0)));

    // The next frame starts from zero; holds and last positions stay.
    game.end_frame();
    while let Some(e) = game.poll() {
        assert!(!matches!(e, Event::Input(_)), "no input is outstanding: {e:?}");
    }
    for c in ["b", "j", "t"] {
        Model::default().check(&game, c);
    }
    assert!(game.frame().is_held("b"));
    assert_eq!(game.frame().control("j").unwrap().last_position, Some((-0.25, 0.0)));

    // Held by 1 again, then 1 leaves: only 2 holds it; 2 releases: nobody does.
    give(&s, &mut p1, json!({"controlID": "b", "event": "mousedown", "button": 0}));
    next_input(&mut game);
    assert_eq!(held_by(&game), vec![id2.clone(), id1.clone()]);
    s.rt.block_on(p1.close());
    wait_for(&mut game, "1 leaves", |e| matches!(e, Event::ParticipantLeft { participant, .. } if *participant == id1));
    assert_eq!(held_by(&game), vec![id2.clone()]);
    give(&s, &mut p2, json!({"controlID": "b", "event": "keyup"}));
    next_input(&mut game);
    assert!(!game.frame().is_held("b"));
    assert!(held_by(&game).is_empty());

    // A participant who leaves while holding holds nothing any more.
    give(&s, &mut p2, json!({"controlID": "b", "event": "keydown"}));
    next_input(&mut game);
    assert!(game.frame().is_held("b"));
    s.rt.block_on(p2.close());
    wait_for(&mut game, "2 leaves", |e| matches!(e, Event::ParticipantLeft { participant, .. } if *participant == id2));
    assert!(!game.frame().is_held("b"));
    assert_eq!(game.frame().presses("nothing"), 0);
}
