//! The chat's network task: REST details, opening an endpoint, welcome and `auth`, then the
//! connected loop (requests, replies, events, pings), and reconnecting with backoff.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::{local_error, ChatConfig, ChatEvent, ChatMessage, ChatReply, ChatReplyError, Command};
use crate::auth::credentials::{Credentials, REFUSALS_REFRESHED};
use crate::auth::user::{self, UserError};
use crate::log::{log, Level};
use crate::net::{api_base, request, tls_config, ConnectError, ConnectionState, LocalError};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The chat protocol version the official clients announce.
const PROTOCOL_VERSION: &str = "1.0";

/// How often timeouts and pings are checked.
const TICK: Duration = Duration::from_millis(100);

struct Link {
    ws: Socket,
    /// Events that arrived before the `auth` reply.
    early: Vec<Value>,
    authenticated: bool,
    user_id: u32,
    roles: Vec<String>,
    channel_id: u32,
    permissions: Vec<String>,
}

/// How a connected stretch ended.
enum End {
    /// The game closed the chat (or dropped it).
    Closed,
    Lost(String),
}

struct Task {
    config: ChatConfig,
    credentials: Arc<Credentials>,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<ChatEvent>,
    closing: watch::Receiver<bool>,
}

pub(crate) async fn run(
    config: ChatConfig,
    credentials: Arc<Credentials>,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<ChatEvent>,
    closing: watch::Receiver<bool>,
) {
    let mut task = Task { config, credentials, commands, events, closing };
    task.main().await;
}

impl Task {
    async fn emit(&self, event: ChatEvent) {
        let _ = self.events.send(event).await;
    }

    async fn state(&self, state: ConnectionState, message: impl Into<String>) {
        self.emit(ChatEvent::Connection { state, message: message.into() }).await;
    }

    async fn fail_request(&self, request_id: u64, kind: LocalError, message: &str) {
        self.emit(ChatEvent::Reply(ChatReply { request_id, result: Err(local_error(kind, message)) })).await;
    }

    /// Runs `fut` while answering requests with "not connected"; `None` when the chat closed.
    async fn while_offline<T>(&mut self, fut: impl std::future::Future<Output = T>) -> Option<T> {
        tokio::pin!(fut);
        loop {
            tokio::select! {
                out = &mut fut => return Some(out),
                cmd = self.commands.recv() => match cmd {
                    Some(Command::Call { request_id, .. }) => {
                        self.fail_request(request_id, LocalError::NotConnected, "the chat is not connected").await;
                    }
                    None => return None,
                },
                _ = self.closing.changed() => return None,
            }
        }
    }

    async fn main(&mut self) {
        self.state(ConnectionState::Connecting, "").await;
        let mut failures = 0u32;
        let mut refusals = 0;
        loop {
            if *self.closing.borrow() {
                break;
            }
            let config = self.config.clone();
            let credentials = self.credentials.clone();
            let attempt = match self.while_offline(connect(config, &credentials, &mut refusals)).await {
                None => break,
                Some(a) => a,
            };
            match attempt {
                Ok(link) => {
                    failures = 0;
                    // Channel 0 found the user's own channel: the chat stays there, whatever
                    // token later connections use.
                    self.config.channel_id = link.channel_id;
                    log(Level::Info, || format!("chat of channel {} connected", self.config.channel_id));
                    match self.connected(link).await {
                        End::Closed => break,
                        End::Lost(why) => {
                            log(Level::Warning, || format!("chat connection lost: {why}"));
                            if !self.config.reconnect.enabled {
                                self.state(ConnectionState::Disconnected, why).await;
                                return self.drain_offline().await;
                            }
                            self.state(ConnectionState::Reconnecting, why).await;
                        }
                    }
                }
                Err(ConnectError::Fatal(why)) => {
                    log(Level::Error, || format!("chat stopped: {why}"));
                    self.state(ConnectionState::Disconnected, why).await;
                    return self.drain_offline().await;
                }
                Err(ConnectError::Transient(why)) => {
                    failures += 1;
                    let policy = &self.config.reconnect;
                    if !policy.enabled || policy.max_attempts.is_some_and(|m| failures >= m) {
                        self.state(ConnectionState::Disconnected, why).await;
                        return self.drain_offline().await;
                    }
                    log(Level::Warning, || format!("chat connection failed: {why}"));
                    self.state(ConnectionState::Reconnecting, why).await;
                }
            }
            let delay = self.config.reconnect.delay(failures);
            if self.while_offline(tokio::time::sleep(delay)).await.is_none() {
                break;
            }
        }
        self.state(ConnectionState::Disconnected, "the chat was closed").await;
    }

    /// After a stop: answer requests until the chat is closed.
    async fn drain_offline(&mut self) {
        let _ = self.while_offline(std::future::pending::<()>()).await;
    }

    async fn connected(&mut self, link: Link) -> End {
        let Link { mut ws, early, authenticated, user_id, roles, channel_id, permissions } = link;
        self.state(ConnectionState::Connected, "").await;
        self.emit(ChatEvent::Joined { authenticated, user_id, roles, channel_id, permissions }).await;
        for packet in early {
            self.packet(packet, &mut HashMap::new()).await;
        }
        let mut pending: HashMap<u64, (u64, Instant)> = HashMap::new();
        // Id 0 was the auth call.
        let mut next_id: u64 = 1;
        let mut last_rx = Instant::now();
        let mut ping_sent: Option<Instant> = None;
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let end = loop {
            tokio::select! {
                cmd = self.commands.recv() => match cmd {
                    None => break End::Closed,
                    Some(Command::Call { request_id, method, args }) => {
                        let id = next_id;
                        next_id += 1;
                        let packet = json!({ "type": "method", "method": method, "arguments": args, "id": id });
                        if let Err(e) = ws.send(Message::text(packet.to_string())).await {
                            self.fail_request(request_id, LocalError::ConnectionLost, "the connection was lost").await;
                            break End::Lost(format!("sending failed: {e}"));
                        }
                        pending.insert(id, (request_id, Instant::now() + self.config.request_timeout));
                    }
                },
                msg = ws.next() => {
                    last_rx = Instant::now();
                    ping_sent = None;
                    match msg {
                        Some(Ok(Message::Text(t))) => match serde_json::from_str::<Value>(t.as_str()) {
                            Ok(packet) => self.packet(packet, &mut pending).await,
                            Err(_) => log(Level::Warning, || "the chat service sent a frame that is not JSON".into()),
                        },
                        Some(Ok(Message::Close(frame))) => {
                            let why = frame.map(|f| format!("closed with {}: {}", u16::from(f.code), f.reason)).unwrap_or_else(|| "closed".into());
                            break End::Lost(why);
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => break End::Lost(format!("the connection failed: {e}")),
                        None => break End::Lost("the connection ended".into()),
                    }
                },
                _ = tick.tick() => {
                    let now = Instant::now();
                    let expired: Vec<u64> = pending.iter().filter(|(_, (_, d))| *d <= now).map(|(id, _)| *id).collect();
                    for id in expired {
                        let (request_id, _) = pending.remove(&id).expect("listed above");
                        self.fail_request(request_id, LocalError::TimedOut, "no reply within the request timeout").await;
                    }
                    match ping_sent {
                        Some(at) if now.duration_since(at) >= self.config.ping_timeout => {
                            break End::Lost("no answer to a ping".into());
                        }
                        None if now.duration_since(last_rx) >= self.config.ping_interval => {
                            if ws.send(Message::Ping(Default::default())).await.is_err() {
                                break End::Lost("sending a ping failed".into());
                            }
                            ping_sent = Some(now);
                        }
                        _ => {}
                    }
                },
                _ = self.closing.changed() => break End::Closed,
            }
        };
        if matches!(end, End::Closed) {
            let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
        }
        for (_, (request_id, _)) in pending {
            self.fail_request(request_id, LocalError::ConnectionLost, "the connection was lost before the reply").await;
        }
        end
    }

    async fn packet(&self, packet: Value, pending: &mut HashMap<u64, (u64, Instant)>) {
        match packet.get("type").and_then(Value::as_str) {
            Some("reply") => {
                let Some((request_id, _)) = packet.get("id").and_then(Value::as_u64).and_then(|id| pending.remove(&id))
                else {
                    return;
                };
                let result = match packet.get("error") {
                    None | Some(Value::Null) => Ok(packet.get("data").cloned().unwrap_or(Value::Null).to_string()),
                    Some(Value::String(e)) => Err(ChatReplyError { code: 0, message: e.clone() }),
                    Some(other) => Err(ChatReplyError { code: 0, message: other.to_string() }),
                };
                self.emit(ChatEvent::Reply(ChatReply { request_id, result })).await;
            }
            Some("event") => {
                let name = packet.get("event").and_then(Value::as_str).unwrap_or("").to_owned();
                let data = packet.get("data").cloned().unwrap_or(Value::Null);
                let event = if name == "ChatMessage" {
                    ChatEvent::Message(ChatMessage::parse(&data))
                } else {
                    ChatEvent::Event { name, data: data.to_string() }
                };
                self.emit(event).await;
            }
            _ => log(Level::Debug, || "the chat service sent a packet of unknown type".into()),
        }
    }
}

/// Why the REST calls before connecting failed.
enum Refusal {
    /// The token was refused (HTTP 401 or 403).
    Token(String),
    Other(ConnectError),
}

impl From<ConnectError> for Refusal {
    fn from(e: ConnectError) -> Refusal {
        Refusal::Other(e)
    }
}

/// What the REST API says before connecting.
struct Details {
    channel: u32,
    user_id: Option<u32>,
    authkey: Option<String>,
    endpoints: Vec<String>,
    permissions: Vec<String>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The user (with a token) and the chat's details.
async fn details(config: &ChatConfig, token: Option<&str>) -> Result<Details, Refusal> {
    let timeout = config.connect_timeout;
    let user = match token {
        None => None,
        Some(t) => match user::fetch(&config.base_url, t, &config.tls, timeout).await {
            Ok(u) => Some(u),
            Err(UserError::Refused(why)) => return Err(Refusal::Token(why)),
            Err(UserError::Unreachable(why)) => return Err(ConnectError::Transient(why).into()),
        },
    };
    let channel = match (config.channel_id, &user) {
        (0, Some(u)) => u.channel_id.ok_or_else(|| ConnectError::Fatal(format!("{} has no channel", u.username)))?,
        (0, None) => return Err(ConnectError::Fatal("channel 0 (the user's own) needs a token".into()).into()),
        (id, _) => id,
    };
    let api = api_base(&config.base_url);
    let reply = request(&config.tls, timeout, &format!("{api}/chats/{channel}"), token, None).await?;
    match reply.status {
        200 => {}
        404 => return Err(ConnectError::Fatal(format!("there is no channel {channel}")).into()),
        401 | 403 => return Err(Refusal::Token(format!("the token was refused (HTTP {})", reply.status))),
        s => return Err(ConnectError::Transient(format!("chats/{channel} answered HTTP {s}")).into()),
    }
    let details = reply.json().ok_or_else(|| ConnectError::Transient("the chat details are not JSON".into()))?;
    let authkey = details.get("authkey").and_then(Value::as_str).map(str::to_owned);
    if token.is_some() && authkey.is_none() {
        return Err(ConnectError::Transient("the chat details have no authkey for the signed-in user".into()).into());
    }
    let endpoints = match &config.endpoints {
        Some(e) => e.clone(),
        None => strings(details.get("endpoints")),
    };
    if endpoints.is_empty() {
        return Err(ConnectError::Transient("the chat details list no endpoints".into()).into());
    }
    Ok(Details {
        channel,
        user_id: user.map(|u| u.id),
        authkey,
        endpoints,
        permissions: strings(details.get("permissions")),
    })
}

/// The newest token (refreshed first when it has expired and can be), the REST details, then
/// the endpoints in order until one welcomes us and accepts `auth`. A refused token is refreshed
/// and tried again, a few times in a row at most (`refusals` counts them until a connection is
/// accepted).
async fn connect(config: ChatConfig, credentials: &Credentials, refusals: &mut u32) -> Result<Link, ConnectError> {
    let signed_in = !credentials.token().is_empty();
    if signed_in {
        credentials.fresh(config.connect_timeout).await?;
    }
    let token = Some(credentials.token()).filter(|t| !t.is_empty());
    let details = match details(&config, token.as_deref()).await {
        Ok(d) => d,
        Err(Refusal::Other(e)) => return Err(e),
        Err(Refusal::Token(why)) if *refusals >= REFUSALS_REFRESHED => return Err(ConnectError::Fatal(why)),
        Err(Refusal::Token(why)) => {
            return match credentials.after_refusal(config.connect_timeout).await {
                None => Err(ConnectError::Fatal(why)),
                Some(Ok(())) => {
                    *refusals += 1;
                    Err(ConnectError::Transient(format!("{why}; the token was refreshed")))
                }
                Some(Err(e)) => Err(e),
            };
        }
    };
    let channel = details.channel;
    let args = match (details.user_id, &details.authkey) {
        (Some(id), Some(key)) => json!([channel, id, key]),
        _ => json!([channel]),
    };
    let mut last = String::new();
    for endpoint in &details.endpoints {
        match open(endpoint, &config).await {
            Ok(ws) => match handshake(ws, &args, config.connect_timeout).await {
                Ok(mut link) => {
                    *refusals = 0;
                    link.user_id = details.user_id.unwrap_or(0);
                    link.channel_id = channel;
                    link.permissions = details.permissions;
                    return Ok(link);
                }
                Err(ConnectError::Fatal(e)) => return Err(ConnectError::Fatal(e)),
                Err(ConnectError::Transient(e)) => last = e,
            },
            Err(ConnectError::Fatal(e)) => return Err(ConnectError::Fatal(e)),
            Err(ConnectError::Transient(e)) => last = e,
        }
        log(Level::Info, || format!("chat endpoint {endpoint} failed: {last}"));
    }
    Err(ConnectError::Transient(last))
}

/// Opens one endpoint with `version` and `Client-ID` in the query (as the official clients do)
/// and `Client-ID` as a header too.
async fn open(endpoint: &str, config: &ChatConfig) -> Result<Socket, ConnectError> {
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("version", PROTOCOL_VERSION);
        if let Some(cid) = &config.client_id {
            query.append_pair("Client-ID", cid);
        }
        query.finish()
    };
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    let url = format!("{endpoint}{sep}{query}");
    let mut req = url
        .as_str()
        .into_client_request()
        .map_err(|e| ConnectError::Fatal(format!("bad chat endpoint {endpoint}: {e}")))?;
    if let Some(cid) = &config.client_id {
        let v = HeaderValue::from_str(cid)
            .map_err(|_| ConnectError::Fatal("the client id holds characters a header cannot carry".into()))?;
        req.headers_mut().insert("Client-ID", v);
    }
    let connector = if endpoint.starts_with("wss:") { Some(Connector::Rustls(tls_config(&config.tls)?)) } else { None };
    let connect = tokio_tungstenite::connect_async_tls_with_config(req, None, true, connector);
    match tokio::time::timeout(config.connect_timeout, connect).await {
        Err(_) => Err(ConnectError::Transient(format!("connecting to {endpoint} timed out"))),
        Ok(Ok((ws, _))) => Ok(ws),
        Ok(Err(e)) => Err(ConnectError::Transient(format!("connecting to {endpoint} failed: {e}"))),
    }
}

/// Waits for the welcome, calls `auth` and waits for its reply (events before it are kept).
async fn handshake(mut ws: Socket, args: &Value, timeout: Duration) -> Result<Link, ConnectError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut welcomed = false;
    let mut early = Vec::new();
    loop {
        let msg = match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) if welcomed => return Err(ConnectError::Transient("no reply to auth in time".into())),
            Err(_) => return Err(ConnectError::Transient("the chat service sent no WelcomeEvent in time".into())),
            Ok(None) | Ok(Some(Err(_))) => return Err(ConnectError::Transient("the chat socket closed".into())),
            Ok(Some(Ok(m))) => m,
        };
        let Message::Text(text) = msg else { continue };
        let Ok(packet) = serde_json::from_str::<Value>(text.as_str()) else { continue };
        match packet.get("type").and_then(Value::as_str) {
            Some("event") if !welcomed => {
                if packet.get("event").and_then(Value::as_str) != Some("WelcomeEvent") {
                    continue;
                }
                welcomed = true;
                let auth = json!({ "type": "method", "method": "auth", "arguments": args, "id": 0 });
                ws.send(Message::text(auth.to_string()))
                    .await
                    .map_err(|e| ConnectError::Transient(format!("sending auth failed: {e}")))?;
            }
            Some("event") => early.push(packet),
            Some("reply") if welcomed && packet.get("id").and_then(Value::as_u64) == Some(0) => {
                if let Some(e) = packet.get("error").filter(|e| !e.is_null()) {
                    let e = e.as_str().map(str::to_owned).unwrap_or_else(|| e.to_string());
                    let why = match e.as_str() {
                        "UNOTFOUND" => "the chat refused auth: UNOTFOUND (unknown user, channel or authkey)".to_owned(),
                        "UACCESS" => "the chat refused auth: UACCESS (no access to this chat)".to_owned(),
                        other => format!("the chat refused auth: {other}"),
                    };
                    return Err(ConnectError::Fatal(why));
                }
                let data = packet.get("data").cloned().unwrap_or(Value::Null);
                let roles = data
                    .get("roles")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                let authenticated = data.get("authenticated").and_then(Value::as_bool).unwrap_or(false);
                return Ok(Link {
                    ws,
                    early,
                    authenticated,
                    user_id: 0,
                    roles,
                    channel_id: 0,
                    permissions: Vec::new(),
                });
            }
            _ => {}
        }
    }
}
