//! Fan-out benchmark for the mediator: one game, N participants, and what the game sends them.
//!
//! Run with `cargo bench --features server --bench mediator_fanout`.
//!
//! For each participant count N (default 1,000, 5,000 and 20,000) a fresh release
//! `mixplay-server` is started; a game client connects, lifts the bandwidth throttle, creates
//! eight buttons and goes ready. Then, over real sockets on 127.0.0.1:
//!
//! - **joins**: N anonymous participants connect (64 handshakes in flight); joins per second
//!   until the game has seen every `onParticipantJoin`, and the mediator's RSS per participant.
//!   The game then pages through `getAllParticipants` (by `from`, 100 a page) and the bench
//!   checks that it lists every participant exactly once.
//! - **fan-out**: the game changes a button's text with `updateControls`, and every participant
//!   receives an `onControlUpdate`. *Latency*: one update at a time, the time until the last
//!   participant has it (p50 and p99 over the updates). *Rate*: updates sent with at most
//!   `WINDOW` of them ahead of the slowest participant (the pace a game keeping its viewers
//!   current would go at); deliveries per second from the first send to the last delivery, and
//!   the game's reply times.
//! - **slow viewers**: one participant in ten stops reading (its socket stays open). The same
//!   latency and rate phases, counted over the others, beside the all-fast figures; the
//!   mediator's peak RSS; then the game sends large updates (paced by the readers) until the
//!   mediator has closed every slow participant (the game sees them leave), or `BACKLOG_LIMIT`.
//! - **leaves**: every socket closes at once; leaves per second until the game has seen them all.
//!
//! Settings (environment):
//! - `MIXPLAY_BENCH_NS`: participant counts, default `1000,5000,20000`. A count the open-file
//!   limit cannot hold (the mediator and this bench each need a descriptor per participant) is
//!   cut to what it can, and the table says so.
//! - `MIXPLAY_BENCH_DELIVERIES`: deliveries per rate phase (updates = this / N, at least 50),
//!   default `4000000`
//! - `MIXPLAY_BENCH_LATENCY_UPDATES`: updates in each latency phase, default `100`
//! - `MIXPLAY_BENCH_RECV_BUFFER`: each participant socket's kernel receive buffer, in bytes,
//!   default `65536`; `0` leaves it to the kernel, which grows the buffer of a socket that has been
//!   read fast (on loopback here up to `tcp_rmem`'s maximum, 32 MiB): a viewer that then stops
//!   reading can take that much before the mediator's writes block, held in the viewer's own
//!   kernel (on its own machine, in real life), and is only closed once that is full
//! - `MIXPLAY_BENCH_SERVER`: path of the `mixplay-server` binary (default: the one cargo built)
//! - `MIXPLAY_BENCH_BASELINE`: another `mixplay-server` to run the same rounds on ("before")

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

#[path = "mediator_fanout/game.rs"]
mod game;
#[path = "support/game_ws.rs"]
mod game_ws;
#[path = "support/mediator.rs"]
mod mediator;
#[path = "mediator_fanout/viewers.rs"]
mod viewers;

use game::Game;
use viewers::{join, Arrivals, Readers, Role};

use game_ws::{open_participants, setup_game, Ws};
use mediator::{cpu_time, env_counts, env_or, mib, raise_open_files_to_hard, rss, server_binary, Res, Server};

/// The whole run must end within this.
const TOTAL_BUDGET: Duration = Duration::from_secs(900);
const CONNECT_LIMIT: Duration = Duration::from_secs(120);
/// How long any one wait (joins, a page, an update reaching everyone) may make no progress.
const STALL_LIMIT: Duration = Duration::from_secs(15);
/// Participant handshakes in flight at once.
const CONNECT_CONCURRENCY: usize = 64;
/// Client tasks reading the participant sockets (one more reads the slow ones).
const READERS: usize = 4;
/// Updates the game keeps in flight in a rate phase, at most.
const WINDOW: usize = 32;
/// One participant in this many is slow in the slow-viewer phases.
const SLOW_EVERY: usize = 10;
/// Text of each update in the backlog phase, and how long and how many updates it may take (2,000
/// of them owe a slow viewer 16 MiB, far past every bound the mediator keeps).
const BACKLOG_TEXT: usize = 8 * 1024;
const BACKLOG_LIMIT: Duration = Duration::from_secs(60);
const BACKLOG_MAX_UPDATES: usize = 2000;
/// Descriptors kept free for everything else (the database, the game, stdio).
const SPARE_FDS: usize = 100;

struct Settings {
    ns: Vec<usize>,
    deliveries: usize,
    latency_updates: usize,
    recv_buffer: Option<u32>,
    server: PathBuf,
    baseline: Option<PathBuf>,
}

fn settings() -> Res<Settings> {
    let ns = env_counts("MIXPLAY_BENCH_NS", "1000,5000,20000")?;
    if ns.is_empty() {
        return Err("MIXPLAY_BENCH_NS names no participant count".into());
    }
    Ok(Settings {
        ns,
        deliveries: env_or("MIXPLAY_BENCH_DELIVERIES", 4_000_000usize)?.max(1),
        latency_updates: env_or("MIXPLAY_BENCH_LATENCY_UPDATES", 100usize)?.max(1),
        recv_buffer: Some(env_or("MIXPLAY_BENCH_RECV_BUFFER", 64 * 1024u32)?).filter(|&b| b > 0),
        server: server_binary()?,
        baseline: std::env::var("MIXPLAY_BENCH_BASELINE").ok().map(PathBuf::from),
    })
}

/// Nanoseconds since `base`.
fn nanos_since(base: Instant) -> u64 {
    base.elapsed().as_nanos() as u64
}

/// Waits until `count()` reaches `target`, failing if it makes no progress for `STALL_LIMIT`.
async fn wait_for(what: &str, deadline: Instant, mut count: impl FnMut() -> u64, target: u64) -> Res<()> {
    let mut last = (count(), Instant::now());
    loop {
        let now = count();
        if now >= target {
            return Ok(());
        }
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() > STALL_LIMIT || Instant::now() > deadline {
            return Err(format!("waiting for {what}: {now} of {target}, no progress for {} s", STALL_LIMIT.as_secs()));
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

// ----- phases -----

/// Who an update must reach before it counts as delivered.
#[derive(Clone, Copy)]
struct Audience {
    fast: u64,
    /// Slow participants still reading (0 once they stopped).
    slow: u64,
}

impl Audience {
    fn has(&self, a: &Arrivals, update: usize) -> bool {
        a.got(Role::Fast, update) >= self.fast && a.got(Role::Slow, update) >= self.slow
    }

    fn last_ns(&self, a: &Arrivals, update: usize) -> u64 {
        let slow = if self.slow > 0 { a.last_ns(Role::Slow, update) } else { 0 };
        a.last_ns(Role::Fast, update).max(slow)
    }

    /// Updates delivered so far to the participants this audience counts.
    fn delivered(&self, a: &Arrivals) -> u64 {
        let slow = if self.slow > 0 { a.delivered[Role::Slow as usize].load(Ordering::Relaxed) } else { 0 };
        a.delivered[Role::Fast as usize].load(Ordering::Relaxed) + slow
    }
}

#[derive(Default, Clone)]
struct Fanout {
    /// Latency phase: time until the last participant had an update, ms (p50, p99).
    last_ms: (f64, f64),
    /// Rate phase.
    updates: usize,
    deliveries: u64,
    rate: f64,
    /// Game reply times in the rate phase, ms (p50, p99).
    reply_ms: (f64, f64),
    server_cpu: f64,
    bench_cpu: f64,
    peak_rss: u64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn spread(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (percentile(&v, 0.5), percentile(&v, 0.99))
}

/// One update at a time, each waited for until everyone in `audience` has it; then updates
/// `WINDOW` ahead of the slowest, measuring deliveries per second.
async fn fanout(
    game: &mut Game,
    arrivals: &Arrivals,
    audience: Audience,
    s: &Settings,
    rate_updates: usize,
    pid: u32,
    deadline: Instant,
) -> Res<Fanout> {
    let mut f = Fanout::default();
    let mut lasts = Vec::new();
    for _ in 0..s.latency_updates {
        let sent = nanos_since(arrivals.base);
        let k = game.update("u").await?;
        wait_for(&format!("update {k} to reach everyone"), deadline, || u64::from(audience.has(arrivals, k)), 1)
            .await?;
        lasts.push(audience.last_ns(arrivals, k).saturating_sub(sent) as f64 / 1e6);
    }
    f.last_ms = spread(lasts);
    game.take_reply_times();

    let before = audience.delivered(arrivals);
    let cpu_server = cpu_time(&pid.to_string());
    let cpu_bench = cpu_time("self");
    let first = game.updates;
    let t0 = Instant::now();
    let t0_ns = nanos_since(arrivals.base);
    let mut peak = 0;
    for i in 0..rate_updates {
        if i >= WINDOW {
            let behind = first + i - WINDOW;
            wait_for(
                &format!("update {behind} to reach everyone"),
                deadline,
                || u64::from(audience.has(arrivals, behind)),
                1,
            )
            .await?;
        }
        if i % 256 == 0 {
            peak = peak.max(rss(pid).unwrap_or(0));
        }
        game.update("u").await?;
    }
    let end = game.updates;
    for k in end.saturating_sub(WINDOW).max(first)..end {
        wait_for(&format!("update {k} to reach everyone"), deadline, || u64::from(audience.has(arrivals, k)), 1)
            .await?;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let last = (first..end).map(|k| audience.last_ns(arrivals, k)).max().unwrap_or(t0_ns);
    f.updates = rate_updates;
    f.deliveries = audience.delivered(arrivals) - before;
    f.rate = f.deliveries as f64 / (last.saturating_sub(t0_ns) as f64 / 1e9).max(1e-9);
    f.server_cpu = cpu_time(&pid.to_string()).saturating_sub(cpu_server).as_secs_f64() / elapsed;
    f.bench_cpu = cpu_time("self").saturating_sub(cpu_bench).as_secs_f64() / elapsed;
    f.peak_rss = peak.max(rss(pid).unwrap_or(0));
    // Replies can trail the last delivery by a moment.
    let _ =
        wait_for("the game's replies", deadline, || u64::from(game.shared.waiting.lock().unwrap().is_empty()), 1).await;
    f.reply_ms = spread(game.take_reply_times().into_iter().map(|us| f64::from(us) / 1e3).collect());
    Ok(f)
}

#[derive(Default)]
struct Backlog {
    slow: u64,
    /// Slow participants the game saw leave: in all, and before the large updates began (while
    /// the slow fan-out phase ran); the large updates (bytes to each) it took for the rest.
    closed: u64,
    closed_before: u64,
    updates: usize,
    bytes_each: usize,
    secs: f64,
    peak_rss: u64,
}

/// Large updates, paced by the readers, until the mediator has closed every slow participant
/// (`leaves_before`: the game's count of leaves when they stopped reading).
async fn backlog(
    game: &mut Game,
    arrivals: &Arrivals,
    audience: Audience,
    slow: u64,
    leaves_before: u64,
    pid: u32,
    deadline: Instant,
) -> Res<Backlog> {
    let shared = game.shared.clone();
    let left = || shared.leaves.load(Ordering::Acquire) - leaves_before;
    let mut b = Backlog { slow, closed_before: left(), peak_rss: rss(pid)?, ..Backlog::default() };
    let t0 = Instant::now();
    let filler = "x".repeat(BACKLOG_TEXT);
    while left() < slow && b.updates < BACKLOG_MAX_UPDATES && t0.elapsed() < BACKLOG_LIMIT && Instant::now() < deadline
    {
        let k = game.update(&filler).await?;
        b.updates += 1;
        b.bytes_each += BACKLOG_TEXT + 100;
        wait_for(
            &format!("backlog update {k} to reach the readers"),
            deadline,
            || u64::from(audience.has(arrivals, k)),
            1,
        )
        .await?;
        b.peak_rss = b.peak_rss.max(rss(pid).unwrap_or(0));
    }
    b.closed = left();
    b.secs = t0.elapsed().as_secs_f64();
    Ok(b)
}

// ----- one round -----

#[derive(Default)]
struct Row {
    mediator: &'static str,
    asked: usize,
    n: usize,
    join_rate: f64,
    bytes_per_participant: u64,
    pages: usize,
    page_ms: (f64, f64),
    listed: String,
    fast: Fanout,
    slow: Fanout,
    backlog: Backlog,
    leave_rate: f64,
    note: Vec<String>,
}

async fn round(bin: &PathBuf, n: usize, s: &Settings, deadline: Instant, row: &mut Row) -> Res<()> {
    row.n = n;
    let server = Server::start(bin, &[])?;
    let pid = server.pid();
    let mut game = Game::connect(&server.addr).await?;
    let rate_updates = (s.deliveries / n).max(50);
    let updates = 2 * (s.latency_updates + rate_updates) + BACKLOG_MAX_UPDATES;
    let arrivals = Arc::new(Arrivals::new(updates));

    // Joins.
    let rss_before = rss(pid)?;
    let (mut readers, join_secs) = join(&server.addr, n, s.recv_buffer, &game, &arrivals, deadline).await?;
    row.join_rate = n as f64 / join_secs;
    // The RSS once every participant has read what joining sends it (onReady comes last).
    wait_for("every joining participant's onReady", deadline, || arrivals.ready.load(Ordering::Relaxed), n as u64)
        .await?;
    row.bytes_per_participant = rss(pid)?.saturating_sub(rss_before) / n as u64;
    eprintln!("  joined {n} in {join_secs:.2} s");

    // Page through getAllParticipants.
    let mut ids = HashSet::new();
    let mut duplicates = 0;
    let mut from = 0i64;
    let mut page_ms = Vec::new();
    loop {
        let t = Instant::now();
        let page = game.call("getAllParticipants", json!({ "from": from })).await?;
        page_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let list = page["participants"].as_array().ok_or("getAllParticipants without participants")?;
        for p in list {
            let id = p["sessionID"].as_str().ok_or("a participant without sessionID")?;
            if !ids.insert(id.to_owned()) {
                duplicates += 1;
            }
            from = from.max(p["connectedAt"].as_i64().ok_or("a participant without connectedAt")?);
        }
        if page["hasMore"] != true || list.is_empty() {
            break;
        }
    }
    row.pages = page_ms.len();
    row.page_ms = spread(page_ms);
    row.listed = if ids.len() == n && duplicates == 0 {
        "all, once".into()
    } else {
        format!("{} of {n}, {duplicates} twice", ids.len())
    };
    eprintln!("  listed {} participants in {} pages", ids.len(), row.pages);

    // Fan-out, everyone reading.
    let slow_count = readers.iter().filter(|r| r.role == Role::Slow).map(|r| r.sockets as u64).sum::<u64>();
    let everyone = Audience { fast: n as u64 - slow_count, slow: slow_count };
    row.fast = fanout(&mut game, &arrivals, everyone, s, rate_updates, pid, deadline).await?;
    eprintln!("  fan-out: {:.0} deliveries/s", row.fast.rate);

    // Slow viewers: the slow group stops reading, its sockets stay open.
    let slow_readers = readers.pop().filter(|r| r.role == Role::Slow).ok_or("no slow participants at this N")?;
    let leaves_before_slow = game.shared.leaves.load(Ordering::Acquire);
    let held = slow_readers.pause().await?;
    let readers_only = Audience { fast: everyone.fast, slow: 0 };
    row.slow = fanout(&mut game, &arrivals, readers_only, s, rate_updates, pid, deadline).await?;
    eprintln!("  fan-out with {slow_count} slow viewers: {:.0} deliveries/s", row.slow.rate);
    row.backlog = backlog(&mut game, &arrivals, readers_only, slow_count, leaves_before_slow, pid, deadline).await?;
    eprintln!(
        "  backlog: {} of {slow_count} slow viewers closed after {} updates",
        row.backlog.closed, row.backlog.updates
    );
    // Read what the slow sockets still hold, to see how they were closed.
    let closed_before = arrivals.closed_1008.load(Ordering::Relaxed);
    let cut_before = arrivals.cut.load(Ordering::Relaxed);
    let all_closed_before = arrivals.closed.load(Ordering::Relaxed);
    let slow_again = Readers::spawn(held.0, Role::Slow, &arrivals, held.1);
    let seen_closed = || arrivals.closed.load(Ordering::Relaxed) - all_closed_before;
    let _ = wait_for("the slow sockets' close frames", deadline, seen_closed, row.backlog.closed).await;
    let closed_1008 = arrivals.closed_1008.load(Ordering::Relaxed) - closed_before;
    if closed_1008 < row.backlog.closed {
        let cut = arrivals.cut.load(Ordering::Relaxed) - cut_before;
        row.note.push(format!(
            "of the closed slow viewers, {closed_1008} got a 1008 close frame and {cut} saw the connection end without one"
        ));
    }
    readers.push(slow_again);

    // Leaves: every socket closes at once.
    let leaves_before = game.shared.leaves.load(Ordering::Acquire);
    let still = n as u64 - row.backlog.closed;
    let t0 = Instant::now();
    for r in readers {
        let (streams, _) = r.pause().await?;
        drop(streams);
    }
    match wait_for(
        "every onParticipantLeave",
        deadline,
        || game.shared.leaves.load(Ordering::Acquire) - leaves_before,
        still,
    )
    .await
    {
        Ok(()) => row.leave_rate = still as f64 / t0.elapsed().as_secs_f64(),
        Err(e) => row.note.push(e),
    }
    let odd = arrivals.odd.load(Ordering::Relaxed);
    if odd > 0 {
        row.note.push(format!("{odd} participants got error replies"));
    }
    if game.shared.closed.load(Ordering::Acquire) {
        row.note.push("the game socket closed".into());
    }
    drop(server);
    Ok(())
}

// ----- report -----

fn print_tables(rows: &[Row]) {
    println!();
    println!("joins and leaves");
    println!(
        "{:>8} | {:>6} | {:>8} | {:>14} | {:>16} | {:>20} | {:>10} | {:>8}",
        "mediator", "N", "joins/s", "RSS/particip.", "getAll pages", "page ms p50 / p99", "listed", "leaves/s"
    );
    println!("{}", "-".repeat(110));
    for r in rows {
        println!(
            "{:>8} | {:>6} | {:>8.0} | {:>14} | {:>16} | {:>20} | {:>10} | {:>8.0}",
            r.mediator,
            r.n,
            r.join_rate,
            format!("{:.1} KiB", r.bytes_per_participant as f64 / 1024.0),
            r.pages,
            format!("{:.2} / {:.2}", r.page_ms.0, r.page_ms.1),
            r.listed,
            r.leave_rate
        );
    }
    println!();
    println!("fan-out: one updateControls to every participant");
    println!(
        "{:>8} | {:>6} | {:>12} | {:>20} | {:>8} | {:>11} | {:>13} | {:>20} | {:>10} | {:>10} | {:>10}",
        "mediator",
        "N",
        "viewers",
        "last has it ms p50/p99",
        "updates",
        "deliveries",
        "deliveries/s",
        "game reply ms p50/p99",
        "peak RSS",
        "server CPU",
        "bench CPU"
    );
    println!("{}", "-".repeat(160));
    for r in rows {
        let slow_label = format!("1 in {SLOW_EVERY} slow");
        for (label, f) in [("all reading", &r.fast), (slow_label.as_str(), &r.slow)] {
            println!(
                "{:>8} | {:>6} | {:>12} | {:>20} | {:>8} | {:>11} | {:>13.0} | {:>20} | {:>10} | {:>9.0}% | {:>9.0}%",
                r.mediator,
                r.n,
                label,
                format!("{:.1} / {:.1}", f.last_ms.0, f.last_ms.1),
                f.updates,
                f.deliveries,
                f.rate,
                format!("{:.2} / {:.2}", f.reply_ms.0, f.reply_ms.1),
                mib(f.peak_rss),
                f.server_cpu * 100.0,
                f.bench_cpu * 100.0
            );
        }
    }
    println!();
    println!("slow viewers: the ones that stopped reading, after large updates (paced by the others)");
    for r in rows {
        let b = &r.backlog;
        let fast_ratio = if r.fast.rate > 0.0 { r.slow.rate / r.fast.rate } else { 0.0 };
        println!(
            "{} N={}: {} of {} slow viewers closed by the mediator: {} during the slow fan-out phase, the rest within \
             {:.1} s of large updates ({} updates of {} KiB, {} KiB owed to each); peak RSS {}; readers' rate with \
             them / without: {:.2}{}{}",
            r.mediator,
            r.n,
            b.closed,
            b.slow,
            b.closed_before,
            b.secs,
            b.updates,
            BACKLOG_TEXT / 1024,
            b.bytes_each / 1024,
            mib(b.peak_rss),
            fast_ratio,
            if r.asked != r.n { format!("; N cut from {} by the open-file limit", r.asked) } else { String::new() },
            if r.note.is_empty() { String::new() } else { format!("; {}", r.note.join("; ")) }
        );
    }
    println!();
    println!("joins/s: N handshakes (64 at a time) until the game saw every join; RSS/particip.: the mediator's");
    println!("RSS after the joins less before, over N; getAll: the game paging getAllParticipants by `from`;");
    println!("last has it: one update at a time, until the last participant had it; deliveries/s: updates kept");
    println!("{WINDOW} ahead of the slowest reader, first send to last delivery; CPU: share of one core.");
}

fn main() {
    let settings = match settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mediator_fanout: {e}");
            std::process::exit(2);
        }
    };
    // Each side needs a descriptor per participant; raise the limit as far as allowed and cut N
    // to what it holds.
    let most = settings.ns.iter().copied().max().unwrap_or(0);
    let limit = match raise_open_files_to_hard() {
        Ok(now) => now as usize,
        Err(e) => {
            eprintln!("mediator_fanout: {e}");
            std::process::exit(2);
        }
    };
    let room = limit.saturating_sub(SPARE_FDS);
    if most > room {
        eprintln!(
            "mediator_fanout: the open-file limit is {limit}, so at most {room} participants fit; larger counts are cut \
             to {room} (raise the hard limit, ulimit -Hn, to run them whole)"
        );
    }
    let deadline = Instant::now() + TOTAL_BUDGET;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let mut mediators = vec![("this", settings.server.clone())];
    if let Some(b) = &settings.baseline {
        mediators.push(("before", b.clone()));
    }
    let mut rows = Vec::new();
    let mut failed = false;
    for &asked in &settings.ns {
        for (label, bin) in &mediators {
            let n = asked.min(room);
            eprintln!("round N={n} ({label})");
            let mut row = Row { mediator: label, asked, ..Row::default() };
            if let Err(e) = runtime.block_on(round(bin, n, &settings, deadline, &mut row)) {
                eprintln!("  round failed: {e}");
                row.note.push(format!("failed: {e}"));
                failed = true;
            }
            rows.push(row);
        }
    }
    print_tables(&rows);
    runtime.shutdown_timeout(Duration::from_secs(1));
    if failed {
        std::process::exit(1);
    }
}
