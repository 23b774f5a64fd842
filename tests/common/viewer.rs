//! The economy's test helpers: a raw viewer socket (`/api/v1/channels/{id}/viewer`), and waiting
//! for spark ledger rows (the accrual's output) with a deadline.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mixplay::server::store::{LedgerEntry, LedgerKind};
use mixplay::server::world::WorldFile;
use mixplay::server::{Mediator, World};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::WAIT;

/// How long waiting for accrual rows may take (intervals of a second on a busy machine).
pub const ACCRUAL_WAIT: Duration = Duration::from_secs(40);

/// Two streamers (1 and 5, each with a channel and a project; 1 is an admin) and four viewers
/// (2, 3, 4, 6) with 1000 sparks each. Version 1 has a button `buy` costing 5 (placed on every
/// grid size).
pub fn economy_world() -> World {
    let file: WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "streamer", "token": "demo-streamer", "admin": true },
            { "id": 2, "username": "viewer1", "token": "demo-viewer-1", "sparks": 1000 },
            { "id": 3, "username": "viewer2", "token": "demo-viewer-2", "sparks": 1000 },
            { "id": 4, "username": "viewer3", "token": "demo-viewer-3", "sparks": 1000 },
            { "id": 5, "username": "streamer2", "token": "streamer-2" },
            { "id": 6, "username": "viewer4", "token": "demo-viewer-4", "sparks": 1000 }
        ],
        "channels": [ { "id": 1, "owner": 1 }, { "id": 2, "owner": 5 } ],
        "projects": [
            { "versionId": 1, "owner": 1, "scenes": [ { "sceneID": "default",
                "controls": [ { "controlID": "buy", "kind": "button", "text": "Buy", "cost": 5, "position": [
                    { "size": "large", "x": 0, "y": 0, "width": 10, "height": 5 },
                    { "size": "medium", "x": 0, "y": 0, "width": 10, "height": 5 },
                    { "size": "small", "x": 0, "y": 0, "width": 10, "height": 5 } ] } ] } ] },
            { "versionId": 2, "owner": 5 }
        ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

/// A viewer socket: JSON messages, read in order (those skipped while waiting stay in `backlog`).
pub struct Viewer {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub backlog: Vec<Value>,
}

/// How opening a viewer socket ended.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // short-lived, one per connection attempt
pub enum Opened {
    Open(Viewer),
    /// Accepted, then closed at once with this code and reason.
    Closed(u16, String),
    /// The upgrade was refused with this HTTP status.
    Http(u16),
}

impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Viewer({:?})", self.backlog)
    }
}

impl Opened {
    pub fn open(self) -> Viewer {
        match self {
            Opened::Open(v) => v,
            other => panic!("expected an open viewer socket, got {other:?}"),
        }
    }
}

/// Opens the viewer socket of `channel`: `query` after `?` (e.g. `key=…`), with `headers`.
pub async fn open_viewer(m: &Mediator, channel: u32, query: &str, headers: &[(&str, &str)]) -> Opened {
    let url = format!("ws://{}/api/v1/channels/{channel}/viewer?{query}", m.local_addr());
    let ws = match super::open_socket(&url, headers).await {
        Ok(ws) => ws,
        Err(status) => return Opened::Http(status),
    };
    let mut v = Viewer { ws, backlog: Vec::new() };
    match v.read().await {
        Ok(first) => {
            v.backlog.push(first);
            Opened::Open(v)
        }
        Err((code, reason)) => Opened::Closed(code, reason),
    }
}

/// A signed-in viewer's socket (by access key), visible at once.
pub async fn watching(m: &Mediator, channel: u32, key: &str) -> Viewer {
    let mut v = open_viewer(m, channel, &format!("key={key}"), &[]).await.open();
    v.visible(true).await;
    v
}

impl Viewer {
    /// The next message, or the close (code, reason).
    async fn read(&mut self) -> Result<Value, (u16, String)> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await.expect("a viewer message in time") {
                Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(t.as_str()).expect("JSON")),
                Some(Ok(Message::Close(f))) => {
                    return Err(f.map(|f| (u16::from(f.code), f.reason.to_string())).unwrap_or((1005, String::new())))
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err((1006, String::new())),
            }
        }
    }

    pub async fn send(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("the viewer socket takes a message");
    }

    pub async fn visible(&mut self, visible: bool) {
        self.send(&json!({ "visible": visible }).to_string()).await;
    }

    /// Waits for a message of `event` that passes `pred`.
    pub async fn event(&mut self, event: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(i) = self.backlog.iter().position(|m| m["event"] == event && pred(m)) {
                return self.backlog.remove(i);
            }
            match self.read().await {
                Ok(m) => self.backlog.push(m),
                Err(close) => panic!("the viewer socket closed {close:?} while waiting for {event}"),
            }
        }
    }

    /// Waits until the socket is closed; its code and reason.
    pub async fn closed(&mut self) -> (u16, String) {
        loop {
            match self.read().await {
                Ok(m) => self.backlog.push(m),
                Err(close) => return close,
            }
        }
    }
}

/// A user's earn rows, newest first.
pub async fn earned(m: &Mediator, user: u32) -> Vec<LedgerEntry> {
    let rows = m.store().ledger(user, None, 1000).await.expect("the ledger reads");
    rows.into_iter().filter(|e| e.kind == LedgerKind::Earn).collect()
}

/// Waits (polling the ledger) until `user`'s earn rows pass `done`; those rows, newest first.
pub async fn earned_until(m: &Mediator, user: u32, done: impl Fn(&[LedgerEntry]) -> bool) -> Vec<LedgerEntry> {
    let deadline = Instant::now() + ACCRUAL_WAIT;
    loop {
        let rows = earned(m, user).await;
        if done(&rows) {
            return rows;
        }
        assert!(Instant::now() < deadline, "user {user} earned {} rows; the wait ran out: {rows:?}", rows.len());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `user` has at least `n` earn rows.
pub async fn earned_at_least(m: &Mediator, user: u32, n: usize) -> Vec<LedgerEntry> {
    earned_until(m, user, |rows| rows.len() >= n).await
}

/// Waits until `user` has been paid for `n` more intervals than their rows up to now.
pub async fn intervals_later(m: &Mediator, user: u32, n: usize) -> Vec<LedgerEntry> {
    let now = earned(m, user).await.len();
    earned_at_least(m, user, now + n).await
}
