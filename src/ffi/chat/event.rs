//! The event struct `mixplay_chat_poll` fills, and the conversion from the chat's events.

use serde_json::Value;

use crate::chat::ChatEvent;
use crate::ffi::connection::mixplay_connection_state;
use crate::ffi::str::{mixplay_str, Arena};
use crate::ffi::tokens::mixplay_tokens;

/// What a chat event is about; see `mixplay_chat_event` for the fields each kind sets.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mixplay_chat_event_kind {
    /// No event (the struct was not filled).
    None = 0,
    /// The connection changed: `connection_state` (a `mixplay_connection_state`), `text` (why,
    /// on a loss or a stop).
    Connection = 1,
    /// `auth` succeeded after a (re)connection: `flag` (signed in; false when anonymous),
    /// `user_id` (0 when anonymous), `roles` (a JSON array such as `["Owner","User"]`),
    /// `channel_id` (the channel joined: the user's own when the chat was made with channel 0),
    /// `permissions` (what the chat details say the user may do, a JSON array such as
    /// `["chat","whisper","poll_vote"]`; `[]` when anonymous).
    Joined = 2,
    /// A chat message: `message_id`, `user_id`, `user_name`, `roles`, `text` (the parts' text
    /// joined), `whisper` (+ `target`), `action` (`/me`), and `json` (the whole message data,
    /// with its parts: text, emoticon, link, tag).
    Message = 3,
    /// Any other service event: `text` is its name (`UserJoin`, `UserLeave`, `UserUpdate`,
    /// `UserTimeout`, `PollStart`, `PollEnd`, `DeleteMessage`, `PurgeMessage`, `ClearMessages`,
    /// …), `json` its data.
    Event = 4,
    /// The answer to request `request_id`: `flag` true with the reply data in `json`, or `flag`
    /// false with `text` (the service's error, e.g. `UACCESS`, or the library's) and `code` (0
    /// for a service error; 1 timed out, 2 not connected, 3 connection lost).
    Reply = 5,
    /// Automatic refresh (a `settings` config with `mixplay_config_set_token_refresh`, or
    /// `mixplay_chat_set_token_refresh`): `flag` true with the new tokens in `tokens` (store
    /// them), or `flag` false with `text` saying why the refresh token was refused (refreshing
    /// has stopped: sign in again). As `MIXPLAY_EVENT_KIND_TOKENS` of a session.
    Tokens = 6,
}

/// One event from `mixplay_chat_poll`. Which fields are set depends on `kind` (see
/// `mixplay_chat_event_kind`); the others are zero or empty strings.
///
/// **Lifetime**: every string in the event stays valid until the next poll on the same chat or
/// its `mixplay_chat_free`. Copy what you keep longer.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mixplay_chat_event {
    /// A `mixplay_chat_event_kind` value.
    pub kind: u32,
    /// A `mixplay_connection_state` value (CONNECTION events).
    pub connection_state: u32,
    /// The request this answers (REPLY events); 0 otherwise.
    pub request_id: u64,
    /// REPLY errors: 0 for the service's error, else the library's code (1, 2, 3).
    pub code: u32,
    /// The sender's (MESSAGE) or the signed-in user's (JOINED) id; 0 when none.
    pub user_id: u32,
    /// REPLY: success. JOINED: signed in (not anonymous).
    pub flag: bool,
    /// MESSAGE: a whisper to `target`.
    pub whisper: bool,
    /// MESSAGE: a `/me` action.
    pub action: bool,
    /// MESSAGE: the sender's name.
    pub user_name: mixplay_str,
    /// MESSAGE: the message's id (for `mixplay_chat_delete_message`).
    pub message_id: mixplay_str,
    /// MESSAGE: the text. EVENT: the event's name. REPLY: the error. CONNECTION: why.
    pub text: mixplay_str,
    /// MESSAGE: the whisper's recipient.
    pub target: mixplay_str,
    /// MESSAGE, JOINED: the roles as a JSON array.
    pub roles: mixplay_str,
    /// MESSAGE: the message data. EVENT: the event data. REPLY: the reply data.
    pub json: mixplay_str,
    /// JOINED: the channel joined.
    pub channel_id: u32,
    /// JOINED: the user's permissions as a JSON array.
    pub permissions: mixplay_str,
    /// TOKENS: the new tokens (secrets: keep them out of logs).
    pub tokens: mixplay_tokens,
}

impl mixplay_chat_event {
    pub(super) fn empty() -> mixplay_chat_event {
        let e = mixplay_str::empty();
        mixplay_chat_event {
            kind: mixplay_chat_event_kind::None as u32,
            connection_state: 0,
            request_id: 0,
            code: 0,
            user_id: 0,
            flag: false,
            whisper: false,
            action: false,
            user_name: e,
            message_id: e,
            text: e,
            target: e,
            roles: e,
            json: e,
            channel_id: 0,
            permissions: e,
            tokens: mixplay_tokens::empty(),
        }
    }
}

/// A list of names as a JSON array.
fn names_json(names: &[String]) -> String {
    Value::from(names.to_vec()).to_string()
}

pub(super) fn convert(event: &ChatEvent, arena: &mut Arena) -> mixplay_chat_event {
    let mut out = mixplay_chat_event::empty();
    use mixplay_chat_event_kind as K;
    let kind = match event {
        ChatEvent::Connection { state, message } => {
            out.connection_state = mixplay_connection_state::from(*state) as u32;
            out.text = arena.put(message);
            K::Connection
        }
        ChatEvent::Joined { authenticated, user_id, roles, channel_id, permissions } => {
            out.flag = *authenticated;
            out.user_id = *user_id;
            out.roles = arena.put(&names_json(roles));
            out.channel_id = *channel_id;
            out.permissions = arena.put(&names_json(permissions));
            K::Joined
        }
        ChatEvent::Message(m) => {
            out.user_id = m.user_id;
            out.user_name = arena.put(&m.user_name);
            out.message_id = arena.put(&m.id);
            out.text = arena.put(&m.text);
            out.whisper = m.whisper;
            out.action = m.action;
            if let Some(t) = &m.target {
                out.target = arena.put(t);
            }
            out.roles = arena.put(&names_json(&m.roles));
            out.json = arena.put(&m.raw);
            K::Message
        }
        ChatEvent::Event { name, data } => {
            out.text = arena.put(name);
            out.json = arena.put(data);
            K::Event
        }
        ChatEvent::Reply(r) => {
            out.request_id = r.request_id;
            match &r.result {
                Ok(json) => {
                    out.flag = true;
                    out.json = arena.put(json);
                }
                Err(e) => {
                    out.code = e.code;
                    out.text = arena.put(&e.message);
                }
            }
            K::Reply
        }
        ChatEvent::Tokens(result) => {
            match result {
                Ok(tokens) => {
                    out.flag = true;
                    out.tokens = mixplay_tokens::put(tokens, arena);
                }
                Err(why) => out.text = arena.put(why),
            }
            K::Tokens
        }
    };
    out.kind = kind as u32;
    out
}
