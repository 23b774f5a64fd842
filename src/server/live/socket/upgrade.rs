//! The websocket handshake (RFC 6455 §4.2) for sockets served by [`super::serve`]: the request's
//! checks, the `101 Switching Protocols` answer, and the TCP socket hyper hands back once it has
//! been sent. axum's own `WebSocketUpgrade` would wrap the socket in tungstenite's stream, whose
//! buffers and split halves are what this module's socket does without.

use std::future::Future;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::header::{CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

use super::Socket;
use crate::server::conn::Counted;

/// A websocket handshake, checked; answer it with [`Upgrade::on_upgrade`].
pub struct Upgrade {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
    max_message: usize,
}

/// Why a request is no websocket handshake: the status and what is wrong.
pub struct NotAHandshake(StatusCode, &'static str);

impl IntoResponse for NotAHandshake {
    fn into_response(self) -> Response {
        (self.0, self.1).into_response()
    }
}

fn has_token(headers: &HeaderMap, name: axum::http::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = NotAHandshake;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Upgrade, NotAHandshake> {
        if parts.method != Method::GET {
            return Err(NotAHandshake(StatusCode::METHOD_NOT_ALLOWED, "a websocket handshake is a GET request"));
        }
        if !has_token(&parts.headers, CONNECTION, "upgrade") || !has_token(&parts.headers, UPGRADE, "websocket") {
            return Err(NotAHandshake(StatusCode::BAD_REQUEST, "this address takes websocket connections only"));
        }
        if !matches!(parts.headers.get(SEC_WEBSOCKET_VERSION), Some(v) if v.as_bytes() == b"13") {
            return Err(NotAHandshake(StatusCode::BAD_REQUEST, "Sec-WebSocket-Version must be 13"));
        }
        let key = parts
            .headers
            .get(SEC_WEBSOCKET_KEY)
            .cloned()
            .ok_or(NotAHandshake(StatusCode::BAD_REQUEST, "Sec-WebSocket-Key is missing"))?;
        let on_upgrade = parts
            .extensions
            .remove::<OnUpgrade>()
            .ok_or(NotAHandshake(StatusCode::UPGRADE_REQUIRED, "this connection cannot be upgraded"))?;
        Ok(Upgrade { key, on_upgrade, max_message: usize::MAX })
    }
}

/// The socket under an upgraded connection. The mediator's own accept loop (`conn`) made every
/// connection, so it is always of this type. What hyper read past the request is copied, so that
/// hyper's read buffer, which it is part of, is freed now rather than kept with the socket.
fn socket_of(upgraded: Upgraded, max_message: usize) -> Option<Socket> {
    let parts = upgraded.downcast::<TokioIo<Counted<TcpStream>>>().ok()?;
    Some(Socket::new(parts.io.into_inner(), &parts.read_buf, max_message))
}

impl Upgrade {
    /// The largest frame, and message, the socket will read (1009 beyond it).
    pub fn max_message_size(mut self, bytes: usize) -> Upgrade {
        self.max_message = bytes;
        self
    }

    /// Answers `101 Switching Protocols`; once hyper has sent it, `serve` runs with the socket in
    /// a task of its own.
    pub fn on_upgrade<F, Fut>(self, serve: F) -> Response
    where
        F: FnOnce(Socket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let accept = derive_accept_key(self.key.as_bytes());
        let max_message = self.max_message;
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            // The client went before the answer was sent: nothing to serve.
            let Ok(upgraded) = on_upgrade.await else { return };
            // The mediator's own accept loop (`conn`) made every connection, so the socket under
            // the upgrade is always this type.
            match socket_of(upgraded, max_message) {
                Some(socket) => serve(socket).await,
                None => eprintln!("mixplay-server: an upgraded connection of an unknown kind was dropped"),
            }
        });
        let mut response = StatusCode::SWITCHING_PROTOCOLS.into_response();
        let headers = response.headers_mut();
        headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
        if let Ok(accept) = HeaderValue::from_str(&accept) {
            headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
        }
        response
    }

    /// Accepts the socket only to close it at once with `code` (the spec's handshake failures
    /// are close codes, so that clients can tell them apart).
    pub fn refuse(self, code: u16, reason: String, within: Duration) -> Response {
        self.on_upgrade(move |socket| async move {
            let _ = tokio::time::timeout(within, socket.close_at_once(code, &reason)).await;
        })
    }
}
