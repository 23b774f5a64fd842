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
//!
//! Limits (`config.rs`): a socket must `auth` within `auth_timeout`, and one that says nothing
//! (not even a pong) for `idle_timeout` is closed (1008); frames are at most
//! `chat_max_frame_bytes`; a socket more than `chat_queue_bytes` behind is closed (1008); each
//! user's messages, whispers and votes in a chat go at `chat_rate`; wrong authkeys count against
//! the address and the user they name (`accounts/guard.rs`).

mod events;
#[doc(hidden)]
pub mod harness;
mod methods;
mod rest;
mod socket;
mod text;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use self::events::EventSet;
use super::accounts::secret::new_secret;
use super::config::Rate;
use super::hub::Hub;
use super::live::peer::{Peer, Shared};
use super::live::session::now_ms;
use super::rate::Buckets;
use super::store::{Channel, Store, StoreError, TokenHash, User};

pub(crate) use rest::{change_roles, role_changes};
pub use rest::{details, update_user};
pub use socket::socket;

/// How many messages a room remembers for `history`.
pub const HISTORY: usize = 100;

/// Unused authkeys a user may hold at once (asking for more drops the oldest).
const AUTHKEYS_PER_USER: usize = 16;

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
    out: Peer,
    user: Option<Chatter>,
    opted_out: EventSet,
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
    store: Store,
    /// Each user's messages, whispers and votes (`chat_rate`).
    rate: Buckets<u32>,
    state: Mutex<RoomState>,
}

/// Packets to push once the room lock is released.
#[derive(Default)]
struct Outgoing(Vec<(Peer, Shared)>);

fn event_text(event: &str, data: &Value) -> Shared {
    Shared::from(json!({ "type": "event", "event": event, "data": data }).to_string())
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

    /// Queues `event` for every member that has not opted out of it (and passes `filter`); its
    /// text is made once and shared.
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
    fn new(channel: &Channel, history: Vec<Value>, store: Store, rate: Rate) -> Room {
        Room {
            channel: channel.id,
            owner: channel.owner,
            store,
            rate: Buckets::new(rate),
            state: Mutex::new(RoomState {
                members: HashMap::new(),
                mods: channel.mods.iter().copied().collect(),
                banned: channel.banned.iter().copied().collect(),
                slow: Duration::from_millis(channel.slow_chat_ms),
                history: history.into(),
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

    /// Keeps the stored history in step with the room's: `write` was queued when it was made (so
    /// writes made under the room's lock are applied in order); a failure is logged.
    fn persist(&self, write: impl std::future::Future<Output = Result<(), StoreError>> + Send + 'static) {
        tokio::spawn(async move {
            if let Err(e) = write.await {
                eprintln!("mixplay-server: chat history: {e}");
            }
        });
    }

    /// Forgets a user's messages (a purge, timeout or ban), here and in the store.
    fn purge(&self, st: &mut RoomState, user: u32) {
        st.history.retain(|m| m["user_id"] != json!(user));
        self.persist(self.store.purge_chat_messages(self.channel, user));
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
    /// By the key's hash: looking one up compares no secret.
    authkeys: Mutex<HashMap<[u8; 32], AuthKey>>,
    /// Every open chat socket, for closing them all at shutdown.
    sockets: Mutex<HashMap<u64, Peer>>,
    next_conn: AtomicU64,
}

impl Chats {
    /// Closes every chat socket with `code` (1012 when the service restarts).
    pub fn close_all(&self, code: u16, reason: &str) {
        for peer in self.sockets.lock().values() {
            peer.close(code, reason);
        }
    }

    /// Whether `user` is banned from `channel` (the chat's `Banned` role, which covers the
    /// channel's interactive session too).
    pub async fn is_banned(&self, hub: &Hub, channel: u32, user: u32) -> Result<bool, StoreError> {
        Ok(self.room(hub, channel).await?.is_some_and(|room| room.state.lock().banned.contains(&user)))
    }

    /// Applies a slow-chat setting, already stored, to the channel's room at once. The room is
    /// loaded first, so that a load racing with the change cannot keep the old setting.
    pub async fn set_slow_chat(&self, hub: &Hub, channel: u32, ms: u64) -> Result<(), StoreError> {
        if let Some(room) = self.room(hub, channel).await? {
            room.state.lock().slow = Duration::from_millis(ms);
        }
        Ok(())
    }

    /// A channel's room, loaded from the store (settings and history) the first time.
    async fn room(&self, hub: &Hub, channel: u32) -> Result<Option<Arc<Room>>, StoreError> {
        if let Some(room) = self.rooms.lock().get(&channel) {
            return Ok(Some(room.clone()));
        }
        let Some(c) = hub.store.channel(channel).await? else { return Ok(None) };
        let history = hub.store.chat_history(channel, HISTORY as u32).await?;
        let room = Arc::new(Room::new(&c, history, hub.store.clone(), hub.config.chat_rate));
        Ok(Some(self.rooms.lock().entry(channel).or_insert(room).clone()))
    }

    fn new_authkey(&self, user: u32, channel: u32, ttl: Duration) -> String {
        let key = new_secret();
        let now = Instant::now();
        let mut keys = self.authkeys.lock();
        keys.retain(|_, k| k.expires > now);
        // A user asking again and again keeps only their newest few.
        let mine: Vec<([u8; 32], Instant)> =
            keys.iter().filter(|(_, k)| k.user == user).map(|(h, k)| (*h, k.expires)).collect();
        if mine.len() >= AUTHKEYS_PER_USER {
            if let Some((oldest, _)) = mine.iter().min_by_key(|(_, expires)| *expires) {
                keys.remove(oldest);
            }
        }
        keys.insert(TokenHash::of(&key).0, AuthKey { user, channel, expires: now + ttl });
        key
    }

    /// Uses an authkey up: true when it was issued to `user` for `channel` and is still fresh.
    fn redeem(&self, key: &str, user: u32, channel: u32) -> bool {
        let hash = TokenHash::of(key).0;
        let mut keys = self.authkeys.lock();
        match keys.get(&hash) {
            Some(k) if k.user == user && k.channel == channel => {
                let fresh = k.expires > Instant::now();
                keys.remove(&hash);
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

fn send(out: Outgoing) {
    for (peer, text) in out.0 {
        peer.send_text(text);
    }
}
