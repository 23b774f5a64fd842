//! Subscribing to a channel (free here, no payments): subscribers earn double sparks watching it
//! (see `economy/`). Nobody subscribes to their own channel.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::server::accounts::caller::Caller;
use crate::server::hub::Hub;
use crate::server::reply::{bad_request, found, store_failed};
use crate::server::store::{Channel, StoreError};

/// Whether `caller` subscribes to `channel`: `None` for an anonymous caller and on the caller's
/// own channel.
pub async fn subscribed(hub: &Hub, caller: Option<&Caller>, channel: &Channel) -> Result<Option<bool>, StoreError> {
    match caller {
        Some(c) if c.user.id != channel.owner => hub.store.is_subscribed(c.user.id, channel.id).await.map(Some),
        _ => Ok(None),
    }
}

async fn set_subscribed(hub: &Hub, id: &str, caller: Caller, on: bool) -> Response {
    let channel = match found(id, "channel", |c| hub.store.channel(c)).await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    if channel.owner == caller.user.id {
        return bad_request("this is your own channel: nobody subscribes to themselves");
    }
    match hub.store.set_subscribed(caller.user.id, channel.id, on).await {
        Ok(_) => Json(json!({ "channelId": channel.id, "subscribed": on })).into_response(),
        Err(e) => store_failed(e),
    }
}

/// `POST /api/v1/channels/{id}/subscribe`.
pub async fn subscribe(State(hub): State<Arc<Hub>>, Path(id): Path<String>, caller: Caller) -> Response {
    set_subscribed(&hub, &id, caller, true).await
}

/// `DELETE /api/v1/channels/{id}/subscribe`.
pub async fn unsubscribe(State(hub): State<Arc<Hub>>, Path(id): Path<String>, caller: Caller) -> Response {
    set_subscribed(&hub, &id, caller, false).await
}
