//! The chat socket's methods: one function each, found through one table that also says who may
//! call them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde_json::{json, Value};

use super::events::EVENTS;
use super::socket::Conn;
use super::text::{check_text, message_data, parse_duration, tagged_names};
use super::{event_text, permissions, send, Chatter, Member, Outgoing, Poll, Room, HISTORY};
use crate::protocol::echo::{clipped, quoted};
use crate::server::accounts::guard::Target;
use crate::server::hub::Hub;
use crate::server::live::session::now_ms;
use crate::server::store::StoreError;

/// The error for a call the connection's user may not make.
pub const UACCESS: &str = "UACCESS";

/// Who may call a method.
#[derive(Clone, Copy, PartialEq)]
enum Access {
    /// Any socket, before or after `auth`.
    Anyone,
    /// A socket in a room, signed in or not.
    InRoom,
    /// A signed-in, unbanned user in a room.
    User,
    /// The room's owner or one of its mods.
    Mod,
}

/// One method call: who calls, with what, and where its broadcasts go.
pub struct Call<'a> {
    pub hub: &'a Arc<Hub>,
    pub conn: &'a mut Conn,
    pub args: &'a [Value],
    pub out: &'a mut Outgoing,
}

/// A method call that passed its access check: the room and user it needed.
struct Checked<'a> {
    call: Call<'a>,
    room: Option<Arc<Room>>,
    me: Option<Chatter>,
}

type Handler = for<'a> fn(Checked<'a>) -> BoxFuture<'a, Result<Value, String>>;

/// Every method, with who may call it.
const METHODS: &[(&str, Access, Handler)] = &[
    ("ping", Access::Anyone, |_| Box::pin(async { Ok(Value::Null) })),
    ("auth", Access::Anyone, |c| Box::pin(auth(c.call))),
    ("optOutEvents", Access::InRoom, |c| Box::pin(async move { opt_out_events(c.call) })),
    ("history", Access::InRoom, |c| Box::pin(async move { history(c) })),
    ("msg", Access::User, |c| Box::pin(msg(c))),
    ("whisper", Access::User, |c| Box::pin(whisper(c))),
    ("vote:choose", Access::User, |c| Box::pin(async move { vote_choose(c) })),
    ("timeout", Access::Mod, |c| Box::pin(async move { timeout(c) })),
    ("purge", Access::Mod, |c| Box::pin(purge(c))),
    ("deleteMessage", Access::Mod, |c| Box::pin(async move { delete_message(c) })),
    ("clearMessages", Access::Mod, |c| Box::pin(async move { clear_messages(c) })),
    ("vote:start", Access::Mod, |c| Box::pin(async move { vote_start(c) })),
];

/// Runs `method`: looks it up, checks who may call it, and calls it.
pub async fn call(method: &str, call: Call<'_>) -> Result<Value, String> {
    let Some((_, access, handler)) = METHODS.iter().find(|(name, _, _)| *name == method) else {
        return Err(format!("unknown method {}", quoted(method)));
    };
    if *access == Access::Anyone {
        return handler(Checked { call, room: None, me: None }).await;
    }
    let Some(room) = call.conn.room.clone() else {
        return Err("not in a chat yet: call auth first".into());
    };
    let me = call.conn.user.clone();
    if *access != Access::InRoom {
        let Some(user) = &me else { return Err(UACCESS.into()) };
        let st = room.state.lock();
        if st.banned.contains(&user.id) || (*access == Access::Mod && !st.is_mod(room.owner, user.id)) {
            return Err(UACCESS.into());
        }
    }
    handler(Checked { call, room: Some(room), me }).await
}

impl Checked<'_> {
    fn room(&self) -> Arc<Room> {
        self.room.clone().expect("the access check found the room")
    }

    fn me(&self) -> Chatter {
        self.me.clone().expect("the access check found the user")
    }

    fn arg_str(&self, i: usize, what: &str) -> Result<&str, String> {
        arg_str(self.call.args, i, what)
    }
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

/// At most this many `@name` tags of a message are looked up.
const MAX_TAGS: usize = 10;

/// The known users a message tags, for its `tag` parts.
async fn tagged_users(hub: &Hub, text: &str) -> Result<Vec<Chatter>, String> {
    let names: Vec<String> = tagged_names(text).into_iter().take(MAX_TAGS).map(str::to_owned).collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let users = hub.store.users_by_name(names).await.map_err(unavailable)?;
    Ok(users.iter().map(Chatter::of).collect())
}

/// A store failure, as the caller sees it (the details go to the log).
fn unavailable(e: StoreError) -> String {
    eprintln!("mixplay-server: chat: {e}");
    "the chat cannot reach its store right now; try again".into()
}

/// `auth [channelId, userId, authkey]`, or `[channelId]` for an anonymous reader.
async fn auth(c: Call<'_>) -> Result<Value, String> {
    let (hub, conn, args, out) = (c.hub, c.conn, c.args, c.out);
    let channel = arg_u32(args.first()).ok_or("UNOTFOUND")?;
    let room = hub.chat.room(hub, channel).await.map_err(unavailable)?.ok_or("UNOTFOUND")?;
    let user = match args.get(1).filter(|v| !v.is_null()) {
        None => None,
        Some(u) => {
            let id = arg_u32(Some(u)).ok_or("UNOTFOUND")?;
            let key = args.get(2).and_then(Value::as_str).ok_or("UNOTFOUND")?;
            // Authkeys are guessed at the address and at the user they name.
            let target = Some(Target::ChatUser(id));
            if let Err(t) = hub.accounts.guard.admit(conn.from, target) {
                conn.closing = Some(t.message());
                return Err(t.message());
            }
            if !hub.chat.redeem(key, id, channel) {
                hub.accounts.guard.failed(conn.from, target);
                return Err("UNOTFOUND".into());
            }
            let user = hub.store.user(id).await.map_err(unavailable)?.ok_or("UNOTFOUND")?;
            Some(Chatter::of(&user))
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
    st.members.insert(conn.id, Member { out: conn.out.clone(), user: user.clone(), opted_out: conn.opted_out });
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

/// Takes the socket out of its room (a `UserLeave` when it was the user's last connection there).
pub fn leave_into(conn: &mut Conn, out: &mut Outgoing) {
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

/// `optOutEvents [name, …]`: stops events of these names reaching this socket (for as long as it
/// is open). Only the chat's event names count, each once; the whole call is refused if one is
/// not an event.
fn opt_out_events(c: Call<'_>) -> Result<Value, String> {
    let mut set = c.conn.opted_out;
    for (i, a) in c.args.iter().enumerate() {
        let known = a.as_str().is_some_and(|name| set.insert(name));
        if !known {
            return Err(format!(
                "argument {} ({}) is not a chat event; optOutEvents takes event names: {}",
                i + 1,
                clipped(&a.to_string()),
                EVENTS.join(", ")
            ));
        }
    }
    c.conn.opted_out = set;
    if let Some(room) = &c.conn.room {
        if let Some(m) = room.state.lock().members.get_mut(&c.conn.id) {
            m.opted_out = set;
        }
    }
    Ok(json!({}))
}

/// Takes one of `me`'s chat actions (messages, whispers, votes) in `room`, or says how long to
/// wait.
fn within_rate(c: &Checked<'_>, room: &Room, me: &Chatter) -> Result<(), String> {
    room.rate.take(&me.id).map_err(|wait| {
        let rate = c.call.hub.config.chat_rate;
        format!(
            "you are chatting too fast: wait {} ms (at most {} messages, whispers or votes every {} s)",
            wait.as_millis().max(1),
            rate.burst,
            rate.per.as_secs_f64()
        )
    })
}

fn history(c: Checked<'_>) -> Result<Value, String> {
    let n = match c.call.args.first() {
        None => HISTORY as u64,
        Some(v) => v.as_u64().filter(|n| *n <= HISTORY as u64).ok_or_else(|| {
            format!("history takes a number of messages from 0 to {HISTORY}, not {}", clipped(&v.to_string()))
        })?,
    };
    let room = c.room();
    let st = room.state.lock();
    let skip = st.history.len().saturating_sub(n as usize);
    Ok(Value::Array(st.history.iter().skip(skip).cloned().collect()))
}

async fn msg(c: Checked<'_>) -> Result<Value, String> {
    let (room, me) = (c.room(), c.me());
    let text = c.arg_str(0, "the message")?;
    check_text(c.call.hub, text)?;
    within_rate(&c, &room, &me)?;
    let tags = tagged_users(c.call.hub, text).await?;
    let now = Instant::now();
    let mut st = room.state.lock();
    if let Some(until) = st.timeouts.get(&me.id).filter(|u| **u > now) {
        let secs = until.duration_since(now).as_secs_f64().ceil() as u64;
        return Err(format!("you are timed out for another {secs}s"));
    }
    if !st.is_mod(room.owner, me.id) && !st.slow.is_zero() {
        if let Some(last) = st.last_message.get(&me.id) {
            // A slow-chat setting too long to add up stands for "never again".
            let next = last.checked_add(st.slow).unwrap_or(now + Duration::from_secs(365 * 24 * 3600));
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
    let data = message_data(&room, &st, &me, text, None, &tags);
    let id = data["id"].as_str().unwrap_or_default().to_owned();
    room.persist(room.store.add_chat_message(room.channel, id, me.id, &data, HISTORY as u32));
    st.history.push_back(data.clone());
    while st.history.len() > HISTORY {
        st.history.pop_front();
    }
    st.broadcast(c.call.out, "ChatMessage", &data, |_| true);
    Ok(data)
}

async fn whisper(c: Checked<'_>) -> Result<Value, String> {
    let (room, me) = (c.room(), c.me());
    let target = c.arg_str(0, "the username to whisper to")?;
    let text = c.arg_str(1, "the message")?;
    check_text(c.call.hub, text)?;
    within_rate(&c, &room, &me)?;
    let tags = tagged_users(c.call.hub, text).await?;
    let st = room.state.lock();
    let Some(to) = st.member_by_name(target) else {
        return Err(format!("{} is not in this chat", clipped(target)));
    };
    let data = message_data(&room, &st, &me, text, Some(&to.name), &tags);
    let text = event_text("ChatMessage", &data);
    for m in st.members.values().filter(|m| m.user.as_ref().is_some_and(|u| u.id == to.id)) {
        c.call.out.0.push((m.out.clone(), text.clone()));
    }
    Ok(data)
}

fn vote_choose(c: Checked<'_>) -> Result<Value, String> {
    let (room, me) = (c.room(), c.me());
    let index = c.call.args.first().and_then(Value::as_u64).ok_or("vote:choose takes the answer's index")?;
    within_rate(&c, &room, &me)?;
    let mut st = room.state.lock();
    let Some(poll) = st.poll.as_mut() else { return Err("there is no poll running".into()) };
    let index = usize::try_from(index)
        .ok()
        .filter(|i| *i < poll.answers.len())
        .ok_or_else(|| format!("the poll has {} answers; {index} is not one of them", poll.answers.len()))?;
    poll.votes.insert(me.id, index);
    let data = poll.data(room.channel);
    st.broadcast(c.call.out, "PollStart", &data, |_| true);
    Ok(json!(true))
}

fn timeout(c: Checked<'_>) -> Result<Value, String> {
    let (room, me) = (c.room(), c.me());
    let name = c.arg_str(0, "the username")?;
    let spec = c.call.args.get(1).map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()));
    let spec = spec.ok_or("timeout takes a username and a duration")?;
    let duration = parse_duration(&spec, c.call.hub.config.chat_max_timeout)?;
    let mut st = room.state.lock();
    let Some(target) = st.member_by_name(name) else { return Err(format!("{} is not in this chat", clipped(name))) };
    if st.is_mod(room.owner, target.id) {
        return Err(format!("{} is a moderator and cannot be timed out", target.name));
    }
    let moderator = room.user_json(&st, &me);
    let Some(duration) = duration else {
        st.timeouts.remove(&target.id);
        return Ok(json!(format!("{}'s timeout has been cleared.", target.name)));
    };
    let until =
        Instant::now().checked_add(duration).ok_or_else(|| format!("{} is too long a timeout", quoted(&spec)))?;
    st.timeouts.insert(target.id, until);
    room.purge(&mut st, target.id);
    let data = json!({
        "moderator": moderator,
        "user_id": target.id,
        "cause": { "type": "timeout", "durationString": spec },
    });
    st.broadcast(c.call.out, "PurgeMessage", &data, |_| true);
    let data = json!({ "user": room.user_json(&st, &target), "duration": duration.as_millis() as u64 });
    st.broadcast(c.call.out, "UserTimeout", &data, |m| m.user.as_ref().is_some_and(|u| u.id == target.id));
    Ok(json!(format!("{} has been timed out for {spec}.", target.name)))
}

async fn purge(c: Checked<'_>) -> Result<Value, String> {
    let (room, me) = (c.room(), c.me());
    let name = c.arg_str(0, "the username")?;
    let target = c.call.hub.store.user_by_name(name).await.map_err(unavailable)?;
    let target = target.ok_or_else(|| format!("there is no user named {}", clipped(name)))?;
    let mut st = room.state.lock();
    room.purge(&mut st, target.id);
    let data = json!({ "moderator": room.user_json(&st, &me), "user_id": target.id });
    st.broadcast(c.call.out, "PurgeMessage", &data, |_| true);
    Ok(Value::Null)
}

fn delete_message(c: Checked<'_>) -> Result<Value, String> {
    let (room, me) = (c.room(), c.me());
    let id = c.arg_str(0, "the message id")?;
    let mut st = room.state.lock();
    let before = st.history.len();
    st.history.retain(|m| m["id"] != json!(id));
    if st.history.len() == before {
        return Err(format!("there is no message {} in this chat", clipped(id)));
    }
    room.persist(room.store.delete_chat_message(room.channel, id.to_owned()));
    let data = json!({ "moderator": room.user_json(&st, &me), "id": id });
    st.broadcast(c.call.out, "DeleteMessage", &data, |_| true);
    Ok(json!("Message deleted."))
}

fn clear_messages(c: Checked<'_>) -> Result<Value, String> {
    let (room, me) = (c.room(), c.me());
    let mut st = room.state.lock();
    st.history.clear();
    room.persist(room.store.clear_chat_messages(room.channel));
    let data = json!({ "clearer": room.user_json(&st, &me) });
    st.broadcast(c.call.out, "ClearMessages", &data, |_| true);
    Ok(json!("Messages cleared."))
}

fn vote_start(c: Checked<'_>) -> Result<Value, String> {
    let (room, me) = (c.room(), c.me());
    let args = c.call.args;
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
    let mut st = room.state.lock();
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
    st.broadcast(c.call.out, "PollStart", &data, |_| true);
    let room = room.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(duration_ms as u64)).await;
        end_poll(&room, serial);
    });
    Ok(json!("Poll started."))
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
