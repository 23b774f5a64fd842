//! The chat's REST endpoints: a room's details (with an authkey for a signed-in caller), and the
//! owner's role changes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{permissions, send, Chatter, Outgoing};
use crate::protocol::echo::clipped;
use crate::protocol::ErrorCode;
use crate::server::accounts::caller::{Caller, MaybeCaller};
use crate::server::hub::Hub;
use crate::server::live::bans::BANNED_REASON;
use crate::server::reply::{bad_request, forbidden, found, not_found, store_failed};
use crate::server::rest::socket_base;
use crate::server::store::{ChannelRole, User};

/// `GET /api/v1/chats/{channelId}`.
pub async fn details(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    MaybeCaller(caller): MaybeCaller,
) -> Response {
    let room = match found(&id, "channel", |c| hub.chat.room(&hub, c)).await {
        Ok(room) => room,
        Err(answer) => return answer,
    };
    let endpoints = vec![format!("{}/chat", socket_base(&hub, &headers))];
    let Some(Caller { user, .. }) = caller else {
        return Json(json!({ "endpoints": endpoints, "permissions": permissions(false, false) })).into_response();
    };
    let is_mod = room.state.lock().is_mod(room.owner, user.id);
    let authkey = hub.chat.new_authkey(user.id, room.channel, hub.config.chat_authkey_ttl);
    Json(json!({ "authkey": authkey, "endpoints": endpoints, "permissions": permissions(is_mod, true) }))
        .into_response()
}

/// The roles a PATCH body adds or removes (`key` is `add` or `remove`).
pub(crate) fn roles_in(body: &Value, key: &str) -> Result<Vec<ChannelRole>, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|r| match r.as_str() {
                Some("Mod") => Ok(ChannelRole::Mod),
                Some("Banned") => Ok(ChannelRole::Banned),
                _ => Err(format!("{key} may hold only \"Mod\" and \"Banned\", not {r}")),
            })
            .collect(),
        Some(other) => Err(format!("{key} must be an array of roles, not {}", clipped(&other.to_string()))),
    }
}

/// The roles a role-change body adds and removes.
pub(crate) fn role_changes(body: &Value) -> Result<(Vec<ChannelRole>, Vec<ChannelRole>), String> {
    Ok((roles_in(body, "add")?, roles_in(body, "remove")?))
}

/// `PATCH /api/v1/channels/{channelId}/users/{userId}`: the owner changes a user's `Mod` and
/// `Banned` roles (see [`change_roles`]).
pub async fn update_user(
    State(hub): State<Arc<Hub>>,
    Path((channel, user)): Path<(String, String)>,
    caller: Caller,
    body: Bytes,
) -> Response {
    let room = match found(&channel, "channel", |c| hub.chat.room(&hub, c)).await {
        Ok(room) => room,
        Err(answer) => return answer,
    };
    let target = match found(&user, "user", |u| hub.store.user(u)).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    if caller.user.id != room.owner {
        return forbidden("only the channel's owner may change roles");
    }
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(format!("the body is not JSON: {e}")),
    };
    let (add, remove) = match role_changes(&body) {
        Ok(changes) => changes,
        Err(e) => return bad_request(e),
    };
    match change_roles(&hub, room.channel, &caller.user, &target, &add, &remove).await {
        Ok(roles) => Json(json!({ "id": target.id, "username": target.username, "roles": roles })).into_response(),
        Err(answer) => answer,
    }
}

/// Gives `target` the roles in `add` and takes those in `remove` in a channel, on behalf of
/// `moderator` (the owner; the caller checks): kept in the store and applied to the chat room at
/// once. Connected chats see a `UserUpdate`; a ban also purges the user's messages. Returns the
/// user's roles afterwards, or the answer to give instead.
pub(crate) async fn change_roles(
    hub: &Hub,
    channel: u32,
    moderator: &User,
    target: &User,
    add: &[ChannelRole],
    remove: &[ChannelRole],
) -> Result<Vec<&'static str>, Response> {
    let room = match hub.chat.room(hub, channel).await {
        Ok(Some(room)) => room,
        Ok(None) => return Err(not_found(format!("channel {channel} not found"))),
        Err(e) => return Err(store_failed(e)),
    };
    if target.id == room.owner && !add.is_empty() {
        return Err(bad_request(format!(
            "{} owns this channel: the owner cannot be made a mod of it or banned from it",
            target.username
        )));
    }
    let changes = add.iter().map(|r| (*r, true)).chain(remove.iter().map(|r| (*r, false)));
    for (role, on) in changes {
        if let Err(e) = hub.store.set_channel_role(room.channel, target.id, role, on).await {
            return Err(store_failed(e));
        }
    }
    let mut out = Outgoing::default();
    let roles = {
        let mut st = room.state.lock();
        let newly_banned = add.contains(&ChannelRole::Banned) && !st.banned.contains(&target.id);
        for role in add {
            match role {
                ChannelRole::Mod => st.mods.insert(target.id),
                ChannelRole::Banned => st.banned.insert(target.id),
            };
        }
        for role in remove {
            match role {
                ChannelRole::Mod => st.mods.remove(&target.id),
                ChannelRole::Banned => st.banned.remove(&target.id),
            };
        }
        let roles = st.roles(room.owner, target.id);
        if newly_banned {
            room.purge(&mut st, target.id);
            let moderator = room.user_json(&st, &Chatter::of(moderator));
            let data = json!({ "moderator": moderator, "user_id": target.id, "cause": { "type": "ban" } });
            st.broadcast(&mut out, "PurgeMessage", &data, |_| true);
        }
        let data = json!({ "user": target.id, "username": target.username, "roles": roles });
        st.broadcast(&mut out, "UserUpdate", &data, |_| true);
        roles
    };
    send(out);
    if add.contains(&ChannelRole::Banned) {
        // A ban covers the channel's interactive session too; the handshake refuses them after.
        if let Some(session) = hub.session(channel) {
            session.close_user(target.id, ErrorCode::AccessRevoked, BANNED_REASON);
        }
    }
    Ok(roles)
}
