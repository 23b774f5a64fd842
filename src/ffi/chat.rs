//! `mixplay_chat`: one channel's chat, its poll and its requests.

use std::os::raw::c_char;

use serde_json::{json, Value};

use super::args::{arg_json, arg_opt_str, arg_str, json_strings, write_out};
use super::cell::{self, HandleType};
use super::config::{self as config_handle, mixplay_config};
use super::connection::mixplay_connection_state;
use super::handle::Kind;
use super::log::deliver_logs;
use super::result::{boundary, mixplay_result, Fail, FfiResult};
use super::str::{mixplay_str, Arena};
use crate::chat::{Chat, ChatConfig, ChatError, ChatEvent};

/// A channel's chat. Make it with `mixplay_chat_new`, call `mixplay_chat_poll` once a frame, and
/// free it with `mixplay_chat_free`.
///
/// **Connecting**: the library asks the service's REST API for the chat's details (an `authkey`
/// when signed in, the chat endpoints), opens the first endpoint that works, sends the app's
/// `Client-ID`, and calls `auth`; a lost connection is re-established with backoff. Progress
/// arrives through poll as `CONNECTION` events, and a `JOINED` event after every successful
/// `auth`.
///
/// **Requests**: every call that needs the service returns at once with `MIXPLAY_RESULT_OK` and
/// writes a request id; the answer arrives later through poll as a `MIXPLAY_CHAT_EVENT_KIND_REPLY`
/// event carrying that id. Requests made while the chat is not connected are answered with a
/// reply whose `code` is 2 (not connected).
///
/// **Threads**: any thread may call any function, but `poll` must not run on one chat from two
/// threads at once (the second gets `MIXPLAY_RESULT_BUSY`). The library never calls into the
/// game from its own threads.
pub struct mixplay_chat {
    _private: [u8; 0],
}

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
    /// `user_id` (0 when anonymous), `roles` (a JSON array such as `["Owner","User"]`).
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
}

impl mixplay_chat_event {
    fn empty() -> mixplay_chat_event {
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
        }
    }
}

fn roles_json(roles: &[String]) -> String {
    Value::from(roles.to_vec()).to_string()
}

fn convert(event: &ChatEvent, arena: &mut Arena) -> mixplay_chat_event {
    let mut out = mixplay_chat_event::empty();
    use mixplay_chat_event_kind as K;
    let kind = match event {
        ChatEvent::Connection { state, message } => {
            out.connection_state = mixplay_connection_state::from(*state) as u32;
            out.text = arena.put(message);
            K::Connection
        }
        ChatEvent::Joined { authenticated, user_id, roles } => {
            out.flag = *authenticated;
            out.user_id = *user_id;
            out.roles = arena.put(&roles_json(roles));
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
            out.roles = arena.put(&roles_json(&m.roles));
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
    };
    out.kind = kind as u32;
    out
}

impl HandleType for mixplay_chat {
    type Value = Inner;
    const KIND: Kind = Kind::Chat;
    const ARG: &'static str = "chat";
    const NOUN: &'static str = "chat";
}

/// What a chat handle holds.
pub(crate) struct Inner {
    chat: Chat,
    /// The strings of the last poll.
    arena: Arena,
}

fn with_inner(chat: *const mixplay_chat, f: impl FnOnce(&mut Inner) -> FfiResult<()>) -> mixplay_result {
    cell::with(chat, f)
}

fn chat_error(e: ChatError) -> Fail {
    let code = match &e {
        ChatError::QueueFull => mixplay_result::QueueFull,
        ChatError::Closed => mixplay_result::Closed,
        ChatError::InvalidArgument(_) => mixplay_result::InvalidArgument,
    };
    Fail::new(code, e.to_string())
}

/// Runs a request and writes its id.
fn request(
    chat: *mut mixplay_chat,
    out_request_id: *mut u64,
    f: impl FnOnce(&mut Chat) -> FfiResult<Result<u64, ChatError>>,
) -> mixplay_result {
    with_inner(chat, |inner| {
        if out_request_id.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_request_id is NULL"));
        }
        let id = f(&mut inner.chat)?.map_err(chat_error)?;
        // SAFETY: checked for NULL above; the caller provides a writable u64.
        unsafe { out_request_id.write(id) };
        Ok(())
    })
}

/// Makes a chat for channel `channel_id` and starts connecting in the background.
///
/// - `base_url`: the service, e.g. `https://mixer.com` or `http://127.0.0.1:8080` (its REST API
///   is under `/api/v1`).
/// - `token`: the user's OAuth access token (from `mixplay_auth`, or a mediator world token), or
///   NULL to read the chat anonymously (sending is then refused with `UACCESS`).
/// - `client_id`: the OAuth app's client id (sent as `Client-ID`), or NULL.
/// - `settings`: NULL for the defaults, or a config whose TLS roots, reconnect policy, connect
///   timeout and request timeout are copied (its endpoints, token and version are not used).
///
/// The token is copied and never logged. The first chat, session or sign-in starts the
/// library's network threads; freeing the last one stops them.
///
/// **Ownership**: `*out_chat` is yours; free it with `mixplay_chat_free`.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (empty base URL, channel 0),
/// `INVALID_HANDLE` (settings), `RUNTIME_FAILED`.
///
/// # Safety
/// Strings must be NULL (where allowed) or NUL-terminated; `out_chat` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_new(
    base_url: *const c_char,
    channel_id: u32,
    token: *const c_char,
    client_id: *const c_char,
    settings: *const mixplay_config,
    out_chat: *mut *mut mixplay_chat,
) -> mixplay_result {
    boundary(|| {
        if out_chat.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_chat is NULL"));
        }
        // SAFETY: forwarded from the caller.
        let (base_url, token, client_id) = unsafe {
            (arg_str(base_url, "base_url")?, arg_opt_str(token, "token")?, arg_opt_str(client_id, "client_id")?)
        };
        if base_url.trim().is_empty() {
            return Err(Fail::new(mixplay_result::InvalidArgument, "base_url is empty"));
        }
        if channel_id == 0 {
            return Err(Fail::new(mixplay_result::InvalidArgument, "channel_id must not be 0"));
        }
        let mut config = ChatConfig::new(base_url, channel_id, token.filter(|t| !t.is_empty()).map(str::to_owned));
        config.client_id = client_id.filter(|c| !c.is_empty()).map(str::to_owned);
        if !settings.is_null() {
            let s = config_handle::settings(settings)?;
            config.tls = s.tls;
            config.reconnect = s.reconnect;
            config.connect_timeout = s.connect_timeout;
            config.request_timeout = s.request_timeout;
        }
        let chat = Chat::connect(config)
            .map_err(|e| Fail::new(mixplay_result::RuntimeFailed, format!("cannot start the network runtime: {e}")))?;
        let handle = cell::insert(Inner { chat, arena: Arena::default() })?;
        // SAFETY: checked for NULL above.
        unsafe { out_chat.write(handle) };
        Ok(())
    })
}

/// Closes the connection and frees the chat. NULL is a no-op. Strings from this chat become
/// invalid. Freeing the last chat, session or sign-in stops the library's network threads.
///
/// **Errors**: `INVALID_HANDLE` (already freed, or not a chat).
#[no_mangle]
pub extern "C" fn mixplay_chat_free(chat: *mut mixplay_chat) -> mixplay_result {
    cell::free(chat)
}

/// Hands out the next chat event. Writes it to `*out_event` and sets `*out_has_event` (false
/// when there is none). Log records are delivered to the log sink from inside this call.
///
/// **Lifetime**: strings in the event stay valid until the next poll on this chat.
/// **Threads**: must not run concurrently with another poll on the same chat (`BUSY`).
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `BUSY`, `PANIC`.
///
/// # Safety
/// `out_event` and `out_has_event` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_poll(
    chat: *mut mixplay_chat,
    out_event: *mut mixplay_chat_event,
    out_has_event: *mut bool,
) -> mixplay_result {
    boundary(|| {
        if out_event.is_null() || out_has_event.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_event or out_has_event is NULL"));
        }
        let cell = cell::cell_of(chat)?;
        let _busy = cell.begin_poll()?;
        let event = cell.with(|inner| {
            let Inner { chat, arena } = inner;
            arena.clear();
            Ok(chat.poll().map(|e| convert(&e, arena)))
        })?;
        // SAFETY: both checked for NULL above.
        unsafe {
            out_has_event.write(event.is_some());
            out_event.write(event.unwrap_or_else(mixplay_chat_event::empty));
        }
        deliver_logs();
        Ok(())
    })
}

/// Writes the connection state as of the events polled so far (a `mixplay_connection_state`).
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_state` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_connection_state(
    chat: *const mixplay_chat,
    out_state: *mut u32,
) -> mixplay_result {
    with_inner(chat, |inner| {
        // SAFETY: forwarded from the caller.
        unsafe {
            write_out(out_state, mixplay_connection_state::from(inner.chat.connection_state()) as u32, "out_state")
        }
    })
}

/// Calls any chat method with `args_json`, a JSON array of its positional arguments (`auth` is
/// made by the library and refused here). For methods this API does not wrap.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON` (not an array),
/// `INVALID_ARGUMENT` (empty method, or `auth`), `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_call(
    chat: *mut mixplay_chat,
    method: *const c_char,
    args_json: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(chat, out_request_id, |c| {
        // SAFETY: forwarded from the caller.
        let (method, args) = unsafe { (arg_str(method, "method")?, arg_json(args_json, "args_json")?) };
        let Value::Array(args) = args else {
            return Err(Fail::new(mixplay_result::InvalidJson, "args_json must be a JSON array"));
        };
        Ok(c.call(method, args))
    })
}

/// Sends `text` to the channel's chat (`/me text` sends an action). The reply's data is the
/// message; everyone in the chat, the sender included, also gets it as a MESSAGE event.
/// Refusals arrive as the reply's error: `UACCESS` (anonymous or banned), a too-long or empty
/// message, slow chat, or a timeout.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `text` must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_send(
    chat: *mut mixplay_chat,
    text: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(chat, out_request_id, |c| {
        // SAFETY: forwarded from the caller.
        let text = unsafe { arg_str(text, "text") }?;
        Ok(c.send_message(text))
    })
}

/// Whispers `text` to `username`, who must be in the chat; only they get it as an event.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_whisper(
    chat: *mut mixplay_chat,
    username: *const c_char,
    text: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(chat, out_request_id, |c| {
        // SAFETY: forwarded from the caller.
        let (user, text) = unsafe { (arg_str(username, "username")?, arg_str(text, "text")?) };
        Ok(c.whisper(user, text))
    })
}

/// Times `username` out for `duration` (`30s`, `1m15s`, `2h`, bare seconds) or clears their
/// timeout (`clear`); moderators only. Their messages are purged (a `PurgeMessage` event).
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_timeout(
    chat: *mut mixplay_chat,
    username: *const c_char,
    duration: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(chat, out_request_id, |c| {
        // SAFETY: forwarded from the caller.
        let (user, duration) = unsafe { (arg_str(username, "username")?, arg_str(duration, "duration")?) };
        Ok(c.timeout(user, duration))
    })
}

/// Removes every message of `username` (a `PurgeMessage` event); moderators only.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `username` must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_purge(
    chat: *mut mixplay_chat,
    username: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(chat, out_request_id, |c| {
        // SAFETY: forwarded from the caller.
        let user = unsafe { arg_str(username, "username") }?;
        Ok(c.purge(user))
    })
}

/// Deletes one message by id (a `DeleteMessage` event); moderators only.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `message_id` must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_delete_message(
    chat: *mut mixplay_chat,
    message_id: *const c_char,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(chat, out_request_id, |c| {
        // SAFETY: forwarded from the caller.
        let id = unsafe { arg_str(message_id, "message_id") }?;
        Ok(c.delete_message(id))
    })
}

/// Clears the chat (a `ClearMessages` event); moderators only.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `out_request_id` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_clear_messages(
    chat: *mut mixplay_chat,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(chat, out_request_id, |c| Ok(c.clear_messages()))
}

/// Asks for the last `count` messages (at most 100); the reply's `json` is an array of message
/// data, oldest first.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `out_request_id` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_history(
    chat: *mut mixplay_chat,
    count: u32,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(chat, out_request_id, |c| Ok(c.history(count)))
}

/// Starts a poll: `answers_json` is a JSON array of at least two answer strings; it lasts
/// `seconds`. Everyone gets `PollStart` events (again as votes arrive) and a `PollEnd`;
/// moderators only.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_JSON` (not an array of strings),
/// `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// Strings must be NUL-terminated; `out_request_id` writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_start_poll(
    chat: *mut mixplay_chat,
    question: *const c_char,
    answers_json: *const c_char,
    seconds: u32,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(chat, out_request_id, |c| {
        // SAFETY: forwarded from the caller.
        let (question, answers) = unsafe { (arg_str(question, "question")?, arg_json(answers_json, "answers_json")?) };
        json_strings(&answers, "answers_json")?;
        Ok(c.call("vote:start", vec![json!(question), answers, json!(seconds)]))
    })
}

/// Votes for answer `index` (0-based) of the running poll.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `QUEUE_FULL`, `CLOSED`.
///
/// # Safety
/// `out_request_id` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_vote(
    chat: *mut mixplay_chat,
    index: u32,
    out_request_id: *mut u64,
) -> mixplay_result {
    request(chat, out_request_id, |c| Ok(c.vote(index)))
}
