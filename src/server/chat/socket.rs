//! `/chat`: one chat websocket: its outgoing queue (a peer, as every mediator socket has), reading
//! method packets from it, and its time limits (`auth` within `auth_timeout`, then silence of at
//! most `idle_timeout`).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use futures_util::StreamExt;
use serde_json::{json, Value};

use super::events::EventSet;
use super::methods::{self, leave_into, Call};
use super::{event_text, send, Chatter, Outgoing, Room};
use crate::server::config::effective;
use crate::server::conn::addr::ClientAddr;
use crate::server::conn::SocketHandle;
use crate::server::hub::Hub;
use crate::server::live::peer::{
    next_message, silent_reason, too_large_reason, Kind, Peer, Read, Shared, POLICY_CLOSE, TOO_LARGE_CLOSE,
};

/// The websocket's read and write buffers: chat packets are small (tungstenite's default is
/// 128 KiB each, per socket); a larger frame still fits.
const SOCKET_BUFFER: usize = 4 * 1024;

/// What one socket is: where it comes from, its room (after `auth`) and its user.
pub struct Conn {
    pub id: u64,
    pub out: Peer,
    pub from: ClientAddr,
    pub room: Option<Arc<Room>>,
    pub user: Option<Chatter>,
    pub opted_out: EventSet,
    /// Close (1008, for this reason) once the current call's reply is sent.
    pub closing: Option<String>,
}

/// `/chat`: the chat websocket.
pub async fn socket(
    State(hub): State<Arc<Hub>>,
    from: ClientAddr,
    socket: Option<Extension<SocketHandle>>,
    ws: WebSocketUpgrade,
) -> Response {
    if let Some(Extension(socket)) = socket {
        socket.limit_send_buffer(hub.config.viewer_send_buffer_bytes);
    }
    let max = hub.config.chat_max_frame_bytes;
    ws.max_message_size(max)
        .max_frame_size(max)
        .read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .on_upgrade(move |socket| run(hub, from, socket))
}

async fn run(hub: Arc<Hub>, from: ClientAddr, socket: WebSocket) {
    let (sink, mut stream) = socket.split();
    let (out, close) = Peer::spawn(sink, Kind::Chat, &hub.config);
    let mut conn = Conn {
        id: hub.chat.next_conn.fetch_add(1, Ordering::Relaxed),
        out,
        from,
        room: None,
        user: None,
        opted_out: EventSet::default(),
        closing: None,
    };
    hub.chat.sockets.lock().insert(conn.id, conn.out.clone());
    conn.out.send_text(event_text(
        "WelcomeEvent",
        &json!({ "server": format!("mixplay-mediator/{}", env!("CARGO_PKG_VERSION")) }),
    ));
    let (auth_timeout, idle) = (effective(hub.config.auth_timeout), effective(hub.config.idle_timeout));
    let connected = Instant::now();
    loop {
        // Until it joins a room, a socket has `auth_timeout` from connecting, however busy it is.
        let within = match conn.room {
            None => auth_timeout.saturating_sub(connected.elapsed()).min(idle),
            Some(_) => idle,
        };
        let message = match next_message(&mut stream, &close, within).await {
            Read::Message(m) => m,
            Read::TimedOut if conn.room.is_none() => {
                let reason = format!("no auth within {} s", auth_timeout.as_secs_f64());
                conn.out.close(POLICY_CLOSE, &reason);
                break;
            }
            Read::TimedOut => {
                conn.out.close(POLICY_CLOSE, &silent_reason(idle));
                break;
            }
            Read::TooLarge => {
                conn.out.close(TOO_LARGE_CLOSE, &too_large_reason(hub.config.chat_max_frame_bytes));
                break;
            }
            Read::Ended | Read::CloseRequested => break,
        };
        match message {
            Message::Text(t) => handle_frame(&hub, &mut conn, t.as_str()).await,
            Message::Binary(_) => reply(&conn, &Value::Null, Err("UNOTJSON".into())),
            Message::Close(_) => break,
            // Pings are answered by the websocket layer while the stream is read.
            Message::Ping(_) | Message::Pong(_) => {}
        }
    }
    let mut out = Outgoing::default();
    leave_into(&mut conn, &mut out);
    send(out);
    hub.chat.sockets.lock().remove(&conn.id);
}

fn reply(conn: &Conn, id: &Value, result: Result<Value, String>) {
    let text = match result {
        Ok(data) => json!({ "type": "reply", "id": id, "error": null, "data": data }),
        Err(e) => json!({ "type": "reply", "id": id, "error": e, "data": null }),
    };
    conn.out.send_text(Shared::from(text.to_string()));
}

pub(super) async fn handle_frame(hub: &Arc<Hub>, conn: &mut Conn, text: &str) {
    let packet: Value = match serde_json::from_str(text) {
        Ok(v @ Value::Object(_)) => v,
        _ => return reply(conn, &Value::Null, Err("UNOTJSON".into())),
    };
    let id = packet.get("id").cloned().unwrap_or(Value::Null);
    let (Some("method"), Some(method)) =
        (packet.get("type").and_then(Value::as_str), packet.get("method").and_then(Value::as_str))
    else {
        return reply(conn, &id, Err("UNOTJSON".into()));
    };
    let args = match packet.get("arguments") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return reply(conn, &id, Err("arguments must be an array".into())),
    };
    let mut out = Outgoing::default();
    let result = methods::call(method, Call { hub, conn: &mut *conn, args: &args, out: &mut out }).await;
    // The caller's reply goes first, then what the call caused.
    reply(conn, &id, result);
    send(out);
    if let Some(reason) = conn.closing.take() {
        conn.out.close_after_queued(POLICY_CLOSE, &reason);
    }
}
