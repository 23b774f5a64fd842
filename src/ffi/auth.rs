//! `mixplay_auth`: OAuth short-code sign-in without blocking the game.

use std::os::raw::c_char;
use std::time::Instant;

use super::args::{arg_opt_str, arg_str, write_out};
use super::cell::{self, HandleType};
use super::config::{self as config_handle, mixplay_config};
use super::handle::Kind;
use super::log::deliver_logs;
use super::result::{boundary, mixplay_result, Fail, FfiResult};
use super::str::{mixplay_str, Arena};
use crate::auth::{is_stale_at, unix_now, AuthConfig, AuthStatus, ShortCodeAuth, UserStatus};

/// A short-code sign-in. Make it with `mixplay_auth_new`, call `mixplay_auth_start`, then
/// `mixplay_auth_poll` once a frame: show the code and URL while it is `WAITING`, take the
/// tokens when it is `APPROVED`, and start again after `EXPIRED`. Free it with
/// `mixplay_auth_free`.
///
/// Nothing blocks: the requests run on the library's network threads. Tokens and the client
/// secret are never logged.
///
/// **Threads**: any thread may call any function; calls on one sign-in are serialised.
pub struct mixplay_auth {
    _private: [u8; 0],
}

/// `mixplay_auth_status.state`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mixplay_auth_state {
    /// Nothing started, or cancelled.
    Idle = 0,
    /// Asking the service for a code.
    Starting = 1,
    /// Show `code` and `url` to the user; the code works for `code_expires_in_ms` more.
    Waiting = 2,
    /// Signed in: `access_token`, `refresh_token`, `expires_in`, `granted_at`.
    Approved = 3,
    /// The user denied the app.
    Denied = 4,
    /// The code expired before the user answered: call `mixplay_auth_start` again.
    Expired = 5,
    /// Trading a refresh token for new tokens (`mixplay_auth_refresh`).
    Refreshing = 6,
    /// Something failed; `message` says what.
    Failed = 7,
}

/// The sign-in's status, filled by `mixplay_auth_poll`. Fields not used by `state` are zero or
/// empty strings.
///
/// **Lifetime**: every string stays valid until the next `mixplay_auth_poll` on the same
/// sign-in, or its `mixplay_auth_free`. The tokens are secrets: keep them out of logs.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mixplay_auth_status {
    /// A `mixplay_auth_state` value.
    pub state: u32,
    /// WAITING: the six-character code to show.
    pub code: mixplay_str,
    /// WAITING: where the user enters it (with the code already filled in).
    pub url: mixplay_str,
    /// WAITING: how long the code still works, in milliseconds.
    pub code_expires_in_ms: u64,
    /// APPROVED: the OAuth access token (the `token` of a session config or a chat).
    pub access_token: mixplay_str,
    /// APPROVED: the refresh token for `mixplay_auth_refresh` (single use).
    pub refresh_token: mixplay_str,
    /// APPROVED: the access token's lifetime in seconds from `granted_at`.
    pub expires_in: u64,
    /// APPROVED: when the tokens were granted, in unix seconds.
    pub granted_at: i64,
    /// FAILED: what went wrong.
    pub message: mixplay_str,
}

impl mixplay_auth_status {
    fn empty() -> mixplay_auth_status {
        let e = mixplay_str::empty();
        mixplay_auth_status {
            state: mixplay_auth_state::Idle as u32,
            code: e,
            url: e,
            code_expires_in_ms: 0,
            access_token: e,
            refresh_token: e,
            expires_in: 0,
            granted_at: 0,
            message: e,
        }
    }
}

/// `mixplay_user.state`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mixplay_user_state {
    /// Nothing asked (`mixplay_auth_fetch_user` not called).
    None = 0,
    /// Asking the service.
    Fetching = 1,
    /// Found: the fields hold the user.
    Found = 2,
    /// The token was refused, or the service could not be reached: `message` says which.
    Failed = 3,
}

/// The user a token belongs to (`GET /api/v1/users/current`), filled by `mixplay_auth_user`.
/// Fields not used by `state` are zero or empty strings.
///
/// **Lifetime**: the strings stay valid until the next `mixplay_auth_user` on the same sign-in,
/// or its `mixplay_auth_free` (`mixplay_auth_poll` does not touch them).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mixplay_user {
    /// A `mixplay_user_state` value.
    pub state: u32,
    /// FOUND: the user's id.
    pub id: u32,
    /// FOUND: the user's own channel (the channel of a chat for this streamer, and of their
    /// game's session); 0 when they have none.
    pub channel_id: u32,
    /// FOUND: the user's level.
    pub level: u32,
    /// FOUND: the user's spark balance.
    pub sparks: u64,
    /// FOUND: the user's name.
    pub username: mixplay_str,
    /// FOUND: the service's whole answer as JSON, for fields this struct does not name.
    pub json: mixplay_str,
    /// FAILED: what went wrong.
    pub message: mixplay_str,
}

impl HandleType for mixplay_auth {
    type Value = Inner;
    const KIND: Kind = Kind::Auth;
    const ARG: &'static str = "auth";
    const NOUN: &'static str = "sign-in";
}

/// What a sign-in handle holds.
pub(crate) struct Inner {
    auth: ShortCodeAuth,
    /// The strings of the last poll.
    arena: Arena,
    /// The strings of the last `mixplay_auth_user`.
    user_arena: Arena,
}

fn with_auth(auth: *const mixplay_auth, f: impl FnOnce(&mut Inner) -> FfiResult<()>) -> mixplay_result {
    cell::with(auth, f)
}

/// Makes a sign-in for the OAuth app `client_id` asking for `scopes` (space-separated, e.g.
/// `"interactive:robot:self chat:connect chat:chat"`) at the service `base_url` (e.g.
/// `https://mixer.com`, or a mediator's `http://127.0.0.1:8080`: its REST API under `/api/v1`,
/// its approval page at `/go`). `client_secret` is NULL for apps on players' machines.
/// `settings` is NULL for the defaults, or a config whose TLS roots and request timeout are
/// copied. Nothing is sent until `mixplay_auth_start` or `mixplay_auth_refresh`.
///
/// **Ownership**: `*out_auth` is yours; free it with `mixplay_auth_free`. The strings are copied.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (empty base URL or client
/// id), `INVALID_HANDLE` (settings), `RUNTIME_FAILED`.
///
/// # Safety
/// Strings must be NULL (where allowed) or NUL-terminated; `out_auth` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_auth_new(
    base_url: *const c_char,
    client_id: *const c_char,
    client_secret: *const c_char,
    scopes: *const c_char,
    settings: *const mixplay_config,
    out_auth: *mut *mut mixplay_auth,
) -> mixplay_result {
    boundary(|| {
        if out_auth.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_auth is NULL"));
        }
        // SAFETY: forwarded from the caller.
        let (base_url, client_id, secret, scopes) = unsafe {
            (
                arg_str(base_url, "base_url")?,
                arg_str(client_id, "client_id")?,
                arg_opt_str(client_secret, "client_secret")?,
                arg_str(scopes, "scopes")?,
            )
        };
        if base_url.trim().is_empty() || client_id.trim().is_empty() {
            return Err(Fail::new(mixplay_result::InvalidArgument, "base_url and client_id must not be empty"));
        }
        let mut config = AuthConfig::new(base_url, client_id, scopes);
        config.client_secret = secret.filter(|s| !s.is_empty()).map(str::to_owned);
        if !settings.is_null() {
            let s = config_handle::settings(settings)?;
            config.tls = s.tls;
            config.request_timeout = s.request_timeout;
        }
        let auth = ShortCodeAuth::new(config)
            .map_err(|e| Fail::new(mixplay_result::RuntimeFailed, format!("cannot start the network runtime: {e}")))?;
        let handle = cell::insert(Inner { auth, arena: Arena::default(), user_arena: Arena::default() })?;
        // SAFETY: checked for NULL above.
        unsafe { out_auth.write(handle) };
        Ok(())
    })
}

/// Stops whatever the sign-in is doing and frees it. NULL is a no-op. Strings from its polls
/// become invalid.
///
/// **Errors**: `INVALID_HANDLE` (already freed, or not a sign-in).
#[no_mangle]
pub extern "C" fn mixplay_auth_free(auth: *mut mixplay_auth) -> mixplay_result {
    cell::free(auth)
}

/// Starts the sign-in (or starts over, dropping a code in progress): the state becomes
/// `STARTING`, then `WAITING` with a new code.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
#[no_mangle]
pub extern "C" fn mixplay_auth_start(auth: *mut mixplay_auth) -> mixplay_result {
    with_auth(auth, |inner| {
        inner.auth.start();
        Ok(())
    })
}

/// Trades `refresh_token` (copied, never logged) for new tokens: the state becomes `REFRESHING`,
/// then `APPROVED` with the new tokens or `FAILED` (for example a refresh token already used).
/// Refresh when `mixplay_token_is_stale` says so.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (empty), `INVALID_HANDLE`.
///
/// # Safety
/// `refresh_token` must be NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mixplay_auth_refresh(auth: *mut mixplay_auth, refresh_token: *const c_char) -> mixplay_result {
    with_auth(auth, |inner| {
        // SAFETY: forwarded from the caller.
        let token = unsafe { arg_str(refresh_token, "refresh_token") }?;
        if token.is_empty() {
            return Err(Fail::new(mixplay_result::InvalidArgument, "refresh_token is empty"));
        }
        inner.auth.refresh(token);
        Ok(())
    })
}

/// Stops checking or refreshing; the state becomes `IDLE`.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
#[no_mangle]
pub extern "C" fn mixplay_auth_cancel(auth: *mut mixplay_auth) -> mixplay_result {
    with_auth(auth, |inner| {
        inner.auth.cancel();
        Ok(())
    })
}

/// Writes the sign-in's current status to `*out_status` (cheap: call it once a frame). Log
/// records are delivered to the log sink from inside this call.
///
/// **Lifetime**: the strings stay valid until the next poll on this sign-in or its free.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_status` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_auth_poll(
    auth: *mut mixplay_auth,
    out_status: *mut mixplay_auth_status,
) -> mixplay_result {
    let rc = with_auth(auth, |inner| {
        if out_status.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_status is NULL"));
        }
        let Inner { auth, arena, .. } = inner;
        arena.clear();
        let mut out = mixplay_auth_status::empty();
        let state = match auth.status() {
            AuthStatus::Idle => mixplay_auth_state::Idle,
            AuthStatus::Starting => mixplay_auth_state::Starting,
            AuthStatus::Waiting { code, url, expires_at } => {
                out.code = arena.put(&code);
                out.url = arena.put(&url);
                out.code_expires_in_ms = expires_at.saturating_duration_since(Instant::now()).as_millis() as u64;
                mixplay_auth_state::Waiting
            }
            AuthStatus::Approved(t) => {
                out.access_token = arena.put(&t.access_token);
                out.refresh_token = arena.put(&t.refresh_token);
                out.expires_in = t.expires_in;
                out.granted_at = t.granted_at;
                mixplay_auth_state::Approved
            }
            AuthStatus::Denied => mixplay_auth_state::Denied,
            AuthStatus::Expired => mixplay_auth_state::Expired,
            AuthStatus::Refreshing => mixplay_auth_state::Refreshing,
            AuthStatus::Failed(m) => {
                out.message = arena.put(&m);
                mixplay_auth_state::Failed
            }
        };
        out.state = state as u32;
        // SAFETY: checked for NULL above.
        unsafe { out_status.write(out) };
        Ok(())
    });
    if rc == mixplay_result::Ok {
        deliver_logs();
    }
    rc
}

/// Asks who `access_token` belongs to (`GET /api/v1/users/current` at the sign-in's service),
/// with their channel, so a game can join its streamer's chat (or check the account) without a
/// hard-coded id. Runs beside the sign-in (any state), replacing a look-up still running; read
/// the answer with `mixplay_auth_user`. The token is copied and never logged.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (empty), `INVALID_HANDLE`.
///
/// # Safety
/// `access_token` must be NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mixplay_auth_fetch_user(
    auth: *mut mixplay_auth,
    access_token: *const c_char,
) -> mixplay_result {
    with_auth(auth, |inner| {
        // SAFETY: forwarded from the caller.
        let token = unsafe { arg_str(access_token, "access_token") }?;
        if token.is_empty() {
            return Err(Fail::new(mixplay_result::InvalidArgument, "access_token is empty"));
        }
        inner.auth.fetch_user(token);
        Ok(())
    })
}

/// Writes where the last `mixplay_auth_fetch_user` stands to `*out_user` (cheap: call it once a
/// frame until the state is `FOUND` or `FAILED`).
///
/// **Lifetime**: the strings stay valid until the next `mixplay_auth_user` on this sign-in or
/// its free.
/// **Errors**: `NULL_ARGUMENT`, `INVALID_HANDLE`.
///
/// # Safety
/// `out_user` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_auth_user(auth: *mut mixplay_auth, out_user: *mut mixplay_user) -> mixplay_result {
    with_auth(auth, |inner| {
        if out_user.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_user is NULL"));
        }
        let arena = &mut inner.user_arena;
        arena.clear();
        let e = mixplay_str::empty();
        let mut out = mixplay_user {
            state: mixplay_user_state::None as u32,
            id: 0,
            channel_id: 0,
            level: 0,
            sparks: 0,
            username: e,
            json: e,
            message: e,
        };
        out.state = match inner.auth.user() {
            UserStatus::Idle => mixplay_user_state::None,
            UserStatus::Fetching => mixplay_user_state::Fetching,
            UserStatus::Found(u) => {
                (out.id, out.channel_id, out.level, out.sparks) = (u.id, u.channel_id.unwrap_or(0), u.level, u.sparks);
                out.username = arena.put(&u.username);
                out.json = arena.put(&u.raw);
                mixplay_user_state::Found
            }
            UserStatus::Failed(m) => {
                out.message = arena.put(&m);
                mixplay_user_state::Failed
            }
        } as u32;
        // SAFETY: checked for NULL above.
        unsafe { out_user.write(out) };
        Ok(())
    })
}

/// Writes whether a token granted at `granted_at` (unix seconds) for `expires_in` seconds is
/// stale now: past half its lifetime, so it should be refreshed (`mixplay_auth_refresh`).
///
/// **Threads**: any thread. **Errors**: `NULL_ARGUMENT`.
///
/// # Safety
/// `out_stale` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_token_is_stale(
    granted_at: i64,
    expires_in: u64,
    out_stale: *mut bool,
) -> mixplay_result {
    boundary(|| {
        // SAFETY: forwarded from the caller.
        unsafe { write_out(out_stale, is_stale_at(granted_at, expires_in, unix_now()), "out_stale") }
    })
}
