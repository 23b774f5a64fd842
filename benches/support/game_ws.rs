//! A game client and participants over plain websockets, as the mediator benchmarks drive them
//! (`mediator_load`, `mediator_fanout`; each includes this with `#[path]`; not a bench itself).
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::mediator::Res;

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub fn client_config() -> WebSocketConfig {
    // Small read buffers keep 5,000 client sockets cheap; they only ever read tiny frames.
    WebSocketConfig::default().read_buffer_size(4096)
}

pub async fn open(req: tokio_tungstenite::tungstenite::handshake::client::Request) -> Res<Ws> {
    tokio_tungstenite::connect_async_with_config(req, Some(client_config()), true)
        .await
        .map(|(ws, _)| ws)
        .map_err(|e| format!("websocket connect: {e}"))
}

/// Calls a game-client method and waits for its reply, skipping other packets.
pub async fn call(ws: &mut Ws, id: u32, method: &str, params: Value) -> Res<Value> {
    let packet = json!({ "type": "method", "id": id, "method": method, "params": params, "discard": false });
    ws.send(Message::Text(packet.to_string().into())).await.map_err(|e| format!("send {method}: {e}"))?;
    while let Some(message) = ws.next().await {
        let Message::Text(text) = message.map_err(|e| format!("reading the reply to {method}: {e}"))? else {
            continue;
        };
        let packet: Value = serde_json::from_str(text.as_str()).map_err(|e| format!("bad JSON from mediator: {e}"))?;
        if packet["type"] == "reply" && packet["id"] == id {
            if !packet["error"].is_null() {
                return Err(format!("{method} failed: {}", packet["error"]));
            }
            return Ok(packet["result"].clone());
        }
    }
    Err(format!("the mediator closed the game socket during {method}"))
}

/// Connects the game client, lifts the default throttle, creates buttons `b0..b7`, goes ready.
pub async fn setup_game(addr: &str) -> Res<Ws> {
    let mut req = format!("ws://{addr}/gameClient").into_client_request().map_err(|e| e.to_string())?;
    let headers = req.headers_mut();
    headers.insert("Authorization", HeaderValue::from_static("Bearer demo-streamer"));
    headers.insert("X-Interactive-Version", HeaderValue::from_static("1"));
    headers.insert("X-Protocol-Version", HeaderValue::from_static("2.0"));
    let mut ws = open(req).await?;
    match ws.next().await {
        Some(Ok(Message::Text(t))) if t.as_str().contains("\"hello\"") => {}
        other => return Err(format!("expected hello from the mediator, got {other:?}")),
    }
    // The default global bucket (~1.3 MB/s) would otherwise be what this measures.
    call(&mut ws, 1, "setBandwidthThrottle", json!({ "*": null })).await?;
    let buttons: Vec<Value> = (0..8).map(|i| json!({ "controlID": format!("b{i}"), "kind": "button" })).collect();
    call(&mut ws, 2, "createControls", json!({ "sceneID": "default", "controls": buttons })).await?;
    call(&mut ws, 3, "ready", json!({ "isReady": true })).await?;
    Ok(ws)
}

/// Opens `n` anonymous participant sockets on channel 1 of the mediator at `addr` (an IPv4
/// `host:port`), `concurrency` handshakes at a time; with `recv_buffer`, each socket's kernel
/// receive buffer is fixed at that many bytes (otherwise the kernel grows it as the socket is
/// read, up to `tcp_rmem`'s maximum).
pub async fn open_participants(addr: &str, n: usize, concurrency: usize, recv_buffer: Option<u32>) -> Res<Vec<Ws>> {
    let url = format!("ws://{addr}/participant?channel=1&x-protocol-version=2.0");
    let socket_addr: std::net::SocketAddr = addr.parse().map_err(|e| format!("mediator address {addr}: {e}"))?;
    let sockets: Vec<Res<Ws>> = futures_util::stream::iter(0..n)
        .map(|_| {
            let url = url.clone();
            async move {
                let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
                if let Some(bytes) = recv_buffer {
                    socket.set_recv_buffer_size(bytes).map_err(|e| e.to_string())?;
                }
                let stream = socket.connect(socket_addr).await.map_err(|e| format!("connect: {e}"))?;
                let (ws, _) = tokio_tungstenite::client_async_with_config(
                    url,
                    MaybeTlsStream::Plain(stream),
                    Some(client_config()),
                )
                .await
                .map_err(|e| format!("websocket handshake: {e}"))?;
                Ok(ws)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    sockets.into_iter().collect()
}
