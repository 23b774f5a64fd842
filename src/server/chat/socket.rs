//! `/chat`: one chat websocket, its outgoing queue, and reading method packets from it.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use super::methods::{self, leave_into, Call};
use super::{event_text, send, Chatter, Outbox, Outgoing, Room};
use crate::server::hub::Hub;
use crate::server::live::peer::close_message;

/// How many packets may wait for one chat socket; a socket further behind is closed.
const OUTBOX: usize = 1024;

/// The largest frame a chat client may send.
const MAX_FRAME: usize = 64 * 1024;

/// What one socket is: its room (after `auth`) and its user.
pub struct Conn {
    pub id: u64,
    pub out: Outbox,
    pub room: Option<Arc<Room>>,
    pub user: Option<Chatter>,
    pub opted_out: HashSet<String>,
}

/// `/chat`: the chat websocket.
pub async fn socket(State(hub): State<Arc<Hub>>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(MAX_FRAME).on_upgrade(move |socket| run(hub, socket))
}

async fn run(hub: Arc<Hub>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<Message>(OUTBOX);
    let kill = Arc::new(Notify::new());
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            let last = matches!(m, Message::Close(_));
            if sink.send(m).await.is_err() || last {
                break;
            }
        }
    });
    let out = Outbox { tx, kill: kill.clone() };
    let mut conn = Conn {
        id: hub.chat.next_conn.fetch_add(1, Ordering::Relaxed),
        out,
        room: None,
        user: None,
        opted_out: HashSet::new(),
    };
    hub.chat.sockets.lock().insert(conn.id, conn.out.clone());
    conn.out.push(event_text(
        "WelcomeEvent",
        &json!({ "server": format!("mixplay-mediator/{}", env!("CARGO_PKG_VERSION")) }),
    ));
    loop {
        let message = tokio::select! {
            m = stream.next() => match m {
                Some(Ok(m)) => m,
                _ => break,
            },
            _ = kill.notified() => {
                let _ = conn.out.tx.try_send(close_message(1011, "too far behind: outgoing queue is full"));
                break;
            }
        };
        match message {
            Message::Text(t) => handle_frame(&hub, &mut conn, t.as_str()).await,
            Message::Binary(_) => conn.out.push(reply_text(&Value::Null, Err("UNOTJSON".into()))),
            Message::Close(_) => break,
            // Pings are answered by the websocket layer while the stream is read.
            Message::Ping(_) | Message::Pong(_) => {}
        }
    }
    let mut out = Outgoing::default();
    leave_into(&mut conn, &mut out);
    send(out);
    hub.chat.sockets.lock().remove(&conn.id);
    drop(conn);
    let _ = writer.await;
}

fn reply_text(id: &Value, result: Result<Value, String>) -> String {
    match result {
        Ok(data) => json!({ "type": "reply", "id": id, "error": null, "data": data }).to_string(),
        Err(e) => json!({ "type": "reply", "id": id, "error": e, "data": null }).to_string(),
    }
}

async fn handle_frame(hub: &Arc<Hub>, conn: &mut Conn, text: &str) {
    let packet: Value = match serde_json::from_str(text) {
        Ok(v @ Value::Object(_)) => v,
        _ => return conn.out.push(reply_text(&Value::Null, Err("UNOTJSON".into()))),
    };
    let id = packet.get("id").cloned().unwrap_or(Value::Null);
    let (Some("method"), Some(method)) =
        (packet.get("type").and_then(Value::as_str), packet.get("method").and_then(Value::as_str))
    else {
        return conn.out.push(reply_text(&id, Err("UNOTJSON".into())));
    };
    let args = match packet.get("arguments") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => {
            return conn.out.push(reply_text(&id, Err("arguments must be an array".into())));
        }
    };
    let mut out = Outgoing::default();
    let result = methods::call(method, Call { hub, conn: &mut *conn, args: &args, out: &mut out }).await;
    // The caller's reply goes first, then what the call caused.
    conn.out.push(reply_text(&id, result));
    send(out);
}
