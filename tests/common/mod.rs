//! Test helpers: an in-process mediator and raw websocket clients that speak the protocol.
#![allow(dead_code)]

pub mod client;
pub mod durable;
pub mod fake;
pub mod media;
pub mod native;
pub mod oauth;
pub mod package;
pub mod script;
pub mod studio;
pub mod viewer;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mixplay::protocol::{parse_frame, Decoder, Encoder, Method, Packet, Reply, Scheme, WireFrame};
use mixplay::server::{Mediator, MediatorConfig, World};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single wait in a test may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

pub async fn mediator() -> Mediator {
    mediator_with(World::demo(), MediatorConfig::default()).await
}

pub async fn mediator_with(world: World, config: MediatorConfig) -> Mediator {
    Mediator::start("127.0.0.1:0", world, config).await.expect("mediator starts")
}

/// A raw protocol client over a real websocket.
pub struct Conn {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u32,
    last_seq: i32,
    encoder: Encoder,
    decoder: Decoder,
    /// Packets received while waiting for something else.
    pub backlog: Vec<Packet>,
}

/// How a connection attempt ended.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // short-lived, one per connection attempt
pub enum Connected {
    Open(Conn),
    /// The server accepted the socket and closed it with this code.
    Closed(u16, String),
    /// The HTTP upgrade was refused with this status.
    Http(u16),
}

impl Connected {
    pub fn open(self) -> Conn {
        match self {
            Connected::Open(c) => c,
            other => panic!("expected an open connection, got {other:?}"),
        }
    }
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Conn")
    }
}

/// Opens a websocket with these headers: the stream, or the HTTP status of a refused upgrade.
pub async fn open_socket(
    url: &str,
    headers: &[(&str, &str)],
) -> Result<WebSocketStream<MaybeTlsStream<TcpStream>>, u16> {
    let mut req = url.into_client_request().expect("valid url");
    for (k, v) in headers {
        req.headers_mut().insert(
            tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
        Err(e) => panic!("connect failed: {e}"),
    }
}

pub async fn connect(url: &str, headers: &[(&str, &str)]) -> Connected {
    let ws = match open_socket(url, headers).await {
        Ok(ws) => ws,
        Err(status) => return Connected::Http(status),
    };
    let mut conn = Conn {
        ws,
        next_id: 1,
        last_seq: 0,
        encoder: Encoder::new(Scheme::None),
        decoder: Decoder::new(Scheme::None),
        backlog: Vec::new(),
    };
    // A refused handshake shows up as an immediate close frame.
    match tokio::time::timeout(WAIT, conn.ws.next()).await.expect("first frame in time") {
        Some(Ok(Message::Close(frame))) => {
            let (code, reason) =
                frame.map(|f| (u16::from(f.code), f.reason.to_string())).unwrap_or((1005, String::new()));
            Connected::Closed(code, reason)
        }
        Some(Ok(msg)) => {
            conn.absorb(msg);
            Connected::Open(conn)
        }
        other => panic!("unexpected first frame: {other:?}"),
    }
}

/// Connects a game client with the demo streamer's token to version 1.
pub async fn game(m: &Mediator) -> Conn {
    game_as(m, "demo-streamer", "1").await.open()
}

pub async fn game_as(m: &Mediator, token: &str, version: &str) -> Connected {
    let url = format!("ws://{}/gameClient", m.local_addr());
    let auth = format!("Bearer {token}");
    connect(&url, &[("Authorization", &auth), ("X-Interactive-Version", version), ("X-Protocol-Version", "2.0")]).await
}

/// Connects a participant to channel 1; `key` None is anonymous.
pub async fn participant(m: &Mediator, key: Option<&str>) -> Connected {
    let mut url = format!("ws://{}/participant?channel=1&x-protocol-version=2.0", m.local_addr());
    if let Some(k) = key {
        url.push_str(&format!("&key={k}"));
    }
    connect(&url, &[]).await
}

impl Conn {
    fn absorb(&mut self, msg: Message) {
        let text = match msg {
            Message::Text(t) => self.decoder.decode_text(t.to_string(), true).expect("text decodes"),
            Message::Binary(b) => self.decoder.decode_binary(&b).expect("binary decodes"),
            _ => return,
        };
        for p in parse_frame(&text).expect("server sends valid packets") {
            if let Some(s) = p.seq() {
                self.last_seq = s;
            }
            self.backlog.push(p);
        }
    }

    /// Sends raw text as one frame.
    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::Text(text.into())).await.expect("send");
    }

    /// Sends raw bytes as one binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws.send(Message::Binary(bytes.into())).await.expect("send");
    }

    /// Sends a method (encoded with the current scheme) and returns its id.
    pub async fn call_async(&mut self, method: &str, params: Value) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let mut m = Method::new(id, method, params);
        m.seq = Some(self.last_seq);
        let frame = self.encoder.encode(Packet::Method(m).to_json()).expect("encode");
        let msg = match frame {
            WireFrame::Text(t) => Message::Text(t.into()),
            WireFrame::Binary(b) => Message::Binary(b.into()),
        };
        self.ws.send(msg).await.expect("send");
        id
    }

    /// Calls a method and waits for its reply.
    pub async fn call(&mut self, method: &str, params: Value) -> Reply {
        let id = self.call_async(method, params).await;
        self.reply(id).await
    }

    /// Calls a method and returns its result, panicking on an error reply.
    pub async fn ok(&mut self, method: &str, params: Value) -> Value {
        let r = self.call(method, params).await;
        assert!(r.error.is_none(), "{method} failed: {:?}", r.error);
        r.result
    }

    /// Calls a method that must fail; returns the error code.
    pub async fn err(&mut self, method: &str, params: Value) -> (u32, Option<String>) {
        let r = self.call(method, params).await;
        let e = r.error.unwrap_or_else(|| panic!("{method} should fail, got {:?}", r.result));
        (e.code, e.path)
    }

    async fn recv_more(&mut self) {
        match tokio::time::timeout(WAIT, self.ws.next()).await {
            Ok(Some(Ok(msg))) => self.absorb(msg),
            Ok(other) => panic!("connection ended while waiting: {other:?}"),
            Err(_) => panic!("timed out waiting for the server"),
        }
    }

    /// Waits for the reply with `id`.
    pub async fn reply(&mut self, id: u32) -> Reply {
        loop {
            if let Some(i) = self.backlog.iter().position(|p| matches!(p, Packet::Reply(r) if r.id == id)) {
                let Packet::Reply(r) = self.backlog.remove(i) else { unreachable!() };
                return r;
            }
            self.recv_more().await;
        }
    }

    /// Waits for a server method named `name` and returns its params.
    pub async fn event(&mut self, name: &str) -> Value {
        loop {
            if let Some(i) = self.backlog.iter().position(|p| matches!(p, Packet::Method(m) if m.method == name)) {
                let Packet::Method(m) = self.backlog.remove(i) else { unreachable!() };
                assert!(m.discard, "server methods are sent with discard: true");
                return m.params;
            }
            self.recv_more().await;
        }
    }

    /// Waits until the server closes the connection; returns the close code.
    pub async fn closed(&mut self) -> u16 {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await.expect("close in time") {
                Some(Ok(Message::Close(f))) => return f.map(|f| u16::from(f.code)).unwrap_or(1005),
                Some(Ok(msg)) => self.absorb(msg),
                Some(Err(_)) | None => return 1006,
            }
        }
    }

    /// Negotiates compression (the reply is plain text), then switches both directions.
    pub async fn set_compression(&mut self, prefs: &[&str]) -> String {
        let r = self.ok("setCompression", json!({ "scheme": prefs })).await;
        let scheme = r["scheme"].as_str().expect("scheme").to_owned();
        let s = Scheme::parse(&scheme).expect("known scheme");
        self.encoder = Encoder::new(s);
        self.decoder = Decoder::new(s);
        scheme
    }

    /// Closes the socket and waits for the mediator to end it, so that what the close sets off
    /// there (a session ending, a viewer leaving) has happened when this returns: a game client
    /// that reconnects at once must not find its old session still running.
    pub async fn close(mut self) {
        let _ = self
            .ws
            .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            }))
            .await;
        let end = async { while let Some(Ok(_)) = self.ws.next().await {} };
        tokio::time::timeout(WAIT, end).await.expect("the mediator ends a socket the client closed");
    }

    pub fn last_seq(&self) -> i32 {
        self.last_seq
    }
}

/// Starts a game on the demo world, creates a button `b` (and whatever else the caller adds),
/// goes ready, and joins viewer `demo-viewer-1`.
pub async fn ready_game(m: &Mediator) -> Conn {
    let mut g = game(m).await;
    g.event("hello").await;
    g.ok("ready", json!({ "isReady": true })).await;
    g.event("onReady").await;
    g
}

/// Connects to `/gameClient` with exactly these headers (no defaults added).
pub async fn game_with_headers(m: &Mediator, headers: &[(&str, &str)]) -> Connected {
    connect(&format!("ws://{}/gameClient", m.local_addr()), headers).await
}

/// Connects to `/gameClient?{query}` with no headers.
pub async fn game_with_query(m: &Mediator, query: &str) -> Connected {
    connect(&format!("ws://{}/gameClient?{query}", m.local_addr()), &[]).await
}

/// Connects to `/participant?{query}` with no headers.
pub async fn participant_with_query(m: &Mediator, query: &str) -> Connected {
    connect(&format!("ws://{}/participant?{query}", m.local_addr()), &[]).await
}

/// The `sessionID` of the first participant of a `{participants: [...]}` payload.
pub fn first_session_id(v: &Value) -> String {
    v["participants"][0]["sessionID"].as_str().expect("a sessionID").to_owned()
}

/// Joins a participant to channel 1 and waits until both sides have seen the join: the game its
/// `onParticipantJoin`, the participant its whole initial burst (hello .. onReady), which is
/// then dropped from the backlog. Returns the participant and its session id.
pub async fn join(m: &Mediator, g: &mut Conn, key: Option<&str>) -> (Conn, String) {
    let mut p = participant(m, key).await.open();
    let me = p.event("onParticipantJoin").await;
    let sid = first_session_id(&me);
    p.event("onReady").await;
    p.backlog.clear();
    g.event_matching("onParticipantJoin", |v| first_session_id(v) == sid).await;
    (p, sid)
}

impl Conn {
    /// The next packet in arrival order.
    pub async fn next_packet(&mut self) -> Packet {
        loop {
            if !self.backlog.is_empty() {
                return self.backlog.remove(0);
            }
            self.recv_more().await;
        }
    }

    /// The next server method in arrival order (replies in between stay in the backlog).
    pub async fn next_method(&mut self) -> Method {
        loop {
            if let Some(i) = self.backlog.iter().position(|p| matches!(p, Packet::Method(_))) {
                let Packet::Method(m) = self.backlog.remove(i) else { unreachable!() };
                return m;
            }
            self.recv_more().await;
        }
    }

    /// Waits for a server method named `name` whose params satisfy `pred`; earlier methods of
    /// that name that do not match stay in the backlog.
    pub async fn event_matching(&mut self, name: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(i) =
                self.backlog.iter().position(|p| matches!(p, Packet::Method(m) if m.method == name && pred(&m.params)))
            {
                let Packet::Method(m) = self.backlog.remove(i) else { unreachable!() };
                assert!(m.discard, "server methods are sent with discard: true");
                return m.params;
            }
            self.recv_more().await;
        }
    }

    /// Sends one raw method packet with an explicit `seq`, and waits for its reply.
    pub async fn call_with_seq(&mut self, id: u32, method: &str, params: Value, seq: i32) -> Reply {
        let text = json!({ "type": "method", "id": id, "method": method, "params": params, "seq": seq }).to_string();
        self.send_text(&text).await;
        self.reply(id).await
    }
}

/// The close code of a refused connection.
pub fn closed_with(c: Connected) -> u16 {
    match c {
        Connected::Closed(code, _) => code,
        other => panic!("expected a close, got {other:?}"),
    }
}

/// The HTTP status of a refused upgrade.
pub fn http_status(c: Connected) -> u16 {
    match c {
        Connected::Http(status) => status,
        other => panic!("expected an HTTP refusal, got {other:?}"),
    }
}

/// The demo world's streamer and first two viewers, plus an admin (`boss`, token `tok-admin`).
pub fn demo_with_admin() -> World {
    let file: mixplay::server::world::WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "streamer", "token": "demo-streamer", "sparks": 0, "level": 50 },
            { "id": 2, "username": "viewer1", "token": "demo-viewer-1", "sparks": 1000 },
            { "id": 3, "username": "viewer2", "token": "demo-viewer-2", "sparks": 1000 },
            { "id": 9, "username": "boss", "token": "tok-admin", "sparks": 0, "admin": true }
        ],
        "channels": [ { "id": 1, "owner": 1 } ],
        "projects": [ {
            "versionId": 1, "owner": 1,
            "scenes": [ { "sceneID": "default", "controls": [] } ],
            "groups": [ { "groupID": "default", "sceneID": "default" } ]
        } ]
    }))
    .unwrap();
    World::new(file).unwrap()
}
