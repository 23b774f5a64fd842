//! Who is watching what, in memory: every open viewer socket (its user, channel and whether its
//! page is visible), which channels are live and since when, and since when each signed-in
//! person has been watching. A person is *watching* while at least one of their viewer sockets is
//! visible on a live channel; the accrual pays those who watched a whole interval, once however
//! many sockets they have.
//!
//! Lock order: the spark cache (`Sparks`) may call in here while holding its own lock (so that
//! balance messages leave in the order the balances changed); nothing in here calls out.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::ws::Utf8Bytes;
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::server::store::Payee;

/// Messages that may wait for one viewer socket; a socket further behind is closed.
pub const OUTBOX: usize = 64;

/// What the registry sends a viewer socket; closing the channel (dropping the sender) tells
/// the socket it fell too far behind, or that the mediator is shutting down
/// ([`Watching::shutting_down`]).
pub type Outbox = mpsc::Sender<Utf8Bytes>;

/// Why a viewer socket was not registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The user holds as many viewer sockets as allowed.
    PerUser(usize),
    /// The mediator holds as many viewer sockets as allowed.
    Full(usize),
    /// The mediator is shutting down.
    Closing,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::PerUser(n) => write!(f, "too many viewer sockets for this account (at most {n}); close a tab"),
            Refused::Full(_) => f.write_str("the mediator has as many viewers as it takes; try again later"),
            Refused::Closing => f.write_str("the service is restarting"),
        }
    }
}

struct Socket {
    user: Option<u32>,
    channel: u32,
    visible: bool,
    out: Outbox,
}

#[derive(Default)]
struct Person {
    sockets: Vec<u64>,
    /// Since when (unix ms) the person has been watching; `None` while they are not.
    since: Option<i64>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    sockets: HashMap<u64, Socket>,
    people: HashMap<u32, Person>,
    /// The viewer sockets open on each channel.
    audiences: HashMap<u32, HashSet<u64>>,
    /// Live channels, and since when (unix ms).
    live: HashMap<u32, i64>,
}

/// The registry of viewer sockets and live channels.
pub struct Watching {
    state: Mutex<State>,
    /// Serialises liveness changes: each reads the truth and applies it before the next reads.
    status: Mutex<()>,
    closing: AtomicBool,
    per_user: usize,
    max: usize,
}

/// Who to pay for an interval, and how many sockets were looked at.
#[derive(Debug, Default)]
pub struct Due {
    /// People who watched all interval long, with the live channels they watch now.
    pub viewers: Vec<Payee>,
    /// Channels live all interval long (their owners earn for streaming).
    pub streaming: Vec<u32>,
}

pub fn channel_message(channel: u32, online: bool) -> Utf8Bytes {
    Utf8Bytes::from(json!({ "event": "channel", "channel": channel, "online": online }).to_string())
}

/// Whether the viewer is watching now (and so earns for every whole interval from now on).
fn earning_message(earning: bool) -> Utf8Bytes {
    Utf8Bytes::from(json!({ "event": "earning", "earning": earning }).to_string())
}

impl State {
    fn push(&mut self, id: u64, text: Utf8Bytes) {
        let Some(socket) = self.sockets.get(&id) else { return };
        if let Err(mpsc::error::TrySendError::Full(_)) = socket.out.try_send(text) {
            // Dropping its sender tells the socket it fell behind.
            self.remove(id, crate::clock::now_ms());
        }
    }

    /// Whether the person is watching now; starts or stops their watching time accordingly, and
    /// tells their sockets when that changes.
    fn refresh(&mut self, user: u32, now: i64) {
        let Some(person) = self.people.get(&user) else { return };
        let watching = person
            .sockets
            .iter()
            .filter_map(|id| self.sockets.get(id))
            .any(|s| s.visible && self.live.contains_key(&s.channel));
        let person = self.people.get_mut(&user).expect("looked up above");
        match (watching, person.since) {
            (true, None) => person.since = Some(now),
            (false, Some(_)) => person.since = None,
            _ => return,
        }
        let text = earning_message(watching);
        for id in person.sockets.clone() {
            self.push(id, text.clone());
        }
    }

    fn remove(&mut self, id: u64, now: i64) {
        let Some(socket) = self.sockets.remove(&id) else { return };
        if let Some(audience) = self.audiences.get_mut(&socket.channel) {
            audience.remove(&id);
            if audience.is_empty() {
                self.audiences.remove(&socket.channel);
            }
        }
        if let Some(user) = socket.user {
            if let Some(person) = self.people.get_mut(&user) {
                person.sockets.retain(|s| *s != id);
                if person.sockets.is_empty() {
                    self.people.remove(&user);
                } else {
                    self.refresh(user, now);
                }
            }
        }
    }
}

impl Watching {
    pub fn new(per_user: usize, max: usize) -> Watching {
        Watching {
            state: Mutex::new(State::default()),
            status: Mutex::new(()),
            closing: AtomicBool::new(false),
            per_user,
            max,
        }
    }

    /// Registers a viewer socket (hidden until it says otherwise) and queues `first` on it, then
    /// the channel's status (and, signed in, whether the viewer is earning), before anything
    /// else can reach it; its id.
    pub fn register(&self, user: Option<u32>, channel: u32, out: Outbox, first: Vec<Value>) -> Result<u64, Refused> {
        let mut st = self.state.lock();
        if self.shutting_down() {
            return Err(Refused::Closing);
        }
        if st.sockets.len() >= self.max {
            return Err(Refused::Full(self.max));
        }
        if let Some(u) = user {
            if st.people.get(&u).is_some_and(|p| p.sockets.len() >= self.per_user) {
                return Err(Refused::PerUser(self.per_user));
            }
        }
        st.next_id += 1;
        let id = st.next_id;
        let online = st.live.contains_key(&channel);
        st.sockets.insert(id, Socket { user, channel, visible: false, out });
        st.audiences.entry(channel).or_default().insert(id);
        if let Some(u) = user {
            st.people.entry(u).or_default().sockets.push(id);
        }
        for message in first {
            st.push(id, Utf8Bytes::from(message.to_string()));
        }
        st.push(id, channel_message(channel, online));
        if let Some(earning) = user.and_then(|u| st.people.get(&u)).map(|p| p.since.is_some()) {
            st.push(id, earning_message(earning));
        }
        Ok(id)
    }

    /// Forgets a socket that closed.
    pub fn unregister(&self, id: u64) {
        self.state.lock().remove(id, crate::clock::now_ms());
    }

    /// A socket's page became visible or hidden.
    pub fn set_visible(&self, id: u64, visible: bool) {
        let mut st = self.state.lock();
        let Some(socket) = st.sockets.get_mut(&id) else { return };
        socket.visible = visible;
        if let Some(user) = socket.user {
            st.refresh(user, crate::clock::now_ms());
        }
    }

    /// Records whether a channel is live; on a change, its viewer sockets hear of it and its
    /// viewers start or stop watching. Changes are serialised, each asking `live` for the truth
    /// and applying it before the next asks, so a late caller never applies a stale answer.
    /// `live` runs outside the registry's lock (it may take the session locks).
    pub fn set_live(&self, channel: u32, live: impl FnOnce() -> bool) {
        let _serial = self.status.lock();
        let live = live();
        let mut st = self.state.lock();
        if live == st.live.contains_key(&channel) {
            return;
        }
        let now = crate::clock::now_ms();
        if live {
            st.live.insert(channel, now);
        } else {
            st.live.remove(&channel);
        }
        let audience: Vec<u64> = st.audiences.get(&channel).map(|a| a.iter().copied().collect()).unwrap_or_default();
        let message = channel_message(channel, live);
        let mut users = HashSet::new();
        for id in audience {
            if let Some(user) = st.sockets.get(&id).and_then(|s| s.user) {
                users.insert(user);
            }
            st.push(id, message.clone());
        }
        for user in users {
            st.refresh(user, now);
        }
    }

    /// Sends `message` to every viewer socket of `user`.
    pub fn to_user(&self, user: u32, message: &Value) {
        let mut st = self.state.lock();
        let Some(person) = st.people.get(&user) else { return };
        let ids = person.sockets.clone();
        let text = Utf8Bytes::from(message.to_string());
        for id in ids {
            st.push(id, text.clone());
        }
    }

    /// Who watched (or streamed) all of the interval that started at `start` (unix ms): people
    /// watching since then, and channels live since then.
    pub fn due(&self, start: i64) -> Due {
        let st = self.state.lock();
        let mut due = Due::default();
        for (&user, person) in &st.people {
            if !person.since.is_some_and(|since| since <= start) {
                continue;
            }
            let mut watching: Vec<u32> = person
                .sockets
                .iter()
                .filter_map(|id| st.sockets.get(id))
                .filter(|s| s.visible && st.live.contains_key(&s.channel))
                .map(|s| s.channel)
                .collect();
            watching.sort_unstable();
            watching.dedup();
            due.viewers.push(Payee { user, watching, streaming: None });
        }
        due.streaming = st.live.iter().filter(|(_, &since)| since <= start).map(|(&c, _)| c).collect();
        due.streaming.sort_unstable();
        due
    }

    /// Lets go of every viewer socket (the mediator is shutting down) and takes no more.
    pub fn close_all(&self) {
        self.closing.store(true, Ordering::Release);
        let mut st = self.state.lock();
        st.sockets.clear();
        st.people.clear();
        st.audiences.clear();
    }

    /// Whether [`Watching::close_all`] was called.
    pub fn shutting_down(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    /// Open viewer sockets: all, and those of signed-in viewers.
    #[cfg(test)]
    fn counts(&self) -> (usize, usize) {
        let st = self.state.lock();
        (st.sockets.len(), st.people.values().map(|p| p.sockets.len()).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn socket(w: &Watching, user: Option<u32>, channel: u32) -> (u64, mpsc::Receiver<Utf8Bytes>) {
        let (tx, rx) = mpsc::channel(OUTBOX);
        (w.register(user, channel, tx, vec![]).unwrap(), rx)
    }

    fn users(due: &Due) -> Vec<(u32, Vec<u32>)> {
        let mut v: Vec<_> = due.viewers.iter().map(|p| (p.user, p.watching.clone())).collect();
        v.sort();
        v
    }

    #[test]
    fn watching_means_visible_on_a_live_channel_all_interval_long() {
        let w = Watching::new(3, 100);
        let (a1, mut rx) = socket(&w, Some(7), 1);
        // The next message of kind `event` (others skipped).
        let next = |rx: &mut mpsc::Receiver<Utf8Bytes>, event: &str| loop {
            let m: Value = serde_json::from_str(rx.try_recv().unwrap().as_str()).unwrap();
            if m["event"] == event {
                return m;
            }
        };
        let online = |rx: &mut mpsc::Receiver<Utf8Bytes>| next(rx, "channel")["online"].as_bool().unwrap();
        assert!(!online(&mut rx));
        let (a2, _rx2) = socket(&w, Some(7), 2);
        let (_anon, _rx3) = socket(&w, None, 1);
        w.set_visible(a1, true);
        w.set_visible(a2, true);
        let before = crate::clock::now_ms() - 1;
        assert!(users(&w.due(i64::MAX)).is_empty(), "no channel is live");
        w.set_live(1, || true);
        assert!(online(&mut rx));
        assert_eq!(next(&mut rx, "earning")["earning"], true, "the page hears that it earns now");
        assert!(users(&w.due(before)).is_empty(), "not watching since before the interval");
        w.set_live(2, || true);
        assert_eq!(users(&w.due(i64::MAX)), [(7, vec![1, 2])], "two channels, one payee; anonymous: none");
        assert_eq!(w.due(i64::MAX).streaming, [1, 2]);
        // Hiding one tab keeps them watching (since unchanged); hiding both stops it.
        let since = w.state.lock().people[&7].since;
        w.set_visible(a2, false);
        assert_eq!(w.state.lock().people[&7].since, since);
        w.set_visible(a1, false);
        assert!(users(&w.due(i64::MAX)).is_empty());
        // Going offline stops it too.
        w.set_visible(a1, true);
        w.set_live(1, || false);
        assert!(users(&w.due(i64::MAX)).is_empty());
        w.unregister(a1);
        w.unregister(a2);
        assert_eq!(w.counts(), (1, 0));
    }

    #[test]
    fn sockets_are_bounded_per_user_and_in_all() {
        let w = Watching::new(2, 3);
        let _a = socket(&w, Some(1), 1);
        let _b = socket(&w, Some(1), 1);
        let (tx, _rx) = mpsc::channel(OUTBOX);
        assert_eq!(w.register(Some(1), 2, tx.clone(), vec![]), Err(Refused::PerUser(2)));
        let _c = socket(&w, None, 1);
        assert_eq!(w.register(Some(2), 2, tx, vec![]), Err(Refused::Full(3)));
    }

    #[test]
    fn a_socket_that_falls_behind_is_dropped() {
        let w = Watching::new(2, 10);
        let (tx, mut rx) = mpsc::channel(2);
        let id = w.register(Some(1), 1, tx, vec![json!({"event": "hello"})]).unwrap();
        w.to_user(1, &json!({"event": "balance"}));
        assert_eq!(w.counts(), (0, 0), "the third message did not fit");
        assert!(rx.try_recv().is_ok() && rx.try_recv().is_ok());
        assert!(matches!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected)));
        w.unregister(id);
    }
}
