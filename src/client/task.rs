//! The network task of a session: finds the service and opens the socket (discovery or fixed
//! endpoints, in order), hands each connection to `super::connection`, and reconnects with the
//! reconnect policy's backoff when one is lost, until the session is closed or a failure is fatal.

use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

use super::config::{Config, Endpoints};
use super::connection::Conn;
use super::events::{Reply, ReplyError};
use super::incoming::Incoming;
use super::transport::{self, Socket};
use crate::auth::credentials::{Credentials, REFUSALS_REFRESHED};
use crate::log;
use crate::net::{ConnectError, ConnectionState, LocalError};
use crate::protocol::ErrorCode;

/// A request from the game thread.
#[derive(Debug)]
pub enum Command {
    /// `upload`: the bytes to `POST` once the reply (`uploadFile`'s `{url, authorization}`)
    /// arrives; the request's reply is then the upload's (see `super::upload`).
    Call { request_id: u64, method: String, params: Value, upload: Option<Arc<[u8]>> },
}

/// What the game thread and the network task share.
pub struct Shared {
    /// Service clock minus local clock, in milliseconds (from `getTime`).
    pub clock_offset_ms: AtomicI64,
    /// Inputs dropped because the event queue was full; poll reports and resets it.
    pub dropped_inputs: AtomicU64,
    /// Inputs sent to the game thread and not yet received by it (at most the configured
    /// `event_queue_capacity`; past it, inputs are dropped).
    pub queued_inputs: AtomicUsize,
    /// Items put into the game thread's queue so far: an idle poll compares it with its own
    /// count instead of asking the channel (one plain load instead of a `try_recv`).
    pub sent_items: AtomicU64,
    /// Set to true when the session is being closed; every wait of the network task watches it.
    pub closing: watch::Sender<bool>,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            clock_offset_ms: AtomicI64::new(0),
            dropped_inputs: AtomicU64::new(0),
            queued_inputs: AtomicUsize::new(0),
            sent_items: AtomicU64::new(0),
            closing: watch::Sender::new(false),
        }
    }
}

impl Shared {
    /// Resolves once the session is closing.
    pub async fn closed(&self) {
        let mut rx = self.closing.subscribe();
        let _ = rx.wait_for(|closing| *closing).await;
    }

    pub fn is_closing(&self) -> bool {
        *self.closing.borrow()
    }
}

/// The game thread's queue, counting what goes into it (`Shared::sent_items`, which an idle
/// poll compares with its own count): every item for the game thread goes through here, or an
/// idle poll would not see it until the next one came.
#[derive(Clone)]
pub(super) struct Outbox {
    out: mpsc::Sender<Incoming>,
    shared: Arc<Shared>,
}

impl Outbox {
    /// Queues `item`, waiting for room; false once the session is gone.
    pub async fn put(&self, item: Incoming) -> bool {
        if self.out.send(item).await.is_err() {
            return false;
        }
        self.counted();
        true
    }

    /// Counts an item once it is in the queue, so a poll that sees the count finds the item.
    fn counted(&self) {
        self.shared.sent_items.fetch_add(1, Ordering::Release);
    }
}

/// How a connection ended.
pub(super) enum Outcome {
    /// The game closed the session.
    Closed,
    /// Retrying cannot help.
    Fatal(Option<u16>, String),
    /// Worth retrying.
    Lost(Option<u16>, String),
}

pub struct Net {
    pub(super) config: Config,
    pub(super) cmds: mpsc::Receiver<Command>,
    outbox: Outbox,
    pub(super) shared: Arc<Shared>,
    /// The token to connect with (the game may swap it; automatic refresh may renew it).
    credentials: Arc<Credentials>,
    /// Refused tokens refreshed since the last accepted handshake: past a few, a refusal stops.
    refusals: u32,
}

/// The close code a refused token gets.
const TOKEN_REFUSED: u16 = 4019;

/// Close codes after which the session stops instead of reconnecting.
pub(super) fn is_fatal(code: u16) -> bool {
    ErrorCode::from_code(u32::from(code)).is_some_and(ErrorCode::is_fatal_close)
}

impl Net {
    pub fn new(
        config: Config,
        credentials: Arc<Credentials>,
        cmds: mpsc::Receiver<Command>,
        out: mpsc::Sender<Incoming>,
        shared: Arc<Shared>,
    ) -> Net {
        let outbox = Outbox { out, shared: shared.clone() };
        Net { config, cmds, outbox, shared, credentials, refusals: 0 }
    }

    /// Queues `item` for the game thread; false once the session is gone. Input past the
    /// queue's capacity is dropped (and counted) rather than waited for.
    pub(super) async fn emit(&self, item: Incoming) -> bool {
        if !item.is_droppable() {
            return self.outbox.put(item).await;
        }
        let inputs = item.input_count();
        let queued = self.shared.queued_inputs.fetch_add(inputs, Ordering::Relaxed);
        let result = if queued + inputs > self.config.event_queue_capacity.max(16) {
            Err(mpsc::error::TrySendError::Full(item))
        } else {
            self.outbox.out.try_send(item)
        };
        match result {
            Ok(()) => {
                self.outbox.counted();
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.shared.queued_inputs.fetch_sub(inputs, Ordering::Relaxed);
                self.shared.dropped_inputs.fetch_add(inputs as u64, Ordering::Relaxed);
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    async fn status(&self, state: ConnectionState, code: Option<u16>, message: impl Into<String>) {
        let message = message.into();
        let level = match state {
            ConnectionState::Disconnected => log::Level::Error,
            ConnectionState::Reconnecting => log::Level::Warning,
            _ => log::Level::Info,
        };
        log::log(level, || match code {
            Some(c) => format!("session {state:?} (code {c}): {message}"),
            None if message.is_empty() => format!("session {state:?}"),
            None => format!("session {state:?}: {message}"),
        });
        self.emit(Incoming::Status { state, code, message }).await;
    }

    /// Where replies finished off the connection's loop (uploads) are sent.
    pub(super) fn replies(&self) -> Outbox {
        self.outbox.clone()
    }

    pub(super) async fn fail_request(&self, request_id: u64, kind: LocalError, message: &str) {
        let error = ReplyError::local(kind, message);
        self.emit(Incoming::Reply(Reply { request_id, result: Err(error) })).await;
    }

    /// The whole life of a session's connection.
    pub async fn run(mut self) {
        let mut failures: u32 = 0;
        loop {
            self.status(ConnectionState::Connecting, None, "").await;
            // Discovery and handshakes can take long; closing the session must not wait for them.
            let shared = self.shared.clone();
            let outcome = tokio::select! {
                biased;
                o = self.connect_and_serve(&mut failures) => o,
                _ = shared.closed() => Outcome::Closed,
            };
            let (code, message) = match outcome {
                Outcome::Closed => return,
                Outcome::Fatal(code, message) => (code, message),
                Outcome::Lost(code, message) => {
                    failures += 1;
                    let policy = &self.config.reconnect;
                    let exhausted = policy.max_attempts.is_some_and(|max| failures > max);
                    if policy.enabled && !exhausted {
                        self.status(ConnectionState::Reconnecting, code, message).await;
                        if !self.wait_before_retry(failures).await {
                            return;
                        }
                        continue;
                    }
                    (code, message)
                }
            };
            self.status(ConnectionState::Disconnected, code, message).await;
            self.refuse_until_closed().await;
            return;
        }
    }

    /// Waits the reconnect policy's delay; requests made meanwhile fail at once.
    /// Returns false when the session was closed while waiting.
    async fn wait_before_retry(&mut self, failures: u32) -> bool {
        let until = tokio::time::Instant::now() + self.config.reconnect.delay(failures);
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return true,
                _ = self.shared.closed() => return false,
                cmd = self.cmds.recv() => match cmd {
                    None => return false,
                    Some(Command::Call { request_id, .. }) => {
                        self.fail_request(request_id, LocalError::NotConnected, "the session is reconnecting").await;
                    }
                },
            }
        }
    }

    async fn refuse_until_closed(&mut self) {
        loop {
            tokio::select! {
                _ = self.shared.closed() => return,
                cmd = self.cmds.recv() => match cmd {
                    None => return,
                    Some(Command::Call { request_id, .. }) => {
                        self.fail_request(request_id, LocalError::NotConnected, "the session is disconnected").await;
                    }
                },
            }
        }
    }

    async fn endpoints(&self) -> Result<Vec<String>, ConnectError> {
        match &self.config.endpoints {
            Endpoints::Fixed(urls) if urls.is_empty() => Err(ConnectError::Fatal("no endpoint URLs configured".into())),
            Endpoints::Fixed(urls) => Ok(urls.clone()),
            Endpoints::Discover(url) => transport::discover(url, &self.config.tls, self.config.connect_timeout).await,
        }
    }

    /// The service refused the token with `code`: refresh it and try again when automatic
    /// refresh is on (a few times in a row at most), else stop.
    async fn token_refused(&mut self, code: u16, message: String) -> Outcome {
        if self.refusals < REFUSALS_REFRESHED {
            if let Some(result) = self.credentials.after_refusal(self.config.connect_timeout).await {
                return match result {
                    Ok(()) => {
                        self.refusals += 1;
                        Outcome::Lost(Some(code), format!("{message}; the token was refreshed"))
                    }
                    Err(ConnectError::Fatal(m)) => Outcome::Fatal(Some(code), m),
                    Err(ConnectError::Transient(m)) => Outcome::Lost(Some(code), m),
                };
            }
        }
        Outcome::Fatal(Some(code), message)
    }

    async fn connect_and_serve(&mut self, failures: &mut u32) -> Outcome {
        // An expired token that can be refreshed is refreshed before it is sent.
        match self.credentials.fresh(self.config.connect_timeout).await {
            Ok(()) => {}
            Err(ConnectError::Fatal(m)) => return Outcome::Fatal(Some(TOKEN_REFUSED), m),
            Err(ConnectError::Transient(m)) => return Outcome::Lost(None, m),
        }
        let token = self.credentials.token();
        let endpoints = match self.endpoints().await {
            Ok(e) => e,
            Err(ConnectError::Fatal(m)) => return Outcome::Fatal(None, m),
            Err(ConnectError::Transient(m)) => return Outcome::Lost(None, m),
        };
        let mut last_error = String::new();
        for url in &endpoints {
            if self.shared.is_closing() {
                return Outcome::Closed;
            }
            let mut socket = match transport::open(url, &self.config, &token).await {
                Ok(s) => s,
                Err(ConnectError::Fatal(m)) => return Outcome::Fatal(None, m),
                Err(ConnectError::Transient(m)) => {
                    last_error = m;
                    continue;
                }
            };
            // The service says hello, or closes at once when the handshake failed.
            match tokio::time::timeout(self.config.connect_timeout, first_packet(&mut socket)).await {
                Err(_) => last_error = format!("{url} sent no hello in time"),
                Ok(Err((Some(code), reason))) if is_fatal(code) => {
                    let message = format!("{url} closed the connection: {code} {reason}");
                    if code == TOKEN_REFUSED {
                        return self.token_refused(code, message).await;
                    }
                    return Outcome::Fatal(Some(code), message);
                }
                Ok(Err((code, reason))) => {
                    last_error = format!("{url} closed the connection: {} {reason}", code.unwrap_or(1006))
                }
                Ok(Ok(first)) => {
                    self.refusals = 0;
                    let mut conn = Conn::new(self, socket);
                    if let Some(text) = first {
                        if let Err(outcome) = conn.handle_text(&text).await {
                            return outcome;
                        }
                    }
                    return conn.serve(failures).await;
                }
            }
        }
        Outcome::Lost(None, last_error)
    }
}

/// Reads until the first data frame. `Ok(Some(text))` is a text frame to process (normally
/// `hello`); `Err` is the close code and reason.
async fn first_packet(socket: &mut Socket) -> Result<Option<String>, (Option<u16>, String)> {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(t))) => return Ok(Some(t.to_string())),
            Some(Ok(Message::Close(frame))) => {
                return Err(frame
                    .map(|f| (Some(u16::from(f.code)), f.reason.to_string()))
                    .unwrap_or((None, String::new())))
            }
            Some(Ok(Message::Binary(_))) => return Ok(None),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err((None, e.to_string())),
            None => return Err((None, "the connection closed".into())),
        }
    }
}
