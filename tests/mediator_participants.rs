#![cfg(feature = "server")]
//! The participant socket over real websockets: joining, the initial state burst, input
//! validation, spark-costed input, broadcasts, throttles on what reaches the game, and leaving.
mod common;

use common::*;
use mixplay::protocol::Packet;
use mixplay::server::Mediator;
use serde_json::{json, Value};

/// A ready game whose `default` scene holds one control of each kind that takes input, plus a
/// scene `s` (button `sb`) shown to group `g`.
async fn arcade(m: &Mediator) -> Conn {
    let mut g = ready_game(m).await;
    g.ok(
        "createControls",
        json!({ "sceneID": "default", "controls": [
            { "controlID": "b", "kind": "button", "text": "B" },
            { "controlID": "j", "kind": "joystick" },
            { "controlID": "t", "kind": "textbox" },
            { "controlID": "sc", "kind": "screen" },
            { "controlID": "l", "kind": "label" },
            { "controlID": "off", "kind": "button", "disabled": true },
            { "controlID": "paid", "kind": "button", "cost": 25 },
            { "controlID": "dear", "kind": "button", "cost": 5000 }
        ] }),
    )
    .await;
    g.ok(
        "createScenes",
        json!({ "scenes": [{ "sceneID": "s", "controls": [{ "controlID": "sb", "kind": "button" }] }] }),
    )
    .await;
    g.ok("createGroups", json!({ "groups": [{ "groupID": "g", "sceneID": "s" }] })).await;
    g
}

/// Sends input that must be refused; returns the error code.
async fn refused(p: &mut Conn, input: Value) -> u32 {
    p.err("giveInput", input).await.0
}

fn press(control: &str) -> Value {
    json!({ "controlID": control, "event": "mousedown", "button": 0 })
}

// ----- joining -----

#[tokio::test]
async fn anonymous_participant_joins() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let mut p = participant(&m, None).await.open();
    let me = p.event("onParticipantJoin").await;
    let x = &me["participants"][0];
    assert_eq!(x["anonymous"], json!(true));
    assert_eq!(x["userID"], json!(0));
    assert_eq!(x["username"], json!(""));
    assert_eq!(x["groupID"], json!("default"));
    let at_game = g.event("onParticipantJoin").await;
    assert_eq!(at_game, me);
}

#[tokio::test]
async fn participant_with_key_is_that_user() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (_p, sid) = join(&m, &mut g, Some("demo-viewer-3")).await;
    let r = g.ok("getParticipantsBySessionID", json!({ "sessionIDs": [sid] })).await;
    let x = &r["users"][&sid];
    assert_eq!(
        (x["userID"].clone(), x["username"].clone(), x["level"].clone()),
        (json!(4), json!("viewer3"), json!(3))
    );
    assert_eq!(x["anonymous"], json!(false));
    assert!(x["connectedAt"].as_i64().unwrap() > 0);
    assert_eq!(x["lastInputAt"], json!(0));
    assert_eq!(x["disabled"], json!(false));
    assert_eq!(x["channelGroups"], json!([]));
}

#[tokio::test]
async fn participant_may_identify_with_a_bearer_token() {
    let m = mediator().await;
    let _g = ready_game(&m).await;
    let mut p = participant_with_query(&m, "channel=1&Authorization=Bearer%20demo-viewer-2").await.open();
    let me = p.event("onParticipantJoin").await;
    assert_eq!(me["participants"][0]["userID"], json!(3));
}

#[tokio::test]
async fn unknown_key_closes_4019() {
    let m = mediator().await;
    let _g = ready_game(&m).await;
    assert_eq!(closed_with(participant(&m, Some("not-a-key")).await), 4019);
}

#[tokio::test]
async fn game_not_ready_closes_4022() {
    let m = mediator().await;
    let mut g = game(&m).await;
    g.event("hello").await;
    assert_eq!(closed_with(participant(&m, None).await), 4022);
    // Leaving ready again closes the door for newcomers too.
    g.ok("ready", json!({ "isReady": true })).await;
    let _inside = participant(&m, None).await.open();
    g.ok("ready", json!({ "isReady": false })).await;
    assert_eq!(closed_with(participant(&m, None).await), 4022);
}

#[tokio::test]
async fn no_game_closes_4022() {
    let m = mediator().await;
    assert_eq!(closed_with(participant(&m, Some("demo-viewer-1")).await), 4022);
}

#[tokio::test]
async fn unknown_channel_closes_4022() {
    let m = mediator().await;
    let _g = ready_game(&m).await;
    assert_eq!(closed_with(participant_with_query(&m, "channel=99").await), 4022);
}

#[tokio::test]
async fn missing_channel_or_bad_protocol_is_http_400() {
    let m = mediator().await;
    let _g = ready_game(&m).await;
    assert_eq!(http_status(participant_with_query(&m, "key=demo-viewer-1").await), 400);
    assert_eq!(http_status(participant_with_query(&m, "channel=1&x-protocol-version=1.0").await), 400);
}

#[tokio::test]
async fn initial_burst_arrives_in_order() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok(
        "createControls",
        json!({ "sceneID": "default", "controls": [{ "controlID": "b", "kind": "button", "text": "B" }] }),
    )
    .await;
    g.ok("createGroups", json!({ "groups": [{ "groupID": "red" }] })).await;
    let mut p = participant(&m, Some("demo-viewer-1")).await.open();
    let mut names = Vec::new();
    let mut params = Vec::new();
    for _ in 0..5 {
        let Packet::Method(x) = p.next_packet().await else { panic!("participants get methods first") };
        assert!(x.discard);
        names.push(x.method);
        params.push(x.params);
    }
    assert_eq!(names, ["hello", "onParticipantJoin", "onGroupCreate", "onSceneCreate", "onReady"]);
    assert_eq!(params[1]["participants"][0]["userID"], json!(2), "the join is about the participant itself");
    let groups: Vec<&str> =
        params[2]["groups"].as_array().unwrap().iter().map(|x| x["groupID"].as_str().unwrap()).collect();
    assert_eq!(groups, ["default", "red"]);
    let scene = &params[3]["scenes"][0];
    assert_eq!(scene["sceneID"], json!("default"));
    assert_eq!(scene["controls"][0], json!({ "controlID": "b", "kind": "button", "text": "B" }));
    assert_eq!(params[4], json!({ "isReady": true }));
}

#[tokio::test]
async fn initial_scene_is_the_scene_of_default_group() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok(
        "createScenes",
        json!({ "scenes": [{ "sceneID": "lobby", "controls": [{ "controlID": "x", "kind": "button" }] }] }),
    )
    .await;
    g.ok("updateGroups", json!({ "groups": [{ "groupID": "default", "sceneID": "lobby" }] })).await;
    let mut p = participant(&m, None).await.open();
    let scene = p.event("onSceneCreate").await;
    assert_eq!(scene["scenes"][0]["sceneID"], json!("lobby"));
}

#[tokio::test]
async fn participant_methods_other_than_input_and_time_are_4003() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    assert!(p.ok("getTime", json!({})).await["time"].as_i64().unwrap() > 0);
    assert_eq!(p.err("updateControls", json!({ "sceneID": "default", "controls": [] })).await.0, 4003);
    assert_eq!(p.err("capture", json!({ "transactionID": "x" })).await.0, 4003);
}

// ----- valid input -----

#[tokio::test]
async fn button_input_reaches_the_game() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, sid) = join(&m, &mut g, Some("demo-viewer-1")).await;
    assert_eq!(p.ok("giveInput", json!({ "controlID": "b", "event": "keydown", "button": 0 })).await, Value::Null);
    let input = g.event("giveInput").await;
    assert_eq!(input["participantID"], json!(sid));
    assert!(input.get("transactionID").is_none(), "free controls have no transaction");
    assert_eq!(input["input"], json!({ "controlID": "b", "event": "keydown", "button": 0 }));
}

#[tokio::test]
async fn nested_input_object_is_accepted() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    p.ok("giveInput", json!({ "input": { "controlID": "b", "event": "mouseup", "button": 0 } })).await;
    assert_eq!(g.event("giveInput").await["input"]["event"], json!("mouseup"));
}

#[tokio::test]
async fn joystick_move_passes_through() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    p.ok("giveInput", json!({ "controlID": "j", "event": "move", "x": 0.6, "y": -0.8 })).await;
    let input = g.event("giveInput").await;
    assert_eq!(input["input"], json!({ "controlID": "j", "event": "move", "x": 0.6, "y": -0.8 }));
}

#[tokio::test]
async fn textbox_change_and_submit_pass_through() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    p.ok("giveInput", json!({ "controlID": "t", "event": "change", "value": "hel" })).await;
    p.ok("giveInput", json!({ "controlID": "t", "event": "submit", "value": "hello" })).await;
    assert_eq!(g.event("giveInput").await["input"], json!({ "controlID": "t", "event": "change", "value": "hel" }));
    assert_eq!(g.event("giveInput").await["input"], json!({ "controlID": "t", "event": "submit", "value": "hello" }));
}

#[tokio::test]
async fn screen_input_passes_through() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    p.ok("giveInput", json!({ "controlID": "sc", "event": "move", "x": 0.25, "y": 0.75 })).await;
    assert_eq!(g.event("giveInput").await["input"]["x"], json!(0.25));
}

#[tokio::test]
async fn input_updates_last_input_at() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, sid) = join(&m, &mut g, None).await;
    let before = g.ok("getTime", json!({})).await["time"].as_i64().unwrap();
    p.ok("giveInput", press("b")).await;
    let r = g.ok("getParticipantsBySessionID", json!({ "sessionIDs": [sid] })).await;
    assert!(r["users"][&sid]["lastInputAt"].as_i64().unwrap() >= before);
}

#[tokio::test]
async fn input_follows_the_participants_group_scene() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, sid) = join(&m, &mut g, None).await;
    assert_eq!(refused(&mut p, press("sb")).await, 4099);
    g.ok("updateParticipants", json!({ "participants": [{ "sessionID": sid, "groupID": "g" }] })).await;
    p.ok("giveInput", press("sb")).await;
    assert_eq!(g.event("giveInput").await["input"]["controlID"], json!("sb"));
    assert_eq!(refused(&mut p, press("b")).await, 4099, "b is not in scene s");
}

// ----- refused input -----

#[tokio::test]
async fn disabled_participant_input_is_4099() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, sid) = join(&m, &mut g, None).await;
    g.ok("updateParticipants", json!({ "participants": [{ "sessionID": sid, "disabled": true }] })).await;
    assert_eq!(p.event("onParticipantUpdate").await["participants"][0]["disabled"], json!(true));
    assert_eq!(refused(&mut p, press("b")).await, 4099);
    g.ok("updateParticipants", json!({ "participants": [{ "sessionID": sid, "disabled": false }] })).await;
    p.ok("giveInput", press("b")).await;
    assert_eq!(g.event("giveInput").await["participantID"], json!(sid), "only the input after re-enabling arrives");
}

#[tokio::test]
async fn disabled_control_input_is_4099() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    assert_eq!(refused(&mut p, press("off")).await, 4099);
    g.ok("updateControls", json!({ "sceneID": "default", "controls": [{ "controlID": "off", "disabled": false }] }))
        .await;
    p.ok("giveInput", press("off")).await;
    assert_eq!(g.event("giveInput").await["input"]["controlID"], json!("off"));
}

#[tokio::test]
async fn control_not_in_scene_is_4099() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    assert_eq!(refused(&mut p, press("sb")).await, 4099);
    assert_eq!(refused(&mut p, press("nonexistent")).await, 4099);
}

#[tokio::test]
async fn control_on_cooldown_is_4099() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    let now = g.ok("getTime", json!({})).await["time"].as_i64().unwrap();
    g.ok(
        "updateControls",
        json!({ "sceneID": "default", "controls": [{ "controlID": "b", "cooldown": now + 60_000 }] }),
    )
    .await;
    assert_eq!(p.event("onControlUpdate").await["controls"][0]["cooldown"], json!(now + 60_000));
    assert_eq!(refused(&mut p, press("b")).await, 4099);
    // A cooldown in the past no longer blocks.
    g.ok("updateControls", json!({ "sceneID": "default", "controls": [{ "controlID": "b", "cooldown": now - 1 }] }))
        .await;
    p.ok("giveInput", press("b")).await;
    g.event("giveInput").await;
}

#[tokio::test]
async fn malformed_input_is_4099() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    let bad = [
        json!({ "controlID": "b", "event": "move" }),
        json!({ "controlID": "b" }),
        json!({ "event": "mousedown" }),
        json!({ "controlID": 5, "event": "mousedown" }),
        json!({ "controlID": "j", "event": "move", "x": 2, "y": 0 }),
        json!({ "controlID": "j", "event": "move", "x": 0, "y": -1.5 }),
        json!({ "controlID": "j", "event": "move", "x": 0.9, "y": 0.9 }),
        json!({ "controlID": "j", "event": "move", "x": "left", "y": 0 }),
        json!({ "controlID": "j", "event": "move" }),
        json!({ "controlID": "j", "event": "mousedown", "x": 0, "y": 0 }),
        json!({ "controlID": "t", "event": "submit" }),
        json!({ "controlID": "t", "event": "submit", "value": 5 }),
        json!({ "controlID": "t", "event": "mousedown", "value": "x" }),
        json!({ "controlID": "sc", "event": "move", "x": 0 }),
        json!({ "controlID": "l", "event": "mousedown" }),
        json!("mousedown"),
        json!([1, 2]),
    ];
    for input in bad {
        assert_eq!(refused(&mut p, input.clone()).await, 4099, "{input}");
    }
    // None of it reached the game: the first giveInput it gets is this valid one.
    p.ok("giveInput", press("b")).await;
    assert_eq!(g.event("giveInput").await["input"], press("b"));
}

// ----- sparks -----

#[tokio::test]
async fn anonymous_on_costed_control_is_4026() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    assert_eq!(refused(&mut p, press("paid")).await, 4026);
    // Releasing costs nothing, so it is fine.
    p.ok("giveInput", json!({ "controlID": "paid", "event": "mouseup", "button": 0 })).await;
    let input = g.event("giveInput").await;
    assert_eq!(input["input"]["event"], json!("mouseup"));
    assert!(input.get("transactionID").is_none());
}

#[tokio::test]
async fn costed_mousedown_carries_a_transaction_and_mouseup_does_not() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, sid) = join(&m, &mut g, Some("demo-viewer-1")).await;
    p.ok("giveInput", press("paid")).await;
    p.ok("giveInput", json!({ "controlID": "paid", "event": "mouseup", "button": 0 })).await;
    let down = g.event("giveInput").await;
    assert_eq!(down["participantID"], json!(sid));
    assert_eq!(down["input"]["event"], json!("mousedown"));
    let txn = down["transactionID"].as_str().expect("a transaction id");
    assert!(!txn.is_empty());
    let up = g.event("giveInput").await;
    assert_eq!(up["input"]["event"], json!("mouseup"));
    assert!(up.get("transactionID").is_none());
    assert_eq!(m.sparks_of(2), 1000, "charged only on capture");
    g.ok("capture", json!({ "transactionID": txn })).await;
    assert_eq!(m.sparks_of(2), 975);
}

#[tokio::test]
async fn costed_keydown_also_carries_a_transaction() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, Some("demo-viewer-2")).await;
    p.ok("giveInput", json!({ "controlID": "paid", "event": "keydown", "button": 0 })).await;
    assert!(g.event("giveInput").await["transactionID"].is_string());
}

#[tokio::test]
async fn each_press_gets_its_own_transaction() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, Some("demo-viewer-1")).await;
    p.ok("giveInput", press("paid")).await;
    p.ok("giveInput", press("paid")).await;
    let a = g.event("giveInput").await["transactionID"].clone();
    let b = g.event("giveInput").await["transactionID"].clone();
    assert_ne!(a, b);
    g.ok("capture", json!({ "transactionID": a })).await;
    g.ok("capture", json!({ "transactionID": b })).await;
    assert_eq!(m.sparks_of(2), 950);
}

#[tokio::test]
async fn input_costing_more_than_the_balance_is_4007() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, Some("demo-viewer-1")).await;
    assert_eq!(refused(&mut p, press("dear")).await, 4007);
    assert_eq!(m.sparks_of(2), 1000);
}

// ----- broadcast -----

#[tokio::test]
async fn broadcast_arrives_as_event_method_with_data_as_params() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (mut p, sid) = join(&m, &mut g, None).await;
    g.ok(
        "broadcastEvent",
        json!({ "scope": [format!("participant:{sid}")], "data": { "boss": "spawned", "hp": [1, 2] } }),
    )
    .await;
    g.ok("broadcastEvent", json!({ "scope": ["everyone"], "data": "plain" })).await;
    let Packet::Method(x) = p.next_packet().await else { panic!("expected a method") };
    assert_eq!(x.method, "event");
    assert!(x.discard);
    assert_eq!(x.params, json!({ "boss": "spawned", "hp": [1, 2] }));
    assert_eq!(p.event("event").await, json!("plain"));
}

#[tokio::test]
async fn broadcast_to_group_after_a_move() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut inside, sid) = join(&m, &mut g, None).await;
    let (mut outside, _) = join(&m, &mut g, None).await;
    g.ok("updateParticipants", json!({ "participants": [{ "sessionID": sid, "groupID": "g" }] })).await;
    g.ok("broadcastEvent", json!({ "scope": ["group:g", "scene:s"], "data": 1 })).await;
    g.ok("broadcastEvent", json!({ "scope": ["everyone"], "data": 2 })).await;
    assert_eq!(inside.event("event").await, json!(1));
    assert_eq!(inside.event("event").await, json!(2));
    assert_eq!(outside.event("event").await, json!(2));
}

// ----- throttles on what reaches the game -----

#[tokio::test]
async fn throttled_joins_are_rejected_and_counted() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok("setBandwidthThrottle", json!({ "onParticipantJoin": { "capacity": 0, "drainRate": 0 } })).await;
    let mut hidden = participant(&m, None).await.open();
    hidden.event("onReady").await;
    let s = g.ok("getThrottleState", json!({})).await;
    assert_eq!(s["onParticipantJoin"], json!({ "inserted": 0, "rejected": 1 }));
    g.ok("setBandwidthThrottle", json!({ "onParticipantJoin": null })).await;
    let mut seen = participant(&m, None).await.open();
    let sid = first_session_id(&seen.event("onParticipantJoin").await);
    assert_eq!(first_session_id(&g.event("onParticipantJoin").await), sid, "the throttled join never arrived");
    // The participant list is not throttled.
    assert_eq!(g.ok("getAllParticipants", json!({})).await["total"], json!(2));
}

#[tokio::test]
async fn global_throttle_limits_every_method() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    g.ok("setBandwidthThrottle", json!({ "*": { "capacity": 0, "drainRate": 0 } })).await;
    p.ok("giveInput", press("b")).await;
    p.ok("giveInput", press("b")).await;
    let s = g.ok("getThrottleState", json!({})).await;
    assert_eq!(s["*"]["rejected"], json!(2));
    // Replies are never throttled, and lifting the rule lets input through again.
    g.ok("setBandwidthThrottle", json!({ "*": null })).await;
    p.ok("giveInput", json!({ "controlID": "b", "event": "mouseup", "button": 0 })).await;
    assert_eq!(g.event("giveInput").await["input"]["event"], json!("mouseup"));
}

// ----- leaving -----

#[tokio::test]
async fn participant_leave_reaches_the_game() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (p, sid) = join(&m, &mut g, Some("demo-viewer-1")).await;
    let (_other, _) = join(&m, &mut g, None).await;
    p.close().await;
    let left = g.event("onParticipantLeave").await;
    assert_eq!(first_session_id(&left), sid);
    let all = g.ok("getAllParticipants", json!({})).await;
    assert_eq!(all["total"], json!(1));
    let r = g.ok("getParticipantsBySessionID", json!({ "sessionIDs": [sid] })).await;
    assert_eq!(r["users"][&sid], Value::Null);
}

#[tokio::test]
async fn game_disconnect_closes_participants_4016() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (mut a, _) = join(&m, &mut g, Some("demo-viewer-1")).await;
    let (mut b, _) = join(&m, &mut g, None).await;
    g.close().await;
    assert_eq!(a.closed().await, 4016);
    assert_eq!(b.closed().await, 4016);
}

#[tokio::test]
async fn participant_compression_round_trip() {
    let m = mediator().await;
    let mut g = arcade(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    assert_eq!(p.set_compression(&["lz4"]).await, "lz4");
    p.ok("giveInput", press("b")).await;
    g.event("giveInput").await;
    g.ok("broadcastEvent", json!({ "scope": ["everyone"], "data": { "x": 1 } })).await;
    assert_eq!(p.event("event").await, json!({ "x": 1 }));
    assert_eq!(p.set_compression(&["gzip"]).await, "gzip");
    assert!(p.ok("getTime", json!({})).await["time"].is_i64());
}
