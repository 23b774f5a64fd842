//! The interactive REST endpoints: endpoint discovery and where a channel's viewers connect.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::hub::Hub;
use super::reply::found;

/// The websocket base (`ws://host:port`): from the configured public URL, else from the
/// request's `Host` so that the addresses work from wherever the client reached us.
pub fn socket_base(hub: &Hub, headers: &HeaderMap) -> String {
    if let Some(public) = &hub.config.public_url {
        return websocket_base(public);
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    format!("ws://{host}")
}

/// The HTTP base (`http://host:port`) clients reach the mediator at, for addresses it hands out
/// (uploaded files): the configured public URL, else the request's `Host`.
pub fn http_base(hub: &Hub, headers: &HeaderMap) -> String {
    let ws = socket_base(hub, headers);
    match ws.split_once("://") {
        Some(("wss", rest)) => format!("https://{rest}"),
        Some((_, rest)) => format!("http://{rest}"),
        None => ws,
    }
}

/// `https://host[:port][/prefix]` as `wss://host[:port][/prefix]` (and `http` as `ws`); a
/// `ws://` or `wss://` URL, or one without a scheme, is taken as it is (without one: `ws://`).
fn websocket_base(public: &str) -> String {
    let public = public.trim().trim_end_matches('/');
    let (scheme, rest) = match public.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("http".to_owned(), public),
    };
    let ws = match scheme.as_str() {
        "https" | "wss" => "wss",
        _ => "ws",
    };
    format!("{ws}://{rest}")
}

/// `GET /api/v1/interactive/hosts`: the game-client sockets, best first.
pub async fn hosts(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Response {
    Json(json!([{ "address": format!("{}/gameClient", socket_base(&hub, &headers)) }])).into_response()
}

/// `GET /api/v1/interactive/{channelId}`: where viewers of a channel connect.
pub async fn channel(State(hub): State<Arc<Hub>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let channel = match found(&id, "channel", |c| hub.store.channel(c)).await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    let session = hub.session(channel.id);
    // A version with a custom-control bundle: where the page loads it.
    let bundle = match &session {
        Some(s) => match hub.store.bundle_digest(s.version_id).await {
            Ok(digest) => digest.map(|d| super::studio::entry_url(s.version_id, &d)),
            Err(e) => return crate::server::reply::store_failed(e),
        },
        None => None,
    };
    Json(json!({
        "address": format!("{}/participant?channel={}", socket_base(&hub, &headers), channel.id),
        "channelId": channel.id,
        "online": session.as_ref().is_some_and(|s| s.is_ready()),
        "versionId": session.as_ref().map(|s| s.version_id),
        "participants": session.as_ref().map(|s| s.participant_count()).unwrap_or(0),
        "bundle": bundle,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::websocket_base;

    #[test]
    fn public_urls_become_websocket_bases() {
        assert_eq!(websocket_base("https://example.com:8443"), "wss://example.com:8443");
        assert_eq!(websocket_base("http://example.com/mixplay/"), "ws://example.com/mixplay");
        assert_eq!(websocket_base("HTTPS://example.com"), "wss://example.com");
        assert_eq!(websocket_base("wss://example.com"), "wss://example.com");
        assert_eq!(websocket_base("example.com:80"), "ws://example.com:80");
    }
}
