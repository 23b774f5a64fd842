//! End-to-end input events per second from a flood server to the game's poll loop, beside the
//! official `@mixer/interactive-node` GameClient and the raw tokio-tungstenite + serde ceiling,
//! all against the same server and the same frames in one run.
//!
//! Run with `cargo bench --bench client_flood` (add `--all-features` freely).
//!
//! The flood server (`benches/support/flood.rs`) runs in this process on its own thread and
//! current-thread runtime on 127.0.0.1:0. Once a client calls `ready`, it sends the pool's
//! onParticipantJoin (1000 participants) and then N giveInput packets of
//! `benches/node/flood-server.js` (generated with the same PRNG, byte-identical; checked when
//! node is installed), pre-built and pre-encoded, fed without flushing and flushed once.
//!
//! Columns (alternated in rotating order each round; medians of the rounds):
//! - `sdk text`: a `Session` (default settings, no compression offered), the game thread calling
//!   `poll()` until it returns `None`, then `wait()` for the next event; counts `Event::Input`
//! - `sdk lz4`: the same, offering lz4; the server answers with one pre-encoded lz4 stream
//! - `sdk batch`: text frames holding `MIXPLAY_BENCH_BATCH` packets as a JSON array
//! - `node text`: `node benches/node/node-client.js` (interactive-node 3.0.1 GameClient,
//!   control `mousedown` listeners) against the same server and frames. It cannot read batched
//!   or compressed frames, so it has no other column. Skipped with a message when node or
//!   tests/node/node_modules is missing.
//! - `ceiling …`: no SDK: a tokio-tungstenite client on a current-thread runtime, each frame
//!   (lz4-decoded with `mixplay::protocol::Decoder` for lz4) parsed by serde_json into a typed
//!   struct with borrowed strings; counts giveInput packets
//!
//! Rates are first input to last input (node-client.js's `firstToLastPerSec`), so connection
//! set-up and the join packet are outside them. Inputs the SDK drops because its event queue is
//! full are counted and reported (none are expected).
//!
//! After each `sdk text` run, the connected, idle session's `poll()` is timed over 1M calls and
//! its allocations counted (the idle-poll goal: no allocation, ≤ 50 ns).
//!
//! Settings: `MIXPLAY_BENCH_N` inputs per run (default 200000), `MIXPLAY_BENCH_ROUNDS`
//! (default 5), `MIXPLAY_BENCH_BATCH` (default 50), `MIXPLAY_BENCH_COLUMNS` (comma-separated
//! substrings of the column names to run, e.g. `sdk text,node`; default all). Every run has a time limit; the whole bench
//! stops starting rounds after ≈100 s.

#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mixplay::client::{Config, ConnectionState, Endpoints, ErrorKind, Event, Session};
use mixplay::protocol::{Decoder, Scheme};
use serde_json::json;
use support::flood::{Flood, FloodServer};
use support::node::Node;
use support::packets;
use support::typed::TypedPacket;
use tokio_tungstenite::tungstenite::Message;

#[global_allocator]
static ALLOC: support::alloc::ThreadCounting = support::alloc::ThreadCounting;

const RUN_LIMIT: Duration = Duration::from_secs(30);
const IDLE_POLLS: u32 = 1_000_000;

#[derive(Default)]
struct Run {
    rate: f64,
    dropped: u64,
    /// Idle poll: ns per call and allocations per call.
    idle: Option<(f64, f64)>,
}

/// A game loop: poll until `None`, then wait for the next event; counts inputs until `n`.
fn run_sdk(url: String, n: usize, scheme: Scheme, measure_idle: bool) -> Result<Run, String> {
    let mut config = Config::new(Endpoints::Fixed(vec![url]), "bench-token", 12345);
    config.compression = if scheme == Scheme::None { Vec::new() } else { vec![scheme] };
    config.reconnect.enabled = false;
    let deadline = Instant::now() + RUN_LIMIT;
    let mut session = Session::connect(config).map_err(|e| e.to_string())?;
    loop {
        match session.wait(Duration::from_millis(50)) {
            Some(Event::Connection { state: ConnectionState::Connected, .. }) => break,
            Some(Event::Connection { state: ConnectionState::Disconnected, message, .. }) => {
                return Err(format!("the session stopped: {message}"))
            }
            _ if Instant::now() > deadline => return Err("no connection in time".into()),
            _ => {}
        }
    }
    session.ready(true).map_err(|e| e.to_string())?;
    let (mut inputs, mut dropped, mut touched) = (0u64, 0u64, 0u64);
    let mut first = None;
    while inputs + dropped < n as u64 {
        let event = match session.poll() {
            Some(e) => e,
            None => match session.wait(Duration::from_millis(20)) {
                Some(e) => e,
                None if Instant::now() > deadline => {
                    return Err(format!("only {inputs} of {n} inputs arrived within {RUN_LIMIT:?}"))
                }
                None => continue,
            },
        };
        match event {
            Event::Input(i) => {
                if first.is_none() {
                    first = Some(Instant::now());
                }
                inputs += 1;
                touched += u64::from(i.transaction.is_some());
            }
            Event::Error { kind: ErrorKind::QueueOverflow, message, .. } => {
                dropped += message.split_whitespace().next().and_then(|d| d.parse::<u64>().ok()).unwrap_or(1);
            }
            Event::Connection { state, message, .. } if state != ConnectionState::Connected => {
                return Err(format!("the connection was lost: {message}"))
            }
            _ => {}
        }
    }
    let seconds = first.map_or(f64::NAN, |f| f.elapsed().as_secs_f64());
    black_box(touched);
    let mut run = Run { rate: (inputs.saturating_sub(1)) as f64 / seconds, dropped, idle: None };
    if measure_idle {
        // Let anything still in flight arrive, then time the idle session.
        while session.wait(Duration::from_millis(20)).is_some() {}
        for _ in 0..1000 {
            black_box(session.poll());
        }
        let a0 = support::alloc::thread_allocations();
        let t = Instant::now();
        for _ in 0..IDLE_POLLS {
            black_box(session.poll());
        }
        let ns = t.elapsed().as_secs_f64() * 1e9 / f64::from(IDLE_POLLS);
        let allocs = (support::alloc::thread_allocations() - a0) as f64 / f64::from(IDLE_POLLS);
        run.idle = Some((ns, allocs));
    }
    Ok(run)
}

fn count_typed(text: &str, touched: &mut u64) -> u64 {
    if text.starts_with('[') {
        match serde_json::from_str::<Vec<TypedPacket<'_>>>(text) {
            Ok(list) => list
                .iter()
                .filter(|p| p.method == "giveInput")
                .inspect(|p| *touched += u64::from(p.params.transaction.is_some()))
                .count() as u64,
            Err(_) => 0,
        }
    } else {
        match serde_json::from_str::<TypedPacket<'_>>(text) {
            Ok(p) if p.method == "giveInput" => {
                *touched += u64::from(p.params.transaction.is_some());
                1
            }
            _ => 0,
        }
    }
}

/// The ceiling: tokio-tungstenite on a current-thread runtime + typed serde_json, no SDK.
fn run_ceiling(url: String, n: usize, scheme: Scheme) -> Result<Run, String> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let flood = async move {
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.map_err(|e| e.to_string())?;
        let mut decoder = Decoder::new(Scheme::None);
        let call = |id: u32, method: &str, params: serde_json::Value| {
            Message::Text(json!({"type": "method", "id": id, "method": method, "params": params}).to_string().into())
        };
        if scheme != Scheme::None {
            ws.send(call(1, "setCompression", json!({ "scheme": [scheme.name()] })))
                .await
                .map_err(|e| e.to_string())?;
            loop {
                match ws.next().await {
                    Some(Ok(Message::Text(t))) if t.contains("\"reply\"") => break,
                    Some(Ok(_)) => {}
                    _ => return Err("no setCompression reply".to_string()),
                }
            }
            decoder = Decoder::new(scheme);
        }
        ws.send(call(2, "ready", json!({ "isReady": true }))).await.map_err(|e| e.to_string())?;
        let (mut count, mut touched) = (0u64, 0u64);
        let mut first = None;
        while count < n as u64 {
            let got = match ws.next().await {
                Some(Ok(Message::Text(t))) => count_typed(t.as_str(), &mut touched),
                Some(Ok(Message::Binary(b))) => {
                    let text = decoder.decode_binary(&b).map_err(|e| e.to_string())?;
                    count_typed(&text, &mut touched)
                }
                Some(Ok(_)) => 0,
                other => return Err(format!("the flood ended after {count} inputs: {other:?}")),
            };
            if got > 0 && first.is_none() {
                first = Some(Instant::now());
            }
            count += got;
        }
        black_box(touched);
        let _ = ws.close(None).await;
        Ok(Run { rate: (count - 1) as f64 / first.unwrap().elapsed().as_secs_f64(), ..Run::default() })
    };
    rt.block_on(async { tokio::time::timeout(RUN_LIMIT, flood).await.map_err(|_| "timed out".to_string())? })
}

fn run_node(node: &Node, url: String, n: usize) -> Result<Run, String> {
    let v = node.client(&url, "input", n, RUN_LIMIT)?;
    if v["delivered"].as_u64() != Some(n as u64) || v["noParticipant"].as_u64() != Some(0) {
        return Err(format!("node-client: {v}"));
    }
    Ok(Run { rate: v["firstToLastPerSec"].as_f64().ok_or("no firstToLastPerSec")?, ..Run::default() })
}

fn main() {
    let budget = support::Budget::new(Duration::from_secs(100));
    let n = support::env_usize("MIXPLAY_BENCH_N", 200_000).max(2);
    let rounds = support::env_usize("MIXPLAY_BENCH_ROUNDS", 5).max(1);
    let batch = support::env_usize("MIXPLAY_BENCH_BATCH", 50).max(2);

    let (pids, inputs) = packets::input_packets(n);
    let join = packets::pool_join(&pids);
    let avg = inputs.iter().map(String::len).sum::<usize>() as f64 / n as f64;
    let node = Node::find();
    let identical = node.as_ref().map_err(Clone::clone).and_then(|node| node.same_input_packets(&inputs));

    let with_join = |frames: Vec<String>| std::iter::once(join.clone()).chain(frames);
    let mut floods = HashMap::new();
    floods.insert("text", Flood::text(with_join(inputs.clone())));
    floods.insert("lz4", Flood::compressed(Scheme::Lz4, with_join(inputs.clone())));
    floods.insert("batch", Flood::text(with_join(packets::batched(&inputs, batch))));
    let bytes: HashMap<&str, usize> = floods.iter().map(|(k, f)| (*k, f.wire_bytes())).collect();
    drop(inputs);
    let server = FloodServer::start(floods);

    println!("client_flood: flood server → game poll loop, input events/s (first to last input)");
    println!(
        "packets: {n} giveInput per run, {avg:.1} bytes avg, {} participants, 8 buttons; payload per run: \
         text {:.1} MB, lz4 {:.1} MB, batch {:.1} MB",
        packets::PARTICIPANTS,
        bytes["text"] as f64 / 1e6,
        bytes["lz4"] as f64 / 1e6,
        bytes["batch"] as f64 / 1e6
    );
    match &identical {
        Ok(true) => println!("packets: byte-identical to `node benches/node/flood-server.js --dump`"),
        Ok(false) => println!("packets: WARNING: differ from flood-server.js --dump"),
        Err(e) => println!("packets: not compared with flood-server.js ({e})"),
    }
    if let Err(e) = &node {
        println!("node column SKIPPED: {e}");
    }

    let mut columns: Vec<&str> =
        vec!["sdk text", "sdk lz4", "sdk batch", "node text", "ceiling text", "ceiling lz4", "ceiling batch"];
    if node.is_err() {
        columns.retain(|c| !c.starts_with("node"));
    }
    if let Ok(only) = std::env::var("MIXPLAY_BENCH_COLUMNS") {
        columns.retain(|c| only.split(',').any(|o| c.contains(o.trim())));
    }
    let run = |column: &str, idle: bool| -> Result<Run, String> {
        match column {
            "sdk text" => run_sdk(server.url("text"), n, Scheme::None, idle),
            "sdk lz4" => run_sdk(server.url("lz4"), n, Scheme::Lz4, false),
            "sdk batch" => run_sdk(server.url("batch"), n, Scheme::None, false),
            "node text" => run_node(node.as_ref().unwrap(), server.url("text"), n),
            "ceiling text" => run_ceiling(server.url("text"), n, Scheme::None),
            "ceiling lz4" => run_ceiling(server.url("lz4"), n, Scheme::Lz4),
            "ceiling batch" => run_ceiling(server.url("batch"), n, Scheme::None),
            _ => unreachable!(),
        }
    };
    // Warm-up (not counted): one SDK and one ceiling run.
    for c in ["sdk text", "ceiling text"] {
        if let Err(e) = run(c, false) {
            println!("warm-up {c} failed: {e}");
        }
    }

    let mut rates: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut dropped: HashMap<&str, u64> = HashMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut idle: Vec<(f64, f64)> = Vec::new();
    let mut done = 0;
    for r in 0..rounds {
        if budget.left() < Duration::from_secs(25) {
            println!("(stopping after {r} rounds: time budget)");
            break;
        }
        for k in 0..columns.len() {
            let c = columns[(r + k) % columns.len()];
            match run(c, c == "sdk text") {
                Ok(run) => {
                    rates.entry(c).or_default().push(run.rate);
                    *dropped.entry(c).or_default() += run.dropped;
                    idle.extend(run.idle);
                }
                Err(e) => failures.push(format!("round {r} {c}: {e}")),
            }
        }
        done += 1;
    }
    drop(server);

    let med = |c: &str| rates.get(c).map_or(f64::NAN, |v| support::median(v));
    println!();
    println!("medians of {done} rounds (columns alternated), input events/s:");
    println!("| column | events/s (median) | min–max | runs | inputs dropped |");
    println!("|---|---:|---:|---:|---:|");
    for c in &columns {
        let v = rates.get(c).cloned().unwrap_or_default();
        let (lo, hi) = support::min_max(&v);
        let label = match *c {
            "sdk text" => "SDK Session, text, 1 packet/frame".to_string(),
            "sdk lz4" => "SDK Session, lz4, 1 packet/frame".to_string(),
            "sdk batch" => format!("SDK Session, text, {batch} packets/frame"),
            "node text" => "interactive-node 3.0.1 GameClient, text, 1 packet/frame".to_string(),
            "ceiling text" => "ceiling: tokio-tungstenite + serde typed, text".to_string(),
            "ceiling lz4" => "ceiling: tokio-tungstenite + lz4 + serde typed".to_string(),
            "ceiling batch" => format!("ceiling: tokio-tungstenite + serde typed, {batch} packets/frame"),
            _ => unreachable!(),
        };
        let drops = if c.starts_with("sdk") { dropped.get(c).copied().unwrap_or(0).to_string() } else { "—".into() };
        println!(
            "| {label} | {} | {}–{} | {} | {drops} |",
            support::si(med(c)),
            support::si(lo),
            support::si(hi),
            v.len()
        );
    }
    println!();
    println!("| ratio (medians) | value | goal |");
    println!("|---|---:|---|");
    if node.is_ok() {
        println!("| SDK text / interactive-node text | {:.2}× | ≥ 4× |", med("sdk text") / med("node text"));
    }
    println!("| SDK text / ceiling text | {:.2} | ≥ 0.8 |", med("sdk text") / med("ceiling text"));
    println!("| SDK lz4 / ceiling lz4 | {:.2} | |", med("sdk lz4") / med("ceiling lz4"));
    println!("| SDK batch / ceiling batch | {:.2} | |", med("sdk batch") / med("ceiling batch"));
    if !idle.is_empty() {
        let ns = support::median(&idle.iter().map(|i| i.0).collect::<Vec<_>>());
        let allocs = idle.iter().map(|i| i.1).fold(0.0, f64::max);
        println!();
        println!(
            "idle poll (connected session, nothing queued, {IDLE_POLLS} calls × {} runs): median {ns:.1} ns/call, \
             at most {allocs} allocations/call (goal: 0, ≤ 50 ns)",
            idle.len()
        );
    }
    for f in &failures {
        println!("FAILED: {f}");
    }
    println!("total {:.1} s", budget.elapsed().as_secs_f64());
}
