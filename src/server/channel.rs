//! A channel as a REST resource, and subscribing to it.
//!
//! | path | what |
//! |---|---|
//! | `GET /api/v1/channels/{id}` | the channel's public settings: `{id, userId, username, online, subscribers, subscribed}` |
//! | `POST /api/v1/channels/{id}/subscribe` | the caller subscribes (free here) → `{channelId, subscribed: true}` |
//! | `DELETE /api/v1/channels/{id}/subscribe` | the caller ends their subscription → `{channelId, subscribed: false}` |
//!
//! `subscribed` is whether the caller subscribes: `null` for an anonymous caller and on the
//! caller's own channel (nobody subscribes to themselves).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::accounts::caller::{Caller, MaybeCaller};
use super::hub::Hub;
use super::reply::{bad_request, found, no_store, store_failed};
use super::store::Channel;

/// `GET /api/v1/channels/{id}`.
pub async fn details(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
    MaybeCaller(caller): MaybeCaller,
) -> Response {
    let channel = match found(&id, "channel", |c| hub.store.channel(c)).await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    let subscribed = match caller {
        Some(c) if c.user.id != channel.owner => match hub.store.is_subscribed(c.user.id, channel.id).await {
            Ok(s) => Some(s),
            Err(e) => return store_failed(e),
        },
        _ => None,
    };
    let subscribers = match hub.store.subscriber_count(channel.id).await {
        Ok(n) => n,
        Err(e) => return store_failed(e),
    };
    no_store(Json(public_settings(&hub, &channel, subscribers, subscribed)).into_response())
}

/// What anyone may know about a channel, and whether the caller subscribes.
fn public_settings(hub: &Hub, channel: &Channel, subscribers: u64, subscribed: Option<bool>) -> Value {
    json!({
        "id": channel.id,
        "userId": channel.owner,
        "username": channel.owner_name,
        "online": hub.is_live(channel.id),
        "subscribers": subscribers,
        "subscribed": subscribed,
        // The channel's own settings (title, stream source) belong here too.
    })
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
