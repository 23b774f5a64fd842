//! The REST endpoints: endpoint discovery, participant socket lookup, the token's user.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::handshake::HandshakeParams;
use super::hub::Hub;

/// `ws://host:port`, from the request's `Host` so that the addresses work from wherever the
/// client reached us.
fn socket_base(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    format!("ws://{host}")
}

fn not_found(message: String) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "statusCode": 404, "error": "Not Found", "message": message })))
        .into_response()
}

/// `GET /api/v1/interactive/hosts`: the game-client sockets, best first.
pub async fn hosts(headers: HeaderMap) -> Response {
    Json(json!([{ "address": format!("{}/gameClient", socket_base(&headers)) }])).into_response()
}

/// `GET /api/v1/interactive/{channelId}`: where viewers of a channel connect.
pub async fn channel(State(hub): State<Arc<Hub>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let Some(channel) = id.parse::<u32>().ok().and_then(|id| hub.world.channel(id)) else {
        return not_found(format!("channel {id} not found"));
    };
    let session = hub.session(channel.id);
    Json(json!({
        "address": format!("{}/participant?channel={}", socket_base(&headers), channel.id),
        "channelId": channel.id,
        "online": session.as_ref().is_some_and(|s| s.is_ready()),
        "versionId": session.as_ref().map(|s| s.version_id),
        "participants": session.as_ref().map(|s| s.participant_count()).unwrap_or(0),
    }))
    .into_response()
}

/// `GET /api/v1/users/current`: the user a bearer token belongs to.
pub async fn current_user(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Response {
    let params = HandshakeParams::new(&headers, None);
    let Some(user) = params.bearer().and_then(|t| hub.world.user_by_token(&t).cloned()) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "statusCode": 401, "error": "Unauthorized", "message": "a valid bearer token is required" })),
        )
            .into_response();
    };
    let channel = hub.world.channel_of(user.id).map(|c| json!({ "id": c.id, "userId": c.owner }));
    Json(json!({
        "id": user.id,
        "username": user.username,
        "level": user.level,
        "sparks": hub.sparks_of(user.id),
        "channel": channel,
    }))
    .into_response()
}
