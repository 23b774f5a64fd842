//! One connected socket's outgoing side: a queue bounded in bytes, drained by a writer task
//! (`writer.rs`: game, chat and page viewer sockets) or by the socket's own task (`socket/`:
//! participant sockets), and the reading side's wait for the next message (idle timeout, close
//! requests).
//!
//! What goes into a queue is [`Shared`]: JSON serialized once and handed, by reference count, to
//! every socket it is for, so a broadcast to 2,000 viewers holds one copy of its text, not
//! 2,000. Each queue counts the bytes it owes its socket; a viewer or chat client that falls
//! `*_queue_bytes` behind is closed (1008) instead of holding up the game or anyone else, while
//! producers for a game client wait for room (its input is held back, never dropped).

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::StreamExt;
use parking_lot::Mutex;
use tokio::sync::{Notify, Semaphore};

use super::queue;
use super::writer::run_writer;
use crate::protocol::{Packet, Scheme};
use crate::server::config::{effective, MediatorConfig};

/// The close code for a socket closed by a limit (too far behind, silent, never signed in): the
/// websocket protocol's "policy violation". Clients reconnect after it.
pub const POLICY_CLOSE: u16 = 1008;

/// What one queued item costs beyond its bytes (the queue's own bookkeeping), so that a queue of
/// tiny packets is bounded too.
const ITEM_OVERHEAD: usize = 64;

/// Serialized JSON, shared by every queue it is in (cloning it is a reference count).
#[derive(Clone, Debug)]
pub struct Shared(Utf8Bytes);

impl Shared {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub(super) fn text(&self) -> Utf8Bytes {
        self.0.clone()
    }
}

impl From<String> for Shared {
    fn from(json: String) -> Shared {
        Shared(Utf8Bytes::from(json))
    }
}

/// What a writer task is asked to do, in order.
#[derive(Debug)]
pub enum Outgoing {
    /// A MixPlay packet's JSON without its `seq`; the writer adds the next sequence number.
    Packet(Shared),
    /// A text frame sent as it is (chat, viewer sockets).
    Text(Shared),
    /// Switch the sending scheme; everything queued before goes out in the old one.
    SetScheme(Scheme),
    /// Close with this code once everything queued before has been written.
    Close(u16, String),
}

/// Which socket a peer writes to; it decides the queue's size and what happens when it is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Producers wait for room.
    Game,
    /// Closed when it falls behind.
    Participant,
    /// Closed when it falls behind.
    Chat,
    /// A participant page's viewer socket (`economy/viewer.rs`): closed when it falls behind.
    Viewer,
}

pub(super) struct Queued {
    pub item: Outgoing,
    /// The queue room it holds until written.
    pub charge: u32,
}

/// A handle to a connection's outgoing side. Cheap to clone.
#[derive(Clone)]
pub struct Peer {
    tx: queue::Sender<Queued>,
    shared: Arc<PeerShared>,
}

pub(super) struct PeerShared {
    pub seq: AtomicI32,
    /// The close asked for (the first request wins), and who waits for one. (A `watch` channel
    /// did this job at about 240 bytes more per socket.)
    close: Mutex<Option<(u16, String)>>,
    close_asked: Notify,
    /// Free queue room, in bytes.
    pub room: Semaphore,
    capacity: u32,
    kind: Kind,
}

/// A peer's close request, watched by the connection's reader and writer.
#[derive(Clone)]
pub struct CloseWatch(Arc<PeerShared>);

impl CloseWatch {
    /// The close asked for, if any: its code and reason.
    pub fn requested(&self) -> Option<(u16, String)> {
        self.0.close.lock().clone()
    }

    pub fn is_requested(&self) -> bool {
        self.0.close.lock().is_some()
    }

    /// Resolves once a close is asked for (at once if it already was).
    pub async fn asked(&self) {
        let notified = self.0.close_asked.notified();
        tokio::pin!(notified);
        // Registered before looking, so that a request made in between still wakes this.
        notified.as_mut().enable();
        if self.is_requested() {
            return;
        }
        notified.await;
    }
}

/// Serializes a packet without `seq`, ready for [`Peer::send`].
pub fn unsequenced(packet: &Packet) -> Shared {
    debug_assert!(packet.seq().is_none());
    Shared::from(packet.to_json())
}

/// What a socket's task takes from its peer: the queue's far end, the close asked for, timing.
pub struct Outlet {
    pub(super) rx: queue::Receiver<Queued>,
    pub(super) shared: Arc<PeerShared>,
    pub(super) close: CloseWatch,
    pub(super) timing: Timing,
}

/// The timing a writer keeps.
pub(super) struct Timing {
    pub write_timeout: Duration,
    pub ping_every: Duration,
}

impl Peer {
    /// Creates the peer and spawns its writer on `sink`, with the queue size and timeouts of
    /// `config` for this kind of socket.
    pub fn spawn(sink: SplitSink<WebSocket, Message>, kind: Kind, config: &MediatorConfig) -> (Peer, CloseWatch) {
        let (peer, rx, close_rx) = Peer::new(kind, config);
        let timing = Timing {
            write_timeout: effective(config.write_timeout),
            ping_every: ping_interval(effective(config.idle_timeout)),
        };
        tokio::spawn(run_writer(sink, rx, peer.shared.clone(), close_rx.clone(), timing));
        (peer, close_rx)
    }

    /// Creates the peer for a socket served by `socket::serve`, which takes the [`Outlet`].
    pub fn for_socket(kind: Kind, config: &MediatorConfig) -> (Peer, Outlet) {
        let (peer, rx, close) = Peer::new(kind, config);
        let timing = Timing {
            write_timeout: effective(config.write_timeout),
            ping_every: ping_interval(effective(config.idle_timeout)),
        };
        let shared = peer.shared.clone();
        (peer, Outlet { rx, shared, close, timing })
    }

    /// A peer without a socket: what it queues is read back from [`Unwritten`] (the chat fuzz
    /// target's connections, which drive the socket code without a network).
    pub fn unwritten(kind: Kind, config: &MediatorConfig) -> (Peer, Unwritten) {
        let (peer, rx, _) = Peer::new(kind, config);
        (peer.clone(), Unwritten { rx, peer })
    }

    /// The peer with the queue size of `config` for this kind of socket, and what its writer takes.
    fn new(kind: Kind, config: &MediatorConfig) -> (Peer, queue::Receiver<Queued>, CloseWatch) {
        let bytes = match kind {
            Kind::Game => config.game_queue_bytes,
            Kind::Participant => config.participant_queue_bytes,
            Kind::Chat => config.chat_queue_bytes,
            Kind::Viewer => config.viewer_queue_bytes,
        };
        let capacity = u32::try_from(bytes.max(1)).unwrap_or(u32::MAX).min(Semaphore::MAX_PERMITS as u32);
        Peer::unattached(kind, capacity)
    }

    /// The peer, and what its writer takes: the queue's far end and the close asked for.
    fn unattached(kind: Kind, capacity: u32) -> (Peer, queue::Receiver<Queued>, CloseWatch) {
        let (tx, rx) = queue::channel();
        let shared = Arc::new(PeerShared {
            seq: AtomicI32::new(0),
            close: Mutex::new(None),
            close_asked: Notify::new(),
            room: Semaphore::new(capacity as usize),
            capacity,
            kind,
        });
        let close = CloseWatch(shared.clone());
        (Peer { tx, shared }, rx, close)
    }

    /// The last `seq` handed out on this connection.
    pub fn last_seq(&self) -> i32 {
        self.shared.seq.load(Ordering::Relaxed)
    }

    /// What an item of `len` bytes holds of the queue (at most all of it, so that any single
    /// packet can go once the queue is empty).
    fn charge(&self, len: usize) -> u32 {
        u32::try_from(len.saturating_add(ITEM_OVERHEAD)).unwrap_or(u32::MAX).min(self.shared.capacity)
    }

    fn enqueue(&self, item: Outgoing, charge: u32) -> bool {
        self.tx.send(Queued { item, charge }).is_ok()
    }

    /// Queues a packet. A game client's producers wait for room; any other socket that has no
    /// room is closed (see [`Peer::try_send`]).
    pub async fn send(&self, json: Shared) -> bool {
        if self.shared.kind != Kind::Game {
            return self.try_send(json);
        }
        let charge = self.charge(json.len());
        match self.shared.room.acquire_many(charge).await {
            Ok(permit) => permit.forget(),
            Err(_) => return false,
        }
        self.enqueue(Outgoing::Packet(json), charge)
    }

    /// Queues a packet without waiting; a full queue closes the connection (1008): the peer is
    /// not keeping up, and silently dropping state updates would desynchronise it.
    pub fn try_send(&self, json: Shared) -> bool {
        self.try_queue(Outgoing::Packet(json))
    }

    /// Queues a text frame as it is (chat, viewer sockets), without waiting, as [`Peer::try_send`].
    pub fn send_text(&self, text: Shared) -> bool {
        self.try_queue(Outgoing::Text(text))
    }

    fn try_queue(&self, item: Outgoing) -> bool {
        let len = match &item {
            Outgoing::Packet(s) | Outgoing::Text(s) => s.len(),
            Outgoing::SetScheme(_) | Outgoing::Close(..) => 0,
        };
        let charge = self.charge(len);
        match self.shared.room.try_acquire_many(charge) {
            Ok(permit) => permit.forget(),
            Err(tokio::sync::TryAcquireError::NoPermits) => {
                let m = format!("too far behind: more than {} bytes waiting to be sent", self.shared.capacity);
                self.close(POLICY_CLOSE, &m);
                return false;
            }
            Err(tokio::sync::TryAcquireError::Closed) => return false,
        }
        self.enqueue(item, charge)
    }

    /// Switches the outgoing scheme after everything already queued.
    pub async fn set_scheme(&self, scheme: Scheme) {
        let charge = self.charge(0);
        let room = match self.shared.kind {
            Kind::Game => self.shared.room.acquire_many(charge).await.map(|p| p.forget()).is_ok(),
            _ => self.shared.room.try_acquire_many(charge).map(|p| p.forget()).is_ok(),
        };
        if room {
            self.enqueue(Outgoing::SetScheme(scheme), charge);
        }
    }

    /// Asks the writer to send a close frame with `code` at once (dropping what is still queued)
    /// and stop, and the reader to stop reading. The first request wins.
    pub fn close(&self, code: u16, reason: &str) {
        self.shared.close(code, reason);
    }

    /// Closes with `code` after what is already queued has been written (a reply that explains
    /// the close, say).
    pub fn close_after_queued(&self, code: u16, reason: &str) {
        if !self.enqueue(Outgoing::Close(code, reason.to_owned()), 0) {
            self.close(code, reason);
        }
    }
}

/// The queue of a peer made by [`Peer::unwritten`].
pub struct Unwritten {
    rx: queue::Receiver<Queued>,
    peer: Peer,
}

impl Unwritten {
    /// The text of every frame queued so far, in order (handing their queue room back), and the
    /// close requested, if any.
    pub fn take(&mut self) -> (Vec<String>, Option<(u16, String)>) {
        let mut texts = Vec::new();
        let mut closed = self.peer.shared.close.lock().clone();
        while let Some(Queued { item, charge }) = self.rx.try_recv() {
            self.peer.shared.room.add_permits(charge as usize);
            match item {
                Outgoing::Packet(s) | Outgoing::Text(s) => texts.push(s.as_str().to_owned()),
                Outgoing::SetScheme(_) => {}
                Outgoing::Close(code, reason) => closed = closed.or(Some((code, reason))),
            }
        }
        (texts, closed)
    }
}

impl PeerShared {
    /// Marks the connection as failed (1011), telling its producers and its reader; there is
    /// nobody to send a close frame to.
    pub fn failed(&self) {
        self.close(1011, "the connection failed");
    }

    pub fn close(&self, code: u16, reason: &str) {
        {
            let mut slot = self.close.lock();
            if slot.is_some() {
                return;
            }
            *slot = Some((code, reason.to_owned()));
        }
        self.close_asked.notify_waiters();
        // Producers waiting for room give up.
        self.room.close();
    }
}

/// A peer with no socket behind it (unit tests): what it is asked to send waits in
/// [`Detached`], which takes it as a socket's writer would.
#[cfg(test)]
pub fn detached(kind: Kind, capacity: u32) -> (Peer, Detached) {
    let (peer, rx, close) = Peer::unattached(kind, capacity);
    let shared = peer.shared.clone();
    (peer, Detached { rx, shared, close })
}

/// The socket end of a [`detached`] peer.
#[cfg(test)]
pub struct Detached {
    rx: queue::Receiver<Queued>,
    shared: Arc<PeerShared>,
    close: CloseWatch,
}

#[cfg(test)]
impl Detached {
    /// The text frames queued since the last call, taken off the queue (freeing its room).
    pub fn texts(&mut self) -> Vec<String> {
        let mut texts = Vec::new();
        while let Some(Queued { item, charge }) = self.rx.try_recv() {
            self.shared.room.add_permits(charge as usize);
            if let Outgoing::Text(t) | Outgoing::Packet(t) = item {
                texts.push(t.as_str().to_owned());
            }
        }
        texts
    }

    /// The close asked for, if any.
    pub fn closed(&self) -> Option<(u16, String)> {
        self.close.requested()
    }
}

/// How often a socket is pinged, so that a live client has something to answer well within the
/// idle timeout.
pub fn ping_interval(idle_timeout: Duration) -> Duration {
    (idle_timeout / 3).max(Duration::from_millis(10))
}

pub fn close_message(code: u16, reason: &str) -> Message {
    // Close reasons are limited to 123 bytes by the websocket protocol.
    let mut reason = reason.to_owned();
    while reason.len() > 123 {
        reason.pop();
    }
    Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from(reason) }))
}

/// What waiting for a socket's next message gave.
pub enum Read {
    Message(Message),
    /// The socket ended (closed or broken).
    Ended,
    /// The client sent a frame or message over the size limit (it was not read).
    TooLarge,
    /// A close was requested on the peer (its writer sends the close frame).
    CloseRequested,
    /// Nothing arrived before the deadline.
    TimedOut,
}

/// The next message from `stream`, unless a close is requested or `within` passes first.
pub async fn next_message(stream: &mut SplitStream<WebSocket>, close: &CloseWatch, within: Duration) -> Read {
    if close.is_requested() {
        return Read::CloseRequested;
    }
    tokio::select! {
        m = tokio::time::timeout(within, stream.next()) => match m {
            Ok(Some(Ok(m))) => Read::Message(m),
            Ok(Some(Err(e))) if too_large(&e) => Read::TooLarge,
            Ok(_) => Read::Ended,
            Err(_) => Read::TimedOut,
        },
        _ = close.asked() => Read::CloseRequested,
    }
}

/// Whether a read failed because the client's frame was over the size limit.
fn too_large(e: &axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    let inner = std::error::Error::source(e).and_then(|s| s.downcast_ref::<Error>());
    matches!(inner, Some(Error::Capacity(_)))
}

/// The close code for a frame over the size limit: the websocket protocol's "message too big".
pub const TOO_LARGE_CLOSE: u16 = 1009;

/// The close reason for a frame over the size limit.
pub fn too_large_reason(max: usize) -> String {
    format!("a frame or message larger than {max} bytes")
}

/// The close reason for a socket that took no data for the write timeout.
pub fn stalled_reason(write_timeout: Duration) -> String {
    format!("too far behind: the socket took no data for {} s", write_timeout.as_secs_f64())
}

/// The close reason for a socket that went silent.
pub fn silent_reason(idle_timeout: Duration) -> String {
    format!("no message and no answer to pings for {} s", idle_timeout.as_secs_f64())
}
