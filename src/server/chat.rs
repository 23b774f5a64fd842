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

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::{SinkExt, StreamExt};
use parking_lot::Mutex;
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, Notify};

use super::handshake::HandshakeParams;
use super::hub::Hub;
use super::peer::close_message;
use super::rest::{not_found, socket_base, unauthorized};
use super::session::now_ms;
use super::world::User;
use crate::protocol::echo::{clipped, quoted};

/// How many packets may wait for one chat socket; a socket further behind is closed.
const OUTBOX: usize = 1024;

/// How many messages a room remembers for `history`.
const HISTORY: usize = 100;

/// The largest frame a chat client may send.
const MAX_FRAME: usize = 64 * 1024;

/// Built-in emoticons: text and sprite position in the default pack.
const EMOTICONS: [(&str, u32); 6] = [(":)", 0), (":(", 1), (":D", 2), (";)", 3), (":P", 4), ("<3", 5)];

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

// ----- the socket -----

/// `/chat`: the chat websocket.
pub async fn socket(State(hub): State<Arc<Hub>>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(MAX_FRAME).on_upgrade(move |socket| run(hub, socket))
}

/// What one socket is: its room (after `auth`) and its user.
struct Conn {
    id: u64,
    out: Outbox,
    room: Option<Arc<Room>>,
    user: Option<Chatter>,
    opted_out: HashSet<String>,
}

async fn run(hub: Arc<Hub>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<Message>(OUTBOX);
    let kill = Arc::new(Notify::new());
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            let last = matches!(m, Message::Close(_));
            if sink.send(m).await.is_err() || last {
                break;
            }
        }
    });
    let out = Outbox { tx, kill: kill.clone() };
    let mut conn = Conn {
        id: hub.chat.next_conn.fetch_add(1, Ordering::Relaxed),
        out,
        room: None,
        user: None,
        opted_out: HashSet::new(),
    };
    hub.chat.sockets.lock().insert(conn.id, conn.out.clone());
    conn.out.push(event_text(
        "WelcomeEvent",
        &json!({ "server": format!("mixplay-mediator/{}", env!("CARGO_PKG_VERSION")) }),
    ));
    loop {
        let message = tokio::select! {
            m = stream.next() => match m {
                Some(Ok(m)) => m,
                _ => break,
            },
            _ = kill.notified() => {
                let _ = conn.out.tx.try_send(close_message(1011, "too far behind: outgoing queue is full"));
                break;
            }
        };
        match message {
            Message::Text(t) => handle_frame(&hub, &mut conn, t.as_str()),
            Message::Binary(_) => conn.out.push(reply_text(&Value::Null, Err("UNOTJSON".into()))),
            Message::Close(_) => break,
            // Pings are answered by the websocket layer while the stream is read.
            Message::Ping(_) | Message::Pong(_) => {}
        }
    }
    leave(&mut conn);
    hub.chat.sockets.lock().remove(&conn.id);
    drop(conn);
    let _ = writer.await;
}

fn reply_text(id: &Value, result: Result<Value, String>) -> String {
    match result {
        Ok(data) => json!({ "type": "reply", "id": id, "error": null, "data": data }).to_string(),
        Err(e) => json!({ "type": "reply", "id": id, "error": e, "data": null }).to_string(),
    }
}

fn handle_frame(hub: &Arc<Hub>, conn: &mut Conn, text: &str) {
    let packet: Value = match serde_json::from_str(text) {
        Ok(v @ Value::Object(_)) => v,
        _ => return conn.out.push(reply_text(&Value::Null, Err("UNOTJSON".into()))),
    };
    let id = packet.get("id").cloned().unwrap_or(Value::Null);
    let (Some("method"), Some(method)) =
        (packet.get("type").and_then(Value::as_str), packet.get("method").and_then(Value::as_str))
    else {
        return conn.out.push(reply_text(&id, Err("UNOTJSON".into())));
    };
    let args = match packet.get("arguments") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => {
            return conn.out.push(reply_text(&id, Err("arguments must be an array".into())));
        }
    };
    let method = method.to_owned();
    let mut out = Outgoing::default();
    let result = call(hub, conn, &method, &args, &mut out);
    // The caller's reply goes first, then what the call caused.
    conn.out.push(reply_text(&id, result));
    send(out);
}

fn arg_str<'a>(args: &'a [Value], i: usize, what: &str) -> Result<&'a str, String> {
    args.get(i).and_then(Value::as_str).ok_or_else(|| format!("argument {} must be {what} (a string)", i + 1))
}

fn arg_u32(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

const UACCESS: &str = "UACCESS";

fn call(hub: &Arc<Hub>, conn: &mut Conn, method: &str, args: &[Value], out: &mut Outgoing) -> Result<Value, String> {
    match method {
        "ping" => return Ok(Value::Null),
        "auth" => return auth(hub, conn, args, out),
        "optOutEvents" => {
            let names: Vec<String> = args.iter().filter_map(|a| a.as_str().map(str::to_owned)).collect();
            if names.len() != args.len() {
                return Err("optOutEvents takes event names (strings)".into());
            }
            conn.opted_out.extend(names);
            if let Some(room) = &conn.room {
                if let Some(m) = room.state.lock().members.get_mut(&conn.id) {
                    m.opted_out = conn.opted_out.clone();
                }
            }
            return Ok(json!({}));
        }
        _ => {}
    }
    const KNOWN: [&str; 9] = [
        "msg",
        "whisper",
        "timeout",
        "purge",
        "deleteMessage",
        "clearMessages",
        "history",
        "vote:start",
        "vote:choose",
    ];
    if !KNOWN.contains(&method) {
        return Err(format!("unknown method {}", quoted(method)));
    }
    let Some(room) = conn.room.clone() else {
        return Err("not in a chat yet: call auth first".into());
    };
    if method == "history" {
        let n = match args.first() {
            None => HISTORY as u64,
            Some(v) => v
                .as_u64()
                .filter(|n| *n <= HISTORY as u64)
                .ok_or_else(|| format!("history takes a number of messages from 0 to {HISTORY}, not {v}"))?,
        };
        let st = room.state.lock();
        let skip = st.history.len().saturating_sub(n as usize);
        return Ok(Value::Array(st.history.iter().skip(skip).cloned().collect()));
    }
    // Everything else needs a signed-in, unbanned user.
    let Some(me) = conn.user.clone() else { return Err(UACCESS.into()) };
    let mut st = room.state.lock();
    if st.banned.contains(&me.id) {
        return Err(UACCESS.into());
    }
    let is_mod = st.is_mod(room.owner, me.id);
    match method {
        "msg" => {
            let text = arg_str(args, 0, "the message")?;
            let now = Instant::now();
            check_text(hub, text)?;
            if let Some(until) = st.timeouts.get(&me.id).filter(|u| **u > now) {
                let secs = until.duration_since(now).as_secs_f64().ceil() as u64;
                return Err(format!("you are timed out for another {secs}s"));
            }
            if !is_mod && !st.slow.is_zero() {
                if let Some(last) = st.last_message.get(&me.id) {
                    let next = *last + st.slow;
                    if next > now {
                        let wait = next.duration_since(now).as_millis().max(1);
                        return Err(format!(
                            "slow chat is on: wait {wait} ms before your next message (one every {} ms)",
                            st.slow.as_millis()
                        ));
                    }
                }
            }
            st.last_message.insert(me.id, now);
            let data = message_data(hub, &room, &st, &me, text, None);
            st.history.push_back(data.clone());
            while st.history.len() > HISTORY {
                st.history.pop_front();
            }
            st.broadcast(out, "ChatMessage", &data, |_| true);
            Ok(data)
        }
        "whisper" => {
            let target = arg_str(args, 0, "the username to whisper to")?;
            let text = arg_str(args, 1, "the message")?;
            check_text(hub, text)?;
            let Some(to) = st.member_by_name(target) else {
                return Err(format!("{} is not in this chat", clipped(target)));
            };
            let data = message_data(hub, &room, &st, &me, text, Some(&to.name));
            let text = event_text("ChatMessage", &data);
            for m in st.members.values() {
                if m.user.as_ref().is_some_and(|u| u.id == to.id) {
                    out.0.push((m.out.clone(), text.clone()));
                }
            }
            Ok(data)
        }
        "vote:choose" => {
            let index = args.first().and_then(Value::as_u64).ok_or("vote:choose takes the answer's index")?;
            let channel = room.channel;
            let Some(poll) = st.poll.as_mut() else { return Err("there is no poll running".into()) };
            let index = usize::try_from(index)
                .ok()
                .filter(|i| *i < poll.answers.len())
                .ok_or_else(|| format!("the poll has {} answers; {index} is not one of them", poll.answers.len()))?;
            poll.votes.insert(me.id, index);
            let data = poll.data(channel);
            st.broadcast(out, "PollStart", &data, |_| true);
            Ok(json!(true))
        }
        _ if !is_mod => Err(UACCESS.into()),
        "timeout" => {
            let name = arg_str(args, 0, "the username")?;
            let spec = args.get(1).map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()));
            let spec = spec.ok_or("timeout takes a username and a duration")?;
            let duration = parse_duration(&spec)?;
            let Some(target) = st.member_by_name(name) else {
                return Err(format!("{} is not in this chat", clipped(name)));
            };
            if st.is_mod(room.owner, target.id) {
                return Err(format!("{} is a moderator and cannot be timed out", target.name));
            }
            let moderator = room.user_json(&st, &me);
            let Some(duration) = duration else {
                st.timeouts.remove(&target.id);
                return Ok(json!(format!("{}'s timeout has been cleared.", target.name)));
            };
            st.timeouts.insert(target.id, Instant::now() + duration);
            st.history.retain(|m| m["user_id"] != json!(target.id));
            let data = json!({
                "moderator": moderator,
                "user_id": target.id,
                "cause": { "type": "timeout", "durationString": spec },
            });
            st.broadcast(out, "PurgeMessage", &data, |_| true);
            let data = json!({ "user": room.user_json(&st, &target), "duration": duration.as_millis() as u64 });
            st.broadcast(out, "UserTimeout", &data, |m| m.user.as_ref().is_some_and(|u| u.id == target.id));
            Ok(json!(format!("{} has been timed out for {spec}.", target.name)))
        }
        "purge" => {
            let name = arg_str(args, 0, "the username")?;
            let target =
                hub.world.user_by_name(name).ok_or_else(|| format!("there is no user named {}", clipped(name)))?;
            st.history.retain(|m| m["user_id"] != json!(target.id));
            let data = json!({ "moderator": room.user_json(&st, &me), "user_id": target.id });
            st.broadcast(out, "PurgeMessage", &data, |_| true);
            Ok(Value::Null)
        }
        "deleteMessage" => {
            let id = arg_str(args, 0, "the message id")?;
            let before = st.history.len();
            st.history.retain(|m| m["id"] != json!(id));
            if st.history.len() == before {
                return Err(format!("there is no message {} in this chat", clipped(id)));
            }
            let data = json!({ "moderator": room.user_json(&st, &me), "id": id });
            st.broadcast(out, "DeleteMessage", &data, |_| true);
            Ok(json!("Message deleted."))
        }
        "clearMessages" => {
            st.history.clear();
            let data = json!({ "clearer": room.user_json(&st, &me) });
            st.broadcast(out, "ClearMessages", &data, |_| true);
            Ok(json!("Messages cleared."))
        }
        "vote:start" => {
            let question = arg_str(args, 0, "the question")?.trim().to_owned();
            let answers: Vec<String> = args
                .get(1)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            let seconds = args.get(2).and_then(Value::as_f64).ok_or("vote:start takes a duration in seconds")?;
            if question.is_empty() {
                return Err("the poll needs a question".into());
            }
            let distinct: HashSet<&String> = answers.iter().collect();
            if answers.len() < 2 || distinct.len() != answers.len() {
                return Err("the poll needs at least two different answers".into());
            }
            if !(1.0..=3600.0).contains(&seconds) {
                return Err("a poll lasts from 1 to 3600 seconds".into());
            }
            if st.poll.is_some() {
                return Err("a poll is already running".into());
            }
            st.poll_serial += 1;
            let duration_ms = (seconds * 1000.0) as i64;
            let poll = Poll {
                serial: st.poll_serial,
                question,
                answers,
                author: room.user_json(&st, &me),
                ends_at_ms: now_ms() + duration_ms,
                votes: HashMap::new(),
            };
            let data = poll.data(room.channel);
            let serial = poll.serial;
            st.poll = Some(poll);
            st.broadcast(out, "PollStart", &data, |_| true);
            let room = room.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(duration_ms as u64)).await;
                end_poll(&room, serial);
            });
            Ok(json!("Poll started."))
        }
        _ => unreachable!("every known method is handled"),
    }
}

fn end_poll(room: &Arc<Room>, serial: u64) {
    let mut out = Outgoing::default();
    {
        let mut st = room.state.lock();
        if st.poll.as_ref().map(|p| p.serial) != Some(serial) {
            return;
        }
        let poll = st.poll.take().expect("checked above");
        let mut data = poll.data(room.channel);
        data["duration"] = json!(0);
        st.broadcast(&mut out, "PollEnd", &data, |_| true);
    }
    send(out);
}

fn check_text(hub: &Hub, text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    let max = hub.config.chat_max_message_chars;
    if text.trim().is_empty() {
        return Err("the message is empty".into());
    }
    if chars > max {
        return Err(format!("the message is too long: {chars} characters; the limit is {max}"));
    }
    Ok(())
}

/// `auth [channelId, userId, authkey, accessKey?]`, or `[channelId]` for an anonymous reader.
fn auth(hub: &Arc<Hub>, conn: &mut Conn, args: &[Value], out: &mut Outgoing) -> Result<Value, String> {
    let channel = arg_u32(args.first()).ok_or("UNOTFOUND")?;
    let room = hub.chat.room(hub, channel).ok_or("UNOTFOUND")?;
    let user_arg = args.get(1).filter(|v| !v.is_null());
    let user = match user_arg {
        None => None,
        Some(u) => {
            let id = arg_u32(Some(u)).ok_or("UNOTFOUND")?;
            let key = args.get(2).and_then(Value::as_str).ok_or("UNOTFOUND")?;
            if !hub.chat.redeem(key, id, channel) {
                return Err("UNOTFOUND".into());
            }
            let user = hub.world.user(id).ok_or("UNOTFOUND")?;
            Some(Chatter::of(user))
        }
    };
    if let Some(u) = &user {
        if room.state.lock().banned.contains(&u.id) {
            return Err(UACCESS.into());
        }
    }
    // Authenticating again moves the socket (to another channel, or to another identity).
    leave_into(conn, out);
    let mut st = room.state.lock();
    let first = user.as_ref().is_some_and(|u| st.connections_of(u.id) == 0);
    st.members.insert(conn.id, Member { out: conn.out.clone(), user: user.clone(), opted_out: conn.opted_out.clone() });
    conn.room = Some(room.clone());
    conn.user = user.clone();
    match user {
        None => Ok(json!({ "authenticated": false, "roles": [], "permissions": permissions(false, false) })),
        Some(u) => {
            let roles = st.roles(room.owner, u.id);
            if first {
                let data =
                    json!({ "originatingChannel": room.channel, "username": u.name, "roles": roles, "id": u.id });
                st.broadcast(out, "UserJoin", &data, |_| true);
            }
            let is_mod = st.is_mod(room.owner, u.id);
            Ok(json!({ "authenticated": true, "roles": roles, "permissions": permissions(is_mod, true) }))
        }
    }
}

fn leave_into(conn: &mut Conn, out: &mut Outgoing) {
    let Some(room) = conn.room.take() else { return };
    let mut st = room.state.lock();
    st.members.remove(&conn.id);
    if let Some(u) = conn.user.take() {
        if st.connections_of(u.id) == 0 {
            let roles = st.roles(room.owner, u.id);
            let data = json!({ "originatingChannel": room.channel, "username": u.name, "roles": roles, "id": u.id });
            st.broadcast(out, "UserLeave", &data, |_| true);
        }
    }
}

fn leave(conn: &mut Conn) {
    let mut out = Outgoing::default();
    leave_into(conn, &mut out);
    send(out);
}

/// `30` (seconds), `30s`, `1m15s`, `2h`, `1d`; `clear` is `None`.
fn parse_duration(spec: &str) -> Result<Option<Duration>, String> {
    let s = spec.trim().to_ascii_lowercase();
    let bad = || format!("{} is not a duration: use seconds (30), units (30s, 1m15s, 2h) or clear", quoted(spec));
    if s == "clear" {
        return Ok(None);
    }
    if let Ok(secs) = s.parse::<u64>() {
        return if secs == 0 { Err(bad()) } else { Ok(Some(Duration::from_secs(secs))) };
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().map_err(|_| bad())?;
        number.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        total = total.checked_add(n.checked_mul(unit).ok_or_else(bad)?).ok_or_else(bad)?;
    }
    if !number.is_empty() || total == 0 {
        return Err(bad());
    }
    Ok(Some(Duration::from_secs(total)))
}

/// A ChatMessage's `data`.
fn message_data(hub: &Hub, room: &Room, st: &RoomState, me: &Chatter, text: &str, target: Option<&str>) -> Value {
    let (text, me_action) = match text.strip_prefix("/me ") {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let mut meta = Map::new();
    if me_action {
        meta.insert("me".into(), json!(true));
    }
    if target.is_some() {
        meta.insert("whisper".into(), json!(true));
    }
    let mut data = json!({
        "channel": room.channel,
        "id": uuid::Uuid::new_v4().to_string(),
        "user_name": me.name,
        "user_id": me.id,
        "user_roles": st.roles(room.owner, me.id),
        "user_level": me.level,
        "user_avatar": null,
        "message": { "message": message_parts(hub, text), "meta": meta },
    });
    if let Some(t) = target {
        data["target"] = json!(t);
    }
    data
}

/// Splits a message into its parts: text, emoticons, links and tags of known users.
fn message_parts(hub: &Hub, text: &str) -> Vec<Value> {
    let mut parts = Vec::new();
    let mut run = String::new();
    let flush = |run: &mut String, parts: &mut Vec<Value>| {
        if !run.is_empty() {
            parts.push(json!({ "type": "text", "data": run, "text": run }));
            run.clear();
        }
    };
    for word in text.split_inclusive(' ') {
        let (token, space) = match word.strip_suffix(' ') {
            Some(t) => (t, " "),
            None => (word, ""),
        };
        let part = if let Some((_, sprite)) = EMOTICONS.iter().find(|(e, _)| *e == token) {
            Some(json!({
                "type": "emoticon", "source": "builtin", "pack": "default", "text": token,
                "coords": { "x": sprite * 24, "y": 0, "width": 24, "height": 24 },
            }))
        } else if token.starts_with("http://") || token.starts_with("https://") || token.starts_with("www.") {
            let url = if token.starts_with("www.") { format!("http://{token}") } else { token.to_owned() };
            Some(json!({ "type": "link", "url": url, "text": token }))
        } else if let Some(name) = token.strip_prefix('@') {
            let name = name.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
            match hub.world.user_by_name(name) {
                Some(u) if token.len() == name.len() + 1 => {
                    Some(json!({ "type": "tag", "text": token, "username": u.username, "id": u.id }))
                }
                _ => None,
            }
        } else {
            None
        };
        match part {
            Some(p) => {
                flush(&mut run, &mut parts);
                parts.push(p);
                run.push_str(space);
            }
            None => run.push_str(word),
        }
    }
    flush(&mut run, &mut parts);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30").unwrap(), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m15s").unwrap(), Some(Duration::from_secs(75)));
        assert_eq!(parse_duration("2h").unwrap(), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("CLEAR").unwrap(), None);
        for bad in ["", "0", "1x", "m", "10s5", "-3"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn message_parts_split_out_links_tags_and_emoticons() {
        let hub = Hub::new(super::super::world::World::demo(), Default::default());
        let parts = message_parts(&hub, "hi @viewer1 see https://x.y :) @nobody");
        let kinds: Vec<&str> = parts.iter().map(|p| p["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["text", "tag", "text", "link", "text", "emoticon", "text"]);
        assert_eq!(parts[1]["id"], 2);
        assert_eq!(parts[6]["text"], " @nobody");
        let joined: String = parts.iter().map(|p| p["text"].as_str().unwrap()).collect();
        assert_eq!(joined, "hi @viewer1 see https://x.y :) @nobody");
    }
}
