//! A mediator on a real database in a temporary data folder, restartable on the same folder and
//! address; and a raw chat socket for checking what the chat kept.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use futures_util::{SinkExt, StreamExt};
use mixplay::server::{Location, Mediator, MediatorConfig, MediatorOptions, World};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::WAIT;

/// A temporary folder, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(what: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("mixplay-{what}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let dir = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A mediator on `folder`, on its own runtime (the test thread drives it with `rt.block_on`).
pub struct Durable {
    pub rt: tokio::runtime::Runtime,
    pub m: Mediator,
    pub folder: PathBuf,
    pub config: MediatorConfig,
}

pub fn launch(
    rt: &tokio::runtime::Runtime,
    folder: &Path,
    listen: &str,
    world: Option<World>,
    config: &MediatorConfig,
) -> Mediator {
    let options = MediatorOptions {
        listen: listen.to_owned(),
        storage: Location::Folder(folder.to_owned()),
        world,
        config: config.clone(),
    };
    rt.block_on(Mediator::launch(options)).expect("the mediator starts on its data folder")
}

impl Durable {
    pub fn start(folder: &Path, world: Option<World>, config: MediatorConfig) -> Durable {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let m = launch(&rt, folder, "127.0.0.1:0", world, &config);
        Durable { rt, m, folder: folder.to_owned(), config }
    }

    /// Shuts the mediator down (as a service restart does) and starts a new one on the same
    /// folder and address, importing `world` if given.
    pub fn restart(self, world: Option<World>) -> Durable {
        let Durable { rt, m, folder, config } = self;
        let addr = m.local_addr().to_string();
        rt.block_on(m.shutdown());
        let m = launch(&rt, &folder, &addr, world, &config);
        Durable { rt, m, folder, config }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.m.base_url())
    }

    /// Every balance equals its ledger.
    pub fn assert_ledgers_balance(&self) {
        let mismatches = self.rt.block_on(self.m.store().ledger_mismatches()).unwrap();
        assert!(mismatches.is_empty(), "balances that are not their ledger: {mismatches:?}");
    }
}

/// A raw chat socket.
pub struct ChatSocket {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl ChatSocket {
    pub async fn open(base_ws: &str) -> ChatSocket {
        let (ws, _) = tokio_tungstenite::connect_async(format!("{base_ws}/chat")).await.expect("the chat socket opens");
        let mut c = ChatSocket { ws, next_id: 0 };
        let welcome = c.next().await;
        assert_eq!(welcome["event"], "WelcomeEvent");
        c
    }

    async fn next(&mut self) -> Value {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await.expect("a chat packet in time") {
                Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).unwrap(),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("unexpected chat frame: {other:?}"),
            }
        }
    }

    /// Sends raw text and waits for the mediator to close the socket: its close code and reason.
    pub async fn send_and_close(&mut self, text: &str) -> (u16, String) {
        self.ws.send(Message::text(text.to_owned())).await.unwrap();
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await.expect("closed in time") {
                Some(Ok(Message::Close(Some(f)))) => return (u16::from(f.code), f.reason.to_string()),
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }

    /// Calls a method; `Ok(data)` or `Err(error)`.
    pub async fn call(&mut self, method: &str, args: Value) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        let packet = json!({ "type": "method", "method": method, "arguments": args, "id": id });
        self.ws.send(Message::text(packet.to_string())).await.unwrap();
        loop {
            let p = self.next().await;
            if p["type"] == "reply" && p["id"] == json!(id) {
                return match &p["error"] {
                    Value::Null => Ok(p["data"].clone()),
                    e => Err(e.as_str().map(str::to_owned).unwrap_or_else(|| e.to_string())),
                };
            }
        }
    }
}
