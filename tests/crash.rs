#![cfg(feature = "server")]
//! `kill -9` in the middle of a flood of captures: the test starts the `mixplay-server` binary on
//! a data folder, floods it with costed presses from several viewers while the game (the SDK's
//! session) captures each one, kills the process by its id (SIGKILL) once hundreds of captures
//! have been confirmed, and starts it again on the same folder and address. Every capture the game
//! was told succeeded is in the ledger, every balance equals its ledger, and the game (the SDK
//! reconnects by itself) and viewers carry on.
mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mixplay::client::{Config, ConnectionState, Endpoints, Event, Session};
use mixplay::server::store::LedgerKind;
use mixplay::server::{Location, Store};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use common::client::{reply_for, wait_state};
use common::durable::TempDir;

const VIEWERS: u32 = 4;
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

/// Viewers 2..=5 with a million sparks, and version 1 whose default scene has a button costing 1.
fn write_world(path: &Path) {
    let mut users = vec![json!({ "id": 1, "username": "streamer", "token": "demo-streamer" })];
    for v in 0..VIEWERS {
        users.push(json!({ "id": v + 2, "username": format!("viewer{v}"), "token": format!("key-{v}"), "sparks": START_SPARKS }));
    }
    let world = json!({
        "users": users,
        "channels": [ { "id": 1, "owner": 1 } ],
        "projects": [ {
            "versionId": 1, "owner": 1,
            "scenes": [ { "sceneID": "default", "controls": [ { "controlID": "buy", "kind": "button", "cost": 1 } ] } ]
        } ]
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

/// Polls the game until `done` says so, capturing every costed input and recording the
/// transactions whose capture was confirmed; fails after `limit`.
fn play(
    session: &mut Session,
    confirmed: &mut Vec<String>,
    limit: Duration,
    mut done: impl FnMut(&Event, usize) -> bool,
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
        if done(&event, confirmed.len()) {
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
    let floods: Vec<_> = (0..VIEWERS).map(|v| rt.spawn(flood(addr.clone(), format!("key-{v}"), PRESSES))).collect();

    let mut confirmed = Vec::new();
    play(&mut game, &mut confirmed, Duration::from_secs(60), |_, n| n >= CAPTURES_BEFORE_KILL);
    // SIGKILL by the process id, in the middle of the flood, with captures in flight.
    let mut server = server;
    server.child.kill().expect("kill -9");
    server.child.wait().unwrap();
    // Replies that arrived before the kill still count; then the game notices the loss.
    play(&mut game, &mut confirmed, Duration::from_secs(10), |e, _| {
        matches!(e, Event::Connection { state: ConnectionState::Reconnecting, .. })
    });
    for f in floods {
        let _ = rt.block_on(f);
    }
    eprintln!("{} captures confirmed before the kill", confirmed.len());

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

    // The game reconnects (and re-synchronises) by itself; a viewer comes back and plays.
    wait_state(&mut game, ConnectionState::Connected);
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).expect("ready again");
    let before = confirmed.len();
    let viewer = rt.spawn(flood(server.addr.clone(), "key-0".into(), 1));
    play(&mut game, &mut confirmed, Duration::from_secs(20), |_, n| n > before);
    viewer.abort();
    drop(server);
}
