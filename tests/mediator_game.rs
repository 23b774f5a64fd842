#![cfg(feature = "server")]
//! The game-client socket over real websockets: the handshake, every game method, the events
//! they cause, framing errors and compression.
mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use mixplay::protocol::Packet;
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};

// ----- helpers -----

/// A world with four streamers, each owning a channel, and three projects owned by user 1:
/// version 10 (share code `abc`, unpublished), version 20 (published) and version 30 (shared with
/// user 3, unpublished).
fn sharing_world() -> World {
    let file = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "owner", "token": "tok-owner" },
            { "id": 2, "username": "coder", "token": "tok-coder" },
            { "id": 3, "username": "friend", "token": "tok-friend" },
            { "id": 4, "username": "stranger", "token": "tok-stranger" }
        ],
        "channels": [
            { "id": 1, "owner": 1 }, { "id": 2, "owner": 2 }, { "id": 3, "owner": 3 }, { "id": 4, "owner": 4 }
        ],
        "projects": [
            { "versionId": 10, "owner": 1, "shareCode": "abc", "published": false },
            { "versionId": 20, "owner": 1, "published": true },
            { "versionId": 30, "owner": 1, "sharedWith": [3], "published": false }
        ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

async fn opens_with_hello(c: Connected) -> Conn {
    let mut g = c.open();
    match g.next_packet().await {
        Packet::Method(m) => {
            assert_eq!(m.method, "hello");
            assert!(m.discard);
        }
        other => panic!("expected hello first, got {other:?}"),
    }
    g
}

async fn game_version_as(m: &mixplay::server::Mediator, token: &str, version: &str, share: Option<&str>) -> Connected {
    let auth = format!("Bearer {token}");
    let mut headers =
        vec![("Authorization", auth.as_str()), ("X-Interactive-Version", version), ("X-Protocol-Version", "2.0")];
    if let Some(code) = share {
        headers.push(("X-Interactive-Sharecode", code));
    }
    game_with_headers(m, &headers).await
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array().expect("an array").iter().map(|x| x[key].as_str().expect("an id").to_owned()).collect()
}

async fn scene_ids(g: &mut Conn) -> Vec<String> {
    let scenes = g.ok("getScenes", json!({})).await;
    ids(&scenes["scenes"], "sceneID")
}

async fn group_of(g: &mut Conn, sid: &str) -> Value {
    let r = g.ok("getParticipantsBySessionID", json!({ "sessionIDs": [sid] })).await;
    r["users"][sid]["groupID"].clone()
}

/// A ready game whose `default` scene has a button costing `cost` sparks.
async fn game_with_costed_button(m: &mixplay::server::Mediator, cost: u64) -> Conn {
    let mut g = ready_game(m).await;
    g.ok(
        "createControls",
        json!({ "sceneID": "default", "controls": [{ "controlID": "buy", "kind": "button", "cost": cost }] }),
    )
    .await;
    g
}

/// Makes viewer `key` press the costed button and returns the transaction id the game got.
async fn press_for_transaction(g: &mut Conn, p: &mut Conn) -> String {
    p.ok("giveInput", json!({ "controlID": "buy", "event": "mousedown", "button": 0 })).await;
    let input = g.event("giveInput").await;
    input["transactionID"].as_str().expect("a transaction id").to_owned()
}

// ----- handshake -----

#[tokio::test]
async fn handshake_hello_comes_first_with_discard() {
    let m = mediator().await;
    let mut g = opens_with_hello(game_as(&m, "demo-streamer", "1").await).await;
    assert_eq!(g.ok("getTime", json!({})).await["time"].as_i64().map(|t| t > 0), Some(true));
}

#[tokio::test]
async fn handshake_bad_token_closes_4019() {
    let m = mediator().await;
    assert_eq!(closed_with(game_as(&m, "not-a-token", "1").await), 4019);
}

#[tokio::test]
async fn handshake_missing_token_closes_4019() {
    let m = mediator().await;
    let c = game_with_headers(&m, &[("X-Interactive-Version", "1"), ("X-Protocol-Version", "2.0")]).await;
    assert_eq!(closed_with(c), 4019);
}

#[tokio::test]
async fn handshake_auth_is_checked_before_version_and_protocol() {
    let m = mediator().await;
    let c = game_with_headers(&m, &[("Authorization", "Bearer nope"), ("X-Interactive-Version", "999")]).await;
    assert_eq!(closed_with(c), 4019);
}

#[tokio::test]
async fn handshake_unknown_version_closes_4020() {
    let m = mediator().await;
    assert_eq!(closed_with(game_as(&m, "demo-streamer", "999").await), 4020);
    assert_eq!(closed_with(game_as(&m, "demo-streamer", "abc").await), 4020);
    let c = game_with_headers(&m, &[("Authorization", "Bearer demo-streamer"), ("X-Protocol-Version", "2.0")]).await;
    assert_eq!(closed_with(c), 4020);
}

#[tokio::test]
async fn handshake_version_is_checked_before_protocol_version() {
    let m = mediator().await;
    let c = game_with_headers(&m, &[("Authorization", "Bearer demo-streamer"), ("X-Interactive-Version", "999")]).await;
    assert_eq!(closed_with(c), 4020);
}

#[tokio::test]
async fn handshake_owner_may_run_own_version() {
    let m = mediator_with(sharing_world(), MediatorConfig::default()).await;
    opens_with_hello(game_version_as(&m, "tok-owner", "10", None).await).await;
}

#[tokio::test]
async fn handshake_share_code_grants_access() {
    let m = mediator_with(sharing_world(), MediatorConfig::default()).await;
    assert_eq!(closed_with(game_version_as(&m, "tok-coder", "10", None).await), 4020);
    assert_eq!(closed_with(game_version_as(&m, "tok-coder", "10", Some("wrong")).await), 4020);
    opens_with_hello(game_version_as(&m, "tok-coder", "10", Some("abc")).await).await;
}

#[tokio::test]
async fn handshake_shared_with_grants_access() {
    let m = mediator_with(sharing_world(), MediatorConfig::default()).await;
    opens_with_hello(game_version_as(&m, "tok-friend", "30", None).await).await;
    assert_eq!(closed_with(game_version_as(&m, "tok-stranger", "30", None).await), 4020);
}

#[tokio::test]
async fn handshake_stranger_is_refused_unpublished_but_may_run_published() {
    let m = mediator_with(sharing_world(), MediatorConfig::default()).await;
    assert_eq!(closed_with(game_version_as(&m, "tok-stranger", "10", None).await), 4020);
    opens_with_hello(game_version_as(&m, "tok-stranger", "20", None).await).await;
}

#[tokio::test]
async fn handshake_missing_protocol_version_is_http_400() {
    let m = mediator().await;
    let c = game_with_headers(&m, &[("Authorization", "Bearer demo-streamer"), ("X-Interactive-Version", "1")]).await;
    assert_eq!(http_status(c), 400);
}

#[tokio::test]
async fn handshake_wrong_protocol_version_is_http_400() {
    let m = mediator().await;
    let c = game_with_headers(
        &m,
        &[("Authorization", "Bearer demo-streamer"), ("X-Interactive-Version", "1"), ("X-Protocol-Version", "1.0")],
    )
    .await;
    assert_eq!(http_status(c), 400);
}

#[tokio::test]
async fn handshake_second_game_on_channel_closes_4021() {
    let m = mediator().await;
    let _first = opens_with_hello(game_as(&m, "demo-streamer", "1").await).await;
    assert_eq!(closed_with(game_as(&m, "demo-streamer", "1").await), 4021);
}

#[tokio::test]
async fn handshake_protocol_version_is_checked_before_busy_channel() {
    let m = mediator().await;
    let _first = opens_with_hello(game_as(&m, "demo-streamer", "1").await).await;
    let c = game_with_headers(&m, &[("Authorization", "Bearer demo-streamer"), ("X-Interactive-Version", "1")]).await;
    assert_eq!(http_status(c), 400);
}

#[tokio::test]
async fn handshake_accepts_query_parameters_case_insensitively() {
    let m = mediator().await;
    let c = game_with_query(&m, "AUTHORIZATION=Bearer%20demo-streamer&X-Interactive-VERSION=1&x-protocol-version=2.0")
        .await;
    let mut g = opens_with_hello(c).await;
    g.ok("ready", json!({ "isReady": true })).await;
    g.event("onReady").await;
}

#[tokio::test]
async fn handshake_query_parameters_are_checked_too() {
    let m = mediator().await;
    let bad_auth =
        game_with_query(&m, "Authorization=Bearer%20nope&X-Interactive-Version=1&X-Protocol-Version=2.0").await;
    assert_eq!(closed_with(bad_auth), 4019);
    let no_proto = game_with_query(&m, "Authorization=Bearer%20demo-streamer&X-Interactive-Version=1").await;
    assert_eq!(http_status(no_proto), 400);
}

#[tokio::test]
async fn handshake_query_share_code_grants_access() {
    let m = mediator_with(sharing_world(), MediatorConfig::default()).await;
    let c = game_with_query(
        &m,
        "authorization=Bearer%20tok-coder&x-interactive-version=10&x-protocol-version=2.0&X-Interactive-Sharecode=abc",
    )
    .await;
    opens_with_hello(c).await;
}

// ----- ready, time, memory, throttles -----

#[tokio::test]
async fn ready_is_echoed_to_game_and_participants() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    assert_eq!(g.ok("ready", json!({ "isReady": false })).await, Value::Null);
    assert_eq!(g.event("onReady").await, json!({ "isReady": false }));
    assert_eq!(p.event("onReady").await, json!({ "isReady": false }));
    g.ok("ready", json!({ "isReady": true })).await;
    assert_eq!(g.event("onReady").await, json!({ "isReady": true }));
    assert_eq!(p.event("onReady").await, json!({ "isReady": true }));
}

#[tokio::test]
async fn ready_needs_a_boolean() {
    let m = mediator().await;
    let mut g = game(&m).await;
    assert_eq!(g.err("ready", json!({ "isReady": "yes" })).await, (4004, Some("isReady".into())));
    assert_eq!(g.err("ready", json!({})).await.0, 4004);
}

#[tokio::test]
async fn get_time_is_server_time_in_ms() {
    let m = mediator().await;
    let mut g = game(&m).await;
    let now = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let before = now();
    let t = g.ok("getTime", json!({})).await["time"].as_i64().expect("numeric time");
    let after = now();
    assert!(before <= t && t <= after, "{before} <= {t} <= {after}");
}

#[tokio::test]
async fn memory_stats_have_the_spec_shape() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let s = g.ok("getMemoryStats", json!({})).await;
    let used = s["usedBytes"].as_u64().expect("usedBytes");
    assert!(used > 0);
    assert_eq!(s["totalBytes"], json!(0), "uncapped by default");
    let resources = s["resources"].as_array().expect("resources");
    let names: HashSet<&str> = resources.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for want in ["scenes", "groups", "participants", "world"] {
        assert!(names.contains(want), "missing {want} in {names:?}");
    }
    let mut sum = 0;
    for r in resources {
        assert!(r["ownBytes"].is_u64() && r["cumulativeBytes"].is_u64() && r["resources"].is_array(), "{r}");
        sum += r["cumulativeBytes"].as_u64().unwrap();
    }
    assert_eq!(sum, used);
    // Growing the state grows the stats.
    g.ok("updateWorld", json!({ "world": { "pad": "x".repeat(500) } })).await;
    let more = g.ok("getMemoryStats", json!({})).await["usedBytes"].as_u64().unwrap();
    assert!(more >= used + 500, "{more} vs {used}");
}

#[tokio::test]
async fn memory_limit_warns_then_closes_4017() {
    let limit = 4000u64;
    let config = MediatorConfig { memory_limit_bytes: limit, ..Default::default() };
    let m = mediator_with(World::demo(), config).await;
    let mut g = ready_game(&m).await;
    let s = g.ok("getMemoryStats", json!({})).await;
    assert_eq!(s["totalBytes"], json!(limit));
    let used = s["usedBytes"].as_u64().unwrap();
    // Up to ~90% of the limit: a warning, no close.
    let pad = (limit * 9 / 10 - used - 20) as usize;
    g.ok("updateWorld", json!({ "world": { "pad": "x".repeat(pad) } })).await;
    let warning = g.event("issueMemoryWarning").await;
    let warned_used = warning["usedBytes"].as_u64().expect("warning has the stats shape");
    assert!(warned_used * 5 >= limit * 4 && warned_used <= limit, "{warned_used}");
    assert_eq!(warning["totalBytes"], json!(limit));
    assert!(warning["resources"].is_array());
    // Still usable below the limit.
    g.ok("getTime", json!({})).await;
    // Past the limit: the connection is closed with 4017.
    g.call_async("updateWorld", json!({ "world": { "more": "y".repeat(limit as usize) } })).await;
    assert_eq!(g.closed().await, 4017);
}

#[tokio::test]
async fn throttle_state_counts_what_was_sent() {
    let m = mediator().await;
    let mut g = ready_game(&m).await; // one onReady went through the global bucket
    let s = g.ok("getThrottleState", Value::Null).await;
    assert!(s["*"]["inserted"].as_u64().unwrap() >= 1, "{s}");
    assert_eq!(s["*"]["rejected"], json!(0));
}

#[tokio::test]
async fn throttled_input_is_rejected_and_counted() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok(
        "createControls",
        json!({ "sceneID": "default", "controls": [
        { "controlID": "a", "kind": "button" }, { "controlID": "b", "kind": "button" }
    ] }),
    )
    .await;
    let (mut p, _) = join(&m, &mut g, Some("demo-viewer-1")).await;
    assert_eq!(
        g.ok("setBandwidthThrottle", json!({ "giveInput": { "capacity": 0, "drainRate": 0 } })).await,
        Value::Null
    );
    // The participant's input is valid, but never reaches the game.
    p.ok("giveInput", json!({ "controlID": "a", "event": "mousedown", "button": 0 })).await;
    let s = g.ok("getThrottleState", json!({})).await;
    assert_eq!(s["giveInput"], json!({ "inserted": 0, "rejected": 1 }));
    // Clearing the rule lets input through again; the first giveInput the game sees is for `b`.
    g.ok("setBandwidthThrottle", json!({ "giveInput": null })).await;
    p.ok("giveInput", json!({ "controlID": "b", "event": "mousedown", "button": 0 })).await;
    let input = g.event("giveInput").await;
    assert_eq!(input["input"]["controlID"], json!("b"));
    let s = g.ok("getThrottleState", json!({})).await;
    assert!(s.get("giveInput").is_none(), "cleared bucket is gone: {s}");
}

#[tokio::test]
async fn throttle_with_room_admits_and_counts() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok("createControls", json!({ "sceneID": "default", "controls": [{ "controlID": "a", "kind": "button" }] })).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    g.ok("setBandwidthThrottle", json!({ "giveInput": { "capacity": 100000, "drainRate": 0 } })).await;
    p.ok("giveInput", json!({ "controlID": "a", "event": "mousedown", "button": 0 })).await;
    g.event("giveInput").await;
    let s = g.ok("getThrottleState", json!({})).await;
    assert_eq!(s["giveInput"], json!({ "inserted": 1, "rejected": 0 }));
}

#[tokio::test]
async fn bad_throttle_rules_are_4004_and_change_nothing() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (code, _) =
        g.err("setBandwidthThrottle", json!({ "onReady": { "capacity": 0, "drainRate": 0 }, "giveInput": 5 })).await;
    assert_eq!(code, 4004);
    let s = g.ok("getThrottleState", json!({})).await;
    assert!(s.get("onReady").is_none() && s.get("giveInput").is_none(), "{s}");
}

// ----- world -----

#[tokio::test]
async fn update_world_replies_and_notifies_with_scenes() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    let r = g.ok("updateWorld", json!({ "world": { "level": 3, "boss": { "hp": 10 } } })).await;
    assert_eq!(r["level"], json!(3));
    assert_eq!(r["boss"], json!({ "hp": 10 }));
    assert_eq!(ids(&r["scenes"], "sceneID"), vec!["default"]);
    let ev = g.event("onWorldUpdate").await;
    assert_eq!(ev["level"], json!(3));
    assert!(ev["scenes"].is_array());
    let pv = p.event("onWorldUpdate").await;
    assert_eq!(pv["level"], json!(3));
    // Merge patch: null removes, nested objects merge.
    let r = g.ok("updateWorld", json!({ "world": { "level": null, "boss": { "name": "Ed" } } })).await;
    assert!(r.get("level").is_none());
    assert_eq!(r["boss"], json!({ "hp": 10, "name": "Ed" }));
}

#[tokio::test]
async fn update_world_older_seq_with_lower_priority_does_not_override() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let seq = g.last_seq();
    assert!(seq > 0);
    let r = g.call_with_seq(9001, "updateWorld", json!({ "priority": 5, "world": { "a": 1 } }), seq).await;
    assert_eq!(r.result["a"], json!(1));
    // Older seq, lower priority: ignored.
    let r = g.call_with_seq(9002, "updateWorld", json!({ "priority": 1, "world": { "a": 2 } }), 0).await;
    assert!(r.error.is_none());
    assert_eq!(r.result["a"], json!(1));
    // Older seq, higher priority: applies.
    let r = g.call_with_seq(9003, "updateWorld", json!({ "priority": 9, "world": { "a": 3 } }), 0).await;
    assert_eq!(r.result["a"], json!(3));
    // Newer seq applies whatever the priority.
    let r = g.call_with_seq(9004, "updateWorld", json!({ "priority": 0, "world": { "a": 4 } }), seq + 1000).await;
    assert_eq!(r.result["a"], json!(4));
}

// ----- participants -----

#[tokio::test]
async fn get_all_participants_pages_by_connected_at() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let mut viewers = Vec::new();
    let mut expected = HashSet::new();
    for _ in 0..150 {
        let mut p = participant(&m, None).await.open();
        let me = p.event("onParticipantJoin").await;
        expected.insert(first_session_id(&me));
        viewers.push((p, first_session_id(&me)));
    }
    // Thirty leave, spread over the list, so that the rest are no longer stored in joining order.
    for i in (0..30).rev().map(|k| k * 5) {
        let (p, sid) = viewers.remove(i);
        p.close().await;
        expected.remove(&sid);
        assert_eq!(first_session_id(&g.event("onParticipantLeave").await), sid);
    }
    let mut seen: Vec<String> = Vec::new();
    let mut from = 0i64;
    let mut pages = 0;
    loop {
        let page = g.ok("getAllParticipants", json!({ "from": from })).await;
        pages += 1;
        assert_eq!(page["total"], json!(120));
        let list = page["participants"].as_array().unwrap();
        assert!(list.len() <= 100);
        assert!(!list.is_empty());
        let mut last = from;
        for x in list {
            let at = x["connectedAt"].as_i64().unwrap();
            assert!(at > from, "page starts after `from`");
            assert!(at > last, "ordered by connectedAt");
            last = at;
            seen.push(x["sessionID"].as_str().unwrap().to_owned());
        }
        from = last;
        if !page["hasMore"].as_bool().unwrap() {
            break;
        }
        assert!(pages < 5, "paging does not end");
    }
    assert_eq!(pages, 2);
    assert_eq!(seen.len(), 120, "no duplicates or skips");
    let unique: HashSet<String> = seen.into_iter().collect();
    assert_eq!(unique, expected);
}

#[tokio::test]
async fn get_all_participants_small_list() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let empty = g.ok("getAllParticipants", json!({ "from": 0 })).await;
    assert_eq!(empty, json!({ "participants": [], "total": 0, "hasMore": false }));
    let (_p, sid) = join(&m, &mut g, Some("demo-viewer-1")).await;
    let page = g.ok("getAllParticipants", json!({})).await;
    assert_eq!(page["total"], json!(1));
    assert_eq!(page["hasMore"], json!(false));
    let me = &page["participants"][0];
    assert_eq!(me["sessionID"], json!(sid));
    assert_eq!(me["userID"], json!(2));
    assert_eq!(me["username"], json!("viewer1"));
    assert_eq!(me["groupID"], json!("default"));
    assert_eq!(me["anonymous"], json!(false));
    assert_eq!(me["disabled"], json!(false));
}

#[tokio::test]
async fn get_active_participants_lists_those_who_gave_input() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok("createControls", json!({ "sceneID": "default", "controls": [{ "controlID": "a", "kind": "button" }] })).await;
    let (mut p1, sid1) = join(&m, &mut g, Some("demo-viewer-1")).await;
    let (_p2, _sid2) = join(&m, &mut g, Some("demo-viewer-2")).await;
    let before = g.ok("getTime", json!({})).await["time"].as_i64().unwrap() - 1;
    let none = g.ok("getActiveParticipants", json!({ "threshold": before })).await;
    assert_eq!(none["participants"], json!([]));
    p1.ok("giveInput", json!({ "controlID": "a", "event": "mousedown", "button": 0 })).await;
    let active = g.ok("getActiveParticipants", json!({ "threshold": before })).await;
    assert_eq!(active["total"], json!(1));
    assert_eq!(active["hasMore"], json!(false));
    assert_eq!(ids(&active["participants"], "sessionID"), vec![sid1]);
    assert!(active["participants"][0]["lastInputAt"].as_i64().unwrap() > before);
}

#[tokio::test]
async fn get_participants_by_mixer_id() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (_p, sid) = join(&m, &mut g, Some("demo-viewer-2")).await;
    let r = g.ok("getParticipantsByMixerID", json!({ "userIDs": [3, 99] })).await;
    assert_eq!(r["users"]["3"]["sessionID"], json!(sid));
    assert_eq!(r["users"]["99"], Value::Null);
    assert_eq!(g.err("getParticipantsByMixerID", json!({ "userIDs": ["x"] })).await, (4004, Some("userIDs.0".into())));
    assert_eq!(g.err("getParticipantsByMixerID", json!({})).await.0, 4004);
}

#[tokio::test]
async fn get_participants_by_session_id() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (_p, sid) = join(&m, &mut g, None).await;
    let r = g.ok("getParticipantsBySessionID", json!({ "sessionIDs": [sid, "nobody"] })).await;
    assert_eq!(r["users"][&sid]["sessionID"], json!(sid));
    assert_eq!(r["users"][&sid]["anonymous"], json!(true));
    assert_eq!(r["users"]["nobody"], Value::Null);
    assert_eq!(g.err("getParticipantsBySessionID", json!({ "sessionIDs": [1] })).await.0, 4004);
}

/// A ready game with scene `s` (button `sb`) and group `g` showing it.
async fn game_with_scene_group(m: &mixplay::server::Mediator) -> Conn {
    let mut g = ready_game(m).await;
    g.ok(
        "createScenes",
        json!({ "scenes": [{ "sceneID": "s", "controls": [{ "controlID": "sb", "kind": "button" }] }] }),
    )
    .await;
    g.ok("createGroups", json!({ "groups": [{ "groupID": "g", "sceneID": "s" }] })).await;
    g
}

#[tokio::test]
async fn update_participants_moves_group_and_sends_new_scene() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    let (mut p, sid) = join(&m, &mut g, Some("demo-viewer-1")).await;
    let r = g
        .ok("updateParticipants", json!({ "participants": [{ "sessionID": sid, "groupID": "g", "team": "red" }] }))
        .await;
    assert_eq!(r["participants"][0]["groupID"], json!("g"));
    assert_eq!(r["participants"][0]["team"], json!("red"));
    let ev = g.event("onParticipantUpdate").await;
    assert_eq!(first_session_id(&ev), sid);
    assert_eq!(ev["participants"][0]["groupID"], json!("g"));
    let mine = p.event("onParticipantUpdate").await;
    assert_eq!(mine["participants"][0]["groupID"], json!("g"));
    let scene = p.event("onSceneCreate").await;
    assert_eq!(scene["scenes"][0]["sceneID"], json!("s"));
    assert_eq!(ids(&scene["scenes"][0]["controls"], "controlID"), vec!["sb"]);
    assert_eq!(group_of(&mut g, &sid).await, json!("g"));
}

#[tokio::test]
async fn update_participants_cannot_change_fixed_keys() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (_p, sid) = join(&m, &mut g, Some("demo-viewer-1")).await;
    let r = g
        .ok(
            "updateParticipants",
            json!({ "participants": [{ "sessionID": sid, "userID": 77, "username": "mallory", "level": 99 }] }),
        )
        .await;
    let me = &r["participants"][0];
    assert_eq!(
        (me["userID"].clone(), me["username"].clone(), me["level"].clone()),
        (json!(2), json!("viewer1"), json!(1))
    );
}

#[tokio::test]
async fn update_participants_unknown_group_is_4008() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (_p, sid) = join(&m, &mut g, None).await;
    let e = g.err("updateParticipants", json!({ "participants": [{ "sessionID": sid, "groupID": "nope" }] })).await;
    assert_eq!(e, (4008, Some("participants.0.groupID".into())));
    assert_eq!(group_of(&mut g, &sid).await, json!("default"));
}

#[tokio::test]
async fn update_participants_is_all_or_nothing() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    let (_p1, sid1) = join(&m, &mut g, Some("demo-viewer-1")).await;
    let (_p2, sid2) = join(&m, &mut g, Some("demo-viewer-2")).await;
    let e = g
        .err(
            "updateParticipants",
            json!({ "participants": [{ "sessionID": sid1, "groupID": "g", "disabled": true }, { "sessionID": sid2, "groupID": "nope" }] }),
        )
        .await;
    assert_eq!(e, (4008, Some("participants.1.groupID".into())));
    let r = g.ok("getParticipantsBySessionID", json!({ "sessionIDs": [sid1] })).await;
    assert_eq!(r["users"][&sid1]["groupID"], json!("default"));
    assert_eq!(r["users"][&sid1]["disabled"], json!(false));
}

#[tokio::test]
async fn update_participants_ignores_unknown_session_ids() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (_p, sid) = join(&m, &mut g, None).await;
    let r = g
        .ok(
            "updateParticipants",
            json!({ "participants": [{ "sessionID": "no-such-session", "disabled": true }, { "sessionID": sid, "disabled": true }] }),
        )
        .await;
    assert_eq!(ids(&r["participants"], "sessionID"), vec![sid.clone()]);
    assert_eq!(r["participants"][0]["disabled"], json!(true));
    let r = g
        .ok("updateParticipants", json!({ "participants": [{ "sessionID": "no-such-session", "disabled": true }] }))
        .await;
    assert_eq!(r["participants"], json!([]));
}

// ----- groups -----

#[tokio::test]
async fn create_groups_notifies_and_get_groups_lists_them() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    let r = g
        .ok(
            "createGroups",
            json!({ "groups": [{ "groupID": "red" }, { "groupID": "blue", "sceneID": "default", "x": 1 }] }),
        )
        .await;
    assert_eq!(r, Value::Null);
    let ev = g.event("onGroupCreate").await;
    assert_eq!(ids(&ev["groups"], "groupID"), vec!["red", "blue"]);
    assert_eq!(ev["groups"][0]["sceneID"], json!("default"), "scene defaults to default");
    let pv = p.event("onGroupCreate").await;
    assert_eq!(ids(&pv["groups"], "groupID"), vec!["red", "blue"]);
    let all = g.ok("getGroups", json!({})).await;
    assert_eq!(ids(&all["groups"], "groupID"), vec!["default", "red", "blue"]);
    assert_eq!(all["groups"][2]["x"], json!(1));
}

#[tokio::test]
async fn create_groups_existing_is_4009() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    assert_eq!(
        g.err("createGroups", json!({ "groups": [{ "groupID": "default" }] })).await,
        (4009, Some("groups.0.groupID".into()))
    );
    // Duplicates within one call, all-or-nothing.
    let e = g.err("createGroups", json!({ "groups": [{ "groupID": "a" }, { "groupID": "a" }] })).await;
    assert_eq!(e, (4009, Some("groups.1.groupID".into())));
    let all = g.ok("getGroups", json!({})).await;
    assert_eq!(ids(&all["groups"], "groupID"), vec!["default"]);
}

#[tokio::test]
async fn create_groups_unknown_scene_is_4010() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let e =
        g.err("createGroups", json!({ "groups": [{ "groupID": "ok" }, { "groupID": "x", "sceneID": "nope" }] })).await;
    assert_eq!(e, (4010, Some("groups.1.sceneID".into())));
    let all = g.ok("getGroups", json!({})).await;
    assert_eq!(ids(&all["groups"], "groupID"), vec!["default"]);
}

#[tokio::test]
async fn update_groups_changes_scene_and_participants_get_it() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok(
        "createScenes",
        json!({ "scenes": [{ "sceneID": "s", "controls": [{ "controlID": "sb", "kind": "button" }] }] }),
    )
    .await;
    let (mut p, _) = join(&m, &mut g, None).await;
    let r = g.ok("updateGroups", json!({ "groups": [{ "groupID": "default", "sceneID": "s", "color": "red" }] })).await;
    assert_eq!(r["groups"][0]["sceneID"], json!("s"));
    assert_eq!(r["groups"][0]["color"], json!("red"));
    let ev = g.event("onGroupUpdate").await;
    assert_eq!(ev["groups"][0]["sceneID"], json!("s"));
    p.event("onGroupUpdate").await;
    let scene = p.event("onSceneCreate").await;
    assert_eq!(scene["scenes"][0]["sceneID"], json!("s"));
}

#[tokio::test]
async fn update_groups_unknown_group_is_4008() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let e = g.err("updateGroups", json!({ "groups": [{ "groupID": "default", "x": 1 }, { "groupID": "nope" }] })).await;
    assert_eq!(e, (4008, Some("groups.1.groupID".into())));
    let all = g.ok("getGroups", json!({})).await;
    assert!(all["groups"][0].get("x").is_none(), "all-or-nothing");
    let e = g.err("updateGroups", json!({ "groups": [{ "groupID": "default", "sceneID": "nope" }] })).await;
    assert_eq!(e, (4010, Some("groups.0.sceneID".into())));
}

#[tokio::test]
async fn delete_group_default_is_4018() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    assert_eq!(g.err("deleteGroup", json!({ "groupID": "default" })).await, (4018, Some("groupID".into())));
}

#[tokio::test]
async fn delete_group_unknown_reassign_is_4008() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    let e = g.err("deleteGroup", json!({ "groupID": "g", "reassignGroupID": "nope" })).await;
    assert_eq!(e, (4008, Some("reassignGroupID".into())));
    let e = g.err("deleteGroup", json!({ "groupID": "g", "reassignGroupID": "g" })).await;
    assert_eq!(e.0, 4008);
    let all = g.ok("getGroups", json!({})).await;
    assert_eq!(ids(&all["groups"], "groupID"), vec!["default", "g"]);
}

#[tokio::test]
async fn delete_group_reassigns_participants() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    g.ok("createGroups", json!({ "groups": [{ "groupID": "h" }] })).await;
    let (mut p, sid) = join(&m, &mut g, Some("demo-viewer-1")).await;
    g.ok("updateParticipants", json!({ "participants": [{ "sessionID": sid, "groupID": "g" }] })).await;
    p.event("onParticipantUpdate").await;
    g.event("onParticipantUpdate").await;
    assert_eq!(g.ok("deleteGroup", json!({ "groupID": "g", "reassignGroupID": "h" })).await, Value::Null);
    assert_eq!(g.event("onGroupDelete").await, json!({ "groupID": "g", "reassignGroupID": "h" }));
    let moved = g.event("onParticipantUpdate").await;
    assert_eq!(first_session_id(&moved), sid);
    assert_eq!(moved["participants"][0]["groupID"], json!("h"));
    assert_eq!(p.event("onGroupDelete").await, json!({ "groupID": "g", "reassignGroupID": "h" }));
    assert_eq!(p.event("onParticipantUpdate").await["participants"][0]["groupID"], json!("h"));
    assert_eq!(group_of(&mut g, &sid).await, json!("h"));
    let all = g.ok("getGroups", json!({})).await;
    assert_eq!(ids(&all["groups"], "groupID"), vec!["default", "h"]);
    // Deleting a group that does not exist succeeds.
    g.ok("deleteGroup", json!({ "groupID": "g" })).await;
}

#[tokio::test]
async fn participant_reassigned_by_group_delete_can_be_moved_again() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    let (_p, sid) = join(&m, &mut g, None).await;
    g.ok("updateParticipants", json!({ "participants": [{ "sessionID": sid, "groupID": "g" }] })).await;
    g.ok("deleteGroup", json!({ "groupID": "g" })).await;
    assert_eq!(group_of(&mut g, &sid).await, json!("default"));
    g.ok("createGroups", json!({ "groups": [{ "groupID": "g2", "sceneID": "s" }] })).await;
    let r = g.ok("updateParticipants", json!({ "participants": [{ "sessionID": sid, "groupID": "g2" }] })).await;
    assert_eq!(r["participants"][0]["groupID"], json!("g2"));
    assert_eq!(group_of(&mut g, &sid).await, json!("g2"));
}

// ----- broadcast -----

/// Three participants: `a` and `b` in group `g` (scene `s`), `c` in `default`.
async fn three_viewers(m: &mixplay::server::Mediator, g: &mut Conn) -> [(Conn, String); 3] {
    let a = join(m, g, Some("demo-viewer-1")).await;
    let b = join(m, g, Some("demo-viewer-2")).await;
    let c = join(m, g, None).await;
    g.ok(
        "updateParticipants",
        json!({ "participants": [{ "sessionID": a.1, "groupID": "g" }, { "sessionID": b.1, "groupID": "g" }] }),
    )
    .await;
    [a, b, c]
}

/// Broadcasts `{"n": "end"}` to everyone, then checks what the first `event` each viewer got was.
async fn first_events(g: &mut Conn, viewers: &mut [(Conn, String); 3]) -> Vec<Value> {
    g.ok("broadcastEvent", json!({ "scope": ["everyone"], "data": { "n": "end" } })).await;
    let mut out = Vec::new();
    for (p, _) in viewers.iter_mut() {
        let first = p.event("event").await;
        if first != json!({ "n": "end" }) {
            assert_eq!(p.event("event").await, json!({ "n": "end" }));
        }
        out.push(first["n"].clone());
    }
    out
}

#[tokio::test]
async fn broadcast_to_everyone() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    let mut v = three_viewers(&m, &mut g).await;
    assert_eq!(g.ok("broadcastEvent", json!({ "scope": ["everyone"], "data": { "n": 1 } })).await, Value::Null);
    assert_eq!(first_events(&mut g, &mut v).await, vec![json!(1), json!(1), json!(1)]);
}

#[tokio::test]
async fn broadcast_to_group() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    let mut v = three_viewers(&m, &mut g).await;
    g.ok("broadcastEvent", json!({ "scope": ["group:g"], "data": { "n": 1 } })).await;
    assert_eq!(first_events(&mut g, &mut v).await, vec![json!(1), json!(1), json!("end")]);
}

#[tokio::test]
async fn broadcast_to_scene() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    let mut v = three_viewers(&m, &mut g).await;
    g.ok("broadcastEvent", json!({ "scope": ["scene:default"], "data": { "n": 1 } })).await;
    assert_eq!(first_events(&mut g, &mut v).await, vec![json!("end"), json!("end"), json!(1)]);
}

#[tokio::test]
async fn broadcast_to_participant_and_overlapping_scopes_send_once() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    let mut v = three_viewers(&m, &mut g).await;
    let b = v[1].1.clone();
    g.ok(
        "broadcastEvent",
        json!({ "scope": [format!("participant:{b}"), "group:g", "participant:gone"], "data": { "n": 1 } }),
    )
    .await;
    // Each of a and b got exactly one copy: their second event is the sentinel.
    assert_eq!(first_events(&mut g, &mut v).await, vec![json!(1), json!(1), json!("end")]);
}

#[tokio::test]
async fn broadcast_only_to_one_participant() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    let mut v = three_viewers(&m, &mut g).await;
    let c = v[2].1.clone();
    g.ok("broadcastEvent", json!({ "scope": [format!("participant:{c}")], "data": { "n": 1 } })).await;
    assert_eq!(first_events(&mut g, &mut v).await, vec![json!("end"), json!("end"), json!(1)]);
}

#[tokio::test]
async fn broadcast_invalid_scope_is_4024() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    for (scope, path) in [
        (json!(["nobody"]), "scope.0"),
        (json!(["everyone", "group:nope"]), "scope.1"),
        (json!(["scene:nope"]), "scope.0"),
        (json!([7]), "scope.0"),
    ] {
        assert_eq!(g.err("broadcastEvent", json!({ "scope": scope, "data": {} })).await, (4024, Some(path.into())));
    }
}

// ----- scenes -----

#[tokio::test]
async fn create_scenes_replies_and_get_scenes_has_groups_and_controls() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let r = g
        .ok("createScenes", json!({ "scenes": [{ "sceneID": "s", "bg": "blue", "controls": [{ "controlID": "sb", "kind": "button", "text": "Go" }] }] }))
        .await;
    assert_eq!(r["scenes"][0]["sceneID"], json!("s"));
    assert_eq!(r["scenes"][0]["controls"][0]["text"], json!("Go"));
    let ev = g.event("onSceneCreate").await;
    assert_eq!(ev["scenes"][0]["sceneID"], json!("s"));
    g.ok("createGroups", json!({ "groups": [{ "groupID": "g", "sceneID": "s" }] })).await;
    let all = g.ok("getScenes", json!({})).await;
    let scenes = all["scenes"].as_array().unwrap();
    assert_eq!(ids(&all["scenes"], "sceneID"), vec!["default", "s"]);
    assert_eq!(ids(&scenes[0]["groups"], "groupID"), vec!["default"]);
    assert_eq!(scenes[0]["controls"], json!([]));
    assert_eq!(ids(&scenes[1]["groups"], "groupID"), vec!["g"]);
    assert_eq!(ids(&scenes[1]["controls"], "controlID"), vec!["sb"]);
    assert_eq!(scenes[1]["bg"], json!("blue"));
}

#[tokio::test]
async fn create_scenes_existing_is_4011_and_all_or_nothing() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let e = g.err("createScenes", json!({ "scenes": [{ "sceneID": "a" }, { "sceneID": "default" }] })).await;
    assert_eq!(e, (4011, Some("scenes.1.sceneID".into())));
    let e = g.err("createScenes", json!({ "scenes": [{ "sceneID": "a" }, { "sceneID": "a" }] })).await;
    assert_eq!(e.0, 4011);
    let e = g
        .err("createScenes", json!({ "scenes": [{ "sceneID": "a" }, { "sceneID": "b", "controls": [{ "controlID": "x", "kind": "lever" }] }] }))
        .await;
    assert_eq!(e, (4014, Some("scenes.1.controls.0.kind".into())));
    assert_eq!(scene_ids(&mut g).await, vec!["default"]);
}

#[tokio::test]
async fn delete_scene_default_is_4018() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    assert_eq!(g.err("deleteScene", json!({ "sceneID": "default" })).await, (4018, Some("sceneID".into())));
}

#[tokio::test]
async fn delete_scene_unknown_reassign_is_4010() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    assert_eq!(g.err("deleteScene", json!({ "sceneID": "s", "reassignSceneID": "nope" })).await.0, 4010);
    assert_eq!(scene_ids(&mut g).await, vec!["default", "s"]);
}

#[tokio::test]
async fn delete_scene_reassigns_groups() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    let (mut p, sid) = join(&m, &mut g, None).await;
    g.ok("updateParticipants", json!({ "participants": [{ "sessionID": sid, "groupID": "g" }] })).await;
    assert_eq!(p.event("onSceneCreate").await["scenes"][0]["sceneID"], json!("s"));
    assert_eq!(g.ok("deleteScene", json!({ "sceneID": "s", "reassignSceneID": "default" })).await, Value::Null);
    assert_eq!(g.event("onSceneDelete").await, json!({ "sceneID": "s", "reassignSceneID": "default" }));
    let moved = g.event("onGroupUpdate").await;
    assert_eq!(moved["groups"][0], json!({ "groupID": "g", "sceneID": "default" }));
    assert_eq!(p.event("onSceneDelete").await["sceneID"], json!("s"));
    assert_eq!(p.event("onGroupUpdate").await["groups"][0]["sceneID"], json!("default"));
    assert_eq!(scene_ids(&mut g).await, vec!["default"]);
    let groups = g.ok("getGroups", json!({})).await;
    assert_eq!(groups["groups"][1], json!({ "groupID": "g", "sceneID": "default" }));
}

#[tokio::test]
async fn group_reassigned_by_scene_delete_can_change_scene_again() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    g.ok("deleteScene", json!({ "sceneID": "s" })).await;
    g.ok("createScenes", json!({ "scenes": [{ "sceneID": "s2" }] })).await;
    let r = g.ok("updateGroups", json!({ "groups": [{ "groupID": "g", "sceneID": "s2" }] })).await;
    assert_eq!(r["groups"][0]["sceneID"], json!("s2"));
}

#[tokio::test]
async fn update_scenes_changes_attributes_and_notifies() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    let r = g
        .ok(
            "updateScenes",
            json!({ "scenes": [{ "sceneID": "default", "bg": "red", "controls": [{ "controlID": "x" }] }] }),
        )
        .await;
    assert_eq!(r["scenes"][0]["bg"], json!("red"));
    assert!(r["scenes"][0].get("controls").is_none(), "controls are not scene attributes");
    assert_eq!(g.event("onSceneUpdate").await["scenes"][0]["bg"], json!("red"));
    assert_eq!(p.event("onSceneUpdate").await["scenes"][0]["bg"], json!("red"));
    let all = g.ok("getScenes", json!({})).await;
    assert_eq!(all["scenes"][0]["controls"], json!([]));
}

#[tokio::test]
async fn update_scenes_unknown_scene_is_4010_and_all_or_nothing() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let e = g
        .err("updateScenes", json!({ "scenes": [{ "sceneID": "default", "bg": "red" }, { "sceneID": "nope" }] }))
        .await;
    assert_eq!(e, (4010, Some("scenes.1.sceneID".into())));
    let all = g.ok("getScenes", json!({})).await;
    assert!(all["scenes"][0].get("bg").is_none());
}

// ----- controls -----

#[tokio::test]
async fn create_controls_notifies_game_and_viewers() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    g.ok("createControls", json!({ "sceneID": "default", "controls": [{ "controlID": "b", "kind": "button" }, { "controlID": "j", "kind": "joystick" }] }))
        .await;
    let ev = g.event("onControlCreate").await;
    assert_eq!(ev["sceneID"], json!("default"));
    assert_eq!(ids(&ev["controls"], "controlID"), vec!["b", "j"]);
    let pv = p.event("onControlCreate").await;
    assert_eq!(ids(&pv["controls"], "controlID"), vec!["b", "j"]);
}

#[tokio::test]
async fn create_controls_errors() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok("createControls", json!({ "sceneID": "default", "controls": [{ "controlID": "b", "kind": "button" }] })).await;
    let e = g.err("createControls", json!({ "sceneID": "default", "controls": [{ "controlID": "n", "kind": "button" }, { "controlID": "b", "kind": "button" }] })).await;
    assert_eq!(e, (4013, Some("controls.1.controlID".into())));
    let e = g
        .err("createControls", json!({ "sceneID": "default", "controls": [{ "controlID": "n", "kind": "lever" }] }))
        .await;
    assert_eq!(e, (4014, Some("controls.0.kind".into())));
    let e = g
        .err("createControls", json!({ "sceneID": "nope", "controls": [{ "controlID": "n", "kind": "button" }] }))
        .await;
    assert_eq!(e, (4010, Some("sceneID".into())));
    let all = g.ok("getScenes", json!({})).await;
    assert_eq!(ids(&all["scenes"][0]["controls"], "controlID"), vec!["b"], "all-or-nothing");
}

#[tokio::test]
async fn delete_controls_removes_and_notifies() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok("createControls", json!({ "sceneID": "default", "controls": [{ "controlID": "a", "kind": "button" }, { "controlID": "b", "kind": "button" }] }))
        .await;
    let (mut p, _) = join(&m, &mut g, None).await;
    let e = g.err("deleteControls", json!({ "sceneID": "default", "controlIDs": ["a", "zz"] })).await;
    assert_eq!(e, (4012, Some("controlIDs.1".into())));
    assert_eq!(g.err("deleteControls", json!({ "sceneID": "nope", "controlIDs": ["a"] })).await.0, 4010);
    assert_eq!(g.ok("deleteControls", json!({ "sceneID": "default", "controlIDs": ["a"] })).await, Value::Null);
    assert_eq!(g.event("onControlDelete").await, json!({ "sceneID": "default", "controls": [{ "controlID": "a" }] }));
    assert_eq!(p.event("onControlDelete").await, json!({ "sceneID": "default", "controls": [{ "controlID": "a" }] }));
    let all = g.ok("getScenes", json!({})).await;
    assert_eq!(ids(&all["scenes"][0]["controls"], "controlID"), vec!["b"]);
}

#[tokio::test]
async fn update_controls_unknown_control_is_4012_and_all_or_nothing() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok(
        "createControls",
        json!({ "sceneID": "default", "controls": [{ "controlID": "b", "kind": "button", "text": "old" }] }),
    )
    .await;
    let e = g
        .err(
            "updateControls",
            json!({ "sceneID": "default", "controls": [{ "controlID": "b", "text": "new" }, { "controlID": "zz" }] }),
        )
        .await;
    assert_eq!(e, (4012, Some("controls.1.controlID".into())));
    let all = g.ok("getScenes", json!({})).await;
    assert_eq!(all["scenes"][0]["controls"][0]["text"], json!("old"));
    let e = g.err("updateControls", json!({ "sceneID": "nope", "controls": [{ "controlID": "b" }] })).await;
    assert_eq!(e, (4010, Some("sceneID".into())));
}

#[tokio::test]
async fn update_controls_reaches_viewers_of_that_scene_only() {
    let m = mediator().await;
    let mut g = game_with_scene_group(&m).await;
    g.ok(
        "createControls",
        json!({ "sceneID": "default", "controls": [{ "controlID": "b", "kind": "button", "text": "old" }] }),
    )
    .await;
    let (mut viewer, _) = join(&m, &mut g, None).await;
    let r =
        g.ok("updateControls", json!({ "sceneID": "s", "controls": [{ "controlID": "sb", "text": "s-new" }] })).await;
    assert_eq!(r["controls"][0]["text"], json!("s-new"));
    let r = g
        .ok(
            "updateControls",
            json!({ "sceneID": "default", "controls": [{ "controlID": "b", "text": "new", "kind": "joystick" }] }),
        )
        .await;
    assert_eq!(r["controls"][0]["text"], json!("new"));
    assert_eq!(r["controls"][0]["kind"], json!("button"), "kind cannot change");
    assert_eq!(g.event("onControlUpdate").await["sceneID"], json!("s"));
    assert_eq!(g.event("onControlUpdate").await["sceneID"], json!("default"));
    // The viewer of `default` never had scene `s`: its first control update is for `default`.
    let ev = viewer.event("onControlUpdate").await;
    assert_eq!(ev["sceneID"], json!("default"));
    assert_eq!(ev["controls"][0]["text"], json!("new"));
}

// ----- capture -----

#[tokio::test]
async fn capture_unknown_transaction_is_4006() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    assert_eq!(g.err("capture", json!({ "transactionID": "nope" })).await, (4006, Some("transactionID".into())));
    assert_eq!(g.err("capture", json!({ "transactionID": 12 })).await.0, 4006);
    assert_eq!(g.err("capture", json!({})).await.0, 4004);
}

#[tokio::test]
async fn capture_deducts_sparks_once() {
    let m = mediator().await;
    let mut g = game_with_costed_button(&m, 10).await;
    let (mut p, _) = join(&m, &mut g, Some("demo-viewer-1")).await;
    let txn = press_for_transaction(&mut g, &mut p).await;
    assert_eq!(m.sparks_of(2), 1000, "nothing is charged before capture");
    assert_eq!(g.ok("capture", json!({ "transactionID": txn })).await, Value::Null);
    assert_eq!(m.sparks_of(2), 990);
    assert_eq!(g.err("capture", json!({ "transactionID": txn })).await.0, 4006);
    assert_eq!(m.sparks_of(2), 990);
    assert_eq!(m.sparks_of(3), 1000);
}

#[tokio::test]
async fn capture_without_enough_sparks_is_4007() {
    let m = mediator().await;
    let mut g = game_with_costed_button(&m, 1000).await;
    let (mut p, _) = join(&m, &mut g, Some("demo-viewer-2")).await;
    let first = press_for_transaction(&mut g, &mut p).await;
    let second = press_for_transaction(&mut g, &mut p).await;
    g.ok("capture", json!({ "transactionID": first })).await;
    assert_eq!(m.sparks_of(3), 0);
    assert_eq!(g.err("capture", json!({ "transactionID": second })).await.0, 4007);
    assert_eq!(m.sparks_of(3), 0);
}

#[tokio::test]
async fn capture_of_expired_transaction_is_4006() {
    let config = MediatorConfig { transaction_ttl: Duration::ZERO, ..Default::default() };
    let m = mediator_with(World::demo(), config).await;
    let mut g = game_with_costed_button(&m, 10).await;
    let (mut p, _) = join(&m, &mut g, Some("demo-viewer-3")).await;
    let txn = press_for_transaction(&mut g, &mut p).await;
    assert_eq!(g.err("capture", json!({ "transactionID": txn })).await.0, 4006);
    assert_eq!(m.sparks_of(4), 1000);
}

// ----- framing and errors -----

#[tokio::test]
async fn unknown_method_is_4003() {
    let m = mediator().await;
    let mut g = game(&m).await;
    assert_eq!(g.err("fly", json!({})).await.0, 4003);
    assert_eq!(
        g.err("giveInput", json!({ "controlID": "b" })).await.0,
        4003,
        "participant methods are not game methods"
    );
}

#[tokio::test]
async fn bad_params_are_4004() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    assert_eq!(g.err("getTime", json!([1, 2])).await.0, 4004);
    assert_eq!(g.err("createControls", json!({ "sceneID": "default" })).await, (4004, Some("controls".into())));
    assert_eq!(
        g.err("createControls", json!({ "sceneID": "default", "controls": [{ "kind": "button" }] })).await,
        (4004, Some("controls.0.controlID".into()))
    );
    assert_eq!(g.err("updateWorld", json!({ "world": 5 })).await, (4004, Some("world".into())));
    // The connection is still usable.
    g.ok("getTime", json!({})).await;
}

#[tokio::test]
async fn unparsable_frame_gets_reply_id_0_code_4000() {
    let m = mediator().await;
    let mut g = game(&m).await;
    g.send_text("{this is not json").await;
    let r = g.reply(0).await;
    assert_eq!(r.error.expect("an error").code, 4000);
    g.ok("getTime", json!({})).await;
}

#[tokio::test]
async fn unknown_packet_type_is_4002() {
    let m = mediator().await;
    let mut g = game(&m).await;
    g.send_text(r#"{"type":"bogus","id":77,"method":"getTime","params":{}}"#).await;
    let r = g.reply(77).await;
    assert_eq!(r.error.expect("an error").code, 4002);
    g.ok("getTime", json!({})).await;
}

#[tokio::test]
async fn method_without_name_is_4004() {
    let m = mediator().await;
    let mut g = game(&m).await;
    g.send_text(r#"{"type":"method","id":78,"params":{}}"#).await;
    assert_eq!(g.reply(78).await.error.expect("an error").code, 4004);
}

#[tokio::test]
async fn batched_frame_gets_a_reply_per_method() {
    let m = mediator().await;
    let mut g = game(&m).await;
    g.send_text(
        r#"[{"type":"method","id":500,"method":"getTime","params":{}},{"type":"method","id":501,"method":"ready","params":{"isReady":true}}]"#,
    )
    .await;
    let a = g.reply(500).await;
    assert!(a.error.is_none() && a.result["time"].is_i64());
    let b = g.reply(501).await;
    assert!(b.error.is_none());
    assert_eq!(g.event("onReady").await, json!({ "isReady": true }));
}

#[tokio::test]
async fn discarded_methods_get_no_success_reply_but_errors() {
    let m = mediator().await;
    let mut g = game(&m).await;
    g.event("hello").await;
    g.send_text(r#"{"type":"method","id":600,"method":"getTime","params":{},"discard":true}"#).await;
    g.send_text(r#"{"type":"method","id":601,"method":"nope","params":{},"discard":true}"#).await;
    // Replies arrive in order; the first reply seen is the error for 601.
    let Packet::Reply(r) = g.next_packet().await else { panic!("expected a reply") };
    assert_eq!(r.id, 601);
    assert_eq!(r.error.unwrap().code, 4003);
}

#[tokio::test]
async fn server_packets_carry_increasing_seq() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let first = g.last_seq();
    g.ok("getTime", json!({})).await;
    let second = g.last_seq();
    assert!(second > first, "{second} > {first}");
}

// ----- compression -----

async fn compression_round_trip(scheme: &str) {
    let m = mediator().await;
    let mut g = game(&m).await;
    g.event("hello").await;
    assert_eq!(g.set_compression(&[scheme, "none"]).await, scheme);
    g.ok("ready", json!({ "isReady": true })).await;
    g.event("onReady").await;
    for i in 0..20 {
        let r = g.ok("updateWorld", json!({ "world": { "i": i, "pad": "abc".repeat(50) } })).await;
        assert_eq!(r["i"], json!(i));
    }
    // Events arrive compressed too.
    let (_p, sid) = join(&m, &mut g, None).await;
    assert!(!sid.is_empty());
    // Plain text is still accepted.
    g.send_text(r#"{"type":"method","id":700,"method":"getTime","params":{}}"#).await;
    assert!(g.reply(700).await.error.is_none());
    // Re-choosing the scheme resets both streams.
    assert_eq!(g.set_compression(&[scheme]).await, scheme);
    g.ok("getTime", json!({})).await;
    // And back to none.
    assert_eq!(g.set_compression(&["none"]).await, "none");
    g.ok("getTime", json!({})).await;
}

#[tokio::test]
async fn gzip_round_trip() {
    compression_round_trip("gzip").await;
}

#[tokio::test]
async fn lz4_round_trip() {
    compression_round_trip("lz4").await;
}

#[tokio::test]
async fn set_compression_falls_back_to_none() {
    let m = mediator().await;
    let mut g = game(&m).await;
    assert_eq!(g.set_compression(&["text"]).await, "none");
    assert_eq!(g.set_compression(&["none"]).await, "none");
    assert_eq!(g.set_compression(&["brotli", "zstd"]).await, "none");
    assert_eq!(g.set_compression(&[]).await, "none");
    assert_eq!(g.set_compression(&["brotli", "LZ4"]).await, "lz4");
    g.ok("getTime", json!({})).await;
    assert_eq!(g.err("setCompression", json!({ "scheme": 5 })).await, (4004, Some("scheme".into())));
}

async fn corrupted_frame_closes_4001(scheme: &str) {
    let m = mediator().await;
    let mut g = game(&m).await;
    assert_eq!(g.set_compression(&[scheme]).await, scheme);
    g.ok("getTime", json!({})).await;
    g.send_binary(vec![40, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8]).await;
    assert_eq!(g.closed().await, 4001);
}

#[tokio::test]
async fn corrupted_gzip_frame_closes_4001() {
    corrupted_frame_closes_4001("gzip").await;
}

#[tokio::test]
async fn corrupted_lz4_frame_closes_4001() {
    corrupted_frame_closes_4001("lz4").await;
}

#[tokio::test]
async fn binary_frame_without_compression_closes_4001() {
    let m = mediator().await;
    let mut g = game(&m).await;
    g.send_binary(vec![2, b'{', b'}']).await;
    assert_eq!(g.closed().await, 4001);
}

// ----- session lifetime -----

#[tokio::test]
async fn channel_is_free_again_after_game_disconnects() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    g.close().await;
    // The participant's 4016 close comes after the session ended, so the channel is free now.
    assert_eq!(p.closed().await, 4016);
    let mut again = opens_with_hello(game_as(&m, "demo-streamer", "1").await).await;
    again.ok("getTime", json!({})).await;
}
