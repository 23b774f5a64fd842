//! The participants of `mediator_fanout`: joining them, and the reader tasks that note when each
//! update reached each of them. One in ten is *slow*: read by a task of its own, which the slow
//! viewer phases stop (its sockets staying open, unread).

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures_util::stream::{select_all, SelectAll};
use futures_util::{Stream, StreamExt};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::game::Game;
use super::{nanos_since, open_participants, wait_for, Res, CONNECT_CONCURRENCY, CONNECT_LIMIT, READERS, SLOW_EVERY};

/// Which readers a participant's socket belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Fast = 0,
    /// One in [`SLOW_EVERY`]: reads like the others until the slow-viewer phases.
    Slow = 1,
}

/// For each update (by its number in the round), how many participants of each role have it
/// and when the last of them got it (ns since `base`).
pub struct Arrivals {
    pub base: Instant,
    got: [Vec<AtomicU64>; 2],
    last_ns: [Vec<AtomicU64>; 2],
    /// `onControlUpdate`s received, by role.
    pub delivered: [AtomicU64; 2],
    /// Participant sockets the mediator closed, and with 1008 (the code for falling behind).
    pub closed: AtomicU64,
    pub closed_1008: AtomicU64,
    /// Participant sockets that ended without a close frame.
    pub cut: AtomicU64,
    /// Frames that were not what a participant expects.
    pub odd: AtomicU64,
    /// `onReady`s received: the last of the packets a participant gets on joining a ready game.
    pub ready: AtomicU64,
}

impl Arrivals {
    pub fn new(updates: usize) -> Arrivals {
        let counters = || (0..updates).map(|_| AtomicU64::new(0)).collect::<Vec<_>>();
        Arrivals {
            base: Instant::now(),
            got: [counters(), counters()],
            last_ns: [counters(), counters()],
            delivered: Default::default(),
            closed: AtomicU64::new(0),
            closed_1008: AtomicU64::new(0),
            cut: AtomicU64::new(0),
            odd: AtomicU64::new(0),
            ready: AtomicU64::new(0),
        }
    }

    pub fn record(&self, role: Role, update: usize) {
        let r = role as usize;
        self.delivered[r].fetch_add(1, Ordering::Relaxed);
        if let (Some(got), Some(last)) = (self.got[r].get(update), self.last_ns[r].get(update)) {
            last.fetch_max(nanos_since(self.base), Ordering::Relaxed);
            got.fetch_add(1, Ordering::Release);
        }
    }

    pub fn got(&self, role: Role, update: usize) -> u64 {
        self.got[role as usize].get(update).map_or(0, |g| g.load(Ordering::Acquire))
    }

    pub fn last_ns(&self, role: Role, update: usize) -> u64 {
        self.last_ns[role as usize].get(update).map_or(0, |g| g.load(Ordering::Relaxed))
    }
}

/// What a reader keeps as a socket's update count once the socket has ended.
pub const ENDED: usize = usize::MAX;

pub type Indexed = Pin<Box<dyn Stream<Item = (usize, Result<Message, WsError>)> + Send>>;

/// Reads a group of participant sockets: the k-th `onControlUpdate` a socket receives is update
/// k of the round (every participant sees every update, in order). Stops reading when `stop`
/// turns true and hands its sockets back, still open.
async fn participant_reader(
    mut streams: SelectAll<Indexed>,
    role: Role,
    arrivals: Arc<Arrivals>,
    mut stop: watch::Receiver<bool>,
    mut seen: Vec<usize>,
) -> (SelectAll<Indexed>, Vec<usize>) {
    seen.resize(streams.len(), 0);
    loop {
        let next = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => return (streams, seen),
            next = streams.next() => next,
        };
        let Some((i, message)) = next else { return (streams, seen) };
        match message {
            Ok(Message::Text(t)) if t.as_str().contains("\"onControlUpdate\"") => {
                arrivals.record(role, seen[i]);
                seen[i] += 1;
            }
            Ok(Message::Text(t)) if t.as_str().contains("\"type\":\"reply\"") => {
                arrivals.odd.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Message::Text(t)) if t.as_str().contains("\"onReady\"") => {
                arrivals.ready.fetch_add(1, Ordering::Relaxed);
            }
            // A socket's end counts once (a close frame is followed by the stream's end).
            _ if seen[i] == ENDED => {}
            Ok(Message::Close(frame)) => {
                seen[i] = ENDED;
                arrivals.closed.fetch_add(1, Ordering::Relaxed);
                if frame.is_some_and(|f| f.code == CloseCode::Policy) {
                    arrivals.closed_1008.fetch_add(1, Ordering::Relaxed);
                }
            }
            Err(_) => {
                seen[i] = ENDED;
                arrivals.closed.fetch_add(1, Ordering::Relaxed);
                arrivals.cut.fetch_add(1, Ordering::Relaxed);
            }
            Ok(_) => {}
        }
    }
}

/// A reader group: its task, and the switch that stops it.
pub struct Readers {
    task: tokio::task::JoinHandle<(SelectAll<Indexed>, Vec<usize>)>,
    stop: watch::Sender<bool>,
    pub sockets: usize,
    pub role: Role,
}

impl Readers {
    /// Reads `streams`; `seen` is what an earlier reader of the same sockets had counted.
    pub fn spawn(streams: SelectAll<Indexed>, role: Role, arrivals: &Arc<Arrivals>, seen: Vec<usize>) -> Readers {
        let (stop, stop_rx) = watch::channel(false);
        let sockets = streams.len();
        let task = tokio::spawn(participant_reader(streams, role, arrivals.clone(), stop_rx, seen));
        Readers { task, stop, sockets, role }
    }

    /// Stops reading; the sockets stay open, unread.
    pub async fn pause(self) -> Res<(SelectAll<Indexed>, Vec<usize>)> {
        let _ = self.stop.send(true);
        self.task.await.map_err(|e| format!("reader task: {e}"))
    }
}

/// Connects `n` participants to channel 1; returns the reader groups (the last one holds the slow
/// participants) and the time until the game had seen every join.
pub async fn join(
    addr: &str,
    n: usize,
    recv_buffer: Option<u32>,
    game: &Game,
    arrivals: &Arc<Arrivals>,
    deadline: Instant,
) -> Res<(Vec<Readers>, f64)> {
    let joins_before = game.shared.joins.load(Ordering::Acquire);
    let t0 = Instant::now();
    let sockets = tokio::time::timeout(
        CONNECT_LIMIT.min(deadline.saturating_duration_since(Instant::now())),
        open_participants(addr, n, CONNECT_CONCURRENCY, recv_buffer),
    )
    .await
    .map_err(|_| format!("connecting {n} participants took longer than {} s", CONNECT_LIMIT.as_secs()))??;
    wait_for(
        "every onParticipantJoin",
        deadline,
        || game.shared.joins.load(Ordering::Acquire) - joins_before,
        n as u64,
    )
    .await?;
    let join_secs = t0.elapsed().as_secs_f64();

    let mut groups: Vec<(Vec<Indexed>, Role)> = (0..READERS).map(|_| (Vec::new(), Role::Fast)).collect();
    groups.push((Vec::new(), Role::Slow));
    for (i, ws) in sockets.into_iter().enumerate() {
        let group = if i % SLOW_EVERY == SLOW_EVERY - 1 { READERS } else { i % READERS };
        // Read whole (not split): reading also sends the pongs, so the socket lives as long as
        // it is read or held.
        let index = groups[group].0.len();
        let stream: Indexed = Box::pin(ws.map(move |m| (index, m)));
        groups[group].0.push(stream);
    }
    let readers = groups
        .into_iter()
        .filter(|(s, _)| !s.is_empty())
        .map(|(streams, role)| Readers::spawn(select_all(streams), role, arrivals, Vec::new()))
        .collect();
    Ok((readers, join_secs))
}
