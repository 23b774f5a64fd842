//! A channel's public face and its owner's settings: the title, the stream source, the "go live"
//! switch, slow chat, mods and bans; and subscribing to it.
//!
//! | path | who | what |
//! |---|---|---|
//! | `GET /api/v1/channels/{id}` | anyone | the public settings: `title`, `online`, `interactive`, `participants`, `streamSource` (`{kind, url}` or null), `subscribers`; and `subscribed`, whether the caller subscribes (null for an anonymous caller and on one's own channel) |
//! | `PATCH /api/v1/channels/{id}` | the owner | changes one or more of `title`, `streamSource`, `live`, `slowChat` (see `settings.rs`) |
//! | `GET /api/v1/channels/{id}/manage` | the owner | the public settings, `live`, `slowChat`, the game client's state, `mods` and `banned` |
//! | `PATCH /api/v1/channels/{id}/roles` | the owner | `{username, add, remove}`: gives or takes `Mod` and `Banned` by username |
//! | `POST`/`DELETE /api/v1/channels/{id}/subscribe` | signed in | subscribes, or ends it → `{channelId, subscribed}` (see `subscriptions.rs`) |
//!
//! **Online, and earning.** Two facts about a channel, kept apart:
//! - its game client is **ready** (`Hub::game_ready`; `interactive` here): only then does
//!   watching it earn sparks (the economy's rule: viewers earn while there is a game to play);
//! - it is **online** (`online` here; the page shows the stream instead of the offline card): its
//!   owner switched it live, or its game client is ready.
//!
//! A channel's pages hear both, with its title and stream source, over their viewer socket
//! (`economy/viewer.rs`) as soon as they change: when a game client becomes ready or leaves
//! (`Hub::channel_status_changed`) and when the owner changes a setting here ([`update`]).
//!
//! Changes take effect at once: the chat room's slow chat and roles are updated with the store.
//! Callers sign in as on every REST route (bearer token, or the session cookie with the page's
//! CSRF token); bodies are JSON, at most [`MAX_BODY_BYTES`].

mod settings;
mod source;
mod subscriptions;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::accounts::caller::{Caller, MaybeCaller};
use super::chat::{change_roles, role_changes};
use super::hub::Hub;
use super::reply::{bad_request, forbidden, found, no_store, not_found, store_failed};
use super::store::{Channel, ChannelRole, StreamSource};
use crate::protocol::echo::clipped;

pub(crate) use settings::{MAX_SLOW_CHAT_MS, MAX_TITLE_CHARS};
pub(crate) use source::MAX_URL_BYTES;

/// The largest request body the channel routes read (413 beyond).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The longest username looked up for a role change.
const MAX_USERNAME_BYTES: usize = 64;

pub fn routes() -> Router<Arc<Hub>> {
    Router::new()
        .route("/api/v1/channels/{channel}", get(public).patch(update))
        .route("/api/v1/channels/{channel}/manage", get(manage))
        .route("/api/v1/channels/{channel}/roles", patch(roles))
        .route(
            "/api/v1/channels/{channel}/subscribe",
            post(subscriptions::subscribe).delete(subscriptions::unsubscribe),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Whether a channel is online: its owner switched it live, or its game client is ready.
pub fn is_online(hub: &Hub, channel: u32, live_switch: bool) -> bool {
    live_switch || hub.game_ready(channel)
}

/// What a channel's pages follow of its settings (kept in memory while it has viewers, see
/// `economy/watching.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSettings {
    pub title: String,
    pub stream: Option<StreamSource>,
    /// The owner's "go live" switch.
    pub live_switch: bool,
}

impl PageSettings {
    pub fn of(channel: &Channel) -> PageSettings {
        PageSettings { title: channel.title.clone(), stream: channel.stream.clone(), live_switch: channel.live }
    }
}

/// A channel's status as its pages see it: `title`, `online`, `interactive` (the game client is
/// ready) and `streamSource` (`{kind, url}` or null). Part of the public settings, and what the
/// viewer socket's `channel` message carries.
pub fn status_json(settings: &PageSettings, game_ready: bool) -> Value {
    json!({
        "title": settings.title,
        "online": settings.live_switch || game_ready,
        "interactive": game_ready,
        "streamSource": settings.stream.as_ref().map(|s| json!({ "kind": s.kind.as_str(), "url": s.url })),
    })
}

/// A channel's public settings (`GET /api/v1/channels/{id}`, without the caller's own
/// `subscribed`). `token` and `name` are Mixer's names for the channel's name (the owner's
/// username, also given as `username`) and its title.
pub fn public_json(hub: &Hub, channel: &Channel) -> Value {
    let session = hub.session(channel.id);
    let ready = session.as_ref().is_some_and(|s| s.is_ready());
    let mut view = status_json(&PageSettings::of(channel), ready);
    view["id"] = json!(channel.id);
    view["userId"] = json!(channel.owner);
    view["token"] = json!(channel.owner_name);
    view["username"] = json!(channel.owner_name);
    view["name"] = json!(channel.title);
    view["participants"] = json!(session.as_ref().map_or(0, |s| s.participant_count()));
    view
}

/// What the owner sees: the public settings, the switch, slow chat, the game client, mods, bans.
async fn manage_json(hub: &Hub, channel: &Channel) -> Result<Value, Response> {
    let people = |role| async move {
        let holders = hub.store.channel_role_holders(channel.id, role).await.map_err(store_failed)?;
        Ok::<Value, Response>(
            holders.into_iter().map(|(id, username)| json!({ "id": id, "username": username })).collect(),
        )
    };
    let session = hub.session(channel.id);
    let game = match &session {
        None => json!({ "state": "none", "versionId": null }),
        Some(s) => json!({ "state": if s.is_ready() { "ready" } else { "connected" }, "versionId": s.version_id }),
    };
    let mut view = public_json(hub, channel);
    view["live"] = json!(channel.live);
    view["slowChat"] = json!(channel.slow_chat_ms);
    view["game"] = game;
    view["mods"] = people(ChannelRole::Mod).await?;
    view["banned"] = people(ChannelRole::Banned).await?;
    Ok(view)
}

/// The channel a path names, when the caller owns it (else the answer to give: 404, 403, 503).
async fn owned(hub: &Hub, id: &str, caller: &Caller, doing: &str) -> Result<Channel, Response> {
    let channel = found(id, "channel", |c| hub.store.channel(c)).await?;
    if channel.owner != caller.user.id {
        return Err(forbidden(format!("only the channel's owner may {doing}")));
    }
    Ok(channel)
}

fn json_body(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))
}

/// `GET /api/v1/channels/{id}`: the public settings, and whether the caller subscribes.
async fn public(State(hub): State<Arc<Hub>>, Path(id): Path<String>, MaybeCaller(caller): MaybeCaller) -> Response {
    let channel = match found(&id, "channel", |c| hub.store.channel(c)).await {
        Ok(channel) => channel,
        Err(answer) => return answer,
    };
    let subscribed = subscriptions::subscribed(&hub, caller.as_ref(), &channel).await;
    let subscribers = hub.store.subscriber_count(channel.id).await;
    let (subscribed, subscribers) = match (subscribed, subscribers) {
        (Ok(s), Ok(n)) => (s, n),
        (Err(e), _) | (_, Err(e)) => return store_failed(e),
    };
    let mut view = public_json(&hub, &channel);
    view["subscribers"] = json!(subscribers);
    view["subscribed"] = json!(subscribed);
    no_store(Json(view).into_response())
}

/// `GET /api/v1/channels/{id}/manage`.
async fn manage(State(hub): State<Arc<Hub>>, Path(id): Path<String>, caller: Caller) -> Response {
    let channel = match owned(&hub, &id, &caller, "see its settings").await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    match manage_json(&hub, &channel).await {
        Ok(view) => no_store(Json(view).into_response()),
        Err(answer) => answer,
    }
}

/// `PATCH /api/v1/channels/{id}`: the owner changes settings, all at once; answers what
/// `manage` shows. The channel's pages hear a change of title, stream source or switch at once.
async fn update(State(hub): State<Arc<Hub>>, Path(id): Path<String>, caller: Caller, body: Bytes) -> Response {
    let channel = match owned(&hub, &id, &caller, "change its settings").await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    let change = match json_body(&body).and_then(|v| settings::parse(&v)) {
        Ok(change) => change,
        Err(e) => return bad_request(e),
    };
    let slow_chat = change.slow_chat_ms;
    // The store and what the channel's pages are told change together, in the same order.
    let pages = hub.watching.settings_lock().await;
    let channel = match hub.store.update_channel(channel.id, change).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(format!("channel {id} not found")),
        Err(e) => return store_failed(e),
    };
    hub.watching.set_settings(channel.id, PageSettings::of(&channel));
    drop(pages);
    if let Some(ms) = slow_chat {
        if let Err(e) = hub.chat.set_slow_chat(&hub, channel.id, ms).await {
            return store_failed(e);
        }
    }
    match manage_json(&hub, &channel).await {
        Ok(view) => no_store(Json(view).into_response()),
        Err(answer) => answer,
    }
}

/// `PATCH /api/v1/channels/{id}/roles`: `{username, add, remove}`, as
/// `PATCH /api/v1/channels/{id}/users/{userId}` but by username.
async fn roles(State(hub): State<Arc<Hub>>, Path(id): Path<String>, caller: Caller, body: Bytes) -> Response {
    let channel = match owned(&hub, &id, &caller, "change roles").await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    let body = match json_body(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(e),
    };
    let username = match body.get("username").and_then(Value::as_str).map(str::trim) {
        Some(name) if !name.is_empty() && name.len() <= MAX_USERNAME_BYTES => name.to_owned(),
        _ => return bad_request("username is the name of the user whose roles change (a string of 1 to 64 bytes)"),
    };
    let (add, remove) = match role_changes(&body) {
        Ok(changes) => changes,
        Err(e) => return bad_request(e),
    };
    let target = match hub.store.user_by_name(&username).await {
        Ok(Some(user)) => user,
        Ok(None) => return not_found(format!("there is no user named {}", clipped(&username))),
        Err(e) => return store_failed(e),
    };
    match change_roles(&hub, channel.id, &caller.user, &target, &add, &remove).await {
        Ok(roles) => Json(json!({ "id": target.id, "username": target.username, "roles": roles })).into_response(),
        Err(answer) => answer,
    }
}
