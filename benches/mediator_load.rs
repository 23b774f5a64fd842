//! Load benchmark for the mediator: how many participant inputs per second `mixplay-server`
//! forwards to one game client, how much memory each connected participant costs, and how many
//! spark captures per second go through its store.
//!
//! Run with `cargo bench --features server --bench mediator_load`.
//!
//! For each participant count N, a fresh release `mixplay-server --listen 127.0.0.1:0 --data DIR`
//! is started on a new data folder (so the numbers of one round do not leak into the next; the
//! forwarding hot path never touches the store), a game client connects, lifts
//! the default bandwidth throttle, creates eight buttons and goes ready; then N anonymous
//! participants join, and together they send a fixed number of `giveInput` calls
//! (`discard: true`, so the mediator sends no replies) as fast as the sockets take them. The game
//! client counts the `giveInput` packets it receives (validating one in a thousand), and the
//! table reports the forwarding rate, loss, and the mediator's RSS before and after the joins.
//!
//! Settings (environment):
//! - `MIXPLAY_BENCH_NS`: participant counts, default `100,1000,5000`
//! - `MIXPLAY_BENCH_INPUTS`: inputs sent per round (split evenly over the participants),
//!   default `1000000`
//! - `MIXPLAY_BENCH_TASKS`: client tasks the participant sockets are spread over, default `4`
//! - `MIXPLAY_BENCH_BATCH`: frames written per socket before each flush, default `32`
//! - `MIXPLAY_BENCH_SERVER`: path of the `mixplay-server` binary (default: the one cargo built)
//! - `MIXPLAY_BENCH_BASELINE`: path of another `mixplay-server` (say, one built from an older
//!   commit) to run the same rounds on, side by side in the same tables ("before")
//! - `MIXPLAY_BENCH_CAPTURES`: costed presses in the capture round (default `100000`; 0 skips it)
//! - `MIXPLAY_BENCH_CAPTURE_VIEWERS`: signed-in viewers pressing in it (default `100`)
//! - `MIXPLAY_BENCH_WATCHERS`: viewer sockets in the accrual round (default `20000`; 0 skips it)
//! - `MIXPLAY_BENCH_ACCRUAL_PARTICIPANTS`: participants flooding in it (default `1000`)
//!
//! `MIXPLAY_BENCH_NS=` (empty) skips the forwarding rounds, e.g. to run only the accrual round.
//!
//! The accrual round (see `mediator_load/accrual.rs`) holds 20,000 signed-in viewer sockets
//! (open participant pages, without browsers) while participants flood the game: the
//! forwarding rate with nobody watching, with everyone watching (the accrual paying all of them
//! every second), and with nobody again, beside the accrual's cost read from the ledger. Only
//! this mediator runs it (not a baseline). It raises the open-file limit as far as allowed.
//!
//! The capture round (see `mediator_load/captures.rs`) floods a costed button from signed-in
//! viewers while the game captures every transaction; it reports costed inputs and captures per
//! second through the store (each input's transaction row and each capture is a database
//! transaction, on disk).
//!
//! Every phase has a time limit and the whole run stops after seven minutes. All traffic stays on
//! 127.0.0.1.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{SelectAll, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

#[path = "mediator_load/accrual.rs"]
mod accrual;
#[path = "mediator_load/captures.rs"]
mod captures;
#[path = "support/game_ws.rs"]
mod game_ws;
#[path = "support/mediator.rs"]
mod mediator;

use game_ws::{open, open_participants, setup_game, Ws};
use mediator::{cpu_time, env_counts, env_or, mib, rss, server_binary, Res, Server};

/// A participant socket's sending half, the input frame it sends, and how many are left to send.
type Sender = (SplitSink<Ws, Message>, Utf8Bytes, u64);

/// The whole benchmark must end within this (both mediators' rounds and the capture rounds).
const TOTAL_BUDGET: Duration = Duration::from_secs(420);
/// The accrual round's own budget, after those.
const ACCRUAL_BUDGET: Duration = Duration::from_secs(300);
const GAME_SETUP_LIMIT: Duration = Duration::from_secs(10);
const CONNECT_LIMIT: Duration = Duration::from_secs(60);
const JOIN_LIMIT: Duration = Duration::from_secs(30);
const SEND_LIMIT: Duration = Duration::from_secs(45);
/// After the last input is sent, how long delivery may make no progress before we give up.
const STALL_LIMIT: Duration = Duration::from_secs(5);
/// Participant handshakes in flight at once.
const CONNECT_CONCURRENCY: usize = 64;
/// One received input in this many is parsed and checked in full.
const VALIDATE_EVERY: u64 = 1000;

struct Settings {
    ns: Vec<usize>,
    inputs: u64,
    tasks: usize,
    batch: usize,
    server: PathBuf,
    baseline: Option<PathBuf>,
    captures: u64,
    capture_viewers: usize,
    watchers: usize,
    accrual_participants: usize,
}

fn settings() -> Res<Settings> {
    Ok(Settings {
        ns: env_counts("MIXPLAY_BENCH_NS", "100,1000,5000")?,
        inputs: env_or("MIXPLAY_BENCH_INPUTS", 1_000_000u64)?,
        tasks: env_or("MIXPLAY_BENCH_TASKS", 4usize)?.max(1),
        batch: env_or("MIXPLAY_BENCH_BATCH", 32usize)?.max(1),
        server: server_binary()?,
        baseline: std::env::var("MIXPLAY_BENCH_BASELINE").ok().map(PathBuf::from),
        captures: env_or("MIXPLAY_BENCH_CAPTURES", 100_000u64)?,
        capture_viewers: env_or("MIXPLAY_BENCH_CAPTURE_VIEWERS", 100usize)?.max(1),
        watchers: env_or("MIXPLAY_BENCH_WATCHERS", 20_000usize)?,
        accrual_participants: env_or("MIXPLAY_BENCH_ACCRUAL_PARTICIPANTS", 1000usize)?.max(1),
    })
}

// ----- websocket clients (see support/game_ws.rs) -----

/// What the game client has seen; written only by its reader task.
#[derive(Default)]
struct GameStats {
    joins: AtomicU64,
    inputs: AtomicU64,
    /// Nanoseconds since the round's base instant, plus one (0: none yet).
    first_input_ns: AtomicU64,
    last_input_ns: AtomicU64,
    validated: AtomicU64,
    invalid: AtomicU64,
    closed: AtomicU64,
}

fn valid_input(text: &str) -> bool {
    let Ok(p) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    p["type"] == "method"
        && p["method"] == "giveInput"
        && p["seq"].is_i64()
        && p["params"]["participantID"].as_str().is_some_and(|s| !s.is_empty())
        && p["params"]["input"]["controlID"] == "b3"
        && p["params"]["input"]["event"] == "mousedown"
        && p["params"]["input"]["button"] == 0
}

async fn game_reader(mut stream: SplitStream<Ws>, stats: Arc<GameStats>, base: Instant) {
    while let Some(message) = stream.next().await {
        let text = match message {
            Ok(Message::Text(t)) => t,
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => continue,
        };
        let text = text.as_str();
        if text.contains("\"giveInput\"") {
            let n = stats.inputs.load(Ordering::Relaxed) + 1;
            let now = base.elapsed().as_nanos() as u64 + 1;
            // The first input since the stamps were cleared (a round can flood more than once).
            let _ = stats.first_input_ns.compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
            stats.last_input_ns.store(now, Ordering::Relaxed);
            if n % VALIDATE_EVERY == 1 {
                let counter = if valid_input(text) { &stats.validated } else { &stats.invalid };
                counter.fetch_add(1, Ordering::Relaxed);
            }
            stats.inputs.store(n, Ordering::Release);
        } else if text.contains("\"onParticipantJoin\"") {
            let joined = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|p| p["params"]["participants"].as_array().map(Vec::len))
                .unwrap_or(1);
            stats.joins.fetch_add(joined as u64, Ordering::Release);
        }
    }
    stats.closed.store(1, Ordering::Release);
}

/// What the participant sockets received.
#[derive(Default)]
struct ParticipantStats {
    frames: AtomicU64,
    /// Replies: with `discard: true` the mediator only answers errors.
    error_replies: AtomicU64,
    closed: AtomicU64,
}

/// Reads (and drops) everything a group of participant sockets receives.
async fn drain(mut streams: SelectAll<SplitStream<Ws>>, stats: Arc<ParticipantStats>) {
    let mut reported = false;
    while let Some(message) = streams.next().await {
        match message {
            Ok(Message::Text(t)) => {
                stats.frames.fetch_add(1, Ordering::Relaxed);
                if t.as_str().contains("\"type\":\"reply\"") {
                    stats.error_replies.fetch_add(1, Ordering::Relaxed);
                    if !reported {
                        reported = true;
                        eprintln!("  participant got an error reply: {}", t.as_str());
                    }
                }
            }
            Ok(Message::Close(_)) | Err(_) => {
                stats.closed.fetch_add(1, Ordering::Relaxed);
            }
            Ok(_) => {}
        }
    }
}

/// Sends each socket its share of inputs, `batch` frames per flush, round-robin over the sockets;
/// the sockets back (their quotas spent), how many inputs were sent and how many failed.
async fn flood(mut sinks: Vec<Sender>, batch: usize) -> (Vec<Sender>, u64, u64) {
    let (mut sent, mut failed) = (0u64, 0u64);
    loop {
        let mut busy = false;
        for (sink, frame, left) in sinks.iter_mut() {
            if *left == 0 {
                continue;
            }
            busy = true;
            let n = (*left).min(batch as u64);
            let mut ok = true;
            for _ in 0..n {
                if sink.feed(Message::Text(frame.clone())).await.is_err() {
                    ok = false;
                    break;
                }
            }
            ok = ok && sink.flush().await.is_ok();
            if ok {
                sent += n;
                *left -= n;
            } else {
                failed += *left;
                *left = 0;
            }
        }
        if !busy {
            return (sinks, sent, failed);
        }
    }
}

/// What one flood gave.
#[derive(Default)]
struct Flooded {
    sent: u64,
    failed: u64,
    /// Inputs the game received during this flood.
    delivered: u64,
    send_secs: f64,
    /// First to last input received.
    deliver_secs: f64,
    rate: f64,
    stalled: bool,
    /// Share of one core, server and bench, during the flood.
    server_cpu: f64,
    bench_cpu: f64,
}

/// Floods the game from every group of sockets at once (each socket its quota) and measures
/// delivery: until the game has every input sent, or delivery stalls. The sockets come back.
async fn flood_and_measure(
    sinks: Vec<Vec<Sender>>,
    batch: usize,
    game_stats: &GameStats,
    pid: u32,
    deadline: Instant,
) -> Res<(Vec<Vec<Sender>>, Flooded)> {
    let mut f = Flooded::default();
    let before = game_stats.inputs.load(Ordering::Acquire);
    game_stats.first_input_ns.store(0, Ordering::Relaxed);
    game_stats.last_input_ns.store(0, Ordering::Relaxed);
    let cpu_server = cpu_time(&pid.to_string());
    let cpu_bench = cpu_time("self");
    let t0 = Instant::now();
    let senders: Vec<_> = sinks.into_iter().map(|g| tokio::spawn(flood(g, batch))).collect();
    let results = timed("sending inputs", SEND_LIMIT, deadline, futures_util::future::join_all(senders)).await?;
    let mut groups = Vec::new();
    for r in results {
        let (group, sent, failed) = r.map_err(|e| format!("sender task: {e}"))?;
        groups.push(group);
        f.sent += sent;
        f.failed += failed;
    }
    f.send_secs = t0.elapsed().as_secs_f64();
    // Wait for the game to see them all, or for delivery to stall.
    let delivered = || game_stats.inputs.load(Ordering::Acquire) - before;
    let mut last = (delivered(), Instant::now());
    f.stalled = loop {
        let got = delivered();
        if got >= f.sent || game_stats.closed.load(Ordering::Acquire) == 1 {
            break false;
        }
        if got != last.0 {
            last = (got, Instant::now());
        } else if last.1.elapsed() >= STALL_LIMIT || Instant::now() >= deadline {
            break true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let elapsed = t0.elapsed();
    f.server_cpu = cpu_time(&pid.to_string()).saturating_sub(cpu_server).as_secs_f64() / elapsed.as_secs_f64();
    f.bench_cpu = cpu_time("self").saturating_sub(cpu_bench).as_secs_f64() / elapsed.as_secs_f64();
    // Anything still in flight (more than was sent would be a bug) gets a moment to show up.
    tokio::time::sleep(Duration::from_millis(100)).await;
    f.delivered = delivered();
    let first = game_stats.first_input_ns.load(Ordering::Relaxed);
    let last_ns = game_stats.last_input_ns.load(Ordering::Relaxed);
    f.deliver_secs = last_ns.saturating_sub(first) as f64 / 1e9;
    f.rate = if f.deliver_secs > 0.0 { f.delivered as f64 / f.deliver_secs } else { 0.0 };
    Ok((groups, f))
}

fn input_frame(id: usize) -> Utf8Bytes {
    Utf8Bytes::from(format!(
        "{{\"type\":\"method\",\"id\":{id},\"method\":\"giveInput\",\"params\":{{\"controlID\":\"b3\",\
         \"event\":\"mousedown\",\"button\":0}},\"discard\":true,\"seq\":0}}"
    ))
}

// ----- one round -----

#[derive(Default)]
struct Row {
    /// Which mediator: "this" one, or the baseline ("before").
    mediator: &'static str,
    n: usize,
    connected: usize,
    sent: u64,
    delivered: u64,
    rate: f64,
    send_secs: f64,
    deliver_secs: f64,
    server_cpu: f64,
    bench_cpu: f64,
    rss_before: u64,
    rss_joined: u64,
    rss_after: u64,
    error_replies: u64,
    validated: u64,
    invalid: u64,
    note: String,
}

/// A phase's time limit, cut short by the overall budget.
fn limit(phase: Duration, deadline: Instant) -> Duration {
    phase.min(deadline.saturating_duration_since(Instant::now()))
}

async fn timed<T>(what: &str, phase: Duration, deadline: Instant, f: impl std::future::Future<Output = T>) -> Res<T> {
    let lim = limit(phase, deadline);
    tokio::time::timeout(lim, f).await.map_err(|_| format!("{what} took longer than {:.0} s", lim.as_secs_f64()))
}

/// Polls `done` every few milliseconds until it holds or `phase` runs out.
async fn wait_until(what: &str, phase: Duration, deadline: Instant, mut done: impl FnMut() -> bool) -> Res<()> {
    timed(what, phase, deadline, async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
}

/// Participants that joined: their senders in groups (a task each when flooding), the tasks
/// reading what they receive, and what those saw.
struct Joined {
    sinks: Vec<Vec<Sender>>,
    drains: Vec<tokio::task::JoinHandle<()>>,
    stats: Arc<ParticipantStats>,
}

/// Joins `n` anonymous participants to channel 1 (the game seeing each join), with `inputs`
/// split over them in `tasks` groups, and lets their join packets drain.
async fn join_participants(
    addr: &str,
    n: usize,
    tasks: usize,
    inputs: u64,
    game_stats: &GameStats,
    deadline: Instant,
) -> Res<Joined> {
    let joins_before = game_stats.joins.load(Ordering::Acquire);
    let t = Instant::now();
    let sockets = timed(
        "connecting participants",
        CONNECT_LIMIT,
        deadline,
        open_participants(addr, n, CONNECT_CONCURRENCY, None),
    )
    .await??;
    let stats = Arc::new(ParticipantStats::default());
    let groups = tasks.min(n);
    let mut streams: Vec<SelectAll<SplitStream<Ws>>> = (0..groups).map(|_| SelectAll::new()).collect();
    let mut sinks: Vec<Vec<Sender>> = (0..groups).map(|_| Vec::new()).collect();
    let per_socket = inputs / n as u64;
    let extra = (inputs % n as u64) as usize;
    for (i, ws) in sockets.into_iter().enumerate() {
        let (sink, stream) = ws.split();
        let quota = per_socket + u64::from(i < extra);
        streams[i % groups].push(stream);
        sinks[i % groups].push((sink, input_frame(i + 1), quota));
    }
    let drains = streams.into_iter().map(|g| tokio::spawn(drain(g, stats.clone()))).collect();
    wait_until("waiting for onParticipantJoin", JOIN_LIMIT, deadline, || {
        game_stats.joins.load(Ordering::Acquire) >= joins_before + n as u64
    })
    .await?;
    // Every participant gets five packets on joining (hello, onParticipantJoin, onGroupCreate,
    // onSceneCreate, onReady); let those drain before measuring.
    let _ = wait_until("draining join packets", Duration::from_secs(5), deadline, || {
        stats.frames.load(Ordering::Relaxed) >= 5 * n as u64
    })
    .await;
    eprintln!("  {n} participants joined in {:.2} s", t.elapsed().as_secs_f64());
    Ok(Joined { sinks, drains, stats })
}

async fn round(s: &Settings, bin: &PathBuf, n: usize, deadline: Instant, row: &mut Row) -> Res<()> {
    row.n = n;
    let server = Server::start(bin, &[])?;
    let addr = server.addr.clone();
    let pid = server.pid();

    let game = timed("game client setup", GAME_SETUP_LIMIT, deadline, setup_game(&addr)).await??;
    let (_game_sink, game_stream) = game.split();
    let base = Instant::now();
    let game_stats = Arc::new(GameStats::default());
    let game_task = tokio::spawn(game_reader(game_stream, game_stats.clone(), base));

    tokio::time::sleep(Duration::from_millis(200)).await;
    row.rss_before = rss(pid)?;

    // Join N participants.
    let Joined { sinks, drains, stats } = join_participants(&addr, n, s.tasks, s.inputs, &game_stats, deadline).await?;
    row.connected = n;
    tokio::time::sleep(Duration::from_millis(200)).await;
    row.rss_joined = rss(pid)?;
    let errors_before = stats.error_replies.load(Ordering::Relaxed);

    // Flood.
    let (_sinks, flooded) = flood_and_measure(sinks, s.batch, &game_stats, pid, deadline).await?;
    row.send_secs = flooded.send_secs;
    row.sent = flooded.sent;
    if flooded.failed > 0 {
        row.note = format!("{} inputs could not be written", flooded.failed);
    }
    let stalled = flooded.stalled;
    row.server_cpu = flooded.server_cpu;
    row.bench_cpu = flooded.bench_cpu;
    row.delivered = flooded.delivered;
    row.deliver_secs = flooded.deliver_secs;
    row.rate = flooded.rate;
    row.validated = game_stats.validated.load(Ordering::Relaxed);
    row.invalid = game_stats.invalid.load(Ordering::Relaxed);
    row.error_replies = stats.error_replies.load(Ordering::Relaxed) - errors_before;
    row.rss_after = rss(pid)?;
    let closed = stats.closed.load(Ordering::Relaxed);
    let mut notes = vec![std::mem::take(&mut row.note)];
    if stalled {
        notes.push(format!("delivery stalled for {} s", STALL_LIMIT.as_secs()));
    }
    if game_stats.closed.load(Ordering::Relaxed) == 1 {
        notes.push("the game socket closed".into());
    }
    if closed > 0 {
        notes.push(format!("{closed} participant sockets closed"));
    }
    if row.error_replies > 0 {
        notes.push(format!("{} error replies", row.error_replies));
    }
    if row.invalid > 0 {
        notes.push(format!("{} malformed giveInput packets", row.invalid));
    }
    row.note = notes.into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>().join("; ");

    // Tear down: the server goes first so it does not process thousands of leaves.
    drop(server);
    game_task.abort();
    for d in drains {
        d.abort();
    }
    Ok(())
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "{:>8} | {:>6} | {:>9} | {:>9} | {:>6} | {:>10} | {:>8} | {:>10} | {:>10} | {:>14} | {:>10} | {:>10} | {:>9}",
        "mediator",
        "N",
        "sent",
        "delivered",
        "lost",
        "inputs/s",
        "send s",
        "RSS before",
        "RSS joined",
        "bytes/particip",
        "RSS flood",
        "server CPU",
        "bench CPU"
    );
    println!("{}", "-".repeat(157));
    for r in rows {
        let per = if r.connected > 0 { r.rss_joined.saturating_sub(r.rss_before) / r.connected as u64 } else { 0 };
        println!(
            "{:>8} | {:>6} | {:>9} | {:>9} | {:>6} | {:>10.0} | {:>8.2} | {:>10} | {:>10} | {:>14} | {:>10} | {:>9.0}% | {:>8.0}%",
            r.mediator,
            r.n,
            r.sent,
            r.delivered,
            r.sent.saturating_sub(r.delivered),
            r.rate,
            r.send_secs,
            mib(r.rss_before),
            mib(r.rss_joined),
            per,
            mib(r.rss_after),
            r.server_cpu * 100.0,
            r.bench_cpu * 100.0
        );
    }
    println!();
    println!("inputs/s: giveInput packets the game client received, first to last; send s: time to write");
    println!("every input; bytes/particip = (RSS joined - RSS before) / N; CPU = share of one core during");
    println!("the flood (the server and this bench share the machine's cores). mediator: this one, or the");
    println!("baseline (MIXPLAY_BENCH_BASELINE) as \"before\".");
    for r in rows {
        println!(
            "{} N={}: validated {} of the received inputs in full ({} malformed){}{}",
            r.mediator,
            r.n,
            r.validated,
            r.invalid,
            if r.note.is_empty() { "" } else { "; " },
            r.note
        );
    }
}

fn main() {
    let settings = match settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mediator_load: {e}");
            std::process::exit(2);
        }
    };
    let deadline = Instant::now() + TOTAL_BUDGET;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    eprintln!(
        "mediator_load: server {}, N = {:?}, {} inputs per round, {} client tasks, {} frames per flush",
        settings.server.display(),
        settings.ns,
        settings.inputs,
        settings.tasks,
        settings.batch
    );
    let mut mediators = vec![("this", settings.server.clone())];
    if let Some(baseline) = &settings.baseline {
        eprintln!("mediator_load: baseline (\"before\") {}", baseline.display());
        mediators.push(("before", baseline.clone()));
    }
    let mut rows = Vec::new();
    let mut failed = false;
    for (i, &n) in settings.ns.iter().enumerate() {
        // Take turns going first, so that neither mediator always meets a warmer machine.
        let mut order = mediators.clone();
        if i % 2 == 1 {
            order.reverse();
        }
        for (label, bin) in &order {
            if Instant::now() >= deadline {
                eprintln!("mediator_load: out of time, skipping N={n} ({label})");
                failed = true;
                continue;
            }
            eprintln!("round N={n} ({label})");
            let mut row = Row { mediator: label, ..Row::default() };
            if let Err(e) = runtime.block_on(round(&settings, bin, n, deadline, &mut row)) {
                eprintln!("  N={n} ({label}) failed: {e}");
                failed = true;
                row.note = format!("FAILED: {e}");
            }
            rows.push(row);
        }
    }
    let mut capture_rows = Vec::new();
    if settings.captures > 0 {
        for (label, bin) in &mediators {
            if Instant::now() >= deadline {
                eprintln!("mediator_load: out of time, skipping the capture round ({label})");
                failed = true;
                continue;
            }
            eprintln!("capture round ({label})");
            let run = captures::round(bin, settings.capture_viewers, settings.captures, deadline);
            match runtime.block_on(run) {
                Ok(mut row) => {
                    row.mediator = label;
                    capture_rows.push(row);
                }
                Err(e) => {
                    eprintln!("  capture round ({label}) failed: {e}");
                    failed = true;
                }
            }
        }
    }
    let mut accrual_rows = Vec::new();
    if settings.watchers > 0 {
        eprintln!("accrual round ({} watchers)", settings.watchers);
        let accrual_deadline = Instant::now() + ACCRUAL_BUDGET;
        let run = accrual::round(
            &settings.server,
            settings.watchers,
            settings.accrual_participants,
            settings.inputs,
            settings.tasks,
            settings.batch,
            accrual_deadline,
        );
        match runtime.block_on(run) {
            Ok(row) => accrual_rows.push(row),
            Err(e) => {
                eprintln!("  accrual round failed: {e}");
                failed = true;
            }
        }
    }
    runtime.shutdown_timeout(Duration::from_secs(2));
    if !rows.is_empty() {
        print_table(&rows);
    }
    captures::print_table(&capture_rows, &rows);
    accrual::print_table(&accrual_rows);
    if failed {
        std::process::exit(1);
    }
}
