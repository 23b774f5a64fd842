//! The chat's requests: each returns a request id at once, answered later by a REPLY event.

use std::os::raw::c_char;

use serde_json::{json, Value};

use super::{mixplay_chat, request};
use crate::ffi::args::{arg_json, arg_str, json_strings};
use crate::ffi::result::{mixplay_result, Fail};

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
