//! `mixplay_session`: a game-client session. This file holds the handle, its making and freeing,
//! its poll and its connection state; the rest of its C API sits beside it by theme:
//! `requests` (the calls that send), `files` (uploading and deleting files), `properties` (control property setters and getters),
//! `cache` (scene, control, group and participant look-ups), `frame` (the per-frame input
//! helpers), and `event` (the event struct poll fills).

mod cache;
mod event;
mod files;
mod frame;
mod properties;
mod requests;

pub use cache::*;
pub use event::{mixplay_error_kind, mixplay_event, mixplay_event_kind, mixplay_input_kind};
pub use files::*;
pub use frame::*;
pub use properties::*;
pub use requests::*;

use std::mem::MaybeUninit;
use std::os::raw::c_char;

use super::args::{arg_str, write_out};
use super::cell::{self, HandleType};
use super::config::{self as config_handle, mixplay_config};
use super::connection::mixplay_connection_state;
use super::handle::{self, Kind};
use super::log::deliver_logs;
use super::result::{boundary, mixplay_result, Fail, FfiResult};
use super::str::Arena;
use super::tokens::refresh_args;
use crate::client::{Session, SessionError};
use crate::log;
use event::convert;

/// A game-client session. Make it with `mixplay_session_new`, call `mixplay_session_poll` once a
/// frame, and free it with `mixplay_session_free`.
///
/// **Requests**: every call that needs the service returns at once with `MIXPLAY_RESULT_OK` and
/// writes a request id; the answer arrives later through poll as a `MIXPLAY_EVENT_KIND_REPLY`
/// event carrying that id. Requests made while the session is not connected are answered with a
/// reply whose `code` is 2 (not connected).
///
/// **Threads**: any thread may call any function, but `poll` must not run on one session from two
/// threads at once: a poll that finds another one running gets `MIXPLAY_RESULT_BUSY` (one that
/// comes in the very instant the other starts may wait for it instead and run after it; two
/// polls never overlap). The library never calls into the game from its own threads.
///
/// **Strings** returned by lookups and events stay valid until the next poll on the session.
pub struct mixplay_session {
    _private: [u8; 0],
}

impl HandleType for mixplay_session {
    type Value = Inner;
    const KIND: Kind = Kind::Session;
    const ARG: &'static str = "session";
    const NOUN: &'static str = "session";
}

/// What a session handle holds.
pub(crate) struct Inner {
    session: Session,
    /// The strings handed out since the last poll.
    arena: Arena,
}

/// Runs `f` on the session's inner state (see `cell::with`).
fn with_inner(session: *const mixplay_session, f: impl FnOnce(&mut Inner) -> FfiResult<()>) -> mixplay_result {
    cell::with(session, f)
}

/// For `benches/` only, and not in the header: how many inputs wait to be polled (`None` for a
/// handle that is not a live session).
#[doc(hidden)]
pub fn queued_inputs_for_bench(session: *const mixplay_session) -> Option<usize> {
    let mut queued = None;
    let rc = with_inner(session, |inner| {
        queued = Some(inner.session.queued_inputs());
        Ok(())
    });
    queued.filter(|_| rc == mixplay_result::Ok)
}

fn session_error(e: SessionError) -> Fail {
    let code = match &e {
        SessionError::QueueFull => mixplay_result::QueueFull,
        SessionError::Closed => mixplay_result::Closed,
        SessionError::UnknownControl(_) => mixplay_result::NotFound,
        SessionError::InvalidArgument(_) => mixplay_result::InvalidArgument,
    };
    Fail::new(code, e.to_string())
}

/// Runs a request and writes its id.
fn request(
    session: *mut mixplay_session,
    out_request_id: *mut u64,
    f: impl FnOnce(&mut Session) -> FfiResult<u64>,
) -> mixplay_result {
    with_inner(session, |inner| {
        if out_request_id.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_request_id is NULL"));
        }
        let id = f(&mut inner.session)?;
        // SAFETY: checked for NULL above; the caller provides a writable u64.
        unsafe { out_request_id.write(id) };
        Ok(())
    })
}

fn req(r: Result<u64, SessionError>) -> FfiResult<u64> {
    r.map_err(session_error)
}

/// Makes a session from `config` (copied) and starts connecting in the background. The first
/// session starts the library's network threads; freeing the last one stops them.
///
/// **Ownership**: `*out_session` is yours; free it with `mixplay_session_free`.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE` (config), `INVALID_ARGUMENT` (no token or no
/// version id in the config), `RUNTIME_FAILED`.
///
/// # Safety
/// `out_session` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_new(
    config: *const mixplay_config,
    out_session: *mut *mut mixplay_session,
) -> mixplay_result {
    boundary(|| {
        if out_session.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_session is NULL"));
        }
        let config = config_handle::settings(config)?;
        if config.token.is_empty() {
            return Err(Fail::new(
                mixplay_result::InvalidArgument,
                "the config has no token (mixplay_config_set_token)",
            ));
        }
        if config.version_id == 0 {
            return Err(Fail::new(
                mixplay_result::InvalidArgument,
                "the config has no version id (mixplay_config_set_version_id)",
            ));
        }
        let session = Session::connect(config)
            .map_err(|e| Fail::new(mixplay_result::RuntimeFailed, format!("cannot start the network runtime: {e}")))?;
        let handle = cell::insert(Inner { session, arena: Arena::default() })?;
        // SAFETY: checked for NULL above.
        unsafe { out_session.write(handle) };
        Ok(())
    })
}

/// Closes the connection and frees the session. NULL is a no-op. Freeing the last session stops
/// and joins the library's network threads. Strings from this session become invalid.
///
/// **Errors**: `INVALID_HANDLE` (already freed, or not a session).
#[no_mangle]
pub extern "C" fn mixplay_session_free(session: *mut mixplay_session) -> mixplay_result {
    // A poll running on another thread keeps its own reference; the session closes when the
    // last reference goes.
    cell::free(session)
}

fn poll_many(
    session: *mut mixplay_session,
    out: &mut [MaybeUninit<mixplay_event>],
    out_count: &mut usize,
) -> mixplay_result {
    boundary(|| {
        let token = cell::token_of(session)?;
        // The registry stays read-locked only for the session's own work (no reference count
        // traffic on the idle path); the log sink, which may free handles, runs after.
        let logs_busy = handle::with_ref::<cell::Cell<Inner>, _>(Kind::Session, token, |cell| {
            // With logs waiting, the busy flag stays set until the log sink has run, so a sink
            // that polls this session again gets BUSY; the sink may call other functions on it.
            let (count, busy) = cell.poll_with(|inner| Ok(poll_into(inner, out)), log::pending)?;
            *out_count = count;
            Ok::<_, Fail>(busy.map(|busy| busy.hold(cell.to_arc())))
        })??;
        if let Some(_busy) = logs_busy {
            deliver_logs();
        }
        Ok(())
    })
}

/// Hands out events into `out` until it is full or the queue runs dry; how many (the first
/// that many of `out` are written, the rest left as they were).
fn poll_into(inner: &mut Inner, out: &mut [MaybeUninit<mixplay_event>]) -> usize {
    let Inner { session, arena } = inner;
    arena.clear();
    let mut n = 0;
    while n < out.len() {
        match session.poll() {
            Some(event) => {
                convert(&event, arena, out[n].write(mixplay_event::empty()));
                n += 1;
            }
            None => break,
        }
    }
    n
}

/// Hands out the next event. Writes it to `*out_event` and sets `*out_has_event`; when there is
/// none, `*out_has_event` is false and the frame ends: control property writes made since the
/// last frame are sent (one `updateControls` per scene), and the next poll starts a new input
/// frame for the per-frame helpers. The state cache reflects every event handed out so far.
/// Log records are delivered to the log sink from inside this call.
///
/// **Lifetime**: strings in the event stay valid until the next poll on this session.
/// **Threads**: must not run concurrently with another poll on the same session (`BUSY`, or
/// it waits for the other in the instant that one starts).
/// Idle polls allocate nothing.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`, `BUSY`, `PANIC`.
///
/// # Safety
/// `out_event` and `out_has_event` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_poll(
    session: *mut mixplay_session,
    out_event: *mut mixplay_event,
    out_has_event: *mut bool,
) -> mixplay_result {
    if out_event.is_null() || out_has_event.is_null() {
        return boundary(|| Err(Fail::new(mixplay_result::NullArgument, "out_event or out_has_event is NULL")));
    }
    // The event is written in place (the caller's memory is left alone on failure).
    let out = std::slice::from_mut(unsafe { &mut *out_event.cast::<MaybeUninit<mixplay_event>>() });
    let mut count = 0;
    let rc = poll_many(session, out, &mut count);
    if rc == mixplay_result::Ok {
        // SAFETY: both checked for NULL above.
        unsafe {
            if count == 0 {
                out_event.write(mixplay_event::empty());
            }
            out_has_event.write(count == 1);
        }
    }
    rc
}

/// Hands out up to `capacity` events into `out_events` and writes how many to `*out_count`.
/// Fewer than `capacity` means the queue ran dry and the frame ended (as for
/// `mixplay_session_poll`). A full batch does not end the frame: a game that takes at most one
/// batch a frame calls `mixplay_session_end_frame` once a frame, or under a steady flood its frame
/// never ends (the per-frame lists of who pressed what keep growing, and control writes wait).
///
/// **Lifetime**: strings in all the events stay valid until the next poll on this session.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_ARGUMENT` (capacity 0), `INVALID_HANDLE`, `BUSY`, `PANIC`.
///
/// # Safety
/// `out_events` must point to `capacity` writable events; `out_count` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_poll_many(
    session: *mut mixplay_session,
    out_events: *mut mixplay_event,
    capacity: usize,
    out_count: *mut usize,
) -> mixplay_result {
    if out_events.is_null() || out_count.is_null() {
        return boundary(|| Err(Fail::new(mixplay_result::NullArgument, "out_events or out_count is NULL")));
    }
    if capacity == 0 {
        return boundary(|| Err(Fail::new(mixplay_result::InvalidArgument, "capacity must be at least 1")));
    }
    // SAFETY: the caller promises `capacity` writable events; only the ones handed out are
    // written (no per-call pass over the whole buffer).
    let out = unsafe { std::slice::from_raw_parts_mut(out_events.cast::<MaybeUninit<mixplay_event>>(), capacity) };
    let mut count = 0;
    let rc = poll_many(session, out, &mut count);
    if rc == mixplay_result::Ok {
        // SAFETY: checked for NULL above.
        unsafe { out_count.write(count) };
    }
    rc
}

/// Connects with `token` (an OAuth access token, copied, never logged) from the next
/// reconnection on; the connection up now is kept. Use it when the game got a new token by
/// itself (a new sign-in). With automatic refresh on, the next refresh replaces it again.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (empty), `INVALID_HANDLE`.
///
/// # Safety
/// `token` must be NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_token(
    session: *mut mixplay_session,
    token: *const c_char,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        let token = unsafe { arg_str(token, "token") }?;
        inner.session.set_token(token).map_err(session_error)
    })
}

/// Turns automatic token refresh on for a running session (replacing what its config or an
/// earlier call set), or off with a NULL `refresh_token`. The arguments are those of
/// `mixplay_config_set_token_refresh`; the session's current token (its config's, or the last
/// `mixplay_session_set_token`) is taken to be the access token that came with `refresh_token`,
/// so set it first. For example, after a `MIXPLAY_EVENT_KIND_TOKENS` event with `flag` false:
/// sign in again, then `mixplay_session_set_token` and this with the new tokens.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (an empty string),
/// `INVALID_HANDLE`.
///
/// # Safety
/// The strings must be NULL (where allowed) or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_set_token_refresh(
    session: *mut mixplay_session,
    base_url: *const c_char,
    client_id: *const c_char,
    refresh_token: *const c_char,
    expires_in: u64,
    granted_at: i64,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        let refresh = unsafe { refresh_args(base_url, client_id, refresh_token, expires_in, granted_at) }?;
        inner.session.set_token_refresh(refresh).map_err(session_error)
    })
}

/// Ends the frame now without polling: sends the frame's control property writes; the next poll
/// starts a new input frame.
///
/// **Errors**: `INVALID_HANDLE`, `NULL_ARGUMENT`.
#[no_mangle]
pub extern "C" fn mixplay_session_end_frame(session: *mut mixplay_session) -> mixplay_result {
    with_inner(session, |inner| {
        inner.session.end_frame();
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
pub unsafe extern "C" fn mixplay_session_connection_state(
    session: *const mixplay_session,
    out_state: *mut u32,
) -> mixplay_result {
    with_inner(session, |inner| {
        let state = mixplay_connection_state::from(inner.session.connection_state()) as u32;
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_state, state, "out_state") }
    })
}

/// Writes whether the service is ready (participants can interact), as of the events polled.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_ready` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_is_ready(
    session: *const mixplay_session,
    out_ready: *mut bool,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_ready, inner.session.state().ready, "out_ready") }
    })
}

/// Writes the service's clock (unix milliseconds), estimated with `getTime` at connect.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_ms` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_session_server_time_ms(
    session: *const mixplay_session,
    out_ms: *mut i64,
) -> mixplay_result {
    with_inner(session, |inner| {
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_ms, inner.session.server_time_ms(), "out_ms") }
    })
}
