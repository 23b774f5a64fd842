//! A flood server in Rust: the behaviour of `benches/node/flood-server.js`, on 127.0.0.1:0, on its
//! own thread and current-thread runtime. It answers the synchronisation methods (getTime,
//! getScenes with eight buttons, getGroups, getAllParticipants, setCompression — choosing lz4 when
//! mode `lz4` and the client offers it — and anything else with `{}`), and once the client calls
//! `ready` with `isReady: true` it writes its mode's pre-built, pre-encoded frames: fed to the
//! socket without flushing, then flushed once, so the sender is not the bottleneck.
//!
//! The mode is the URL path: `ws://127.0.0.1:PORT/<mode>`; each connection gets a fresh copy of
//! the same frames (the lz4 frames are one pre-encoded stream, valid for any fresh decoder).

use std::collections::HashMap;
use std::sync::Arc;
use std::thread::JoinHandle;

use futures_util::{SinkExt, StreamExt};
use mixplay::protocol::{Decoder, Encoder, Scheme, WireFrame};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;

/// The frames one mode floods with, and the compression it asks for.
pub struct Flood {
    pub frames: Vec<Message>,
    pub scheme: Scheme,
}

impl Flood {
    /// Text frames, sent as they are.
    pub fn text(packets: impl IntoIterator<Item = String>) -> Flood {
        Flood { frames: packets.into_iter().map(|p| Message::Text(p.into())).collect(), scheme: Scheme::None }
    }

    /// One compressed stream, encoded now with the library's own encoder.
    pub fn compressed(scheme: Scheme, packets: impl IntoIterator<Item = String>) -> Flood {
        let mut encoder = Encoder::new(scheme);
        let frames = packets
            .into_iter()
            .map(|p| match encoder.encode(p).expect("encoding a flood frame") {
                WireFrame::Text(t) => Message::Text(t.into()),
                WireFrame::Binary(b) => Message::Binary(b.into()),
            })
            .collect();
        Flood { frames, scheme }
    }

    pub fn wire_bytes(&self) -> usize {
        self.frames.iter().map(|m| m.len()).sum()
    }
}

pub struct FloodServer {
    pub port: u16,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FloodServer {
    pub fn start(floods: HashMap<&'static str, Flood>) -> FloodServer {
        let floods: Arc<HashMap<&'static str, Flood>> = Arc::new(floods);
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("flood-server".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                    port_tx.send(listener.local_addr().unwrap().port()).unwrap();
                    let accept = async {
                        loop {
                            let Ok((stream, _)) = listener.accept().await else { continue };
                            let floods = floods.clone();
                            tokio::spawn(async move {
                                match serve(stream, floods).await {
                                    // node-client.js exits without a closing handshake.
                                    Err(e) if e.contains("without closing handshake") => {}
                                    Err(e) => eprintln!("[flood-server] connection ended: {e}"),
                                    Ok(()) => {}
                                }
                            });
                        }
                    };
                    tokio::select! {
                        _ = accept => {}
                        _ = stop_rx => {}
                    }
                });
                rt.shutdown_background();
            })
            .unwrap();
        let port = port_rx.recv().unwrap();
        FloodServer { port, stop: Some(stop_tx), thread: Some(thread) }
    }

    pub fn url(&self, mode: &str) -> String {
        format!("ws://127.0.0.1:{}/{mode}", self.port)
    }
}

impl Drop for FloodServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(stream: TcpStream, floods: Arc<HashMap<&'static str, Flood>>) -> Result<(), String> {
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut path = String::new();
    // The handshake callback's signature is tungstenite's (its error type is large).
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, resp: Response| {
        path = req.uri().path().trim_start_matches('/').to_owned();
        Ok(resp)
    };
    let mut ws = tokio_tungstenite::accept_hdr_async(stream, callback).await.map_err(|e| e.to_string())?;
    let flood = floods.get(path.as_str()).ok_or_else(|| format!("no flood mode {path:?}"))?;
    let mut decoder = Decoder::new(Scheme::None);
    let mut seq = 1u64;
    let hello = json!({"type": "method", "id": 0, "method": "hello", "discard": true, "params": {}, "seq": seq});
    ws.send(Message::Text(hello.to_string().into())).await.map_err(|e| e.to_string())?;
    while let Some(message) = ws.next().await {
        let text = match message.map_err(|e| e.to_string())? {
            Message::Text(t) => t.to_string(),
            Message::Binary(b) => decoder.decode_binary(&b).map_err(|e| e.to_string())?,
            Message::Close(_) => break,
            _ => continue,
        };
        let Ok(msg) = serde_json::from_str::<Value>(&text) else { continue };
        if msg["type"] != "method" {
            continue;
        }
        let method = msg["method"].as_str().unwrap_or("");
        let mut chosen = Scheme::None;
        let result = match method {
            "getTime" => json!({ "time": mixplay_now_ms() }),
            "getScenes" => json!({ "scenes": [super::packets::scene()] }),
            "getGroups" => json!({ "groups": [{ "groupID": "default", "sceneID": "default", "etag": "1" }] }),
            "getAllParticipants" => json!({ "participants": [], "total": 0, "hasMore": false }),
            "setCompression" => {
                let offered = msg["params"]["scheme"].as_array().cloned().unwrap_or_default();
                if flood.scheme != Scheme::None && offered.iter().any(|s| s.as_str() == Some(flood.scheme.name())) {
                    chosen = flood.scheme;
                }
                json!({ "scheme": chosen.name() })
            }
            "ready" => Value::Null,
            _ => json!({}),
        };
        seq += 1;
        let reply = json!({"type": "reply", "id": msg["id"], "result": result, "error": null, "seq": seq});
        ws.send(Message::Text(reply.to_string().into())).await.map_err(|e| e.to_string())?;
        if method == "setCompression" {
            decoder = Decoder::new(chosen);
        }
        if method == "ready" && msg["params"]["isReady"] == true {
            for frame in &flood.frames {
                ws.feed(frame.clone()).await.map_err(|e| e.to_string())?;
            }
            ws.flush().await.map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn mixplay_now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
