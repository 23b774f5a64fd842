//! `mixplay_chat`: one channel's chat. This file holds the handle, its making and freeing, its
//! poll, its state and its token; beside it are `event` (the event struct poll fills) and
//! `requests` (the calls that send).

mod event;
mod requests;

pub use event::{mixplay_chat_event, mixplay_chat_event_kind};
pub use requests::*;

use std::os::raw::c_char;

use super::args::{arg_opt_str, arg_str, write_out};
use super::cell::{self, HandleType};
use super::config::{self as config_handle, mixplay_config};
use super::connection::mixplay_connection_state;
use super::handle::Kind;
use super::log::deliver_logs;
use super::result::{boundary, mixplay_result, Fail, FfiResult};
use super::str::Arena;
use super::tokens::refresh_args;
use crate::chat::{Chat, ChatConfig, ChatError};
use event::convert;

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

/// Makes a chat for channel `channel_id` (0: the signed-in user's own channel, found with
/// `GET /api/v1/users/current` at the first connection; needs a token; the chat stays there when its
/// token is swapped) and starts connecting in the background.
///
/// - `base_url`: the service, e.g. `https://mixer.com` or `http://127.0.0.1:8080` (its REST API
///   is under `/api/v1`).
/// - `token`: the user's OAuth access token (from `mixplay_auth`, or a mediator world token), or
///   NULL to read the chat anonymously (sending is then refused with `UACCESS`).
/// - `client_id`: the OAuth app's client id (sent as `Client-ID`), or NULL.
/// - `settings`: NULL for the defaults, or a config whose TLS roots, reconnect policy, connect
///   timeout, request timeout and token refresh (`mixplay_config_set_token_refresh`, with the
///   refresh token that came with `token`) are copied (its endpoints, token and version are not
///   used).
///
/// The token is copied and never logged. The first chat, session or sign-in starts the
/// library's network threads; freeing the last one stops them.
///
/// **Ownership**: `*out_chat` is yours; free it with `mixplay_chat_free`.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (empty base URL, channel 0
/// without a token), `INVALID_HANDLE` (settings), `RUNTIME_FAILED`.
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
        let token = token.filter(|t| !t.is_empty());
        if channel_id == 0 && token.is_none() {
            return Err(Fail::new(
                mixplay_result::InvalidArgument,
                "channel_id 0 (the signed-in user's own channel) needs a token",
            ));
        }
        let mut config = ChatConfig::new(base_url, channel_id, token.map(str::to_owned));
        config.client_id = client_id.filter(|c| !c.is_empty()).map(str::to_owned);
        if !settings.is_null() {
            let s = config_handle::settings(settings)?;
            config.tls = s.tls;
            config.reconnect = s.reconnect;
            config.connect_timeout = s.connect_timeout;
            config.request_timeout = s.request_timeout;
            config.refresh = s.refresh;
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

/// Joins with `token` (an OAuth access token, copied, never logged) from the next reconnection
/// on; the connection up now is kept (an anonymous chat signs in at its next connection). With
/// automatic refresh on, the next refresh replaces it again.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (empty), `INVALID_HANDLE`.
///
/// # Safety
/// `token` must be NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_set_token(chat: *mut mixplay_chat, token: *const c_char) -> mixplay_result {
    with_inner(chat, |inner| {
        // SAFETY: forwarded from the caller.
        let token = unsafe { arg_str(token, "token") }?;
        inner.chat.set_token(token).map_err(chat_error)
    })
}

/// Turns automatic token refresh on for a running chat (replacing what its settings or an
/// earlier call set), or off with a NULL `refresh_token`; as
/// `mixplay_session_set_token_refresh` (set the access token first with
/// `mixplay_chat_set_token`). A chat and a session given the same refresh token share one
/// refresh.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (an empty string, or an
/// anonymous chat), `INVALID_HANDLE`.
///
/// # Safety
/// The strings must be NULL (where allowed) or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mixplay_chat_set_token_refresh(
    chat: *mut mixplay_chat,
    base_url: *const c_char,
    client_id: *const c_char,
    refresh_token: *const c_char,
    expires_in: u64,
    granted_at: i64,
) -> mixplay_result {
    with_inner(chat, |inner| {
        // SAFETY: forwarded from the caller.
        let refresh = unsafe { refresh_args(base_url, client_id, refresh_token, expires_in, granted_at) }?;
        inner.chat.set_token_refresh(refresh).map_err(chat_error)
    })
}
