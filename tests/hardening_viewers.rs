#![cfg(feature = "server")]
//! Slow viewers, over real sockets against the `mixplay-server` binary: 2,000 viewers that stop
//! reading while the game updates a control with 16 kB of text until all of them have fallen behind. Each socket's queue is bounded in bytes
//! and a broadcast's text is shared, so the mediator's memory stays within a stated bound; the
//! silent viewers are closed (1008, "too far behind"); the game is never held up, and a viewer
//! that reads gets every update, in order.
mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpSocket;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use common::{connect, first_session_id, Conn, WAIT};
use mixplay::protocol::Packet;

const SILENT: usize = 2000;
/// The most updates the game sends; it stops a few updates after the last silent viewer left.
const MAX_UPDATES: usize = 400;
/// Updates sent after the last silent viewer left.
const AFTER_LAST: usize = 5;
/// Bytes of text per update: a silent viewer falls its queue behind within a dozen updates.
const TEXT: usize = 16_000;
/// The participant queue for this test (the default is 256 KiB).
const QUEUE_BYTES: usize = 64 * 1024;
/// How many updates the game may be ahead of the reading viewer: with the one being sent, three
/// updates (48 kB) fit its 64 KiB queue even when its writer has not yet sent any of them (a busy
/// machine; at eight ahead, 128 kB, the reader itself was now and then closed as too far behind).
const AHEAD: usize = 2;

/// The server process, killed if the test ends early.
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

fn start() -> Server {
    let queue = QUEUE_BYTES.to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mixplay-server"))
        .args(["--listen", "127.0.0.1:0", "--memory", "--participant-queue-bytes", &queue])
        .args(["--idle-timeout", "600"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("mixplay-server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("its first line");
    let addr = line.trim().strip_prefix("listening on http://").expect("the address").to_owned();
    Server { child, addr }
}

/// A `/proc/PID/status` figure in bytes (`VmRSS`, `VmHWM`).
fn memory(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb = status.lines().find_map(|l| l.strip_prefix(field)?.strip_prefix(':')).expect(field);
    kb.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap() * 1024
}

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// A viewer that reads its welcome (for its session id), then never reads again: its socket takes
/// 4 KiB at a time, so the mediator's side fills quickly.
async fn silent_viewer(addr: &str) -> (String, Ws) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(addr.parse().unwrap()).await.unwrap();
    let url = format!("ws://{addr}/participant?channel=1&x-protocol-version=2.0");
    let (mut ws, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream)).await.expect("joins");
    let mut session = None;
    loop {
        let Some(Ok(Message::Text(t))) = tokio::time::timeout(WAIT, ws.next()).await.expect("its welcome") else {
            continue;
        };
        let packet: Value = serde_json::from_str(t.as_str()).unwrap();
        match packet["method"].as_str() {
            Some("onParticipantJoin") => {
                session = packet["params"]["participants"][0]["sessionID"].as_str().map(str::to_owned)
            }
            Some("onReady") => return (session.expect("its own join first"), ws),
            _ => {}
        }
    }
}

/// Reads a silent viewer's backlog to the end: the close frame's code and reason.
async fn close_of(mut ws: Ws) -> (u16, String) {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.expect("the end in time") {
            Some(Ok(Message::Close(Some(f)))) => return (u16::from(f.code), f.reason.to_string()),
            Some(Ok(_)) => continue,
            _ => return (1006, String::new()),
        }
    }
}

/// The `i` of every `onControlUpdate` of `status` (`i:…`) a reading viewer gets, until `end`; how
/// many it has so far goes to `progress`.
async fn read_updates(mut viewer: Conn, progress: watch::Sender<usize>) -> Vec<usize> {
    let mut seen = Vec::new();
    loop {
        let update = viewer.event("onControlUpdate").await;
        let text = update["controls"][0]["text"].as_str().unwrap_or_default().to_owned();
        if text == "end" {
            return seen;
        }
        seen.push(text.split(':').next().unwrap().parse().unwrap());
        progress.send_replace(seen.len());
    }
}

/// The session ids of the participants the game has seen leave (taken from its backlog).
fn take_leaves(g: &mut Conn) -> Vec<String> {
    let mut left = Vec::new();
    g.backlog.retain(|p| match p {
        Packet::Method(m) if m.method == "onParticipantLeave" => {
            left.push(first_session_id(&m.params));
            false
        }
        _ => true,
    });
    left
}

fn update(text: String) -> Value {
    json!({ "sceneID": "default", "controls": [{ "controlID": "status", "text": text }] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_viewers_are_closed_within_a_memory_bound_and_hold_up_nobody() {
    mixplay::server::raise_open_files_limit().expect("this test needs a few thousand sockets");
    let server = start();
    let pid = server.child.id();
    let mb = |b: u64| b as f64 / 1e6;
    let addr = server.addr.clone();

    let headers =
        [("Authorization", "Bearer demo-streamer"), ("X-Interactive-Version", "1"), ("X-Protocol-Version", "2.0")];
    let mut g = connect(&format!("ws://{addr}/gameClient"), &headers).await.open();
    g.event("hello").await;
    g.ok("setBandwidthThrottle", json!({ "*": null })).await;
    let label = json!({ "controlID": "status", "kind": "label", "text": "" });
    g.ok("createControls", json!({ "sceneID": "default", "controls": [label] })).await;
    g.ok("ready", json!({ "isReady": true })).await;
    let before = memory(pid, "VmRSS");

    let mut silent: HashMap<String, Ws> =
        stream::iter(0..SILENT).map(|_| silent_viewer(&addr)).buffer_unordered(64).collect().await;
    let url = format!("ws://{addr}/participant?channel=1&x-protocol-version=2.0");
    let (progress, mut read) = watch::channel(0);
    let reading = tokio::spawn(read_updates(connect(&url, &[]).await.open(), progress));
    for _ in 0..=SILENT {
        g.event("onParticipantJoin").await;
    }
    let joined = memory(pid, "VmRSS");

    // The game updates the label, at the pace of a viewer that reads (at most `AHEAD` updates ahead
    // of it), until every silent viewer has fallen too far behind; they never hold it up: every
    // reply comes back. As each silent viewer is closed, the game sees it leave; reading its
    // socket from then on ends in the close frame.
    let started = Instant::now();
    let mut closing = tokio::task::JoinSet::new();
    let mut first_leave = None;
    let mut last_leave = None;
    let mut sent = 0;
    while sent < MAX_UPDATES && !last_leave.is_some_and(|last| closing.len() == SILENT && sent > last + AFTER_LAST) {
        let behind = sent.saturating_sub(AHEAD);
        tokio::time::timeout(WAIT, read.wait_for(|n| *n >= behind)).await.expect("the reader keeps up").unwrap();
        let text = format!("{sent}:{}", "x".repeat(TEXT));
        assert!(g.call("updateControls", update(text)).await.error.is_none());
        for sid in take_leaves(&mut g) {
            first_leave.get_or_insert(sent);
            last_leave = Some(sent);
            closing.spawn(close_of(silent.remove(&sid).expect("a silent viewer left")));
        }
        sent += 1;
    }
    assert!(g.call("updateControls", update("end".into())).await.error.is_none());
    let game_done = started.elapsed();
    assert_eq!(closing.len(), SILENT, "every silent viewer fell behind within {MAX_UPDATES} updates");
    let seen = reading.await.unwrap();
    assert_eq!(seen, (0..sent).collect::<Vec<_>>(), "the reading viewer gets every update, in order");
    let closes = closing.join_all().await;
    let peak = memory(pid, "VmHWM");
    let after = memory(pid, "VmRSS");
    let clear = closes.iter().filter(|(code, reason)| *code == 1008 && reason.contains("too far behind")).count();
    eprintln!(
        "{SILENT} silent viewers: RSS {:.1} MB with the game alone, {:.1} MB with everyone joined, peak {:.1} MB, \
         {:.1} MB after they were closed; the game's {sent} updates took {game_done:?}; the first left at update \
         {first_leave:?}; {clear} closed with 1008",
        mb(before),
        mb(joined),
        mb(peak),
        mb(after)
    );
    assert_eq!(clear, SILENT, "every silent viewer is closed with 1008: {:?}", closes.iter().find(|c| c.0 != 1008));
    // Each silent viewer may cost at most its queue (64 KiB) beyond what joining cost; the text
    // itself is shared, so they cost far less. Before, every viewer held up to 1,024 copies.
    let bound = (SILENT * QUEUE_BYTES) as u64;
    assert!(
        peak - joined < bound,
        "peak {:.1} MB over {:.1} MB joined; bound {:.1} MB",
        mb(peak),
        mb(joined),
        mb(bound)
    );
}
