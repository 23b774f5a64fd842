//! The two websockets: `/gameClient` for the game, `/participant?channel=ID` for viewers.

use std::sync::Arc;

use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use super::handshake::HandshakeParams;
use super::hub::Hub;
use super::inbound::{answer, Inbound, Incoming};
use super::peer::{close_message, CloseWatch, Peer};
use super::session::{ChannelSession, Effects};
use super::world::{Project, User};
use crate::protocol::compression::MAX_PACKET_BYTES;
use crate::protocol::{ErrorBody, ErrorCode, Method, Packet, PROTOCOL_VERSION};

/// Initial read buffer of a participant socket. tungstenite zero-fills the whole buffer before
/// its first read, so its default (128 KiB) would cost that much resident memory per viewer;
/// participants send small packets, and the buffer still grows for any larger frame.
const PARTICIPANT_READ_BUFFER: usize = 4 * 1024;

/// Accepts the socket only to close it at once with `code` (the spec's handshake failures are
/// close codes, so clients can tell them apart).
fn refuse(ws: WebSocketUpgrade, code: ErrorCode, reason: String) -> Response {
    ws.on_upgrade(move |mut socket: WebSocket| async move {
        let _ = socket.send(close_message(code.code(), &reason)).await;
    })
}

/// The game-client handshake, checked in the spec's order.
fn check_game_client(hub: &Hub, params: &HandshakeParams) -> Result<(u32, Project), Result<ErrorCode, String>> {
    let user = params.bearer().and_then(|t| hub.user_by_token(&t)).ok_or(Ok(ErrorCode::AuthenticationFailed))?;
    let version: u32 = params
        .get("x-interactive-version")
        .and_then(|v| v.trim().parse().ok())
        .ok_or(Ok(ErrorCode::VersionNotFound))?;
    let share_code = params.get("x-interactive-sharecode");
    let project = hub
        .world
        .project(version)
        .filter(|p| p.grants(user.id, share_code.as_deref()))
        .cloned()
        .ok_or(Ok(ErrorCode::VersionNotFound))?;
    match params.get("x-protocol-version") {
        Some(v) if v.trim() == PROTOCOL_VERSION => {}
        Some(v) => {
            return Err(Err(format!("unsupported protocol version {v:?}; this service speaks {PROTOCOL_VERSION}")))
        }
        None => return Err(Err(format!("missing X-Protocol-Version (this service speaks {PROTOCOL_VERSION})"))),
    }
    let channel = hub.world.channel_of(user.id).ok_or(Ok(ErrorCode::VersionNotFound))?;
    if hub.is_busy(channel.id) {
        return Err(Ok(ErrorCode::SessionAlreadyRunning));
    }
    Ok((channel.id, project))
}

pub async fn game_client(
    State(hub): State<Arc<Hub>>,
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = HandshakeParams::new(&headers, query.as_deref());
    match check_game_client(&hub, &params) {
        Err(Ok(code)) => refuse(ws, code, code.description().to_owned()),
        Err(Err(message)) => (StatusCode::BAD_REQUEST, message).into_response(),
        Ok((channel, project)) => ws
            .max_message_size(MAX_PACKET_BYTES)
            .on_upgrade(move |socket| run_game_client(hub, socket, channel, project)),
    }
}

/// Sends what the handlers collected: game-bound packets wait for room, participant-bound ones
/// never hold up the caller.
pub async fn deliver(game: &Peer, fx: Effects) {
    for json in fx.to_game {
        game.send(json).await;
    }
    for (peer, json) in fx.to_participants {
        peer.try_send(json);
    }
    if let Some((code, reason)) = fx.close_game {
        game.close(code, &reason);
    }
}

/// Reads from `stream` until it ends or a close is requested on the peer.
async fn next_message(
    stream: &mut futures_util::stream::SplitStream<WebSocket>,
    close: &mut CloseWatch,
) -> Option<axum::extract::ws::Message> {
    tokio::select! {
        m = stream.next() => m.and_then(Result::ok),
        _ = close.changed() => None,
    }
}

/// Reads methods from a socket until it closes or a close is requested, answering each one:
/// `handle` runs the method and collects its effects, which are delivered (game-bound packets to
/// `game`) before the reply. `setCompression` is answered here for every socket.
async fn serve_methods(
    mut stream: futures_util::stream::SplitStream<WebSocket>,
    mut close: CloseWatch,
    peer: &Peer,
    game: &Peer,
    mut handle: impl FnMut(&Method, &mut Effects) -> Result<serde_json::Value, ErrorBody>,
) {
    let mut inbound = Inbound::default();
    while let Some(message) = next_message(&mut stream, &mut close).await {
        match inbound.read(message, peer).await {
            Incoming::Packets(packets) => {
                for packet in packets {
                    let Packet::Method(m) = packet else { continue };
                    if m.method == "setCompression" {
                        inbound.set_compression(&m, peer).await;
                        continue;
                    }
                    let mut fx = Effects::default();
                    let result = handle(&m, &mut fx);
                    // A memory-limit close goes out after the reply that triggered it.
                    let close_after = fx.close_game.take();
                    deliver(game, fx).await;
                    answer(peer, &m, result).await;
                    if let Some((code, reason)) = close_after {
                        game.close(code, &reason);
                    }
                }
            }
            Incoming::Nothing => {}
            Incoming::Closed => break,
            Incoming::Fatal(code, reason) => {
                peer.close(code.code(), &reason);
                break;
            }
        }
    }
}

async fn run_game_client(hub: Arc<Hub>, socket: WebSocket, channel: u32, project: Project) {
    let (sink, stream) = socket.split();
    let (peer, close) = Peer::spawn(sink, hub.config.game_queue);
    let session = Arc::new(ChannelSession::new(channel, &project, peer.clone()));
    if !hub.start_session(session.clone()) {
        peer.close(ErrorCode::SessionAlreadyRunning.code(), ErrorCode::SessionAlreadyRunning.description());
        return;
    }
    peer.send(super::peer::unsequenced(&Packet::Method(Method::discarded(0, "hello", serde_json::Value::Null)))).await;
    serve_methods(stream, close, &peer, &peer, |m, fx| session.game_method(&hub, m, fx)).await;
    hub.end_session(&session);
    session.close_participants(ErrorCode::SessionEnded, "the game client disconnected");
}

pub async fn participant(
    State(hub): State<Arc<Hub>>,
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = HandshakeParams::new(&headers, query.as_deref());
    if let Some(v) = params.get("x-protocol-version") {
        if v.trim() != PROTOCOL_VERSION {
            return (StatusCode::BAD_REQUEST, format!("unsupported protocol version {v:?}")).into_response();
        }
    }
    let Some(channel) = params.get("channel").and_then(|c| c.trim().parse::<u32>().ok()) else {
        return (StatusCode::BAD_REQUEST, "the channel query parameter is required").into_response();
    };
    if hub.world.channel(channel).is_none() {
        return refuse(ws, ErrorCode::ChannelNotOnline, format!("unknown channel {channel}"));
    }
    // Identity: an access key (`key`, as interactive-node's ParticipantClient sends it) or a
    // bearer token; neither means an anonymous viewer.
    let credential = params.get("key").filter(|k| !k.is_empty()).or_else(|| params.bearer());
    let user = match credential {
        Some(k) => match hub.user_by_token(&k) {
            Some(u) => Some(u),
            None => return refuse(ws, ErrorCode::AuthenticationFailed, "unknown access key".into()),
        },
        None => None,
    };
    let Some(session) = hub.session(channel).filter(|s| s.is_ready()) else {
        return refuse(ws, ErrorCode::ChannelNotOnline, "the channel's game is not ready".into());
    };
    ws.max_message_size(MAX_PACKET_BYTES)
        .read_buffer_size(PARTICIPANT_READ_BUFFER)
        .on_upgrade(move |socket| run_participant(hub, socket, session, user))
}

async fn run_participant(hub: Arc<Hub>, socket: WebSocket, session: Arc<ChannelSession>, user: Option<User>) {
    let (sink, stream) = socket.split();
    let (peer, close) = Peer::spawn(sink, hub.config.participant_queue);
    let session_id = match session.join(user.as_ref(), peer.clone()) {
        Ok((id, fx)) => {
            deliver(&session.game, fx).await;
            id
        }
        Err(code) => {
            peer.close(code.code(), code.description());
            return;
        }
    };
    serve_methods(stream, close, &peer, &session.game, |m, fx| session.participant_method(&hub, &session_id, m, fx))
        .await;
    let fx = session.leave(&session_id);
    deliver(&session.game, fx).await;
}
