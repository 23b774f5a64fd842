//! Chat: one room per channel, reached through one websocket per channel.
//!
//! | path | what |
//! |---|---|
//! | `GET /api/v1/chats/{channelId}` | `{authkey?, endpoints, permissions}`; an `authkey` only with a valid bearer token |
//! | `/chat` (websocket) | the chat socket (`?version=1.0&Client-ID=…` as the official clients add) |
//! | `PATCH /api/v1/channels/{channelId}/users/{userId}` | the owner adds or removes the `Mod` and `Banned` roles (`{add: [...], remove: [...]}`) |
//!
//! Packets: the client sends `{type:"method", method, arguments:[…], id}`; the mediator answers
//! `{type:"reply", id, error: null | "TEXT", data}` and pushes `{type:"event", event, data}`. The
//! first packet on every socket is a `WelcomeEvent`. The socket joins a channel's room with
//! `auth` (`[channelId, userId, authkey]`, or `[channelId]` to read anonymously); authkeys work
//! once and only for a short time.
//!
//! Roles: the channel's owner is `Owner`, the world's `mods` (and users the owner made mods) are
//! `Mod`, everyone else `User`. Owner and mods may moderate (`timeout`, `purge`,
//! `deleteMessage`, `clearMessages`, `vote:start`) and are exempt from slow chat.
//!
//! Errors: `UNOTJSON` for a frame that is not a JSON packet, `UNOTFOUND` for an unknown channel,
//! user or authkey at `auth`, `UACCESS` for a call the connection's user may not make (anonymous,
//! banned, or not a moderator); any other failure is a sentence saying what went wrong.

mod methods;
mod socket;
mod text;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{Message, Utf8Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use parking_lot::Mutex;
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, Notify};

use super::handshake::HandshakeParams;
use super::hub::Hub;
use super::peer::close_message;
use super::rest::{not_found, socket_base, unauthorized};
use super::session::now_ms;
use super::world::User;

pub use socket::socket;

/// How many messages a room remembers for `history`.
pub const HISTORY: usize = 100;

#[derive(Debug, Clone)]
struct Chatter {
    id: u32,
    name: String,
    level: u32,
}

impl Chatter {
    fn of(user: &User) -> Chatter {
        Chatter { id: user.id, name: user.username.clone(), level: user.level }
    }
}

struct Member {
    out: Outbox,
    user: Option<Chatter>,
    opted_out: HashSet<String>,
}

/// A socket's outgoing queue and a way to close it.
#[derive(Clone)]
struct Outbox {
    tx: mpsc::Sender<Message>,
    kill: Arc<Notify>,
}

impl Outbox {
    fn push(&self, text: String) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(Message::Text(Utf8Bytes::from(text))) {
            self.kill.notify_one();
        }
    }
}

struct Poll {
    serial: u64,
    question: String,
    answers: Vec<String>,
    author: Value,
    ends_at_ms: i64,
    votes: HashMap<u32, usize>,
}

impl Poll {
    fn data(&self, channel: u32) -> Value {
        let mut responses = Map::new();
        for a in &self.answers {
            responses.insert(a.clone(), json!(0));
        }
        for idx in self.votes.values() {
            let n = responses[&self.answers[*idx]].as_u64().unwrap_or(0);
            responses.insert(self.answers[*idx].clone(), json!(n + 1));
        }
        json!({
            "originatingChannel": channel,
            "q": self.question,
            "answers": self.answers,
            "author": self.author,
            "duration": (self.ends_at_ms - now_ms()).max(0),
            "endsAt": self.ends_at_ms,
            "voters": self.votes.len(),
            "responses": responses,
        })
    }
}

struct RoomState {
    members: HashMap<u64, Member>,
    mods: HashSet<u32>,
    banned: HashSet<u32>,
    slow: Duration,
    history: VecDeque<Value>,
    poll: Option<Poll>,
    poll_serial: u64,
    timeouts: HashMap<u32, Instant>,
    last_message: HashMap<u32, Instant>,
}

/// One channel's chat.
pub struct Room {
    channel: u32,
    owner: u32,
    state: Mutex<RoomState>,
}

/// Packets to push once the room lock is released.
#[derive(Default)]
struct Outgoing(Vec<(Outbox, String)>);

fn event_text(event: &str, data: &Value) -> String {
    json!({ "type": "event", "event": event, "data": data }).to_string()
}

impl RoomState {
    fn roles(&self, owner: u32, user: u32) -> Vec<&'static str> {
        let mut roles = Vec::new();
        if user == owner {
            roles.push("Owner");
        } else if self.mods.contains(&user) {
            roles.push("Mod");
        }
        if self.banned.contains(&user) {
            roles.push("Banned");
        }
        roles.push("User");
        roles
    }

    fn is_mod(&self, owner: u32, user: u32) -> bool {
        user == owner || self.mods.contains(&user)
    }

    /// Queues `event` for every member that has not opted out of it (and passes `filter`).
    fn broadcast(&self, out: &mut Outgoing, event: &str, data: &Value, filter: impl Fn(&Member) -> bool) {
        let text = event_text(event, data);
        for m in self.members.values() {
            if !m.opted_out.contains(event) && filter(m) {
                out.0.push((m.out.clone(), text.clone()));
            }
        }
    }

    fn connections_of(&self, user: u32) -> usize {
        self.members.values().filter(|m| m.user.as_ref().is_some_and(|u| u.id == user)).count()
    }

    fn member_by_name(&self, name: &str) -> Option<Chatter> {
        self.members.values().filter_map(|m| m.user.as_ref()).find(|u| u.name.eq_ignore_ascii_case(name)).cloned()
    }
}

impl Room {
    fn new(channel: &super::world::Channel) -> Room {
        Room {
            channel: channel.id,
            owner: channel.owner,
            state: Mutex::new(RoomState {
                members: HashMap::new(),
                mods: channel.mods.iter().copied().collect(),
                banned: HashSet::new(),
                slow: Duration::from_millis(channel.slow_chat),
                history: VecDeque::new(),
                poll: None,
                poll_serial: 0,
                timeouts: HashMap::new(),
                last_message: HashMap::new(),
            }),
        }
    }

    fn user_json(&self, state: &RoomState, user: &Chatter) -> Value {
        json!({ "user_name": user.name, "user_id": user.id, "user_roles": state.roles(self.owner, user.id) })
    }
}

struct AuthKey {
    user: u32,
    channel: u32,
    expires: Instant,
}

/// Every room, and the authkeys handed out by `GET /api/v1/chats/{id}`.
#[derive(Default)]
pub struct Chats {
    rooms: Mutex<HashMap<u32, Arc<Room>>>,
    authkeys: Mutex<HashMap<String, AuthKey>>,
    /// Every open chat socket, for closing them all at shutdown.
    sockets: Mutex<HashMap<u64, Outbox>>,
    next_conn: AtomicU64,
}

impl Chats {
    /// Closes every chat socket with `code` (1012 when the service restarts).
    pub fn close_all(&self, code: u16, reason: &str) {
        for outbox in self.sockets.lock().values() {
            let _ = outbox.tx.try_send(close_message(code, reason));
        }
    }

    fn room(&self, hub: &Hub, channel: u32) -> Option<Arc<Room>> {
        let c = hub.world.channel(channel)?;
        Some(self.rooms.lock().entry(channel).or_insert_with(|| Arc::new(Room::new(c))).clone())
    }

    fn new_authkey(&self, user: u32, channel: u32, ttl: Duration) -> String {
        let key = uuid::Uuid::new_v4().simple().to_string();
        let now = Instant::now();
        let mut keys = self.authkeys.lock();
        keys.retain(|_, k| k.expires > now);
        keys.insert(key.clone(), AuthKey { user, channel, expires: now + ttl });
        key
    }

    /// Uses an authkey up: true when it was issued to `user` for `channel` and is still fresh.
    fn redeem(&self, key: &str, user: u32, channel: u32) -> bool {
        let mut keys = self.authkeys.lock();
        match keys.get(key) {
            Some(k) if k.user == user && k.channel == channel => {
                let fresh = k.expires > Instant::now();
                keys.remove(key);
                fresh
            }
            _ => false,
        }
    }
}

fn permissions(is_mod: bool, authenticated: bool) -> Vec<&'static str> {
    let mut p = vec!["connect"];
    if authenticated {
        p.extend(["chat", "whisper", "poll_vote"]);
    }
    if is_mod {
        p.extend(["poll_start", "timeout", "purge", "remove_message", "clear_messages"]);
    }
    p
}

// ----- REST -----

/// `GET /api/v1/chats/{channelId}`.
pub async fn details(State(hub): State<Arc<Hub>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let Some(channel) = id.parse::<u32>().ok().and_then(|id| hub.world.channel(id)) else {
        return not_found(format!("channel {id} not found"));
    };
    let endpoints = vec![format!("{}/chat", socket_base(&hub, &headers))];
    let params = HandshakeParams::new(&headers, None);
    let Some(token) = params.bearer() else {
        return Json(json!({ "endpoints": endpoints, "permissions": permissions(false, false) })).into_response();
    };
    let Some(user) = hub.user_by_token(&token) else {
        return unauthorized(if hub.token_expired(&token) {
            "the access token has expired"
        } else {
            "the bearer token is not valid"
        });
    };
    let room = hub.chat.room(&hub, channel.id).expect("the channel exists");
    let is_mod = room.state.lock().is_mod(room.owner, user.id);
    let authkey = hub.chat.new_authkey(user.id, channel.id, hub.config.chat_authkey_ttl);
    Json(json!({ "authkey": authkey, "endpoints": endpoints, "permissions": permissions(is_mod, true) }))
        .into_response()
}

/// `PATCH /api/v1/channels/{channelId}/users/{userId}`: the owner changes a user's `Mod` and
/// `Banned` roles. Connected chats see a `UserUpdate`; a ban also purges the user's messages.
pub async fn update_user(
    State(hub): State<Arc<Hub>>,
    Path((channel, user)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(channel) = channel.parse::<u32>().ok().and_then(|id| hub.world.channel(id)).cloned() else {
        return not_found(format!("channel {channel} not found"));
    };
    let Some(target) = user.parse::<u32>().ok().and_then(|id| hub.world.user(id)).cloned() else {
        return not_found(format!("user {user} not found"));
    };
    let params = HandshakeParams::new(&headers, None);
    let Some(caller) = params.bearer().and_then(|t| hub.user_by_token(&t)) else {
        return unauthorized("a valid bearer token is required");
    };
    if caller.id != channel.owner {
        let body =
            json!({ "statusCode": 403, "error": "Forbidden", "message": "only the channel's owner may change roles" });
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    let bad = |m: String| {
        (StatusCode::BAD_REQUEST, Json(json!({ "statusCode": 400, "error": "Bad Request", "message": m })))
            .into_response()
    };
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(format!("the body is not JSON: {e}")),
    };
    let list = |key: &str| -> Result<Vec<String>, String> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|r| match r.as_str() {
                    Some(r @ ("Mod" | "Banned")) => Ok(r.to_owned()),
                    _ => Err(format!("{key} may hold only \"Mod\" and \"Banned\", not {r}")),
                })
                .collect(),
            Some(other) => Err(format!("{key} must be an array of roles, not {other}")),
        }
    };
    let (add, remove) = match (list("add"), list("remove")) {
        (Ok(a), Ok(r)) => (a, r),
        (Err(e), _) | (_, Err(e)) => return bad(e),
    };
    let room = hub.chat.room(&hub, channel.id).expect("the channel exists");
    let mut out = Outgoing::default();
    let roles = {
        let mut st = room.state.lock();
        let newly_banned = add.iter().any(|r| r == "Banned") && !st.banned.contains(&target.id);
        for r in &add {
            match r.as_str() {
                "Mod" => st.mods.insert(target.id),
                _ => st.banned.insert(target.id),
            };
        }
        for r in &remove {
            match r.as_str() {
                "Mod" => st.mods.remove(&target.id),
                _ => st.banned.remove(&target.id),
            };
        }
        let roles = st.roles(room.owner, target.id);
        if newly_banned {
            st.history.retain(|m| m["user_id"] != json!(target.id));
            let moderator = room.user_json(&st, &Chatter::of(&caller));
            let data = json!({ "moderator": moderator, "user_id": target.id, "cause": { "type": "ban" } });
            st.broadcast(&mut out, "PurgeMessage", &data, |_| true);
        }
        let data = json!({ "user": target.id, "username": target.username, "roles": roles });
        st.broadcast(&mut out, "UserUpdate", &data, |_| true);
        roles
    };
    send(out);
    Json(json!({ "id": target.id, "username": target.username, "roles": roles })).into_response()
}

fn send(out: Outgoing) {
    for (outbox, text) in out.0 {
        outbox.push(text);
    }
}
