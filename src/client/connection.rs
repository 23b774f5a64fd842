//! One connection's socket loop: synchronises the state after `hello`, negotiates compression,
//! keeps the clock, sends the game's requests, and acts on what the service sends (read into work
//! items by `super::incoming`) until the connection ends. Finding the socket and reconnecting are
//! the network task's (`super::task`).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use futures_util::{FutureExt, SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::events::{ErrorKind, Input, Reply, ReplyError};
use super::incoming::{read_frame, Incoming, Interner, Object, Snapshot, Work};
use super::task::{is_fatal, Command, Net, Outcome};
use super::transport::Socket;
use super::upload::Upload;
use crate::clock::now_ms;
use crate::log;
use crate::net::{ConnectionState, LocalError};
use crate::protocol::{Decoder, Encoder, ErrorBody, ErrorCode, Method, Packet, Scheme, WireFrame};

/// Most messages read from the socket's buffer in one trip through the connection's select loop.
const READ_BATCH: usize = 64;
/// Most inputs handed to the game thread as one item.
const INPUT_BATCH: usize = 64;

/// Why a request was sent.
enum Purpose {
    Game(u64),
    /// `uploadFile` of the game's request: its reply starts the upload of these bytes.
    Upload(u64, Arc<[u8]>),
    Compression,
    Time {
        sent: Instant,
        sent_wall: i64,
    },
    Scenes,
    Groups,
    Participants,
    Ready,
}

impl Purpose {
    /// The game's request this is the reply to.
    fn request_id(&self) -> Option<u64> {
        match self {
            Purpose::Game(id) | Purpose::Upload(id, _) => Some(*id),
            _ => None,
        }
    }
}

struct Pending {
    purpose: Purpose,
    deadline: Instant,
}

/// State read while synchronising after hello.
#[derive(Default)]
struct Sync {
    snapshot: Snapshot,
    outstanding: u32,
    /// Events that arrived before synchronisation finished, delivered after the snapshot.
    held_back: Vec<Incoming>,
}

/// A connection from `hello` on, lent the network task for its life.
pub(super) struct Conn<'n> {
    net: &'n mut Net,
    socket: Socket,
    encoder: Encoder,
    decoder: Decoder,
    last_seq: i32,
    next_id: u32,
    pending: HashMap<u32, Pending>,
    interner: Interner,
    sync: Option<Sync>,
    /// The current frame's packets, read before any is acted on (kept to reuse its allocation).
    work: Vec<Work>,
    /// Inputs read and not yet handed to the game thread: sent as one batch when something else
    /// is emitted, when the batch is full, and before the connection waits for the socket again.
    inputs: Vec<Input>,
    /// When the service was last heard from, and whether it has been pinged since.
    last_heard: Instant,
    pinged: bool,
}

impl<'n> Conn<'n> {
    pub(super) fn new(net: &'n mut Net, socket: Socket) -> Self {
        Conn {
            net,
            socket,
            encoder: Encoder::new(Scheme::None),
            decoder: Decoder::new(Scheme::None),
            last_seq: 0,
            next_id: 1,
            pending: HashMap::new(),
            interner: Interner::default(),
            sync: Some(Sync::default()),
            work: Vec::new(),
            inputs: Vec::new(),
            last_heard: Instant::now(),
            pinged: false,
        }
    }

    /// Serves the connection until it ends; `failures` is reset once it is synchronised.
    pub(super) async fn serve(mut self, failures: &mut u32) -> Outcome {
        if let Err(o) = self.start_sync().await {
            return o;
        }
        let outcome = loop {
            let deadline = self.pending.values().map(|p| p.deadline).chain(self.keepalive_deadline()).min();
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d.into()).await,
                    None => std::future::pending().await,
                }
            };
            let result = tokio::select! {
                message = self.socket.next() => {
                    self.last_heard = Instant::now();
                    self.pinged = false;
                    self.handle_messages(message).await
                }
                cmd = self.net.cmds.recv() => match cmd {
                    None => Err(Outcome::Closed),
                    Some(cmd) => self.handle_command(cmd).await,
                },
                _ = self.net.shared.closed() => Err(Outcome::Closed),
                _ = sleep => { self.expire().await; self.keep_alive().await }
            };
            if let Err(o) = result {
                break o;
            }
            if self.sync.is_none() {
                *failures = 0;
            }
        };
        if matches!(outcome, Outcome::Closed) {
            let _ = self.socket.close(None).await;
        }
        self.fail_all_pending().await;
        outcome
    }

    /// When the keepalive acts next: the ping after one silent interval, the verdict after two.
    fn keepalive_deadline(&self) -> Option<Instant> {
        let interval = self.net.config.keepalive;
        (!interval.is_zero()).then(|| self.last_heard + if self.pinged { interval * 2 } else { interval })
    }

    /// Pings a service that has been silent for one keepalive interval; gives up on one that
    /// stayed silent for two.
    async fn keep_alive(&mut self) -> Result<(), Outcome> {
        let Some(due) = self.keepalive_deadline() else { return Ok(()) };
        if Instant::now() < due {
            return Ok(());
        }
        let silent = self.last_heard.elapsed().as_millis();
        if self.pinged {
            // No close handshake: nothing gets through this link.
            return Err(Outcome::Lost(None, format!("nothing heard from the service for {silent} ms")));
        }
        self.pinged = true;
        // A link that stopped carrying packets may also stop taking them: the ping must not
        // hold up the verdict.
        let interval = self.net.config.keepalive;
        match tokio::time::timeout(interval, self.socket.send(Message::Ping(Default::default()))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Outcome::Lost(None, format!("sending failed: {e}"))),
            Err(_) => Err(Outcome::Lost(
                None,
                format!("nothing heard from the service for {silent} ms, and it takes nothing"),
            )),
        }
    }

    fn packet_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    async fn send_packet(&mut self, packet: Packet) -> Result<(), Outcome> {
        // Whatever the service hears from us (an acknowledgement above all) comes after the
        // inputs read before it were handed to the game.
        self.flush_inputs().await?;
        let frame = self
            .encoder
            .encode(packet.to_json())
            .map_err(|e| Outcome::Lost(None, format!("compressing a frame failed: {e}")))?;
        let message = match frame {
            WireFrame::Text(t) => Message::Text(t.into()),
            WireFrame::Binary(b) => Message::Binary(b.into()),
        };
        self.socket.send(message).await.map_err(|e| Outcome::Lost(None, format!("sending failed: {e}")))
    }

    async fn call(&mut self, method: &str, params: Value, purpose: Purpose) -> Result<(), Outcome> {
        let id = self.packet_id();
        let mut m = Method::new(id, method, params);
        m.seq = Some(self.last_seq);
        let deadline = Instant::now() + self.net.config.request_timeout;
        self.pending.insert(id, Pending { purpose, deadline });
        self.send_packet(Packet::Method(m)).await
    }

    async fn start_sync(&mut self) -> Result<(), Outcome> {
        let prefs: Vec<&str> = self.net.config.compression.iter().map(|s| s.name()).collect();
        if prefs.iter().any(|p| *p != "none") {
            self.call("setCompression", json!({ "scheme": prefs }), Purpose::Compression).await?;
        }
        self.call("getTime", Value::Null, Purpose::Time { sent: Instant::now(), sent_wall: now_ms() }).await?;
        self.call("getScenes", Value::Null, Purpose::Scenes).await?;
        self.call("getGroups", Value::Null, Purpose::Groups).await?;
        self.call("getAllParticipants", json!({ "from": 0 }), Purpose::Participants).await?;
        if let Some(sync) = &mut self.sync {
            sync.outstanding = 3;
        }
        Ok(())
    }

    async fn finish_sync(&mut self) -> Result<(), Outcome> {
        let Some(sync) = self.sync.take() else { return Ok(()) };
        self.emit(Incoming::Snapshot(Box::new(sync.snapshot))).await?;
        self.emit(Incoming::Status { state: ConnectionState::Connected, code: None, message: String::new() }).await?;
        for item in sync.held_back {
            self.emit(item).await?;
        }
        if self.net.config.auto_ready {
            self.call("ready", json!({ "isReady": true }), Purpose::Ready).await?;
        }
        Ok(())
    }

    /// Hands the inputs read so far to the game thread, in one item.
    async fn flush_inputs(&mut self) -> Result<(), Outcome> {
        let item = match self.inputs.len() {
            0 => return Ok(()),
            1 => Incoming::Input(self.inputs.pop().expect("one input")),
            // The batch itself is handed over (no copy of the inputs into a new vector).
            _ => Incoming::Inputs(std::mem::replace(&mut self.inputs, Vec::with_capacity(INPUT_BATCH))),
        };
        if self.net.emit(item).await {
            Ok(())
        } else {
            Err(Outcome::Closed)
        }
    }

    async fn emit(&mut self, item: Incoming) -> Result<(), Outcome> {
        // Everything reaches the game in the order it was read.
        self.flush_inputs().await?;
        if let Incoming::Error { message, .. } = &item {
            log::log(log::Level::Warning, || message.clone());
        }
        if let Some(sync) = &mut self.sync {
            if !matches!(item, Incoming::Reply(_) | Incoming::Error { .. }) {
                sync.held_back.push(item);
                return Ok(());
            }
        }
        if self.net.emit(item).await {
            Ok(())
        } else {
            Err(Outcome::Closed)
        }
    }

    async fn handle_command(&mut self, cmd: Command) -> Result<(), Outcome> {
        let Command::Call { request_id, method, params, upload } = cmd;
        if self.sync.is_some() {
            self.net.fail_request(request_id, LocalError::NotConnected, "the session is still synchronising").await;
            return Ok(());
        }
        let purpose = match upload {
            Some(bytes) => Purpose::Upload(request_id, bytes),
            None => Purpose::Game(request_id),
        };
        self.call(&method, params, purpose).await
    }

    async fn expire(&mut self) {
        let now = Instant::now();
        let expired: Vec<u32> = self.pending.iter().filter(|(_, p)| p.deadline <= now).map(|(id, _)| *id).collect();
        for id in expired {
            if let Some(p) = self.pending.remove(&id) {
                if let Some(request_id) = p.purpose.request_id() {
                    self.net
                        .fail_request(request_id, LocalError::TimedOut, "no reply within the request timeout")
                        .await;
                }
                // A lost synchronisation reply leaves the state unknown: the loop below notices.
            }
        }
        if self.sync.is_some() && !self.pending.values().any(|p| is_sync(&p.purpose)) {
            // Synchronisation can no longer finish on this connection.
            let _ = self.socket.close(None).await;
        }
    }

    async fn fail_all_pending(&mut self) {
        let pending: Vec<Pending> = self.pending.drain().map(|(_, p)| p).collect();
        for p in pending {
            if let Some(request_id) = p.purpose.request_id() {
                self.net
                    .fail_request(request_id, LocalError::ConnectionLost, "the connection was lost before the reply")
                    .await;
            }
        }
    }

    /// Handles `first`, then the messages already waiting in the socket's buffer (a bounded
    /// number), so a flood takes one trip through the select loop per batch, not per message.
    async fn handle_messages(
        &mut self,
        first: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> Result<(), Outcome> {
        let mut result = self.handle_message(first).await;
        for _ in 1..READ_BATCH {
            if result.is_err() {
                break;
            }
            match self.socket.next().now_or_never() {
                Some(message) => result = self.handle_message(message).await,
                None => break,
            }
        }
        // Nothing read may wait in the batch while the connection waits or ends.
        self.flush_inputs().await?;
        result
    }

    async fn handle_message(
        &mut self,
        message: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> Result<(), Outcome> {
        match message {
            None => Err(Outcome::Lost(None, "the connection closed".into())),
            Some(Err(e)) => Err(Outcome::Lost(None, format!("the connection failed: {e}"))),
            Some(Ok(Message::Close(frame))) => {
                let (code, reason) =
                    frame.map(|f| (Some(u16::from(f.code)), f.reason.to_string())).unwrap_or((None, String::new()));
                let message = format!("the service closed the connection: {} {reason}", code.unwrap_or(1005));
                match code {
                    Some(c) if is_fatal(c) => Err(Outcome::Fatal(code, message)),
                    _ => Err(Outcome::Lost(code, message)),
                }
            }
            // Plain text is always accepted, whatever the scheme (`Decoder::decode_text` with
            // `lenient`), so it is read in place rather than copied through the decoder.
            Some(Ok(Message::Text(t))) => self.handle_text(t.as_str()).await,
            Some(Ok(Message::Binary(b))) => match self.decoder.decode_binary(&b) {
                Ok(text) => self.handle_text(&text).await,
                Err(e) => {
                    // The shared stream is broken; only a new connection can recover.
                    let message = format!("a compressed frame could not be decoded: {e}");
                    self.emit(Incoming::Error {
                        kind: ErrorKind::Protocol,
                        code: Some(4001),
                        message: message.clone(),
                    })
                    .await?;
                    Err(Outcome::Lost(Some(4001), message))
                }
            },
            Some(Ok(_)) => Ok(()),
        }
    }

    pub(super) async fn handle_text(&mut self, text: &str) -> Result<(), Outcome> {
        // Collect first: the visitor cannot await.
        let mut work = std::mem::take(&mut self.work);
        let parsed = read_frame(text, &mut self.interner, &mut work);
        if let Ok(Some(s)) = parsed {
            self.last_seq = s;
        }
        if let Err(e) = parsed {
            let message = format!("unreadable frame from the service: {e}");
            return self.emit(Incoming::Error { kind: ErrorKind::Protocol, code: None, message }).await;
        }
        for w in work.drain(..) {
            match w {
                Work::Item(Incoming::Input(input)) if self.sync.is_none() => {
                    self.inputs.push(input);
                    if self.inputs.len() >= INPUT_BATCH {
                        self.flush_inputs().await?;
                    }
                }
                Work::Item(item) => self.emit(item).await?,
                Work::Ack(id, discard) => self.ack(id, discard).await?,
                Work::Event(id, discard, item) => {
                    self.emit(item).await?;
                    self.ack(id, discard).await?;
                }
                Work::Bad(id, discard, message) => {
                    self.emit(Incoming::Error { kind: ErrorKind::Protocol, code: None, message: message.clone() })
                        .await?;
                    if !discard || id != 0 {
                        let reply =
                            crate::protocol::Reply::err(id, ErrorBody::with_message(ErrorCode::InvalidParams, message));
                        self.send_packet(Packet::Reply(reply)).await?;
                    }
                }
                Work::Unhandled(id, discard, method, params) => {
                    self.emit(Incoming::Unhandled { method: method.clone(), params }).await?;
                    if !discard {
                        let reply = crate::protocol::Reply::err(
                            id,
                            ErrorBody::with_message(
                                ErrorCode::UnknownMethod,
                                format!("this client does not handle {method}"),
                            ),
                        );
                        self.send_packet(Packet::Reply(reply)).await?;
                    }
                }
                Work::Reply(id, result, error) => self.handle_reply(id, result, error).await?,
            }
        }
        self.work = work;
        Ok(())
    }

    async fn ack(&mut self, id: u32, discard: bool) -> Result<(), Outcome> {
        if discard {
            return Ok(());
        }
        self.send_packet(Packet::Reply(crate::protocol::Reply::ok(id, Value::Null))).await
    }

    async fn handle_reply(&mut self, id: u32, result: String, error: Option<ErrorBody>) -> Result<(), Outcome> {
        let Some(pending) = self.pending.remove(&id) else { return Ok(()) };
        match pending.purpose {
            Purpose::Game(request_id) => {
                let result = match error {
                    Some(e) => Err(ReplyError { code: e.code, message: e.message, path: e.path }),
                    None => Ok(result),
                };
                self.emit(Incoming::Reply(Reply { request_id, result })).await
            }
            Purpose::Upload(request_id, bytes) => match error {
                Some(e) => {
                    let error = ReplyError { code: e.code, message: e.message, path: e.path };
                    self.emit(Incoming::Reply(Reply { request_id, result: Err(error) })).await
                }
                None => {
                    let config = &self.net.config;
                    let upload = Upload { request_id, bytes, tls: config.tls.clone(), timeout: config.request_timeout };
                    tokio::spawn(upload.send(result, self.net.replies(), self.net.shared.clone()));
                    Ok(())
                }
            },
            Purpose::Compression => {
                if error.is_none() {
                    let chosen = serde_json::from_str::<Value>(&result)
                        .ok()
                        .and_then(|v| v.get("scheme").and_then(Value::as_str).and_then(Scheme::parse))
                        .unwrap_or(Scheme::None);
                    self.encoder = Encoder::new(chosen);
                    self.decoder = Decoder::new(chosen);
                }
                Ok(())
            }
            Purpose::Time { sent, sent_wall } => {
                if let Some(time) = serde_json::from_str::<Value>(&result).ok().and_then(|v| v.get("time")?.as_i64()) {
                    let rtt = sent.elapsed().as_millis() as i64;
                    let offset = time - (sent_wall + rtt / 2);
                    self.net.shared.clock_offset_ms.store(offset, Ordering::Relaxed);
                }
                Ok(())
            }
            Purpose::Ready => Ok(()),
            Purpose::Scenes | Purpose::Groups | Purpose::Participants => {
                let Some(sync) = &mut self.sync else { return Ok(()) };
                if let Some(e) = error {
                    let message = format!("synchronising the state failed: {} {}", e.code, e.message);
                    let _ = self.socket.close(None).await;
                    return Err(Outcome::Lost(None, message));
                }
                let value: Value = serde_json::from_str(&result).unwrap_or(Value::Null);
                let list = |key: &str| -> Vec<Object> {
                    value
                        .get(key)
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(|v| v.as_object().cloned()).collect())
                        .unwrap_or_default()
                };
                match pending.purpose {
                    Purpose::Scenes => {
                        sync.snapshot.scenes = list("scenes");
                        sync.outstanding -= 1;
                    }
                    Purpose::Groups => {
                        sync.snapshot.groups = list("groups");
                        sync.outstanding -= 1;
                    }
                    _ => {
                        let page = list("participants");
                        let last = page.last().and_then(|p| p.get("connectedAt")).and_then(Value::as_i64);
                        sync.snapshot.participants.extend(page);
                        let more = value.get("hasMore").and_then(Value::as_bool).unwrap_or(false);
                        match (more, last) {
                            (true, Some(from)) => {
                                return self
                                    .call("getAllParticipants", json!({ "from": from }), Purpose::Participants)
                                    .await;
                            }
                            _ => sync.outstanding -= 1,
                        }
                    }
                }
                if sync.outstanding == 0 {
                    self.finish_sync().await?;
                }
                Ok(())
            }
        }
    }
}

fn is_sync(p: &Purpose) -> bool {
    matches!(p, Purpose::Scenes | Purpose::Groups | Purpose::Participants)
}
