//! `GET /api/v1/channels/{id}/viewer`: the viewer socket, one per open participant page, live or
//! not. The page says whether it is visible; the mediator tells it the viewer's balance as it
//! changes and the channel's status (online or not, title, stream source). JSON text messages:
//!
//! - up: `{"visible": true|false}` (a new socket counts as hidden until it says otherwise);
//! - down: `{"event":"hello","channel":ID,"user":{"id","username"}|null,"interval":SECONDS}`
//!   first, then `{"event":"balance","sparks":N,"change":0,"reason":"current"}` (signed in) and
//!   the channel's status `{"event":"channel","channel":ID,"online":BOOL,"interactive":BOOL,
//!   "title":TEXT,"streamSource":{kind,url}|null}` (see `channel/`: online is the owner's switch
//!   or a ready game; interactive, a ready game), then (signed in)
//!   `{"event":"earning","earning":BOOL}`; afterwards `balance` with every change (`change` ±N;
//!   `reason` `earned` (with `channel`, and `streaming: true` for a broadcaster) or `spent`
//!   (with `channel` and `control`)), `channel` whenever the status changes (a game client
//!   becomes ready or leaves, the owner changes a setting), `earning` whenever the viewer starts
//!   or stops watching (a page of theirs visible on a channel whose game is ready: from then on
//!   each whole interval pays), and `{"event":"error","message":…}` for a message it did not
//!   understand.
//!
//! Identity as on the participant socket: `key` (or a bearer token), else the session cookie
//! (same origin only; `anonymous=1` ignores it), else anonymous (who earns nothing). Bounded like
//! every socket (idle timeout, write timeout, send buffer) and by its own flags: the message size,
//! a rate per socket, the bytes queued for it, sockets per signed-in user and in all (see
//! `config.rs`).

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use futures_util::StreamExt;
use serde_json::{json, Value};

use super::watching::{NewViewer, Refused};
use crate::server::channel::PageSettings;
use crate::server::config::effective;
use crate::server::conn::addr::ClientAddr;
use crate::server::conn::SocketHandle;
use crate::server::hub::Hub;
use crate::server::live::peer::{
    next_message, silent_reason, too_large_reason, Kind, Peer, Read, Shared, POLICY_CLOSE, TOO_LARGE_CLOSE,
};
use crate::server::live::sockets::participant_user;
use crate::server::rate::Bucket;
use crate::server::reply::found;
use crate::server::request::HandshakeParams;
use crate::server::sparks::balance_message;
use crate::server::store::User;

/// A viewer socket's read and write buffers: its messages are tiny (tungstenite's default is
/// 128 KiB each, per socket, see `live::sockets`).
const SOCKET_BUFFER: usize = 1024;

/// The close code for a mediator that is stopping: "service restart".
const CLOSE_RESTARTING: u16 = 1012;

/// `GET /api/v1/channels/{id}/viewer`.
pub async fn socket(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
    from: ClientAddr,
    socket: Option<Extension<SocketHandle>>,
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let channel = match found(&id, "channel", |c| hub.store.channel(c)).await {
        Ok(c) => c.id,
        Err(answer) => return answer,
    };
    let params = HandshakeParams::new(&headers, query.as_deref());
    let user = match participant_user(&hub, from, &params, &headers).await {
        Ok(user) => user,
        Err(refusal) => return refusal.respond(&hub, ws),
    };
    if let Some(Extension(socket)) = socket {
        socket.limit_send_buffer(hub.config.viewer_send_buffer_bytes);
    }
    let max = hub.config.viewer_message_bytes;
    ws.max_message_size(max)
        .max_frame_size(max)
        .read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .on_upgrade(move |socket| run(hub, socket, channel, user))
}

/// What a message up means: the page's visibility, or a sentence saying what was wrong.
fn visibility(text: &str) -> Result<bool, String> {
    let expected = "expected {\"visible\": true} or {\"visible\": false}";
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => o.get("visible").and_then(Value::as_bool).ok_or_else(|| expected.to_owned()),
        _ => Err(format!("not JSON: {expected}")),
    }
}

/// Registers the socket with the watching registry; the channel's page settings are read from
/// the store only for its first viewer (see `Refused::Unsettled`).
async fn register(hub: &Hub, channel: u32, user: Option<&User>, out: &Peer) -> Result<u64, Refused> {
    let hello = json!({
        "event": "hello",
        "channel": channel,
        "user": user.map(|u| json!({ "id": u.id, "username": u.username })),
        "interval": hub.config.spark_interval.as_secs_f64(),
    });
    let attempt = |settings: Option<PageSettings>| {
        let viewer = |first| NewViewer { user: user.map(|u| u.id), channel, out: out.clone(), first, settings };
        match user {
            // The first balance and any change after it leave in order (see `Sparks::with_balance`).
            Some(u) => hub.sparks.with_balance(u.id, |sparks| {
                hub.watching.register(viewer(vec![hello.clone(), balance_message(sparks, 0, None)]))
            }),
            None => hub.watching.register(viewer(vec![hello.clone()])),
        }
    };
    match attempt(None) {
        Err(Refused::Unsettled) => {
            let _settings = hub.watching.settings_lock().await;
            match hub.store.channel(channel).await {
                Ok(Some(c)) => attempt(Some(PageSettings::of(&c))),
                // Gone or unreadable since the handshake: as if the mediator were restarting.
                _ => Err(Refused::Closing),
            }
        }
        other => other,
    }
}

async fn run(hub: Arc<Hub>, socket: WebSocket, channel: u32, user: Option<User>) {
    let (sink, mut stream) = socket.split();
    let (out, close) = Peer::spawn(sink, Kind::Viewer, &hub.config);
    let id = match register(&hub, channel, user.as_ref(), &out).await {
        Ok(id) => id,
        Err(refused) => {
            let code = if refused == Refused::Closing { CLOSE_RESTARTING } else { POLICY_CLOSE };
            out.close(code, &refused.to_string());
            return;
        }
    };
    let (idle, max, rate) =
        (effective(hub.config.idle_timeout), hub.config.viewer_message_bytes, hub.config.viewer_message_rate);
    let mut bucket = Bucket::full(rate);
    loop {
        let text = match next_message(&mut stream, &close, idle).await {
            Read::Message(Message::Text(t)) => t,
            // Not text: answered as not understood.
            Read::Message(Message::Binary(_)) => "".into(),
            // Pings are answered by the websocket layer while the stream is read.
            Read::Message(Message::Ping(_) | Message::Pong(_)) => continue,
            Read::Message(Message::Close(_)) | Read::Ended | Read::CloseRequested => break,
            Read::TimedOut => {
                out.close(POLICY_CLOSE, &silent_reason(idle));
                break;
            }
            Read::TooLarge => {
                out.close(TOO_LARGE_CLOSE, &too_large_reason(max));
                break;
            }
        };
        if bucket.take(rate).is_err() {
            out.close(
                POLICY_CLOSE,
                &format!("too many messages: at most {} every {} s", rate.burst, rate.per.as_secs_f64()),
            );
            break;
        }
        match visibility(text.as_str()) {
            Ok(visible) => hub.watching.set_visible(id, visible),
            Err(message) => {
                out.send_text(Shared::from(json!({ "event": "error", "message": message }).to_string()));
            }
        }
    }
    hub.watching.unregister(id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibility_messages() {
        assert_eq!(visibility(r#"{"visible": true}"#), Ok(true));
        assert_eq!(visibility(r#"{"visible":false,"extra":1}"#), Ok(false));
        assert!(visibility(r#"{"visible": "yes"}"#).unwrap_err().contains("expected"));
        assert!(visibility("nope").unwrap_err().starts_with("not JSON"));
    }
}
