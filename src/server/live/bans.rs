//! Who may not play: a channel ban (the chat's `Banned` role, given by the owner or a moderator
//! through the chat's REST or the channel's roles) also closes the viewer's participant sockets
//! with 4025 and refuses their handshakes with 4025 until it is lifted (see `sockets.rs`); and an
//! admin can end a channel's game session with 4027:
//!
//! `DELETE /api/v1/interactive/{channelId}/session` (admins): closes the game client and the
//! participants with 4027; 204, 403 for anyone but an admin, 404 when no game runs there.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::delete;
use axum::Router;

use crate::protocol::ErrorCode;
use crate::server::accounts::caller::Caller;
use crate::server::hub::Hub;
use crate::server::reply::{forbidden, not_found};

/// The close reason a banned viewer's sockets get.
pub const BANNED_REASON: &str = "you are banned from this channel";

/// The close reason of a session an admin ended.
pub const ENDED_REASON: &str = "an administrator ended this session";

pub fn routes() -> Router<Arc<Hub>> {
    Router::new().route("/api/v1/interactive/{channel}/session", delete(end_session))
}

async fn end_session(State(hub): State<Arc<Hub>>, caller: Caller, Path(channel): Path<String>) -> Response {
    if !caller.user.admin {
        return forbidden("only admins end game sessions");
    }
    let Some(session) = channel.parse::<u32>().ok().and_then(|c| hub.session(c)) else {
        return not_found(format!("no game is running on channel {channel}"));
    };
    eprintln!("mixplay-server: {} ended the session on channel {}", caller.user.username, session.channel_id);
    // The viewers first, so that they hear 4027 rather than the 4016 of a game that left.
    session.close_participants(ErrorCode::Terminated, ENDED_REASON);
    session.game.close(ErrorCode::Terminated.code(), ENDED_REASON);
    StatusCode::NO_CONTENT.into_response()
}
