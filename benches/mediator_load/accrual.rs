//! The accrual round of `mediator_load`: the watching economy at scale, beside the forwarding
//! rate. `mixplay-server --spark-interval 1` holds W real viewer sockets (W signed-in viewers,
//! by access key, on channel 1: what W open participant pages hold, without W browsers) while
//! P anonymous participants flood the game client, in phases that take turns:
//!
//! - **hidden**: every viewer socket says its page is hidden, so the accrual has no one to pay;
//! - **watching**: every viewer socket says visible, so each interval pays W people (W ledger
//!   rows and W balances written, W balance messages pushed), once a second;
//!
//! in the order hidden, watching, hidden, watching, hidden. Each phase floods the same inputs and
//! reports the forwarding rate. The accrual's cost is read from the ledger itself (the data
//! folder's database, opened read-only): per interval, the rows written, from the first to the
//! last row, and how long after the interval's end the last one was written, for intervals paid
//! while a flood ran and while none did. Last, the store alone pays the full count (20,000 by
//! default, whatever the open-file limit allows for sockets) in this process.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{SelectAll, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use mixplay::server::store::{Payee, Rates};
use mixplay::server::{Location, Store, World};
use rusqlite::{Connection, OpenFlags};
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use super::{
    flood_and_measure, game_reader, join_participants, open, rss, setup_game, timed, Flooded, GameStats, Joined, Res,
    Server, Ws, CONNECT_CONCURRENCY, GAME_SETUP_LIMIT,
};

/// How long connecting every viewer socket, and waiting for the accrual to notice a change, may take.
const WATCHERS_LIMIT: Duration = Duration::from_secs(120);
const ACCRUAL_LIMIT: Duration = Duration::from_secs(30);
/// Payments per database transaction, and batches queued ahead, as the accrual makes them
/// (`economy::accrual`).
const BATCH: usize = 1000;
const AHEAD: usize = 2;
/// Intervals paid in the store-only measurement.
const STORE_INTERVALS: usize = 5;
/// Client tasks reading the viewer sockets.
const READERS: usize = 4;
/// File descriptors kept free for everything else (the database, the game, stdio).
const SPARE_FDS: u64 = 200;

/// One phase's figures.
pub struct Phase {
    name: &'static str,
    watching: usize,
    flooded: Flooded,
}

/// The store's side of paying `n` people an interval, measured in this process (no sockets, no
/// open-file limit): the same calls the accrual makes, in its batches.
#[derive(Default)]
pub struct StoreCost {
    payees: usize,
    /// Milliseconds per interval: median and most.
    ms: (f64, f64),
    intervals: usize,
}

/// How long paying an interval took, over some intervals (ms: median and most).
#[derive(Default)]
struct Timing {
    intervals: usize,
    /// First to last row of an interval.
    write_ms: (i64, i64),
    /// The interval's end to its last row.
    done_ms: (i64, i64),
}

impl Timing {
    fn of(paid: &[&IntervalRow]) -> Timing {
        let spread = |f: &dyn Fn(&IntervalRow) -> i64| {
            let v: Vec<i64> = paid.iter().map(|i| f(i)).collect();
            (median(v.clone()), v.into_iter().max().unwrap_or(0))
        };
        Timing { intervals: paid.len(), write_ms: spread(&|i| i.3 - i.2), done_ms: spread(&|i| i.3 - i.0) }
    }
}

/// The accrual's cost for the intervals paid while everyone watched.
#[derive(Default)]
struct Cost {
    /// Payments (ledger rows) per interval: least and most.
    rows: (u64, u64),
    /// Intervals paid while no flood ran, and while one did.
    idle: Timing,
    flooding: Timing,
    /// Balance messages (`earned`) the viewer sockets received, and payments made, in all.
    pushed: u64,
    payments: u64,
}

#[derive(Default)]
pub struct AccrualRow {
    store: StoreCost,
    watchers: usize,
    participants: usize,
    connect_secs: f64,
    bytes_per_watcher: u64,
    phases: Vec<Phase>,
    cost: Cost,
    note: String,
}

/// The streamer (user 1, channel 1, version 1 with the eight bench buttons made by the game) and
/// `watchers` viewers with keys `w-N`.
fn write_world(path: &Path, watchers: usize) -> Res<()> {
    let mut users = vec![json!({ "id": 1, "username": "streamer", "token": "demo-streamer" })];
    for w in 0..watchers {
        users.push(json!({ "id": w + 2, "username": format!("w{w}"), "token": format!("w-{w}") }));
    }
    let world = json!({
        "users": users,
        "channels": [ { "id": 1, "owner": 1 } ],
        "projects": [ { "versionId": 1, "owner": 1 } ],
    });
    std::fs::write(path, world.to_string()).map_err(|e| format!("writing the bench world: {e}"))
}

/// What the viewer sockets received.
#[derive(Default)]
struct Heard {
    messages: AtomicU64,
    earned: AtomicU64,
}

async fn listen(mut streams: SelectAll<SplitStream<Ws>>, heard: Arc<Heard>) {
    while let Some(Ok(message)) = streams.next().await {
        if let Message::Text(t) = message {
            heard.messages.fetch_add(1, Ordering::Relaxed);
            if t.as_str().contains("\"earned\"") {
                heard.earned.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Tells every viewer socket's page to be visible or hidden.
async fn say_visible(sinks: &mut [SplitSink<Ws, Message>], visible: bool) -> Res<()> {
    let text = json!({ "visible": visible }).to_string();
    for sink in sinks.iter_mut() {
        sink.feed(Message::text(text.clone())).await.map_err(|e| format!("viewer socket: {e}"))?;
    }
    for sink in sinks.iter_mut() {
        sink.flush().await.map_err(|e| format!("viewer socket: {e}"))?;
    }
    Ok(())
}

/// One interval paid for watching: its end, the rows (payments), the first and the last row's
/// time (unix ms).
type IntervalRow = (i64, u64, i64, i64);

/// Whether each phase has everyone watching (the others: everyone hidden).
const PHASES: [bool; 5] = [false, true, false, true, false];

/// Waits until the streamer (who streams throughout) has been paid for an interval ending after
/// `after`: by then the accrual has run on what was true at `after`.
async fn settle(db: &Connection, after: i64) -> Res<()> {
    let until = Instant::now() + ACCRUAL_LIMIT;
    loop {
        let paid: i64 = db
            .query_row(
                "SELECT count(*) FROM ledger WHERE user_id = 1 AND kind = 'earn' AND interval_end > ?1",
                [after],
                |r| r.get(0),
            )
            .map_err(|e| e.to_string())?;
        if paid > 0 {
            return Ok(());
        }
        if Instant::now() >= until {
            return Err("the accrual did not pay the streamer in time".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Per interval paid for watching since `after` (unix ms): (end, rows, first row, last row).
fn intervals(db: &Connection, after: i64) -> Res<Vec<IntervalRow>> {
    let mut stmt = db
        .prepare(
            "SELECT interval_end, count(*), min(created_at), max(created_at) FROM ledger
             WHERE kind = 'earn' AND reason = 'watching' AND interval_end > ?1 GROUP BY interval_end ORDER BY interval_end",
        )
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .map_err(|e| e.to_string())?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| e.to_string())?;
    Ok(rows)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Polls the ledger until `done` holds for the intervals paid since `after`.
async fn wait_for_intervals(
    db: &Connection,
    after: i64,
    deadline: Instant,
    what: &str,
    done: impl Fn(&[IntervalRow]) -> bool,
) -> Res<Vec<IntervalRow>> {
    let until = Instant::now() + ACCRUAL_LIMIT.min(deadline.saturating_duration_since(Instant::now()));
    loop {
        let paid = intervals(db, after)?;
        if done(&paid) {
            return Ok(paid);
        }
        if Instant::now() >= until {
            return Err(format!("{what}: the ledger did not show it in time ({} intervals: {paid:?})", paid.len()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn median(mut v: Vec<i64>) -> i64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// Pays `payees` people (all watching channel 1) for `intervals` intervals through the store on a
/// fresh data folder, in batches of `BATCH` as the accrual does; the time each interval took.
async fn store_cost(payees: usize, intervals: usize) -> Res<StoreCost> {
    let dir = std::env::temp_dir().join(format!("mixplay-bench-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(Location::Folder(dir.clone())).await.map_err(|e| e.to_string())?;
    let world = std::env::temp_dir().join(format!("mixplay-bench-store-{}.json", std::process::id()));
    write_world(&world, payees)?;
    let loaded = World::from_file(&world).map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&world);
    store.import_world(loaded?).await.map_err(|e| e.to_string())?;
    let rates = Rates { base: 2, boosted: 4 };
    let everyone: Vec<Payee> =
        (0..payees).map(|w| Payee { user: w as u32 + 2, watching: vec![1], streaming: None }).collect();
    let mut times = Vec::new();
    let start = now_ms();
    for i in 0..intervals as i64 {
        let t = Instant::now();
        let (from, to) = (start + i * 1000, start + (i + 1) * 1000);
        // Batches waiting in line while the last is answered, as the accrual queues them.
        let mut batches = everyone.chunks(BATCH).map(|b| b.to_vec());
        let pay = |b| store.pay_for_watching(from, to, rates, b);
        let mut line: std::collections::VecDeque<_> = batches.by_ref().take(AHEAD).map(pay).collect();
        let mut paid = 0;
        while let Some(batch) = line.pop_front() {
            paid += batch.await.map_err(|e| e.to_string())?.len();
            line.extend(batches.next().map(pay));
        }
        if paid != payees {
            return Err(format!("the store paid {paid} of {payees}"));
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    times.sort_by(f64::total_cmp);
    Ok(StoreCost { payees, ms: (times[times.len() / 2], times[times.len() - 1]), intervals })
}

#[allow(clippy::too_many_arguments)]
pub async fn round(
    bin: &PathBuf,
    watchers: usize,
    participants: usize,
    inputs: u64,
    tasks: usize,
    batch: usize,
    deadline: Instant,
) -> Res<AccrualRow> {
    let mut row = AccrualRow { participants, ..AccrualRow::default() };
    row.store = store_cost(watchers, STORE_INTERVALS).await?;
    // As far as the hard limit allows (children such as the server inherit it); fewer viewer
    // sockets than asked for when it is lower.
    let limit = mixplay::server::raise_open_files_limit().map_or(1024, |(_, now)| now);
    let watchers = watchers.min(limit.saturating_sub(participants as u64 + SPARE_FDS) as usize);
    if watchers == 0 {
        return Err(format!("the open-file limit ({limit}) leaves no room for viewer sockets"));
    }
    row.watchers = watchers;
    let world = std::env::temp_dir().join(format!("mixplay-bench-accrual-{}.json", std::process::id()));
    write_world(&world, watchers)?;
    let world_arg = world.to_str().ok_or("a temp path that is UTF-8")?.to_owned();
    let server = Server::start(bin, &["--world", &world_arg, "--spark-interval", "1"]);
    let _ = std::fs::remove_file(&world);
    let server = server?;
    let (addr, pid) = (server.addr.clone(), server.pid());
    let data = server.data.clone().ok_or("this mediator has no data folder")?;
    let db = Connection::open_with_flags(data.join("mixplay.sqlite3"), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("opening the ledger read-only: {e}"))?;

    let game = timed("game client setup", GAME_SETUP_LIMIT, deadline, setup_game(&addr)).await??;
    let (_game_sink, game_stream) = game.split();
    let game_stats = Arc::new(GameStats::default());
    let game_task = tokio::spawn(game_reader(game_stream, game_stats.clone(), Instant::now()));
    let Joined { sinks, drains, .. } =
        join_participants(&addr, participants, tasks, inputs, &game_stats, deadline).await?;

    // The viewer sockets: one per watcher, hidden.
    let rss_before = rss(pid)?;
    let t = Instant::now();
    let connects = futures_util::stream::iter(0..watchers)
        .map(|w| {
            let url = format!("ws://{addr}/api/v1/channels/1/viewer?key=w-{w}");
            async move { open(url.into_client_request().map_err(|e| e.to_string())?).await }
        })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect::<Vec<Res<Ws>>>();
    let sockets = timed("connecting viewer sockets", WATCHERS_LIMIT, deadline, connects)
        .await?
        .into_iter()
        .collect::<Res<Vec<Ws>>>()?;
    row.connect_secs = t.elapsed().as_secs_f64();
    let heard = Arc::new(Heard::default());
    let mut viewer_sinks = Vec::with_capacity(watchers);
    let mut groups: Vec<SelectAll<SplitStream<Ws>>> = (0..READERS).map(|_| SelectAll::new()).collect();
    for (i, ws) in sockets.into_iter().enumerate() {
        let (sink, stream) = ws.split();
        viewer_sinks.push(sink);
        groups[i % READERS].push(stream);
    }
    let listeners: Vec<_> = groups.into_iter().map(|g| tokio::spawn(listen(g, heard.clone()))).collect();
    eprintln!("  {watchers} viewer sockets connected in {:.1} s", row.connect_secs);
    tokio::time::sleep(Duration::from_millis(500)).await;
    row.bytes_per_watcher = rss(pid)?.saturating_sub(rss_before) / watchers as u64;

    // Hidden and watching phases take turns, each flooding the same inputs.
    let quotas: Vec<Vec<u64>> = sinks.iter().map(|g| g.iter().map(|s| s.2).collect()).collect();
    let mut sinks = sinks;
    let mut floods = Vec::new(); // the watching phases' floods, as (from, to) unix ms
    let mut shown = Vec::new(); // when the pages were shown
    let mut hidden = Vec::new(); // and hidden again
    for (k, &watch) in PHASES.iter().enumerate() {
        if watch {
            let at = now_ms();
            shown.push(at);
            say_visible(&mut viewer_sinks, true).await?;
            let full = |paid: &[IntervalRow]| paid.iter().any(|i| i.1 as usize >= watchers);
            wait_for_intervals(&db, at, deadline, "everyone paid", full).await?;
        } else if k > 0 {
            let at = now_ms();
            hidden.push(at);
            say_visible(&mut viewer_sinks, false).await?;
            settle(&db, at + 2000).await?;
        }
        for (group, q) in sinks.iter_mut().zip(&quotas) {
            for (sender, quota) in group.iter_mut().zip(q) {
                sender.2 = *quota;
            }
        }
        let from = now_ms();
        let (back, flooded) = flood_and_measure(sinks, batch, &game_stats, pid, deadline).await?;
        sinks = back;
        if watch {
            floods.push((from, now_ms()));
        }
        let (name, watching) = if watch { ("watching", watchers) } else { ("hidden", 0) };
        row.phases.push(Phase { name, watching, flooded });
    }

    let watched = intervals(&db, shown[0])?;
    // Every payment's balance message has gone out by now (nobody has been paid since).
    let pushed = heard.earned.load(Ordering::Relaxed);
    let payments: u64 = watched.iter().map(|i| i.1).sum();
    // Nobody is paid for an interval that started after their pages were hidden.
    for (i, at) in hidden.iter().enumerate() {
        let next_shown = shown.get(i + 1).copied().unwrap_or(i64::MAX);
        if watched.iter().any(|p| p.0 > at + 2000 && p.0 < next_shown) {
            row.note = "the accrual paid watchers after their pages were hidden".into();
        }
    }
    let everyone: Vec<_> = watched.iter().filter(|i| i.1 as usize >= watchers).collect();
    let during = |i: &&&IntervalRow| floods.iter().any(|(from, to)| i.3 >= *from && i.3 <= *to);
    let flooding: Vec<_> = everyone.iter().filter(during).copied().collect();
    let idle: Vec<_> = everyone.iter().filter(|i| !during(i)).copied().collect();
    row.cost = Cost {
        rows: (everyone.iter().map(|i| i.1).min().unwrap_or(0), everyone.iter().map(|i| i.1).max().unwrap_or(0)),
        idle: Timing::of(&idle),
        flooding: Timing::of(&flooding),
        pushed,
        payments,
    };
    drop(server);
    game_task.abort();
    for task in drains.into_iter().chain(listeners) {
        task.abort();
    }
    Ok(row)
}

pub fn print_table(rows: &[AccrualRow]) {
    for r in rows {
        println!();
        println!(
            "accrual round: {} watchers (viewer sockets signed in by key on channel 1, --spark-interval 1), \
             {} participants flooding",
            r.watchers, r.participants
        );
        println!(
            "{:>13} | {:>8} | {:>9} | {:>9} | {:>10} | {:>10} | {:>9}",
            "phase", "watching", "sent", "delivered", "inputs/s", "server CPU", "bench CPU"
        );
        println!("{}", "-".repeat(86));
        for p in &r.phases {
            let f = &p.flooded;
            println!(
                "{:>13} | {:>8} | {:>9} | {:>9} | {:>10.0} | {:>9.0}% | {:>8.0}%{}",
                p.name,
                p.watching,
                f.sent,
                f.delivered,
                f.rate,
                f.server_cpu * 100.0,
                f.bench_cpu * 100.0,
                if f.stalled { "  delivery stalled" } else { "" }
            );
        }
        let c = &r.cost;
        println!();
        println!(
            "accrual while watching: {}–{} people paid per interval, each one ledger row inserted and one balance \
             updated ({}–{} rows written per interval)",
            c.rows.0,
            c.rows.1,
            2 * c.rows.0,
            2 * c.rows.1
        );
        for (when, t) in [("no flood running", &c.idle), ("during a flood", &c.flooding)] {
            println!(
                "  {} intervals paid {when}: first to last row median {} ms (max {}); the interval's end to its last \
                 row median {} ms (max {})",
                t.intervals, t.write_ms.0, t.write_ms.1, t.done_ms.0, t.done_ms.1
            );
        }
        println!(
            "  balance messages the viewer sockets received: {} for {} payments; viewer sockets connected in {:.1} s, \
             {} bytes of server memory each",
            c.pushed, c.payments, r.connect_secs, r.bytes_per_watcher
        );
        println!(
            "  the store alone (this process, a fresh data folder, batches of {BATCH}): paying {} people an interval \
             took median {:.0} ms, max {:.0} ms over {} intervals",
            r.store.payees, r.store.ms.0, r.store.ms.1, r.store.intervals
        );
        if !r.note.is_empty() {
            println!("  NOTE: {}", r.note);
        }
    }
}
