//! Who is watching what, in memory: every open viewer socket (its user, channel and whether its
//! page is visible), which channels' game clients are ready and since when, what each watched
//! channel's pages show of it, and since when each signed-in person has been watching. A person is
//! *watching* while at least one of their viewer sockets is visible on a channel whose game client
//! is ready; the accrual pays those who watched a whole interval, once however many sockets they
//! have. A channel's pages hear its status (`channel::status_json`: online, interactive, title,
//! stream source) whenever it changes.
//!
//! Lock order: the spark cache (`Sparks`) may call in here while holding its own lock (so that
//! balance messages leave in the order the balances changed); nothing in here calls out. Messages
//! go into each socket's peer queue (bounded in bytes): a socket that falls behind is closed by
//! its peer (1008) and forgotten here.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use serde_json::{json, Value};

use crate::server::channel::{status_json, PageSettings};
use crate::server::live::peer::{Peer, Shared};
use crate::server::store::Payee;

/// Why a viewer socket was not registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The user holds as many viewer sockets as allowed.
    PerUser(usize),
    /// The mediator holds as many viewer sockets as allowed.
    Full(usize),
    /// The mediator is shutting down.
    Closing,
    /// The channel has no viewers yet, so its page settings are not here: register again with
    /// them, read from the store under [`Watching::settings_lock`].
    Unsettled,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::PerUser(n) => write!(f, "too many viewer sockets for this account (at most {n}); close a tab"),
            Refused::Full(_) => f.write_str("the mediator has as many viewers as it takes; try again later"),
            Refused::Closing => f.write_str("the service is restarting"),
            Refused::Unsettled => f.write_str("the channel's settings are not loaded"),
        }
    }
}

struct Socket {
    user: Option<u32>,
    channel: u32,
    visible: bool,
    out: Peer,
}

#[derive(Default)]
struct Person {
    sockets: Vec<u64>,
    /// Since when (unix ms) the person has been watching; `None` while they are not.
    since: Option<i64>,
}

/// A channel with viewer sockets open.
struct Audience {
    sockets: HashSet<u64>,
    /// What its pages show of it (kept current by the owner's changes).
    settings: PageSettings,
}

#[derive(Default)]
struct State {
    next_id: u64,
    sockets: HashMap<u64, Socket>,
    people: HashMap<u32, Person>,
    audiences: HashMap<u32, Audience>,
    /// Channels whose game client is ready, and since when (unix ms).
    ready: HashMap<u32, i64>,
}

/// The registry of viewer sockets, ready games and what channels' pages show.
pub struct Watching {
    state: Mutex<State>,
    /// Serialises changes of game readiness: each reads the truth and applies it before the next
    /// reads.
    readiness: Mutex<()>,
    /// Serialises changes of page settings with the store: held while the store is written (or
    /// read, for a channel's first viewer) and the result applied here.
    settings: tokio::sync::Mutex<()>,
    closing: AtomicBool,
    per_user: usize,
    max: usize,
}

/// Who to pay for an interval.
#[derive(Debug, Default)]
pub struct Due {
    /// People who watched all interval long, with the channels they watch now.
    pub viewers: Vec<Payee>,
    /// Channels whose game was ready all interval long (their owners earn for streaming).
    pub streaming: Vec<u32>,
}

/// The viewer socket's `channel` message: the channel's status as its pages see it.
fn channel_message(channel: u32, settings: &PageSettings, game_ready: bool) -> Shared {
    let mut status = status_json(settings, game_ready);
    status["event"] = json!("channel");
    status["channel"] = json!(channel);
    Shared::from(status.to_string())
}

/// Whether the viewer is watching now (and so earns for every whole interval from now on).
fn earning_message(earning: bool) -> Shared {
    Shared::from(json!({ "event": "earning", "earning": earning }).to_string())
}

impl State {
    fn push(&mut self, id: u64, text: Shared) {
        let Some(socket) = self.sockets.get(&id) else { return };
        if !socket.out.send_text(text) {
            // Its peer closed it (too far behind) or it is gone.
            self.remove(id, crate::clock::now_ms());
        }
    }

    /// Sends a channel's status to its viewer sockets.
    fn announce(&mut self, channel: u32) {
        let Some(audience) = self.audiences.get(&channel) else { return };
        let message = channel_message(channel, &audience.settings, self.ready.contains_key(&channel));
        let ids: Vec<u64> = audience.sockets.iter().copied().collect();
        for id in ids {
            self.push(id, message.clone());
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
            .any(|s| s.visible && self.ready.contains_key(&s.channel));
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
            audience.sockets.remove(&id);
            if audience.sockets.is_empty() {
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

/// A viewer socket to register.
pub struct NewViewer {
    pub user: Option<u32>,
    pub channel: u32,
    pub out: Peer,
    /// What it hears first.
    pub first: Vec<Value>,
    /// The channel's page settings as read from the store, for its first viewer (see
    /// [`Refused::Unsettled`]).
    pub settings: Option<PageSettings>,
}

impl Watching {
    /// `per_user` and `max` bound the viewer sockets (0: unlimited).
    pub fn new(per_user: usize, max: usize) -> Watching {
        Watching {
            state: Mutex::new(State::default()),
            readiness: Mutex::new(()),
            settings: tokio::sync::Mutex::new(()),
            closing: AtomicBool::new(false),
            per_user,
            max,
        }
    }

    /// Registers a viewer socket (hidden until it says otherwise) and queues `first` on it, then
    /// the channel's status (and, signed in, whether the viewer is earning), before anything
    /// else can reach it; its id.
    pub fn register(&self, viewer: NewViewer) -> Result<u64, Refused> {
        let NewViewer { user, channel, out, first, settings } = viewer;
        let mut st = self.state.lock();
        if self.shutting_down() {
            return Err(Refused::Closing);
        }
        if self.max > 0 && st.sockets.len() >= self.max {
            return Err(Refused::Full(self.max));
        }
        if let Some(u) = user {
            if self.per_user > 0 && st.people.get(&u).is_some_and(|p| p.sockets.len() >= self.per_user) {
                return Err(Refused::PerUser(self.per_user));
            }
        }
        if let Entry::Vacant(e) = st.audiences.entry(channel) {
            let settings = settings.ok_or(Refused::Unsettled)?;
            e.insert(Audience { sockets: HashSet::new(), settings });
        }
        st.next_id += 1;
        let id = st.next_id;
        st.sockets.insert(id, Socket { user, channel, visible: false, out });
        let ready = st.ready.contains_key(&channel);
        let audience = st.audiences.get_mut(&channel).expect("inserted above");
        audience.sockets.insert(id);
        let status = channel_message(channel, &audience.settings, ready);
        if let Some(u) = user {
            st.people.entry(u).or_default().sockets.push(id);
        }
        for message in first {
            st.push(id, Shared::from(message.to_string()));
        }
        st.push(id, status);
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

    /// Held while a channel's page settings change in the store and here, and while a channel's
    /// first viewer reads them, so that the settings kept here are never older than the store's.
    pub async fn settings_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.settings.lock().await
    }

    /// The owner changed a channel's settings (under [`Watching::settings_lock`]): its pages hear
    /// the new status if it changed.
    pub fn set_settings(&self, channel: u32, settings: PageSettings) {
        let mut st = self.state.lock();
        let Some(audience) = st.audiences.get_mut(&channel) else { return };
        if audience.settings == settings {
            return;
        }
        audience.settings = settings;
        st.announce(channel);
    }

    /// Records whether a channel's game client is ready; on a change, its pages hear the new
    /// status and its viewers start or stop watching. Changes are serialised, each asking
    /// `ready` for the truth and applying it before the next asks, so a late caller never
    /// applies a stale answer. `ready` runs outside the registry's lock (it takes the sessions'
    /// lock).
    pub fn set_game_ready(&self, channel: u32, ready: impl FnOnce() -> bool) {
        let _serial = self.readiness.lock();
        let ready = ready();
        let mut st = self.state.lock();
        if ready == st.ready.contains_key(&channel) {
            return;
        }
        let now = crate::clock::now_ms();
        if ready {
            st.ready.insert(channel, now);
        } else {
            st.ready.remove(&channel);
        }
        st.announce(channel);
        let users: HashSet<u32> = st
            .audiences
            .get(&channel)
            .map(|a| a.sockets.iter().filter_map(|id| st.sockets.get(id)?.user).collect())
            .unwrap_or_default();
        for user in users {
            st.refresh(user, now);
        }
    }

    /// Sends `message` to every viewer socket of `user`.
    pub fn to_user(&self, user: u32, message: &Value) {
        let mut st = self.state.lock();
        let Some(person) = st.people.get(&user) else { return };
        let ids = person.sockets.clone();
        let text = Shared::from(message.to_string());
        for id in ids {
            st.push(id, text.clone());
        }
    }

    /// Who watched (or streamed) all of the interval that started at `start` (unix ms): people
    /// watching since then, and channels whose game has been ready since then.
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
                .filter(|s| s.visible && st.ready.contains_key(&s.channel))
                .map(|s| s.channel)
                .collect();
            watching.sort_unstable();
            watching.dedup();
            due.viewers.push(Payee { user, watching, streaming: None });
        }
        due.streaming = st.ready.iter().filter(|(_, &since)| since <= start).map(|(&c, _)| c).collect();
        due.streaming.sort_unstable();
        due
    }

    /// Closes every viewer socket with 1012 (the mediator is shutting down) and takes no more.
    pub fn close_all(&self) {
        self.closing.store(true, Ordering::Release);
        let mut st = self.state.lock();
        for socket in st.sockets.values() {
            socket.out.close(1012, "the service is restarting");
        }
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
    use crate::server::live::peer::{detached, Detached, Kind};

    fn offline() -> PageSettings {
        PageSettings { title: "Gem hunt".into(), stream: None, live_switch: false }
    }

    fn viewer(user: Option<u32>, channel: u32, out: Peer, settings: Option<PageSettings>) -> NewViewer {
        NewViewer { user, channel, out, first: vec![], settings }
    }

    fn socket(w: &Watching, user: Option<u32>, channel: u32) -> (u64, Detached) {
        let (out, end) = detached(Kind::Viewer, 64 * 1024);
        (w.register(viewer(user, channel, out, Some(offline()))).unwrap(), end)
    }

    /// The messages of kind `event` a socket has heard since last asked.
    fn heard(end: &mut Detached, event: &str) -> Vec<Value> {
        let all = end.texts().iter().map(|t| serde_json::from_str::<Value>(t).unwrap()).collect::<Vec<_>>();
        all.into_iter().filter(|m| m["event"] == event).collect()
    }

    fn users(due: &Due) -> Vec<(u32, Vec<u32>)> {
        let mut v: Vec<_> = due.viewers.iter().map(|p| (p.user, p.watching.clone())).collect();
        v.sort();
        v
    }

    #[test]
    fn watching_means_visible_on_a_ready_channel_all_interval_long() {
        let w = Watching::new(3, 100);
        let (a1, mut end) = socket(&w, Some(7), 1);
        let status = heard(&mut end, "channel");
        assert_eq!((status[0]["online"].clone(), status[0]["title"].clone()), (json!(false), json!("Gem hunt")));
        let (a2, _end2) = socket(&w, Some(7), 2);
        let (_anon, _end3) = socket(&w, None, 1);
        w.set_visible(a1, true);
        w.set_visible(a2, true);
        let before = crate::clock::now_ms() - 1;
        assert!(users(&w.due(i64::MAX)).is_empty(), "no game is ready");
        w.set_game_ready(1, || true);
        let messages = end.texts();
        assert!(messages[0].contains(r#""interactive":true"#) && messages[0].contains(r#""online":true"#));
        assert!(messages[1].contains(r#""earning":true"#), "the page hears that it earns now: {messages:?}");
        assert!(users(&w.due(before)).is_empty(), "not watching since before the interval");
        w.set_game_ready(2, || true);
        assert_eq!(users(&w.due(i64::MAX)), [(7, vec![1, 2])], "two channels, one payee; anonymous: none");
        assert_eq!(w.due(i64::MAX).streaming, [1, 2]);
        // Hiding one tab keeps them watching (since unchanged); hiding both stops it.
        let since = w.state.lock().people[&7].since;
        w.set_visible(a2, false);
        assert_eq!(w.state.lock().people[&7].since, since);
        w.set_visible(a1, false);
        assert!(users(&w.due(i64::MAX)).is_empty());
        // The game leaving stops it too.
        w.set_visible(a1, true);
        w.set_game_ready(1, || false);
        assert!(users(&w.due(i64::MAX)).is_empty());
        w.unregister(a1);
        w.unregister(a2);
        assert_eq!(w.counts(), (1, 0));
    }

    #[test]
    fn the_owners_switch_puts_a_channel_online_without_paying_its_watchers() {
        let w = Watching::new(3, 100);
        let (id, mut end) = socket(&w, Some(7), 1);
        w.set_visible(id, true);
        end.texts();
        let live = PageSettings { title: "Live now".into(), live_switch: true, ..offline() };
        w.set_settings(1, live.clone());
        let status = heard(&mut end, "channel");
        assert_eq!(status.len(), 1, "one status per change");
        assert_eq!((status[0]["online"].clone(), status[0]["interactive"].clone()), (json!(true), json!(false)));
        assert_eq!(status[0]["title"], "Live now");
        w.set_settings(1, live);
        assert!(end.texts().is_empty(), "no change, no message");
        assert!(users(&w.due(i64::MAX)).is_empty(), "online by the switch alone earns nothing");
        assert!(w.state.lock().people[&7].since.is_none());
        // The settings go with the last viewer; the next first viewer brings them again.
        w.unregister(id);
        let (out, _end) = detached(Kind::Viewer, 1024);
        assert_eq!(w.register(viewer(None, 1, out, None)), Err(Refused::Unsettled));
    }

    #[test]
    fn sockets_are_bounded_per_user_and_in_all() {
        let w = Watching::new(2, 3);
        let _a = socket(&w, Some(1), 1);
        let _b = socket(&w, Some(1), 1);
        let (out, _end) = detached(Kind::Viewer, 1024);
        assert_eq!(w.register(viewer(Some(1), 2, out.clone(), Some(offline()))), Err(Refused::PerUser(2)));
        let _c = socket(&w, None, 1);
        assert_eq!(w.register(viewer(Some(2), 2, out, Some(offline()))), Err(Refused::Full(3)));
        let unbounded = Watching::new(0, 0);
        let held: Vec<_> = (0..20).map(|_| socket(&unbounded, Some(1), 1)).collect();
        assert_eq!(unbounded.counts(), (held.len(), held.len()), "0: unlimited");
    }

    #[test]
    fn a_socket_that_falls_behind_is_closed_and_dropped() {
        let w = Watching::new(2, 10);
        // Room for the first messages (each costs its bytes and a little), not for many more.
        let (out, mut end) = detached(Kind::Viewer, 400);
        let first = vec![json!({"event": "hello"})];
        let id = w.register(NewViewer { user: Some(1), channel: 1, out, first, settings: Some(offline()) }).unwrap();
        assert_eq!(w.counts(), (1, 1));
        for _ in 0..3 {
            w.to_user(1, &json!({"event": "balance", "sparks": 1}));
        }
        assert_eq!(w.counts(), (0, 0), "the messages did not fit");
        let (code, reason) = end.closed().expect("closed");
        assert_eq!(code, 1008);
        assert!(reason.contains("too far behind"), "{reason}");
        assert!(!end.texts().is_empty(), "what fit was queued");
        w.unregister(id);
    }
}
