//! The two websockets: `/gameClient` for the game, `/participant?channel=ID` for viewers.
//!
//! A participant is signed in by an access key (`key`, as interactive-node's ParticipantClient
//! sends it) or a bearer token, else by the browser's session cookie (then only when the socket
//! comes from the mediator's own origin); with none of them it is an anonymous viewer.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::stream::SplitStream;
use futures_util::StreamExt;

use super::inbound::{answer, Inbound, Incoming};
use super::peer::{
    close_message, next_message, silent_reason, too_large_reason, CloseWatch, Kind, Peer, Read, POLICY_CLOSE,
    TOO_LARGE_CLOSE,
};
use super::session::{ChannelSession, Effects, Handled};
use super::socket::upgrade::Upgrade;
use super::socket::{self, Flow, Handling, Socket};
use crate::protocol::{ErrorCode, Method, Packet, PROTOCOL_VERSION};
use crate::server::accounts::browser::{cookie, same_origin, SESSION_COOKIE};
use crate::server::accounts::guard::{Target, Throttled};
use crate::server::accounts::CheckError;
use crate::server::config::effective;
use crate::server::conn::addr::ClientAddr;
use crate::server::conn::SocketHandle;
use crate::server::hub::Hub;
use crate::server::live::bans::BANNED_REASON;
use crate::server::request::HandshakeParams;
use crate::server::rest::http_base;
use crate::server::store::{StoreError, TokenLookup, User, Version};

/// A websocket handshake that can be refused by a close frame: axum's, or `socket::upgrade`'s.
pub(crate) trait Handshake {
    /// Accepts the socket only to close it at once with `code` (the spec's handshake failures
    /// are close codes, so clients can tell them apart).
    fn refuse(self, code: u16, reason: String, within: Duration) -> Response;
}

impl Handshake for WebSocketUpgrade {
    fn refuse(self, code: u16, reason: String, within: Duration) -> Response {
        self.on_upgrade(move |mut socket: WebSocket| async move {
            let _ = tokio::time::timeout(within, socket.send(close_message(code, &reason))).await;
        })
    }
}

impl Handshake for Upgrade {
    fn refuse(self, code: u16, reason: String, within: Duration) -> Response {
        Upgrade::refuse(self, code, reason, within)
    }
}

fn refuse(hub: &Hub, ws: impl Handshake, code: ErrorCode, reason: String) -> Response {
    ws.refuse(code.code(), reason, effective(hub.config.write_timeout))
}

/// Why a handshake was refused: a close code on an accepted socket, an HTTP status, or too many
/// failed credentials from the address (429 before the upgrade, with `Retry-After`).
pub(crate) enum Refusal {
    Close(ErrorCode, String),
    Http(StatusCode, String),
    Throttled(Throttled),
}

impl Refusal {
    fn code(code: ErrorCode) -> Refusal {
        Refusal::Close(code, code.description().to_owned())
    }

    pub(crate) fn respond(self, hub: &Hub, ws: impl Handshake) -> Response {
        match self {
            Refusal::Close(code, reason) => refuse(hub, ws, code, reason),
            Refusal::Http(status, message) => (status, message).into_response(),
            Refusal::Throttled(t) => t.mark((StatusCode::TOO_MANY_REQUESTS, t.message()).into_response()),
        }
    }
}

impl From<CheckError> for Refusal {
    fn from(e: CheckError) -> Refusal {
        match e {
            CheckError::Throttled(t) => Refusal::Throttled(t),
            CheckError::Failed(e) => e.into(),
        }
    }
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        eprintln!("mixplay-server: {e}");
        Refusal::Http(StatusCode::SERVICE_UNAVAILABLE, "the mediator's store failed; try again".into())
    }
}

/// The user a bearer token or access key presented from `from` signs in (4019 when it signs
/// nobody in).
async fn user_of_token(hub: &Hub, from: ClientAddr, token: &str) -> Result<User, Refusal> {
    match hub.accounts.bearer_from(from, token).await? {
        TokenLookup::Valid { user, .. } => Ok(user),
        TokenLookup::Expired => {
            Err(Refusal::Close(ErrorCode::AuthenticationFailed, "the access token has expired".into()))
        }
        TokenLookup::Unknown => Err(Refusal::Close(ErrorCode::AuthenticationFailed, "unknown access key".into())),
    }
}

/// The game-client handshake, checked in the spec's order: the channel and the version to run. A
/// wrong share code counts against the address and the version (`accounts/guard.rs`).
async fn check_game_client(hub: &Hub, from: ClientAddr, params: &HandshakeParams) -> Result<(u32, Version), Refusal> {
    let token = params.bearer().ok_or(Refusal::code(ErrorCode::AuthenticationFailed))?;
    let user = user_of_token(hub, from, &token).await.map_err(|r| match r {
        Refusal::Close(..) => Refusal::code(ErrorCode::AuthenticationFailed),
        other => other,
    })?;
    let version: u32 = params
        .get("x-interactive-version")
        .and_then(|v| v.trim().parse().ok())
        .ok_or(Refusal::code(ErrorCode::VersionNotFound))?;
    let share_code = params.get("x-interactive-sharecode");
    let guessed = share_code.as_ref().map(|_| Target::ShareCode(version));
    if guessed.is_some() {
        hub.accounts.guard.admit(from, guessed).map_err(Refusal::Throttled)?;
    }
    let found = hub.store.version_to_run(version).await?;
    let Some((version, _)) = found.filter(|(v, p)| v.grants(p, user.id, share_code.as_deref())) else {
        if guessed.is_some() {
            hub.accounts.guard.failed(from, guessed);
        }
        return Err(Refusal::code(ErrorCode::VersionNotFound));
    };
    match params.get("x-protocol-version") {
        Some(v) if v.trim() == PROTOCOL_VERSION => {}
        Some(v) => {
            let m = format!("unsupported protocol version {v:?}; this service speaks {PROTOCOL_VERSION}");
            return Err(Refusal::Http(StatusCode::BAD_REQUEST, m));
        }
        None => {
            let m = format!("missing X-Protocol-Version (this service speaks {PROTOCOL_VERSION})");
            return Err(Refusal::Http(StatusCode::BAD_REQUEST, m));
        }
    }
    let channel = hub.store.channel_of(user.id).await?.ok_or(Refusal::code(ErrorCode::VersionNotFound))?;
    if hub.is_busy(channel.id) {
        return Err(Refusal::code(ErrorCode::SessionAlreadyRunning));
    }
    Ok((channel.id, version))
}

pub async fn game_client(
    State(hub): State<Arc<Hub>>,
    from: ClientAddr,
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = HandshakeParams::new(&headers, query.as_deref());
    match check_game_client(&hub, from, &params).await {
        Err(refusal) => refusal.respond(&hub, ws),
        Ok((channel, version)) => {
            let base_url = http_base(&hub, &headers);
            ws.max_message_size(hub.config.max_frame_bytes)
                .max_frame_size(hub.config.max_frame_bytes)
                .on_upgrade(move |socket| run_game_client(hub, socket, channel, version, base_url))
        }
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
        game.close_after_queued(code, &reason);
    }
}

/// Reads methods from a socket until it closes, a close is requested, or it stays silent (not even
/// a pong) for the idle timeout, answering each one (see [`handle_message`]).
async fn serve_methods(
    hub: &Hub,
    mut stream: SplitStream<WebSocket>,
    close: CloseWatch,
    peer: &Peer,
    game: &Peer,
    handle: impl Fn(&Method, &mut Effects) -> Handled,
) {
    let mut inbound = Inbound::new(hub.config.max_inflated_bytes);
    let idle = effective(hub.config.idle_timeout);
    loop {
        let message = match next_message(&mut stream, &close, idle).await {
            Read::Message(m) => m,
            Read::TimedOut => {
                peer.close(POLICY_CLOSE, &silent_reason(idle));
                break;
            }
            Read::TooLarge => {
                peer.close(TOO_LARGE_CLOSE, &too_large_reason(hub.config.max_frame_bytes));
                break;
            }
            Read::Ended | Read::CloseRequested => break,
        };
        if let Flow::Stop = handle_message(&mut inbound, message, peer, game, &handle).await {
            break;
        }
    }
}

/// Answers the methods in one message: `handle` runs each method and collects its effects, which
/// are delivered (game-bound packets to `game`) before the reply. `setCompression` is answered
/// here for every socket.
async fn handle_message(
    inbound: &mut Inbound,
    message: Message,
    peer: &Peer,
    game: &Peer,
    handle: &impl Fn(&Method, &mut Effects) -> Handled,
) -> Flow {
    let packets = match inbound.read(message, peer).await {
        Incoming::Packets(packets) => packets,
        Incoming::Nothing => return Flow::Continue,
        Incoming::Closed => return Flow::Stop,
        Incoming::Fatal(code, reason) => {
            peer.close(code.code(), &reason);
            return Flow::Stop;
        }
    };
    for packet in packets {
        let Packet::Method(m) = packet else { continue };
        if m.method == "setCompression" {
            inbound.set_compression(&m, peer).await;
            continue;
        }
        let mut fx = Effects::default();
        let result = match handle(&m, &mut fx) {
            Handled::Now(result) => result,
            Handled::After(later) => {
                let (result, more) = later.await;
                fx.to_game.extend(more.to_game);
                fx.to_participants.extend(more.to_participants);
                result
            }
            Handled::Detached(later) => {
                deliver(game, fx).await;
                let peer = peer.clone();
                tokio::spawn(async move { answer(&peer, &m, later.await).await });
                continue;
            }
        };
        // A memory-limit close goes out after the reply that triggered it.
        let close_after = fx.close_game.take();
        deliver(game, fx).await;
        answer(peer, &m, result).await;
        if let Some((code, reason)) = close_after {
            game.close_after_queued(code, &reason);
        }
    }
    Flow::Continue
}

async fn run_game_client(hub: Arc<Hub>, socket: WebSocket, channel: u32, version: Version, base_url: String) {
    let (sink, stream) = socket.split();
    let (peer, close) = Peer::spawn(sink, Kind::Game, &hub.config);
    let session = Arc::new(ChannelSession::new(channel, &version, peer.clone(), base_url));
    if !hub.start_session(session.clone()) {
        peer.close(ErrorCode::SessionAlreadyRunning.code(), ErrorCode::SessionAlreadyRunning.description());
        return;
    }
    peer.send(super::peer::unsequenced(&Packet::Method(Method::discarded(0, "hello", serde_json::Value::Null)))).await;
    serve_methods(&hub, stream, close, &peer, &peer, |m, fx| session.game_method(&hub, m, fx)).await;
    hub.end_session(&session);
    session.close_participants(ErrorCode::SessionEnded, "the game client disconnected");
}

/// Who a participant (or viewer) socket signs in (see the module's notes); `None` is anonymous.
pub(crate) async fn participant_user(
    hub: &Hub,
    from: ClientAddr,
    params: &HandshakeParams,
    headers: &HeaderMap,
) -> Result<Option<User>, Refusal> {
    if let Some(token) = params.get("key").filter(|k| !k.is_empty()).or_else(|| params.bearer()) {
        return user_of_token(hub, from, &token).await.map(Some);
    }
    // `anonymous` asks not to be signed in by the cookie (the page's "Join anonymously").
    let Some(session) = cookie(headers, SESSION_COOKIE).filter(|_| params.get("anonymous").is_none()) else {
        return Ok(None);
    };
    if !same_origin(headers, hub.config.public_url.as_deref()) {
        let m = "a participant socket signed in by cookie must come from this mediator's own pages (Origin)";
        return Err(Refusal::Http(StatusCode::FORBIDDEN, m.into()));
    }
    match hub.accounts.session(&session).await? {
        TokenLookup::Valid { user, .. } => Ok(Some(user)),
        // A stale cookie: the viewer is simply not signed in any more.
        TokenLookup::Expired | TokenLookup::Unknown => Ok(None),
    }
}

pub async fn participant(
    State(hub): State<Arc<Hub>>,
    from: ClientAddr,
    socket: Option<Extension<SocketHandle>>,
    ws: Upgrade,
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
    match hub.store.channel(channel).await {
        Ok(Some(_)) => {}
        Ok(None) => return refuse(&hub, ws, ErrorCode::ChannelNotOnline, format!("unknown channel {channel}")),
        Err(e) => return Refusal::from(e).respond(&hub, ws),
    }
    let user = match participant_user(&hub, from, &params, &headers).await {
        Ok(user) => user,
        Err(refusal) => return refusal.respond(&hub, ws),
    };
    if let Some(u) = &user {
        match hub.chat.is_banned(&hub, channel, u.id).await {
            Ok(false) => {}
            Ok(true) => return refuse(&hub, ws, ErrorCode::AccessRevoked, BANNED_REASON.into()),
            Err(e) => return Refusal::from(e).respond(&hub, ws),
        }
    }
    let Some(session) = hub.session(channel).filter(|s| s.is_ready()) else {
        return refuse(&hub, ws, ErrorCode::ChannelNotOnline, "the channel's game is not ready".into());
    };
    if let Some(Extension(socket)) = socket {
        socket.limit_send_buffer(hub.config.viewer_send_buffer_bytes);
    }
    ws.max_message_size(hub.config.max_frame_bytes)
        .on_upgrade(move |socket| run_participant(hub, socket, session, user))
}

/// Joins the viewer to the session, serves its socket, and has it leave.
///
/// This future lives as long as the socket, so it is kept small: not an `async fn` (which would
/// keep each argument twice), and the awaits before and after serving are boxed (a future is as
/// large as its largest await).
#[allow(clippy::manual_async_fn)] // on purpose: see above
fn run_participant(
    hub: Arc<Hub>,
    socket: Socket,
    session: Arc<ChannelSession>,
    user: Option<User>,
) -> impl Future<Output = ()> {
    async move {
        let (peer, outlet) = Peer::for_socket(Kind::Participant, &hub.config);
        let session_id = match session.join(user.as_ref(), peer.clone()) {
            Ok((id, fx)) => {
                Box::pin(deliver(&session.game, fx)).await;
                id
            }
            Err(code) => {
                peer.close(code.code(), code.description());
                return;
            }
        };
        // A ban given while this viewer's handshake was under way closed the sockets that had
        // joined then, not this one: look again now that it has joined.
        if let Some(u) = &user {
            if Box::pin(hub.chat.is_banned(&hub, session.channel_id, u.id)).await.unwrap_or(false) {
                peer.close(ErrorCode::AccessRevoked.code(), BANNED_REASON);
            }
        }
        let handle = |m: &Method, fx: &mut Effects| session.participant_method(&hub, &session_id, m, fx);
        let (peer_ref, game, handle) = (&peer, &session.game, &handle);
        let on_message = |mut inbound: Inbound, message| -> Handling<'_, Inbound> {
            Box::pin(async move {
                let flow = handle_message(&mut inbound, message, peer_ref, game, handle).await;
                (inbound, flow)
            })
        };
        let inbound = Inbound::new(hub.config.max_inflated_bytes);
        socket::serve(socket, outlet, effective(hub.config.idle_timeout), inbound, on_message).await;
        let fx = session.leave(&session_id);
        Box::pin(deliver(&session.game, fx)).await;
    }
}
