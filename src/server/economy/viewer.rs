//! `GET /api/v1/channels/{id}/viewer`: the viewer socket, one per open participant page, live or
//! not. The page says whether it is visible; the mediator tells it the viewer's balance as it
//! changes and whether the channel is live. JSON text messages:
//!
//! - up: `{"visible": true|false}` (a new socket counts as hidden until it says otherwise);
//! - down: `{"event":"hello","channel":ID,"user":{"id","username"}|null,"interval":SECONDS}`
//!   first, then `{"event":"balance","sparks":N,"change":0,"reason":"current"}` (signed in) and
//!   `{"event":"channel","channel":ID,"online":BOOL}`, then (signed in)
//!   `{"event":"earning","earning":BOOL}`; afterwards `balance` with every change (`change` ±N;
//!   `reason` `earned` (with `channel`, and `streaming: true` for a broadcaster) or `spent`
//!   (with `channel` and `control`)), `channel` whenever the channel goes live or offline,
//!   `earning` whenever the viewer starts or stops watching (a page of theirs visible on a live
//!   channel: from then on each whole interval pays), and `{"event":"error","message":…}` for a
//!   message it did not understand.
//!
//! Identity as on the participant socket: `key` (or a bearer token), else the session cookie
//! (same origin only; `anonymous=1` ignores it), else anonymous (who earns nothing). Bounded:
//! the message size, a rate per socket, sockets per signed-in user and in all (see `config.rs`).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::watching::{Refused, OUTBOX};
use crate::server::hub::Hub;
use crate::server::live::peer::close_message;
use crate::server::live::sockets::participant_user;
use crate::server::reply::found;
use crate::server::request::HandshakeParams;
use crate::server::sparks::balance_message;
use crate::server::store::User;

/// What the websocket layer itself refuses to buffer (larger than any message we accept; the
/// configured limit below it gets a close with a reason).
const FRAME_CEILING: usize = 16 * 1024;

/// A viewer socket's initial read buffer (its messages are tiny; see `live::sockets`).
const READ_BUFFER: usize = 1024;

/// Close codes: policy (rate, too many sockets), too large, fell behind, restarting.
const CLOSE_POLICY: u16 = 1008;
const CLOSE_TOO_LARGE: u16 = 1009;
const CLOSE_BEHIND: u16 = 1011;
const CLOSE_RESTARTING: u16 = 1012;

/// A token bucket: `burst` messages at once, refilled at `rate` a second.
struct Bucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    at: Instant,
}

impl Bucket {
    fn new(rate: u32, burst: u32) -> Bucket {
        let burst = f64::from(burst.max(1));
        Bucket { tokens: burst, rate: f64::from(rate), burst, at: Instant::now() }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// `GET /api/v1/channels/{id}/viewer`.
pub async fn socket(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let channel = match found(&id, "channel", |c| hub.store.channel(c)).await {
        Ok(c) => c.id,
        Err(answer) => return answer,
    };
    let params = HandshakeParams::new(&headers, query.as_deref());
    let user = match participant_user(&hub, &params, &headers).await {
        Ok(user) => user,
        Err(refusal) => return refusal.respond(ws),
    };
    let ceiling = FRAME_CEILING.max(hub.config.viewer_message_bytes);
    ws.max_message_size(ceiling)
        .max_frame_size(ceiling)
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| run(hub, socket, channel, user))
}

/// Whether a read failed on a message past the websocket layer's ceiling.
fn too_large(e: &axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    let inner = std::error::Error::source(e).and_then(|s| s.downcast_ref::<Error>());
    matches!(inner, Some(Error::Capacity(_)))
}

/// What a message up means: the page's visibility, or a sentence saying what was wrong.
fn visibility(text: &str) -> Result<bool, String> {
    let expected = "expected {\"visible\": true} or {\"visible\": false}";
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => o.get("visible").and_then(Value::as_bool).ok_or_else(|| expected.to_owned()),
        _ => Err(format!("not JSON: {expected}")),
    }
}

async fn run(hub: Arc<Hub>, mut socket: WebSocket, channel: u32, user: Option<User>) {
    let (tx, mut rx) = mpsc::channel(OUTBOX);
    let hello = json!({
        "event": "hello",
        "channel": channel,
        "user": user.as_ref().map(|u| json!({ "id": u.id, "username": u.username })),
        "interval": hub.config.spark_interval.as_secs_f64(),
    });
    let registered = match &user {
        // The first balance and any change after it leave in order (see `Sparks::with_balance`).
        Some(u) => hub.sparks.with_balance(u.id, |sparks| {
            hub.watching.register(Some(u.id), channel, tx, vec![hello, balance_message(sparks, 0, None)])
        }),
        None => hub.watching.register(None, channel, tx, vec![hello]),
    };
    let id = match registered {
        Ok(id) => id,
        Err(refused) => {
            let code = if refused == Refused::Closing { CLOSE_RESTARTING } else { CLOSE_POLICY };
            let _ = socket.send(close_message(code, &refused.to_string())).await;
            return;
        }
    };
    let limit = hub.config.viewer_message_bytes;
    let mut bucket = Bucket::new(hub.config.viewer_messages_per_second, hub.config.viewer_message_burst);
    let close = loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(text) => {
                    if socket.send(Message::Text(text)).await.is_err() {
                        break None;
                    }
                }
                // The registry let go of this socket: the mediator is stopping, or it fell behind.
                None if hub.watching.shutting_down() => break Some((CLOSE_RESTARTING, "the service is restarting".to_owned())),
                None => break Some((CLOSE_BEHIND, "too far behind: too many messages waiting".to_owned())),
            },
            incoming = socket.recv() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t,
                    // Not text: answered as not understood.
                    Some(Ok(Message::Binary(_))) => "".into(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => break None,
                    Some(Err(e)) if too_large(&e) => break Some((CLOSE_TOO_LARGE, format!("a message is at most {limit} bytes"))),
                    Some(Err(_)) => break None,
                };
                if !bucket.take() {
                    let rate = hub.config.viewer_messages_per_second;
                    break Some((CLOSE_POLICY, format!("too many messages: at most {rate} a second")));
                }
                if text.len() > limit {
                    break Some((CLOSE_TOO_LARGE, format!("a message is at most {limit} bytes")));
                }
                match visibility(text.as_str()) {
                    Ok(visible) => hub.watching.set_visible(id, visible),
                    Err(message) => {
                        let error = json!({ "event": "error", "message": message }).to_string();
                        if socket.send(Message::Text(error.into())).await.is_err() {
                            break None;
                        }
                    }
                }
            }
        }
    };
    hub.watching.unregister(id);
    if let Some((code, reason)) = close {
        let _ = socket.send(close_message(code, &reason)).await;
    }
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

    #[test]
    fn the_bucket_allows_a_burst_then_the_rate() {
        let mut b = Bucket::new(0, 3);
        assert!(b.take() && b.take() && b.take());
        assert!(!b.take());
    }
}
