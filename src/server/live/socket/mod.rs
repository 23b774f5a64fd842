//! A websocket served by one task, with no buffer of its own while it is idle: what a viewer's
//! socket costs the mediator is what 20,000 of them cost.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the task: reading messages, writing what the peer's queue holds, pings, timeouts, closing |
//! | `frames.rs` | a client's frames out of the bytes read (headers by tungstenite's `FrameHeader`) |
//! | `outbox.rs` | frames written from the packets' shared bytes, several to a vectored write |
//! | `upgrade.rs` | the handshake, and the TCP socket behind it |
//!
//! tungstenite's stream (which axum's websockets wrap) keeps a read and a write buffer per socket
//! for as long as it lives, and must be split in two halves, each needing a task of its own to
//! read and write at once. Here readiness is awaited on the TCP socket itself, so one task does
//! both; bytes are held only while a frame is incomplete or being written.
//!
//! Readiness is awaited with `poll_read_ready`/`poll_write_ready`, which keep one waker per
//! direction in the socket's registration, not with `readable()`/`writable()`: hyper's
//! connection task left its waker there, and that waker keeps the finished task's memory
//! (about 1.8 KiB) alive until a newer one replaces it.
//!
//! Handling a message may wait (for the game's queue to have room, say): meanwhile the socket is
//! still written to, and its next message waits to be read.

pub mod frames;
mod outbox;
pub mod upgrade;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::Control;

use self::frames::{Broken, FrameReader};
use self::outbox::Outbox;
use super::peer::{
    silent_reason, stalled_reason, too_large_reason, CloseWatch, Outgoing, Outlet, PeerShared, Queued, POLICY_CLOSE,
    TOO_LARGE_CLOSE,
};
use crate::protocol::{Encoder, Scheme, WireFrame};
use crate::server::conn::Counted;

/// Messages handled in one turn of the socket's loop, at most (its writes and timers are looked
/// at between turns).
const MESSAGES_PER_TURN: usize = 32;

/// Bytes taken from the socket in one read (on the stack; only an incomplete frame is kept).
const READ_CHUNK: usize = 1024;

/// An upgraded websocket's TCP socket (it keeps its address's connection slot).
pub struct Socket {
    stream: Counted<TcpStream>,
    reader: FrameReader,
    max_message: usize,
}

/// What handling a message decided.
pub enum Flow {
    /// Read the next message.
    Continue,
    /// Stop serving the socket (a close, if one was asked for on its peer, is sent first).
    Stop,
}

/// The handling of one message, given back its state when done.
pub type Handling<'a, S> = Pin<Box<dyn Future<Output = (S, Flow)> + Send + 'a>>;

/// Why the socket stopped being served.
enum Stop {
    /// A close was asked for on the peer: it is sent.
    Close,
    /// The client closed: its close is answered.
    ClientClosed(Option<CloseFrame>),
    /// The client read nothing for the write timeout.
    Stalled,
    /// The connection failed or ended, or the handler stopped.
    Gone,
}

impl Socket {
    fn new(stream: Counted<TcpStream>, already_read: &[u8], max_message: usize) -> Socket {
        let mut reader = FrameReader::new(max_message);
        reader.push(already_read);
        Socket { stream, reader, max_message }
    }

    /// Sends a close frame and ends (a refused handshake).
    pub async fn close_at_once(self, code: u16, reason: &str) {
        let mut outbox = Outbox::default();
        outbox.push_control(Control::Close, close_payload(code, reason));
        let _ = write_all(&self.stream.socket, &mut outbox).await;
    }
}

/// Serves `socket` until it closes: each message read goes to `on_message` (one at a time, with
/// `state`), while what `outlet`'s peer queues is written, pings go out, and a client silent for
/// `idle` or not reading for the write timeout is closed (1008).
///
/// Not an `async fn`: that would keep each argument twice in the future (once as passed, once
/// moved into the body), and this future lives as long as the socket.
#[allow(clippy::manual_async_fn)] // on purpose: see above
pub fn serve<'a, S: 'a>(
    mut socket: Socket,
    mut outlet: Outlet,
    idle: Duration,
    state: S,
    mut on_message: impl FnMut(S, Message) -> Handling<'a, S> + 'a,
) -> impl Future<Output = ()> + 'a {
    async move {
        let stream = &socket.stream.socket;
        let (rx, shared, close, timing) = (&mut outlet.rx, &outlet.shared, &outlet.close, &outlet.timing);
        let max_message = socket.max_message;
        let reader = &mut socket.reader;
        let mut outbox = Outbox::default();
        let mut encoder = Encoder::new(Scheme::None);
        let mut state = Some(state);
        let mut handling: Option<Handling<'a, S>> = None;
        // One timer serves every deadline, counted in its ticks: nothing on the message path
        // reads the clock. A limit is passed once more whole ticks than it holds went by.
        let tick = timing.ping_every.min(idle / 4).min(timing.write_timeout / 4).max(Duration::from_millis(10));
        let mut ticker = tokio::time::interval_at(Instant::now() + tick, tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let in_ticks = |limit: Duration| u32::try_from(limit.as_nanos().div_ceil(tick.as_nanos())).unwrap_or(u32::MAX);
        let (silent_limit, stalled_limit, ping_every) =
            (in_ticks(idle), in_ticks(timing.write_timeout), in_ticks(timing.ping_every));
        // Ticks since the client was last heard from, since the socket last took bytes while some
        // waited, and since the last ping.
        let (mut silent, mut stalled, mut since_ping) = (0u32, 0u32, 0u32);
        let stop = 'serving: loop {
            if close.is_requested() {
                break Stop::Close;
            }
            tokio::select! {
                biased;
                _ = close.asked() => break Stop::Close,
                (back, flow) = async { match handling.as_mut() { Some(h) => h.await, None => std::future::pending().await } } => {
                    handling = None;
                    state = Some(back);
                    silent = 0;
                    if let Flow::Stop = flow {
                        break stopped_by_handler(close);
                    }
                }
                item = rx.recv(), if outbox.has_room() => {
                    let Some(first) = item else { break Stop::Gone };
                    if outbox.is_empty() {
                        stalled = 0;
                    }
                    let mut next = Some(first);
                    while let Some(Queued { item, charge }) = next.take() {
                        if take(item, charge, shared, &mut encoder, &mut outbox).is_err() {
                            // A close was asked for: seen just below.
                            break;
                        }
                        if outbox.has_room() {
                            next = rx.try_recv();
                        }
                    }
                    if close.is_requested() {
                        break Stop::Close;
                    }
                    if write_some(stream, &mut outbox, shared, &mut stalled).is_err() {
                        break Stop::Gone;
                    }
                }
                ready = std::future::poll_fn(|cx| stream.poll_write_ready(cx)), if !outbox.is_empty() => {
                    if ready.is_err() || write_some(stream, &mut outbox, shared, &mut stalled).is_err() {
                        break Stop::Gone;
                    }
                }
                read = next_message(stream, reader), if handling.is_none() => {
                    silent = 0;
                    let mut read = read;
                    // Messages already read are handled here while their handling finishes at
                    // once (most do), without a turn of this loop each.
                    for _ in 0..MESSAGES_PER_TURN {
                        match read {
                            Ok(Message::Ping(payload)) => outbox.push_pong(payload),
                            Ok(Message::Pong(_)) => {}
                            Ok(Message::Close(frame)) => break 'serving Stop::ClientClosed(frame),
                            Ok(message) => {
                                let Some(s) = state.take() else { break 'serving Stop::Gone };
                                let mut started = on_message(s, message);
                                match poll_once(&mut started).await {
                                    Poll::Ready((back, Flow::Continue)) => state = Some(back),
                                    Poll::Ready((_, Flow::Stop)) => break 'serving stopped_by_handler(close),
                                    Poll::Pending => {
                                        handling = Some(started);
                                        break;
                                    }
                                }
                            }
                            Err(ReadError::Broken(Broken::TooLarge)) => {
                                shared.close(TOO_LARGE_CLOSE, &too_large_reason(max_message));
                                break 'serving Stop::Close;
                            }
                            Err(ReadError::Broken(Broken::Protocol(code, why))) => {
                                shared.close(code, why);
                                break 'serving Stop::Close;
                            }
                            Err(ReadError::Ended) => break 'serving Stop::Gone,
                        }
                        read = match reader.take_message() {
                            Ok(Some(message)) => Ok(message),
                            Ok(None) => break,
                            Err(broken) => Err(ReadError::Broken(broken)),
                        };
                    }
                    if !outbox.is_empty() && write_some(stream, &mut outbox, shared, &mut stalled).is_err() {
                        break Stop::Gone;
                    }
                }
                _ = ticker.tick() => {
                    if handling.is_none() {
                        silent = silent.saturating_add(1);
                    }
                    stalled = if outbox.is_empty() { 0 } else { stalled.saturating_add(1) };
                    since_ping = since_ping.saturating_add(1);
                    if silent > silent_limit {
                        shared.close(POLICY_CLOSE, &silent_reason(idle));
                        break Stop::Close;
                    }
                    if stalled > stalled_limit {
                        break Stop::Stalled;
                    }
                    if since_ping >= ping_every {
                        since_ping = 0;
                        outbox.push_control(Control::Ping, Bytes::new());
                        if write_some(stream, &mut outbox, shared, &mut stalled).is_err() {
                            break Stop::Gone;
                        }
                    }
                }
            }
        };
        // What the handler was doing is dropped with the socket; nothing queued is sent any more.
        drop(handling);
        rx.close();
        let last = match stop {
            Stop::Gone => return shared.failed(),
            Stop::Stalled => {
                shared.close(POLICY_CLOSE, &stalled_reason(timing.write_timeout));
                close.requested()
            }
            Stop::Close => close.requested(),
            Stop::ClientClosed(frame) => {
                shared.close(1000, "closed by the client");
                // The close is answered with the client's own code (RFC 6455 §5.5.1), unless that
                // is one no endpoint may send.
                let code = frame.map_or(1000, |f| f.code);
                let sendable = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
                Some(if sendable {
                    (code, String::new())
                } else {
                    (frames::PROTOCOL_ERROR, "an invalid close code".into())
                })
            }
        };
        let Some((code, reason)) = last else { return };
        outbox.keep_only_started();
        outbox.push_control(Control::Close, close_payload(code, &reason));
        if outbox.write(stream).is_ok() && outbox.is_empty() {
            return;
        }
        // The rest of the close waits for the socket in the background (at most the write
        // timeout): whoever called this goes on at once (a viewer closed for falling behind leaves
        // its session now, not once its close frame is written or given up on).
        let (owned, within) = (socket.stream, timing.write_timeout);
        tokio::spawn(async move {
            let _ = tokio::time::timeout(within, write_all(&owned.socket, &mut outbox)).await;
        });
    }
}

/// Polls `future` once, in this task (its waker is this task's).
async fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx))).await
}

/// Moves one queued item into the outbox (a close request stops taking).
fn take(
    item: Outgoing,
    charge: u32,
    shared: &PeerShared,
    encoder: &mut Encoder,
    outbox: &mut Outbox,
) -> Result<(), ()> {
    match item {
        Outgoing::SetScheme(scheme) => {
            *encoder = Encoder::new(scheme);
            shared.room.add_permits(charge as usize);
        }
        Outgoing::Text(text) => outbox.push_text(Bytes::from(text.text()), charge),
        Outgoing::Close(code, reason) => {
            shared.room.add_permits(charge as usize);
            shared.close(code, &reason);
            return Err(());
        }
        Outgoing::Packet(json) => {
            let seq = shared.seq.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
            if encoder.scheme() == Scheme::None {
                outbox.push_packet(Bytes::from(json.text()), seq, charge);
                return Ok(());
            }
            match encoder.encode(super::writer::with_seq(&json, seq)) {
                Ok(WireFrame::Text(t)) => outbox.push_text(Bytes::from(t), charge),
                Ok(WireFrame::Binary(b)) => outbox.push_binary(Bytes::from(b), charge),
                Err(_) => {
                    shared.room.add_permits(charge as usize);
                    shared.close(1011, "compression failed");
                    return Err(());
                }
            }
        }
    }
    Ok(())
}

/// Writes what the socket takes now; any progress resets the `stalled` tick count.
fn write_some(stream: &TcpStream, outbox: &mut Outbox, shared: &PeerShared, stalled: &mut u32) -> io::Result<()> {
    match outbox.write(stream) {
        Ok(written) => {
            shared.room.add_permits(written.freed);
            if written.bytes > 0 {
                *stalled = 0;
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
        Err(e) => Err(e),
    }
}

/// Why serving ends when a message's handling says stop: the close it asked for on the peer, if
/// any, is sent.
fn stopped_by_handler(close: &CloseWatch) -> Stop {
    if close.is_requested() {
        Stop::Close
    } else {
        Stop::Gone
    }
}

/// Writes the whole outbox, waiting for the socket as needed.
async fn write_all(stream: &TcpStream, outbox: &mut Outbox) -> io::Result<()> {
    while !outbox.is_empty() {
        std::future::poll_fn(|cx| stream.poll_write_ready(cx)).await?;
        match outbox.write(stream) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A close frame's payload: the code, then the reason (cut to the protocol's 123 bytes, on a
/// character boundary).
fn close_payload(code: u16, reason: &str) -> Bytes {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let mut payload = Vec::with_capacity(2 + end);
    payload.extend_from_slice(&code.to_be_bytes());
    payload.extend_from_slice(&reason.as_bytes()[..end]);
    Bytes::from(payload)
}

enum ReadError {
    Broken(Broken),
    /// The connection ended or failed.
    Ended,
}

/// The next message the client sent. Cancel-safe: bytes read stay in `reader` until a message
/// is whole.
async fn next_message(stream: &TcpStream, reader: &mut FrameReader) -> Result<Message, ReadError> {
    loop {
        if let Some(message) = reader.take_message().map_err(ReadError::Broken)? {
            return Ok(message);
        }
        std::future::poll_fn(|cx| stream.poll_read_ready(cx)).await.map_err(|_| ReadError::Ended)?;
        match read_some(stream, reader) {
            Ok(0) => return Err(ReadError::Ended),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return Err(ReadError::Ended),
        }
    }
}

/// One read into a chunk on the stack, handed to `reader`.
fn read_some(stream: &TcpStream, reader: &mut FrameReader) -> io::Result<usize> {
    let mut chunk = [0u8; READ_CHUNK];
    let n = stream.try_read(&mut chunk)?;
    reader.push(&chunk[..n]);
    Ok(n)
}
