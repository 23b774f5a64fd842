//! A scripted fake MixPlay service for fault tests of the session engine: a websocket server on
//! its own runtime that says `hello`, answers the synchronisation requests (`getTime`,
//! `getScenes`, `getGroups`, `getAllParticipants` with paging, `setCompression`) and lets the
//! test script the rest: send any frame (text, raw binary, or a packet in the negotiated
//! scheme), ignore a method, or close with a code. Everything the client sends is recorded.
#![allow(dead_code)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use mixplay::client::{Config, Endpoints};
use mixplay::protocol::{Decoder, Encoder, Scheme, WireFrame};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::WAIT;

/// How the fake answers. Tests may change it at any time; each request reads it afresh.
#[derive(Debug, Clone)]
pub struct Script {
    /// The scheme `setCompression` chooses (whatever the client asked for).
    pub compression: Scheme,
    /// Methods that are never answered.
    pub ignore: HashSet<String>,
    /// The controls of scene `default`.
    pub controls: Vec<Value>,
    /// What `getAllParticipants` pages through (by `connectedAt`, as the client asks).
    pub participants: Vec<Value>,
    pub page_size: usize,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            compression: Scheme::None,
            ignore: HashSet::new(),
            controls: vec![json!({"controlID": "b", "kind": "button"})],
            participants: Vec::new(),
            page_size: 100,
        }
    }
}

/// Something the test asks the current connection to do.
#[derive(Debug)]
pub enum Action {
    /// A raw text frame, sent as is whatever the scheme.
    Text(String),
    /// A raw binary frame.
    Binary(Vec<u8>),
    /// A packet (or a JSON array of packets), encoded with the negotiated scheme.
    Packet(Value),
    /// A close frame with this code and reason.
    Close(u16, String),
}

/// A packet the fake received, and on which connection (0 is the first).
#[derive(Debug, Clone)]
pub struct Received {
    pub conn: usize,
    /// Whether it came in a binary (compressed) frame.
    pub binary: bool,
    pub packet: Value,
}

struct Shared {
    script: Mutex<Script>,
    /// The newest connection's action queue.
    current: Mutex<Option<mpsc::UnboundedSender<Action>>>,
    connections: AtomicUsize,
    received: Mutex<std::sync::mpsc::Sender<Received>>,
}

/// The fake service. Drop it after the sessions that use it.
pub struct Fake {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    received: std::sync::mpsc::Receiver<Received>,
    /// Packets received while waiting for something else.
    pub backlog: Vec<Received>,
    barrier_id: u32,
    rt: tokio::runtime::Runtime,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A server method packet.
pub fn method(id: u32, name: &str, params: Value, discard: bool) -> Value {
    json!({"type": "method", "id": id, "method": name, "params": params, "discard": discard})
}

/// A participant object with the given `connectedAt`.
pub fn participant_json(n: usize, connected_at: i64) -> Value {
    json!({
        "sessionID": format!("p{n}"), "userID": 1000 + n, "username": format!("user{n}"), "level": 1,
        "lastInputAt": 0, "connectedAt": connected_at, "disabled": false, "groupID": "default", "anonymous": false
    })
}

impl Fake {
    pub fn start() -> Fake {
        Fake::with(Script::default())
    }

    pub fn with(script: Script) -> Fake {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            current: Mutex::new(None),
            connections: AtomicUsize::new(0),
            received: Mutex::new(tx),
        });
        let accept = shared.clone();
        rt.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let n = accept.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, n, accept.clone()));
            }
        });
        Fake { addr, shared, received: rx, backlog: Vec::new(), barrier_id: 900_000, rt }
    }

    /// A session config for this fake: fixed endpoint, quick reconnects.
    pub fn config(&self) -> Config {
        let mut c = Config::new(Endpoints::Fixed(vec![format!("ws://{}/gameClient", self.addr)]), "token", 1);
        c.reconnect.initial_delay = Duration::from_millis(50);
        c.reconnect.max_delay = Duration::from_millis(200);
        c.connect_timeout = Duration::from_secs(5);
        c
    }

    /// Changes the script.
    pub fn script(&self, change: impl FnOnce(&mut Script)) {
        change(&mut self.shared.script.lock().unwrap());
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Has the newest connection do `action`.
    pub fn act(&self, action: Action) {
        let current = self.shared.current.lock().unwrap();
        let tx = current.as_ref().expect("a connection is open");
        tx.send(action).expect("the connection is alive");
    }

    pub fn send(&self, packet: Value) {
        self.act(Action::Packet(packet));
    }

    pub fn send_text(&self, text: &str) {
        self.act(Action::Text(text.to_owned()));
    }

    pub fn send_binary(&self, bytes: Vec<u8>) {
        self.act(Action::Binary(bytes));
    }

    pub fn close(&self, code: u16, reason: &str) {
        self.act(Action::Close(code, reason.to_owned()));
    }

    /// Waits for a packet the client sent that matches `pred` (earlier ones that do not match
    /// stay in the backlog).
    pub fn expect(&mut self, what: &str, pred: impl Fn(&Received) -> bool) -> Received {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.received.recv_timeout(left) {
                Ok(r) if pred(&r) => return r,
                Ok(r) => self.backlog.push(r),
                Err(_) => panic!("the fake timed out waiting for {what}; it has {:?}", self.backlog),
            }
        }
    }

    /// Waits for the client's reply to the fake's method `id`.
    pub fn reply_to(&mut self, id: u32) -> Received {
        self.expect(&format!("the reply to {id}"), |r| r.packet["type"] == "reply" && r.packet["id"] == id)
    }

    /// Everything received so far, without waiting.
    pub fn drain(&mut self) -> Vec<Received> {
        let mut all = std::mem::take(&mut self.backlog);
        all.extend(self.received.try_iter());
        all
    }

    /// Returns once the client has read everything sent before: sends `hello` asking for a
    /// reply (which the client gives without queueing anything for the game) and waits for it.
    /// Everything the fake sent earlier has been handled by the client's network task by then.
    pub fn barrier(&mut self) {
        self.barrier_id += 1;
        let id = self.barrier_id;
        self.send(method(id, "hello", json!({}), false));
        self.reply_to(id);
    }
}

type Ws = WebSocketStream<TcpStream>;

async fn send_frame(ws: &mut Ws, encoder: &mut Encoder, packet: &Value) {
    let frame = encoder.encode(packet.to_string()).expect("encode");
    let message = match frame {
        WireFrame::Text(t) => Message::Text(t.into()),
        WireFrame::Binary(b) => Message::Binary(b.into()),
    };
    let _ = ws.send(message).await;
}

/// One connection: hello, then requests and the test's actions, until either side closes.
async fn serve(stream: TcpStream, conn: usize, shared: Arc<Shared>) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else { return };
    let (tx, mut actions) = mpsc::unbounded_channel();
    *shared.current.lock().unwrap() = Some(tx);
    let mut encoder = Encoder::new(Scheme::None);
    let mut decoder = Decoder::new(Scheme::None);
    send_frame(&mut ws, &mut encoder, &method(0, "hello", Value::Null, true)).await;
    let mut closing = false;
    loop {
        tokio::select! {
            message = ws.next() => {
                let (text, binary) = match message {
                    Some(Ok(Message::Text(t))) => (t.to_string(), false),
                    Some(Ok(Message::Binary(b))) => match decoder.decode_binary(&b) {
                        Ok(t) => (t, true),
                        Err(e) => panic!("the fake could not decode a frame from the client: {e}"),
                    },
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => continue,
                };
                let value: Value = serde_json::from_str(&text).expect("the client sends JSON");
                let packets = match value {
                    Value::Array(list) => list,
                    one => vec![one],
                };
                for packet in packets {
                    let _ = shared.received.lock().unwrap().send(Received { conn, binary, packet: packet.clone() });
                    if packet["type"] != "method" || closing {
                        continue;
                    }
                    answer(&mut ws, &mut encoder, &mut decoder, &shared, &packet).await;
                }
            }
            action = actions.recv(), if !closing => match action {
                None => break,
                Some(Action::Text(t)) => { let _ = ws.send(Message::Text(t.into())).await; }
                Some(Action::Binary(b)) => { let _ = ws.send(Message::Binary(b.into())).await; }
                Some(Action::Packet(p)) => send_frame(&mut ws, &mut encoder, &p).await,
                Some(Action::Close(code, reason)) => {
                    let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
                    let _ = ws.close(Some(frame)).await;
                    closing = true;
                }
            },
        }
    }
}

/// Answers one of the client's methods, as the script says.
async fn answer(ws: &mut Ws, encoder: &mut Encoder, decoder: &mut Decoder, shared: &Shared, packet: &Value) {
    let id = packet["id"].clone();
    let name = packet["method"].as_str().unwrap_or("");
    let params = &packet["params"];
    let script = shared.script.lock().unwrap().clone();
    if script.ignore.contains(name) {
        return;
    }
    let reply = |result: Value| json!({"type": "reply", "id": id, "result": result, "error": null});
    match name {
        "setCompression" => {
            // The reply goes out in the old scheme; both directions switch after it.
            send_frame(ws, encoder, &reply(json!({"scheme": script.compression.name()}))).await;
            *encoder = Encoder::new(script.compression);
            *decoder = Decoder::new(script.compression);
        }
        "getTime" => send_frame(ws, encoder, &reply(json!({"time": now_ms()}))).await,
        "getScenes" => {
            let scenes = json!({"scenes": [{"sceneID": "default", "controls": script.controls}]});
            send_frame(ws, encoder, &reply(scenes)).await
        }
        "getGroups" => {
            send_frame(ws, encoder, &reply(json!({"groups": [{"groupID": "default", "sceneID": "default"}]}))).await
        }
        "getAllParticipants" => {
            let from = params["from"].as_i64().unwrap_or(0);
            let mut after: Vec<&Value> =
                script.participants.iter().filter(|p| p["connectedAt"].as_i64().unwrap_or(0) > from).collect();
            after.sort_by_key(|p| p["connectedAt"].as_i64().unwrap_or(0));
            let has_more = after.len() > script.page_size;
            let page: Vec<&Value> = after.into_iter().take(script.page_size).collect();
            let result = json!({"participants": page, "total": script.participants.len(), "hasMore": has_more});
            send_frame(ws, encoder, &reply(result)).await
        }
        "ready" => {
            let is_ready = params["isReady"].as_bool().unwrap_or(false);
            send_frame(ws, encoder, &method(0, "onReady", json!({"isReady": is_ready}), true)).await;
            send_frame(ws, encoder, &reply(Value::Null)).await
        }
        _ => send_frame(ws, encoder, &reply(Value::Null)).await,
    }
}
