//! The capture round of `mediator_load`: signed-in viewers flood a button that costs one spark
//! while the game captures every transaction it is given. Each costed input writes its
//! transaction to the store before the game sees it, and each capture is an atomic write (balance
//! and ledger row together, committed before the game hears of it), so this measures the store
//! under the heaviest spark traffic the protocol allows. The viewers' balances never run out.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::SplitStream;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use super::{
    open, setup_game, timed, Res, Server, Ws, CONNECT_CONCURRENCY, CONNECT_LIMIT, GAME_SETUP_LIMIT, STALL_LIMIT,
};

/// How long the presses may take to send.
const PRESS_LIMIT: Duration = Duration::from_secs(90);

/// One capture round's figures.
#[derive(Default)]
pub struct CaptureRow {
    pub mediator: &'static str,
    viewers: usize,
    sent: u64,
    forwarded: u64,
    captured: u64,
    refused: u64,
    input_rate: f64,
    capture_rate: f64,
    server_cpu: f64,
    note: String,
}

/// What the game saw: costed inputs and capture replies, with first and last times.
#[derive(Default)]
struct Seen {
    inputs: AtomicU64,
    captured: AtomicU64,
    refused: AtomicU64,
    first_input_ns: AtomicU64,
    last_input_ns: AtomicU64,
    first_capture_ns: AtomicU64,
    last_capture_ns: AtomicU64,
    closed: AtomicU64,
}

fn stamp(first: &AtomicU64, last: &AtomicU64, base: Instant) {
    let now = base.elapsed().as_nanos() as u64 + 1;
    let _ = first.compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
    last.store(now, Ordering::Relaxed);
}

fn rate(n: u64, first: &AtomicU64, last: &AtomicU64) -> f64 {
    let secs = last.load(Ordering::Relaxed).saturating_sub(first.load(Ordering::Relaxed)) as f64 / 1e9;
    if secs > 0.0 {
        n as f64 / secs
    } else {
        0.0
    }
}

/// The world: the demo streamer with version 1 (a button `buy` costing 1), and `viewers` viewers
/// with keys `key-N` and plenty of sparks.
fn write_world(path: &Path, viewers: usize) -> Res<()> {
    let mut users = vec![json!({ "id": 1, "username": "streamer", "token": "demo-streamer" })];
    for v in 0..viewers {
        users.push(json!({ "id": v + 2, "username": format!("v{v}"), "token": format!("key-{v}"), "sparks": 1_000_000_000u64 }));
    }
    let world = json!({
        "users": users,
        "channels": [ { "id": 1, "owner": 1 } ],
        "projects": [ { "versionId": 1, "owner": 1, "scenes": [ { "sceneID": "default",
            "controls": [ { "controlID": "buy", "kind": "button", "cost": 1 } ] } ] } ],
    });
    std::fs::write(path, world.to_string()).map_err(|e| format!("writing the bench world: {e}"))
}

/// Reads the game socket: every costed input's transaction goes to `captures`; capture replies
/// are counted.
async fn game_reader(
    mut stream: SplitStream<Ws>,
    captures: mpsc::UnboundedSender<String>,
    seen: Arc<Seen>,
    base: Instant,
) {
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else { continue };
        let Ok(packet) = serde_json::from_str::<Value>(text.as_str()) else { continue };
        if packet["method"] == "giveInput" {
            if let Some(txn) = packet["params"]["transactionID"].as_str() {
                seen.inputs.fetch_add(1, Ordering::Release);
                stamp(&seen.first_input_ns, &seen.last_input_ns, base);
                let _ = captures.send(txn.to_owned());
            }
        } else if packet["type"] == "reply" && packet["id"].as_u64().is_some_and(|id| id >= 1000) {
            let counter = if packet["error"].is_null() { &seen.captured } else { &seen.refused };
            counter.fetch_add(1, Ordering::Release);
            stamp(&seen.first_capture_ns, &seen.last_capture_ns, base);
        }
    }
    seen.closed.store(1, Ordering::Release);
}

/// One viewer: `presses` costed presses, not waiting for replies (`discard`), reading what comes.
async fn press(ws: Ws, presses: u64) -> u64 {
    let (mut sink, mut stream) = ws.split();
    tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
    let frame = json!({ "type": "method", "id": 1, "method": "giveInput", "discard": true,
        "params": { "controlID": "buy", "event": "mousedown", "button": 0 } })
    .to_string();
    let mut sent = 0;
    for _ in 0..presses {
        if sink.feed(Message::text(frame.clone())).await.is_err() {
            break;
        }
        sent += 1;
        if sent % 64 == 0 && sink.flush().await.is_err() {
            break;
        }
    }
    let _ = sink.flush().await;
    sent
}

pub async fn round(bin: &PathBuf, viewers: usize, presses: u64, deadline: Instant) -> Res<CaptureRow> {
    let world = std::env::temp_dir().join(format!("mixplay-bench-world-{}.json", std::process::id()));
    write_world(&world, viewers)?;
    let server = Server::start(bin, &["--world", world.to_str().ok_or("a temp path that is UTF-8")?]);
    let _ = std::fs::remove_file(&world);
    let server = server?;
    let (addr, pid) = (server.addr.clone(), server.pid());
    let mut row = CaptureRow { viewers, ..CaptureRow::default() };

    let game = timed("game client setup", GAME_SETUP_LIMIT, deadline, setup_game(&addr)).await??;
    let (mut game_sink, game_stream) = game.split();
    let base = Instant::now();
    let seen = Arc::new(Seen::default());
    let (captures_tx, mut captures_rx) = mpsc::unbounded_channel::<String>();
    let reader = tokio::spawn(game_reader(game_stream, captures_tx, seen.clone(), base));
    // The game captures each transaction as it arrives, writing a burst per flush.
    let writer = tokio::spawn(async move {
        let mut id = 1000u64;
        while let Some(txn) = captures_rx.recv().await {
            let mut next = Some(txn);
            while let Some(txn) = next.take() {
                let capture = json!({ "type": "method", "id": id, "method": "capture",
                    "params": { "transactionID": txn }, "discard": false });
                id += 1;
                if game_sink.feed(Message::text(capture.to_string())).await.is_err() {
                    return;
                }
                next = captures_rx.try_recv().ok();
            }
            if game_sink.flush().await.is_err() {
                return;
            }
        }
    });

    let connects = futures_util::stream::iter(0..viewers)
        .map(|v| {
            let url = format!("ws://{addr}/participant?channel=1&x-protocol-version=2.0&key=key-{v}");
            async move { open(url.into_client_request().map_err(|e| e.to_string())?).await }
        })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect::<Vec<Res<Ws>>>();
    let sockets =
        timed("connecting viewers", CONNECT_LIMIT, deadline, connects).await?.into_iter().collect::<Res<Vec<Ws>>>()?;

    let cpu = super::cpu_time(&pid.to_string());
    let t0 = Instant::now();
    let per = presses / viewers as u64;
    let senders: Vec<_> = sockets.into_iter().map(|ws| tokio::spawn(press(ws, per))).collect();
    let sent = timed("sending presses", PRESS_LIMIT, deadline, futures_util::future::join_all(senders)).await?;
    row.sent = sent.into_iter().map(|r| r.unwrap_or(0)).sum();
    // Wait until every forwarded input has its capture answered, or nothing moves any more.
    let mut last = (0, Instant::now());
    let stalled = loop {
        let (inputs, answered) = (
            seen.inputs.load(Ordering::Acquire),
            seen.captured.load(Ordering::Acquire) + seen.refused.load(Ordering::Acquire),
        );
        if (inputs >= row.sent && answered >= inputs) || seen.closed.load(Ordering::Acquire) == 1 {
            break false;
        }
        if answered != last.0 {
            last = (answered, Instant::now());
        } else if last.1.elapsed() >= STALL_LIMIT || Instant::now() >= deadline {
            break true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    row.server_cpu = super::cpu_time(&pid.to_string()).saturating_sub(cpu).as_secs_f64() / t0.elapsed().as_secs_f64();
    row.forwarded = seen.inputs.load(Ordering::Acquire);
    row.captured = seen.captured.load(Ordering::Acquire);
    row.refused = seen.refused.load(Ordering::Acquire);
    row.input_rate = rate(row.forwarded, &seen.first_input_ns, &seen.last_input_ns);
    row.capture_rate = rate(row.captured, &seen.first_capture_ns, &seen.last_capture_ns);
    if stalled {
        row.note = format!("stalled for {} s", STALL_LIMIT.as_secs());
    }
    drop(server);
    reader.abort();
    writer.abort();
    Ok(row)
}

pub fn print_table(rows: &[CaptureRow], forwarding: &[super::Row]) {
    if rows.is_empty() {
        return;
    }
    println!();
    println!(
        "{:>8} | {:>7} | {:>8} | {:>9} | {:>15} | {:>9} | {:>10} | {:>7} | {:>10} | {:>16}",
        "mediator",
        "viewers",
        "presses",
        "forwarded",
        "costed inputs/s",
        "captured",
        "captures/s",
        "refused",
        "server CPU",
        "forwarding/s (N)"
    );
    println!("{}", "-".repeat(128));
    for r in rows {
        // The same mediator's best forwarding rate from the rounds above, side by side.
        let best = forwarding.iter().filter(|f| f.mediator == r.mediator).max_by(|a, b| a.rate.total_cmp(&b.rate));
        let forwarding = best.map(|f| format!("{:.0} ({})", f.rate, f.n)).unwrap_or_else(|| "—".into());
        println!(
            "{:>8} | {:>7} | {:>8} | {:>9} | {:>15.0} | {:>9} | {:>10.0} | {:>7} | {:>9.0}% | {:>16}{}",
            r.mediator,
            r.viewers,
            r.sent,
            r.forwarded,
            r.input_rate,
            r.captured,
            r.capture_rate,
            r.refused,
            r.server_cpu * 100.0,
            forwarding,
            if r.note.is_empty() { String::new() } else { format!("  {}", r.note) }
        );
    }
    println!();
    println!("costed inputs/s: giveInput packets with a transaction the game received, first to last (each");
    println!("one's transaction is written to the store first); captures/s: successful capture replies, first");
    println!("to last (each balance change and ledger row committed together); forwarding/s: the same mediator's");
    println!("best plain-input rate above. \"before\" keeps sparks in memory only.");
}
