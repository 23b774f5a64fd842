//! Soak benchmark for the mediator: many signed-in viewers for a long while, pressing buttons,
//! moving a joystick and chatting at a steady rate while the game keeps updating its controls.
//! It reports the mediator's memory every `SOAK_SAMPLE_SECONDS` (and whether it stays flat
//! within 10% after the warm-up), the input latency (participant socket to game socket, p50,
//! p99, max), and whether every input arrived, in order.
//!
//! `cargo bench --features server --bench soak` runs 5,000 participants for ten minutes;
//! `SOAK_PARTICIPANTS=2000 SOAK_SECONDS=90 cargo bench --features server --bench soak` is a short
//! run. A release `mixplay-server` runs as a child process on 127.0.0.1 with a generated world
//! (a streamer and one user per participant); this process plays the game client and every
//! viewer (one participant socket and one chat socket each), so both share the machine.
//!
//! Settings (environment):
//! - `SOAK_PARTICIPANTS` (5000), `SOAK_SECONDS` (600), `SOAK_SAMPLE_SECONDS` (30)
//! - `SOAK_INPUT_PERIOD_MS` (2000): each participant sends an input this often (a press, a
//!   release, a joystick move, in turn)
//! - `SOAK_CHAT_PER_SEC` (5): chat messages a second, from the participants in turn; each goes
//!   to everyone in the chat
//! - `SOAK_UPDATES_PER_SEC` (4): `updateControls` calls a second from the game; each reaches
//!   every participant
//! - `MIXPLAY_BENCH_SERVER`: the `mixplay-server` binary (default: the one cargo built)
//!
//! Each viewer holds two sockets here and two in the mediator, so the open-file limit is raised
//! to its hard limit first (the mediator inherits it); the bench says so and stops when even
//! that is too low.

#[path = "support/mediator.rs"]
mod mediator;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{SelectAll, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use mediator::{cpu_time, env_or, mib, proc_status_bytes, raise_open_files, rss, server_binary, Res, Server};
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Sink = SplitSink<Ws, Message>;

const CONNECT_CONCURRENCY: usize = 64;
const SETUP_LIMIT: Duration = Duration::from_secs(300);
/// After the load stops, how long delivery may make no progress before the rest counts as lost.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);
/// Tasks the viewers' inputs are sent from.
const SENDERS: usize = 4;

struct Settings {
    participants: usize,
    seconds: u64,
    sample: Duration,
    input_period: Duration,
    chat_per_sec: f64,
    updates_per_sec: f64,
}

fn settings() -> Res<Settings> {
    Ok(Settings {
        participants: env_or("SOAK_PARTICIPANTS", 5000usize)?.max(1),
        seconds: env_or("SOAK_SECONDS", 600u64)?.max(1),
        sample: Duration::from_secs(env_or("SOAK_SAMPLE_SECONDS", 30u64)?.max(1)),
        input_period: Duration::from_millis(env_or("SOAK_INPUT_PERIOD_MS", 2000u64)?.max(1)),
        chat_per_sec: env_or("SOAK_CHAT_PER_SEC", 5.0f64)?.max(0.0),
        updates_per_sec: env_or("SOAK_UPDATES_PER_SEC", 4.0f64)?.max(0.0),
    })
}

/// The streamer (token `soak-streamer`, user 1) and viewers `soak-viewer-I` (user I + 2); project
/// 1's scene has buttons b0–b3, a joystick `j` and a label `score`.
fn world(participants: usize) -> Value {
    let mut users = vec![json!({ "id": 1, "username": "streamer", "token": "soak-streamer", "level": 50 })];
    users.extend(
        (0..participants)
            .map(|i| json!({ "id": i + 2, "username": format!("viewer{i}"), "token": format!("soak-viewer-{i}") })),
    );
    let mut controls: Vec<Value> =
        (0..4).map(|i| json!({ "controlID": format!("b{i}"), "kind": "button", "text": format!("B{i}") })).collect();
    controls.push(json!({ "controlID": "j", "kind": "joystick" }));
    controls.push(json!({ "controlID": "score", "kind": "label", "text": "0" }));
    json!({
        "users": users,
        "channels": [ { "id": 1, "owner": 1 } ],
        "projects": [ { "versionId": 1, "owner": 1, "scenes": [ { "sceneID": "default", "controls": controls } ] } ]
    })
}

// ----- sockets -----

async fn open(url: &str, headers: &[(&'static str, String)]) -> Res<Ws> {
    let mut req = url.into_client_request().map_err(|e| e.to_string())?;
    for (k, v) in headers {
        req.headers_mut().insert(*k, HeaderValue::from_str(v).map_err(|e| e.to_string())?);
    }
    // Small read buffers keep thousands of sockets cheap; they read small frames.
    let config = WebSocketConfig::default().read_buffer_size(4096);
    tokio_tungstenite::connect_async_with_config(req, Some(config), true)
        .await
        .map(|(ws, _)| ws)
        .map_err(|e| format!("websocket connect to {url}: {e}"))
}

/// Sends a text packet and waits for the reply with `id` (chat replies and game replies alike).
async fn request(ws: &mut Ws, packet: Value, id: u64) -> Res<Value> {
    ws.send(Message::Text(packet.to_string().into())).await.map_err(|e| e.to_string())?;
    while let Some(message) = ws.next().await {
        let Ok(Message::Text(text)) = message else { continue };
        let reply: Value = serde_json::from_str(text.as_str()).map_err(|e| e.to_string())?;
        if reply["type"] == "reply" && reply["id"] == id {
            return match &reply["error"] {
                Value::Null => Ok(reply.get("result").or(reply.get("data")).cloned().unwrap_or(Value::Null)),
                e => Err(format!("{packet} failed: {e}")),
            };
        }
    }
    Err(format!("the socket closed while waiting for the reply to {packet}"))
}

fn now_us(base: Instant) -> u64 {
    base.elapsed().as_micros() as u64
}

/// What arrived where; the counters are read by the sampler.
#[derive(Default)]
struct Counters {
    inputs_sent: AtomicU64,
    inputs_received: AtomicU64,
    out_of_order: AtomicU64,
    joins: AtomicU64,
    game_errors: AtomicU64,
    chat_sent: AtomicU64,
    chat_errors: AtomicU64,
    chat_delivered: AtomicU64,
    updates_sent: AtomicU64,
    updates_delivered: AtomicU64,
    viewer_errors: AtomicU64,
    closed: AtomicU64,
    /// Latencies (µs) of the current sample window.
    window: Mutex<Vec<u32>>,
}

/// The game's reader: checks each input's order per participant and measures its latency.
async fn game_reader(mut stream: SplitStream<Ws>, c: Arc<Counters>, base: Instant, participants: usize) {
    let mut next_k = vec![0u64; participants];
    while let Some(message) = stream.next().await {
        let text = match message {
            Ok(Message::Text(t)) => t,
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => continue,
        };
        let text = text.as_str();
        if text.contains("\"giveInput\"") {
            let Ok(p) = serde_json::from_str::<Value>(text) else { continue };
            let soak = &p["params"]["input"]["soak"];
            let (Some(who), Some(k), Some(t)) = (soak["p"].as_u64(), soak["k"].as_u64(), soak["t"].as_u64()) else {
                continue;
            };
            let latency = now_us(base).saturating_sub(t).min(u64::from(u32::MAX)) as u32;
            c.window.lock().push(latency);
            if let Some(expected) = next_k.get_mut(who as usize) {
                if k != *expected {
                    c.out_of_order.fetch_add(1, Ordering::Relaxed);
                }
                *expected = k + 1;
            }
            c.inputs_received.fetch_add(1, Ordering::Relaxed);
        } else if text.contains("\"onParticipantJoin\"") {
            c.joins.fetch_add(1, Ordering::Relaxed);
        } else if text.contains("\"type\":\"reply\"")
            && !text.contains("\"error\":null")
            && c.game_errors.fetch_add(1, Ordering::Relaxed) == 0
        {
            eprintln!("  the game got an error reply: {text}");
        }
    }
    c.closed.fetch_add(1, Ordering::Relaxed);
}

/// Reads a group of viewer sockets (participant or chat), counting what matters.
async fn viewer_reader(mut streams: SelectAll<SplitStream<Ws>>, c: Arc<Counters>) {
    while let Some(message) = streams.next().await {
        let text = match message {
            Ok(Message::Text(t)) => t,
            Ok(Message::Close(frame)) => {
                if c.closed.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("  the mediator closed a viewer's socket: {frame:?}");
                }
                continue;
            }
            Err(e) => {
                if c.closed.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("  a viewer's socket failed: {e}");
                }
                continue;
            }
            Ok(_) => continue,
        };
        let text = text.as_str();
        if text.contains("\"onControlUpdate\"") {
            c.updates_delivered.fetch_add(1, Ordering::Relaxed);
        } else if text.contains("\"ChatMessage\"") {
            c.chat_delivered.fetch_add(1, Ordering::Relaxed);
        } else if text.contains("\"type\":\"reply\"") && !text.contains("\"error\":null") {
            let counter = if text.contains("\"data\"") { &c.chat_errors } else { &c.viewer_errors };
            if counter.fetch_add(1, Ordering::Relaxed) == 0 {
                eprintln!("  a viewer got an error reply: {text}");
            }
        }
    }
}

/// A steady rate: which of the calls numbered 0, 1, 2, … are due, catching up after a slow
/// moment instead of dropping calls.
struct Pace {
    start: Instant,
    per_sec: f64,
    done: u64,
    tick: tokio::time::Interval,
}

impl Pace {
    fn new(per_sec: f64) -> Pace {
        Pace { start: Instant::now(), per_sec, done: 0, tick: tokio::time::interval(Duration::from_millis(10)) }
    }

    /// Waits for the next tick; the numbers of the calls due by then.
    async fn due(&mut self) -> std::ops::Range<u64> {
        self.tick.tick().await;
        let due = (self.start.elapsed().as_secs_f64() * self.per_sec) as u64;
        let range = self.done..due.max(self.done);
        self.done = range.end;
        range
    }
}

/// The input participant `p` sends `k`-th: a press, a release or a joystick move, in turn.
fn input(p: usize, k: u64, t: u64) -> Message {
    let soak = json!({ "p": p, "k": k, "t": t });
    let params = match k % 3 {
        0 => json!({ "controlID": format!("b{}", p % 4), "event": "mousedown", "button": 0, "soak": soak }),
        1 => json!({ "controlID": format!("b{}", p % 4), "event": "mouseup", "button": 0, "soak": soak }),
        _ => {
            let a = (p as f64) * 0.7 + (k as f64) * 0.3;
            json!({ "controlID": "j", "event": "move", "x": a.cos() * 0.5, "y": a.sin() * 0.5, "soak": soak })
        }
    };
    let packet = json!({ "type": "method", "id": k + 1, "method": "giveInput", "params": params, "discard": true });
    Message::Text(packet.to_string().into())
}

// ----- the run -----

struct Sample {
    at: Duration,
    server_rss: u64,
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

async fn run(s: &Settings) -> Res<bool> {
    let n = s.participants;
    raise_open_files(2 * n as u64 + 200)?;
    let world_path = std::env::temp_dir().join(format!("mixplay-soak-world-{}.json", std::process::id()));
    std::fs::write(&world_path, world(n).to_string()).map_err(|e| e.to_string())?;
    let mut server = Server::start(&server_binary()?, &["--world", &world_path.to_string_lossy()])?;
    let (addr, pid) = (server.addr.clone(), server.pid());
    let base = Instant::now();
    let c = Arc::new(Counters::default());
    let setup_deadline = Instant::now() + SETUP_LIMIT;
    let left = || setup_deadline.saturating_duration_since(Instant::now());

    // The game: no bandwidth throttle (the test is the mediator's, not the bucket's), ready.
    let game_headers = [
        ("Authorization", "Bearer soak-streamer".to_owned()),
        ("X-Interactive-Version", "1".to_owned()),
        ("X-Protocol-Version", "2.0".to_owned()),
    ];
    let mut game = open(&format!("ws://{addr}/gameClient"), &game_headers).await?;
    let throttle = json!({ "type": "method", "id": 1, "method": "setBandwidthThrottle", "params": { "*": null } });
    request(&mut game, throttle, 1).await?;
    let ready = json!({ "type": "method", "id": 2, "method": "ready", "params": { "isReady": true } });
    request(&mut game, ready, 2).await?;
    let (mut game_sink, game_stream) = game.split();
    tokio::spawn(game_reader(game_stream, c.clone(), base, n));
    let rss_empty = rss(pid)?;

    // The viewers: a participant socket each, signed in with their token.
    let t = Instant::now();
    let urls: Vec<String> = (0..n)
        .map(|i| format!("ws://{addr}/participant?channel=1&x-protocol-version=2.0&key=soak-viewer-{i}"))
        .collect();
    let sockets = tokio::time::timeout(
        left(),
        futures_util::stream::iter(urls.iter()).map(|u| open(u, &[])).buffered(CONNECT_CONCURRENCY).collect::<Vec<_>>(),
    )
    .await
    .map_err(|_| "connecting the participants took too long")?;
    let sockets: Vec<Ws> = sockets.into_iter().collect::<Res<_>>()?;
    while c.joins.load(Ordering::Relaxed) < n as u64 {
        if left().is_zero() {
            return Err(format!("only {} of {n} joins reached the game", c.joins.load(Ordering::Relaxed)));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rss_joined = rss(pid)?;
    eprintln!(
        "soak: {n} participants joined in {:.1} s; mediator {} (from {}: {} a participant socket)",
        t.elapsed().as_secs_f64(),
        mib(rss_joined),
        mib(rss_empty),
        per_viewer(rss_joined, rss_empty, n)
    );

    // And a chat socket each: an authkey from the REST API, then `auth`. Each is read from the
    // moment it has joined: every join is told to everyone in the room, so a room of 5,000 sends
    // each socket far more than its queue holds while the others join.
    let t = Instant::now();
    let base_url = format!("http://{addr}");
    let keys = tokio::task::spawn_blocking(move || -> Res<Vec<String>> {
        let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
        (0..n)
            .map(|i| {
                let mut r = agent
                    .get(format!("{base_url}/api/v1/chats/1"))
                    .header("Authorization", &format!("Bearer soak-viewer-{i}"))
                    .call()
                    .map_err(|e| format!("chat details: {e}"))?;
                let body: Value = r.body_mut().read_json().map_err(|e| format!("chat details: {e}"))?;
                body["authkey"].as_str().map(str::to_owned).ok_or_else(|| format!("no authkey in {body}"))
            })
            .collect()
    })
    .await
    .map_err(|e| e.to_string())??;
    let chat_url = format!("ws://{addr}/chat");
    let chats = tokio::time::timeout(
        left(),
        futures_util::stream::iter(keys.into_iter().enumerate())
            .map(|(i, key)| {
                let chat_url = chat_url.clone();
                let c = c.clone();
                async move {
                    let mut ws = open(&chat_url, &[]).await?;
                    let auth = json!({ "type": "method", "method": "auth", "arguments": [1, i + 2, key], "id": 0 });
                    request(&mut ws, auth, 0).await?;
                    let (sink, stream) = ws.split();
                    tokio::spawn(viewer_reader(futures_util::stream::select_all([stream]), c));
                    Ok::<Sink, String>(sink)
                }
            })
            .buffered(CONNECT_CONCURRENCY)
            .collect::<Vec<_>>(),
    )
    .await
    .map_err(|_| "joining the chat took too long")?;
    let mut chat_sinks: Vec<Sink> = chats.into_iter().collect::<Res<_>>()?;
    let rss_chat = rss(pid)?;
    eprintln!(
        "soak: {n} viewers in the chat in {:.1} s; mediator {} ({} a chat socket)",
        t.elapsed().as_secs_f64(),
        mib(rss_chat),
        per_viewer(rss_chat, rss_joined, n)
    );

    // The participant sockets' readers, in a few groups.
    let mut groups: Vec<SelectAll<SplitStream<Ws>>> = (0..SENDERS).map(|_| SelectAll::new()).collect();
    let mut senders: Vec<Vec<(usize, Sink)>> = (0..SENDERS).map(|_| Vec::new()).collect();
    for (i, ws) in sockets.into_iter().enumerate() {
        let (sink, stream) = ws.split();
        groups[i % SENDERS].push(stream);
        senders[i % SENDERS].push((i, sink));
    }
    for g in groups {
        tokio::spawn(viewer_reader(g, c.clone()));
    }

    // The load.
    eprintln!(
        "soak: load for {} s: {:.0} inputs/s, {:.1} chat messages/s (each to {n} viewers), {:.1} control updates/s (each to {n} viewers)",
        s.seconds,
        n as f64 / s.input_period.as_secs_f64(),
        s.chat_per_sec,
        s.updates_per_sec
    );
    let stop = Arc::new(AtomicBool::new(false));
    let per_sender = n as f64 / SENDERS as f64 / s.input_period.as_secs_f64();
    let mut load = Vec::new();
    for mut group in senders {
        let (c, stop) = (c.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            let mut sent = vec![0u64; group.len()];
            let mut pace = Pace::new(per_sender);
            while !stop.load(Ordering::Relaxed) {
                for i in pace.due().await {
                    let slot = i as usize % group.len();
                    let (p, sink) = &mut group[slot];
                    if sink.send(input(*p, sent[slot], now_us(base))).await.is_err() {
                        return;
                    }
                    sent[slot] += 1;
                    c.inputs_sent.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let (chat_c, chat_stop, chat_per_sec) = (c.clone(), stop.clone(), s.chat_per_sec);
    load.push(tokio::spawn(async move {
        let mut pace = Pace::new(chat_per_sec);
        while chat_per_sec > 0.0 && !chat_stop.load(Ordering::Relaxed) {
            for k in pace.due().await {
                let text = format!("soak message {k}");
                let packet = json!({ "type": "method", "method": "msg", "arguments": [text], "id": k + 1 });
                if chat_sinks[k as usize % n].send(Message::Text(packet.to_string().into())).await.is_err() {
                    return;
                }
                chat_c.chat_sent.fetch_add(1, Ordering::Relaxed);
            }
        }
    }));
    let (update_c, update_stop, updates_per_sec) = (c.clone(), stop.clone(), s.updates_per_sec);
    load.push(tokio::spawn(async move {
        let mut pace = Pace::new(updates_per_sec);
        while updates_per_sec > 0.0 && !update_stop.load(Ordering::Relaxed) {
            for k in pace.due().await {
                let controls = json!([
                    { "controlID": "b0", "progress": (k % 100) as f64 / 100.0 },
                    { "controlID": "score", "text": k.to_string() }
                ]);
                let params = json!({ "sceneID": "default", "controls": controls });
                let packet =
                    json!({ "type": "method", "id": k + 10, "method": "updateControls", "params": params, "discard": true });
                if game_sink.send(Message::Text(packet.to_string().into())).await.is_err() {
                    return;
                }
                update_c.updates_sent.fetch_add(1, Ordering::Relaxed);
            }
        }
    }));

    // Sampling.
    println!();
    println!(
        "{:>6} | {:>11} | {:>11} | {:>10} | {:>9} | {:>9} | {:>8} | {:>8} | {:>8} | {:>7} | {:>7}",
        "t (s)",
        "server RSS",
        "server peak",
        "bench RSS",
        "inputs",
        "lost",
        "p50 ms",
        "p99 ms",
        "max ms",
        "srv CPU",
        "bench CPU"
    );
    let mut samples = Vec::new();
    let mut all_latencies: Vec<u32> = Vec::new();
    let load_start = Instant::now();
    let (mut cpu_srv, mut cpu_self, mut last) = (cpu_time(&pid.to_string()), cpu_time("self"), Instant::now());
    let end = load_start + Duration::from_secs(s.seconds);
    while Instant::now() < end {
        tokio::time::sleep(s.sample.min(end.saturating_duration_since(Instant::now()))).await;
        if let Some(status) = server.exited() {
            return Err(format!("the mediator exited during the soak: {status}"));
        }
        let mut window = std::mem::take(&mut *c.window.lock());
        window.sort_unstable();
        let (srv, me, dt) = (cpu_time(&pid.to_string()), cpu_time("self"), last.elapsed().as_secs_f64());
        let sample = Sample { at: load_start.elapsed(), server_rss: rss(pid)? };
        let (sent, got) = (c.inputs_sent.load(Ordering::Relaxed), c.inputs_received.load(Ordering::Relaxed));
        println!(
            "{:>6.0} | {:>11} | {:>11} | {:>10} | {:>9} | {:>9} | {:>8.1} | {:>8.1} | {:>8.1} | {:>6.0}% | {:>6.0}%",
            sample.at.as_secs_f64(),
            mib(sample.server_rss),
            mib(proc_status_bytes(pid, "VmHWM")?),
            mib(rss_self()),
            got,
            sent.saturating_sub(got),
            percentile(&window, 0.50),
            percentile(&window, 0.99),
            percentile(&window, 1.0),
            srv.saturating_sub(cpu_srv).as_secs_f64() / dt * 100.0,
            me.saturating_sub(cpu_self).as_secs_f64() / dt * 100.0,
        );
        (cpu_srv, cpu_self, last) = (srv, me, Instant::now());
        all_latencies.extend(window);
        samples.push(sample);
    }
    stop.store(true, Ordering::Relaxed);
    for task in load {
        let _ = task.await;
    }

    // Everything sent must arrive: wait while it still does.
    let arrived = |c: &Counters| {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        load(&c.inputs_received) + load(&c.chat_delivered) + load(&c.chat_errors) + load(&c.updates_delivered)
    };
    let expected = |c: &Counters| {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        load(&c.inputs_sent) + load(&c.chat_sent) * n as u64 + load(&c.updates_sent) * n as u64
    };
    let mut progress = (arrived(&c), Instant::now());
    while arrived(&c) < expected(&c) {
        let got = arrived(&c);
        if got != progress.0 {
            progress = (got, Instant::now());
        } else if progress.1.elapsed() > DRAIN_LIMIT {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    all_latencies.extend(std::mem::take(&mut *c.window.lock()));
    all_latencies.sort_unstable();
    let _ = std::fs::remove_file(&world_path);
    Ok(report(s, &c, &samples, &all_latencies))
}

/// `(after - before) / n` in KiB, as text.
fn per_viewer(after: u64, before: u64, n: usize) -> String {
    format!("{:.1} KiB", after.saturating_sub(before) as f64 / n as f64 / 1024.0)
}

fn rss_self() -> u64 {
    proc_status_bytes(std::process::id(), "VmRSS").unwrap_or(0)
}

/// Prints the summary; returns whether the mediator held up (flat memory, nothing lost).
fn report(s: &Settings, c: &Counters, samples: &[Sample], latencies: &[u32]) -> bool {
    let n = s.participants as u64;
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let (sent, got) = (load(&c.inputs_sent), load(&c.inputs_received));
    let warmup = Duration::from_secs(s.seconds / 4).min(Duration::from_secs(60));
    // A sample taken at the end of the warm-up still belongs to it.
    let settled: Vec<u64> =
        samples.iter().filter(|x| x.at.as_secs_f64() > warmup.as_secs_f64() + 1.0).map(|x| x.server_rss).collect();
    let (lo, hi) = (settled.iter().min().copied().unwrap_or(0), settled.iter().max().copied().unwrap_or(0));
    let spread = if lo > 0 { (hi - lo) as f64 / lo as f64 * 100.0 } else { f64::NAN };
    let flat = settled.len() >= 2 && spread <= 10.0;
    println!();
    println!("participants: {n}; load: {} s; warm-up: the first {} s", s.seconds, warmup.as_secs());
    println!(
        "memory after warm-up: {} to {} ({spread:.1}% spread over {} samples): {}",
        mib(lo),
        mib(hi),
        settled.len(),
        if flat { "flat within 10%" } else { "NOT flat within 10% (or too few samples)" }
    );
    println!(
        "input latency, participant socket to game socket: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} inputs)",
        percentile(latencies, 0.50),
        percentile(latencies, 0.99),
        percentile(latencies, 1.0),
        latencies.len()
    );
    let all_arrived = got == sent && load(&c.out_of_order) == 0;
    println!(
        "inputs: {sent} sent, {got} arrived, {} lost, {} out of order: {}",
        sent.saturating_sub(got),
        load(&c.out_of_order),
        if all_arrived { "every input arrived, in order" } else { "NOT every input arrived in order" }
    );
    println!(
        "chat: {} messages sent, {} refused, {} deliveries of {} expected (each to all {n} viewers)",
        load(&c.chat_sent),
        load(&c.chat_errors),
        load(&c.chat_delivered),
        (load(&c.chat_sent) - load(&c.chat_errors)) * n
    );
    println!(
        "control updates: {} sent, {} deliveries of {} expected; game error replies {}, viewer error replies {}, sockets closed {}",
        load(&c.updates_sent),
        load(&c.updates_delivered),
        load(&c.updates_sent) * n,
        load(&c.game_errors),
        load(&c.viewer_errors),
        load(&c.closed)
    );
    println!("(latency includes this process's own scheduling: it plays every viewer and the game on the same cores as the mediator)");
    flat && all_arrived
}

fn main() {
    let settings = match settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("soak: {e}");
            std::process::exit(2);
        }
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let result = runtime.block_on(run(&settings));
    runtime.shutdown_timeout(Duration::from_secs(2));
    match result {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("soak: {e}");
            std::process::exit(2);
        }
    }
}
