#![cfg(feature = "server")]
//! `kill -9` in the middle of a flood of captures and of the soak bench's kind of traffic: the test
//! starts the `mixplay-server` binary on a data folder, floods it with costed presses from several
//! viewers while the game (the SDK's session) captures each one, while other viewers press a free
//! button, move a joystick and chat, and the game keeps updating a label; it kills the process by
//! its id (SIGKILL) once hundreds of captures have been confirmed and the chat is busy, and starts
//! it again on the same folder and address. Every capture the game was told succeeded is in the
//! ledger, every balance equals its ledger, the chat history reopens (holding only what viewers
//! said), and the game (the SDK reconnects by itself) and viewers carry on.
mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mixplay::client::{Config, ConnectionState, Endpoints, Event, Session};
use mixplay::server::store::LedgerKind;
use mixplay::server::{Location, Store};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use common::client::{reply_for, wait_state};
use common::durable::TempDir;
use common::oauth::get;

const VIEWERS: u32 = 4;
/// Viewers pressing the free button, moving the joystick and chatting (users 100 and up).
const CHATTERS: u32 = 6;
/// Chat messages acknowledged, and free inputs the game received, before the kill.
const CHAT_BEFORE_KILL: u64 = 30;
const FREE_INPUTS_BEFORE_KILL: u64 = 200;
const START_SPARKS: u64 = 1_000_000;
/// Confirmed captures before the kill.
const CAPTURES_BEFORE_KILL: usize = 300;
/// Presses each viewer sends (more than the kill ever lets through).
const PRESSES: u32 = 20_000;

/// The server process; killed (SIGKILL, by its pid) if the test ends early.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data: &Path, world: &Path, listen: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mixplay-server"))
        .args(["--listen", listen, "--data"])
        .arg(data)
        .arg("--world")
        .arg(world)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("mixplay-server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("its first line");
    let addr =
        line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("first line {line:?}")).to_owned();
    Server { child, addr }
}

/// Viewers 2..=5 with a million sparks, chatters 100.. without, and version 1 whose default scene
/// has a button costing 1, a free button, a joystick and a label.
fn write_world(path: &Path) {
    let mut users = vec![json!({ "id": 1, "username": "streamer", "token": "demo-streamer" })];
    for v in 0..VIEWERS {
        users.push(json!({ "id": v + 2, "username": format!("viewer{v}"), "token": format!("key-{v}"), "sparks": START_SPARKS }));
    }
    for c in 0..CHATTERS {
        users.push(json!({ "id": c + 100, "username": format!("chatter{c}"), "token": format!("chat-key-{c}") }));
    }
    let controls = json!([
        { "controlID": "buy", "kind": "button", "cost": 1 },
        { "controlID": "wave", "kind": "button" },
        { "controlID": "stick", "kind": "joystick" },
        { "controlID": "score", "kind": "label", "text": "0" }
    ]);
    let world = json!({
        "users": users,
        "channels": [ { "id": 1, "owner": 1 } ],
        "projects": [ { "versionId": 1, "owner": 1, "scenes": [ { "sceneID": "default", "controls": controls } ] } ]
    });
    std::fs::write(path, world.to_string()).unwrap();
}

/// Floods `presses` costed presses (not waiting for replies) as the viewer with `key`, reading
/// whatever comes back, until the socket goes away.
async fn flood(addr: String, key: String, presses: u32) {
    let url = format!("ws://{addr}/participant?channel=1&x-protocol-version=2.0&key={key}");
    let Ok((ws, _)) = tokio_tungstenite::connect_async(url).await else { return };
    let (mut sink, mut stream) = ws.split();
    let reader = tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
    for i in 0..presses {
        let press = json!({ "type": "method", "id": i, "method": "giveInput", "discard": true,
            "params": { "controlID": "buy", "event": "mousedown", "button": 0 } });
        if sink.send(Message::text(press.to_string())).await.is_err() {
            break;
        }
    }
    let _ = reader.await;
}

/// The soak bench's kind of traffic from one viewer, until the mediator goes away: a free press,
/// a release and a joystick move every 10 ms on the participant socket, and a chat message every
/// 100 ms (the chat's own rate allows ten in ten seconds; the rest are refused in words), counting
/// the messages the chat acknowledged. `authkey` comes from `GET /api/v1/chats/1`.
async fn chatter(addr: String, c: u32, authkey: String, acknowledged: Arc<AtomicU64>) {
    let url = format!("ws://{addr}/participant?channel=1&x-protocol-version=2.0&key=chat-key-{c}");
    let Ok((participant, _)) = tokio_tungstenite::connect_async(url).await else { return };
    let Ok((chat, _)) = tokio_tungstenite::connect_async(format!("ws://{addr}/chat")).await else { return };
    let (mut inputs, mut updates) = participant.split();
    let (mut says, mut replies) = chat.split();
    let auth = json!({ "type": "method", "method": "auth", "arguments": [1, c + 100, authkey], "id": 0 });
    if says.send(Message::text(auth.to_string())).await.is_err() {
        return;
    }
    let reader = tokio::spawn(async move { while let Some(Ok(_)) = updates.next().await {} });
    let chat_reader = tokio::spawn(async move {
        while let Some(Ok(Message::Text(t))) = replies.next().await {
            let packet: serde_json::Value = serde_json::from_str(t.as_str()).unwrap_or_default();
            // Replies to messages (ids from 1) that went through; auth is 0.
            if packet["type"] == "reply" && packet["error"].is_null() && packet["id"].as_u64() > Some(0) {
                acknowledged.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    for i in 1u64.. {
        let x = (i % 200) as f64 / 100.0 - 1.0;
        let frames = [
            json!({ "controlID": "wave", "event": "mousedown", "button": 0 }),
            json!({ "controlID": "wave", "event": "mouseup", "button": 0 }),
            json!({ "controlID": "stick", "event": "move", "x": x, "y": -x }),
        ];
        for (j, params) in frames.into_iter().enumerate() {
            let input = json!({ "type": "method", "id": i * 3 + j as u64, "method": "giveInput", "discard": true, "params": params });
            if inputs.send(Message::text(input.to_string())).await.is_err() {
                break;
            }
        }
        if i % 10 == 0 {
            let msg =
                json!({ "type": "method", "method": "msg", "arguments": [format!("chatter{c} says {i}")], "id": i });
            if says.send(Message::text(msg.to_string())).await.is_err() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    reader.abort();
    chat_reader.abort();
}

/// Polls the game until `done` says so, capturing every costed input and recording the
/// transactions whose capture was confirmed, counting the free inputs (and updating the score
/// label every 50 of them); fails after `limit`.
fn play(
    session: &mut Session,
    confirmed: &mut Vec<String>,
    free_inputs: &mut u64,
    limit: Duration,
    mut done: impl FnMut(&Event, usize, u64) -> bool,
) {
    let mut pending = std::collections::HashMap::new();
    let deadline = Instant::now() + limit;
    loop {
        assert!(Instant::now() < deadline, "the game did not get there in time ({} confirmed)", confirmed.len());
        let Some(event) = session.wait(Duration::from_millis(100)) else { continue };
        match &event {
            Event::Input(input) => {
                if let Some(txn) = &input.transaction {
                    if let Ok(id) = session.capture(txn) {
                        pending.insert(id, txn.clone());
                    }
                } else {
                    *free_inputs += 1;
                    if *free_inputs % 50 == 0 {
                        let score = json!([{ "controlID": "score", "text": free_inputs.to_string() }]);
                        let _ = session.update_controls("default", score, 0);
                    }
                }
            }
            Event::Reply(reply) => {
                if let Some(txn) = pending.remove(&reply.request_id) {
                    if reply.result.is_ok() {
                        confirmed.push(txn);
                    }
                }
            }
            _ => {}
        }
        if done(&event, confirmed.len(), *free_inputs) {
            return;
        }
    }
}

#[test]
fn kill_9_during_a_capture_flood_loses_no_confirmed_capture() {
    let dir = TempDir::new("kill9");
    let (data, world) = (dir.path().join("data"), dir.path().join("world.json"));
    write_world(&world);
    let server = start(&data, &world, "127.0.0.1:0");
    let addr = server.addr.clone();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    let hosts = format!("http://{addr}/api/v1/interactive/hosts");
    let mut config = Config::new(Endpoints::Discover(hosts), "demo-streamer", 1);
    config.reconnect.initial_delay = Duration::from_millis(100);
    config.reconnect.max_delay = Duration::from_millis(500);
    let mut game = Session::connect(config).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).expect("ready");
    let authkeys: Vec<String> = (0..CHATTERS)
        .map(|c| {
            let details = get(&format!("http://{addr}/api/v1/chats/1"), Some(&format!("chat-key-{c}")));
            details.body["authkey"].as_str().unwrap_or_else(|| panic!("an authkey: {}", details.text)).to_owned()
        })
        .collect();
    let acknowledged = Arc::new(AtomicU64::new(0));
    let mut floods: Vec<_> = (0..VIEWERS).map(|v| rt.spawn(flood(addr.clone(), format!("key-{v}"), PRESSES))).collect();
    floods.extend(
        authkeys
            .into_iter()
            .enumerate()
            .map(|(c, key)| rt.spawn(chatter(addr.clone(), c as u32, key, acknowledged.clone()))),
    );

    let mut confirmed = Vec::new();
    let mut free_inputs = 0;
    play(&mut game, &mut confirmed, &mut free_inputs, Duration::from_secs(60), |_, n, free| {
        n >= CAPTURES_BEFORE_KILL
            && free >= FREE_INPUTS_BEFORE_KILL
            && acknowledged.load(Ordering::Relaxed) >= CHAT_BEFORE_KILL
    });
    // SIGKILL by the process id, in the middle of the flood, with captures in flight.
    let mut server = server;
    server.child.kill().expect("kill -9");
    server.child.wait().unwrap();
    // Replies that arrived before the kill still count; then the game notices the loss.
    play(&mut game, &mut confirmed, &mut free_inputs, Duration::from_secs(10), |e, _, _| {
        matches!(e, Event::Connection { state: ConnectionState::Reconnecting, .. })
    });
    for f in floods {
        let _ = rt.block_on(f);
    }
    eprintln!(
        "{} captures confirmed, {free_inputs} free inputs and {} chat messages acknowledged before the kill",
        confirmed.len(),
        acknowledged.load(Ordering::Relaxed)
    );

    // Again, on the same folder and address.
    let server = start(&data, &world, &addr);
    let store = rt.block_on(Store::open(Location::Folder(data.clone()))).unwrap();
    let mut captured = HashSet::new();
    let mut spent = 0;
    for v in 0..VIEWERS {
        for row in rt.block_on(store.ledger(v + 2, None, u32::MAX)).unwrap() {
            if row.kind == LedgerKind::Capture {
                spent -= row.delta;
                captured.insert(row.transaction.expect("a capture names its transaction"));
            }
        }
    }
    let lost: Vec<&String> = confirmed.iter().filter(|t| !captured.contains(*t)).collect();
    assert!(lost.is_empty(), "{} confirmed captures are missing from the ledger: {lost:?}", lost.len());
    assert!(captured.len() >= confirmed.len());
    eprintln!("{} captures in the ledger after the restart", captured.len());
    assert_eq!(spent as usize, captured.len(), "each capture cost 1");
    let mismatches = rt.block_on(store.ledger_mismatches()).unwrap();
    assert!(mismatches.is_empty(), "balances that are not their ledger: {mismatches:?}");
    // The chat history reopens, and holds what the chatters said (writes in flight may be lost:
    // a message is acknowledged before its row is written).
    let history = rt.block_on(store.chat_history(1, 100)).unwrap();
    assert!(!history.is_empty(), "the chat history survives the kill");
    for m in &history {
        let user = m["user_id"].as_u64().unwrap_or(0);
        assert!((100..100 + u64::from(CHATTERS)).contains(&user), "a message from a chatter: {m}");
    }

    // The game reconnects (and re-synchronises) by itself; a viewer comes back and plays.
    wait_state(&mut game, ConnectionState::Connected);
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).expect("ready again");
    let before = confirmed.len();
    let viewer = rt.spawn(flood(server.addr.clone(), "key-0".into(), 1));
    play(&mut game, &mut confirmed, &mut free_inputs, Duration::from_secs(20), |_, n, _| n > before);
    viewer.abort();
    drop(server);
}
