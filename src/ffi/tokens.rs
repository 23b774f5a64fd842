//! Tokens across the boundary: the `mixplay_tokens` struct that token events carry, and the
//! arguments that turn automatic refresh on (shared by the config, the session and the chat).

use std::os::raw::c_char;

use super::args::{arg_opt_str, arg_str};
use super::result::{mixplay_result, Fail, FfiResult};
use super::str::{mixplay_str, Arena};
use crate::auth::{unix_now, TokenRefresh, Tokens};

/// An OAuth token pair, as token events (`MIXPLAY_EVENT_KIND_TOKENS`,
/// `MIXPLAY_CHAT_EVENT_KIND_TOKENS`) carry it. All zero and empty outside those events.
///
/// **Lifetime**: the strings stay valid as long as the event holding them. They are secrets:
/// store them safely and keep them out of logs.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mixplay_tokens {
    /// The new access token (what the session or chat now connects with).
    pub access_token: mixplay_str,
    /// The new refresh token; the one before it is spent.
    pub refresh_token: mixplay_str,
    /// The access token's lifetime in seconds from `granted_at`.
    pub expires_in: u64,
    /// When the tokens were granted, in unix seconds.
    pub granted_at: i64,
}

impl mixplay_tokens {
    pub fn empty() -> mixplay_tokens {
        let e = mixplay_str::empty();
        mixplay_tokens { access_token: e, refresh_token: e, expires_in: 0, granted_at: 0 }
    }

    pub fn put(tokens: &Tokens, arena: &mut Arena) -> mixplay_tokens {
        mixplay_tokens {
            access_token: arena.put(&tokens.access_token),
            refresh_token: arena.put(&tokens.refresh_token),
            expires_in: tokens.expires_in,
            granted_at: tokens.granted_at,
        }
    }
}

/// Reads the arguments of the `…_set_token_refresh` functions: `None` when `refresh_token` is
/// NULL (refresh off); `granted_at` 0 means now.
///
/// # Safety
/// The strings must be NULL (where allowed) or NUL-terminated.
pub unsafe fn refresh_args(
    base_url: *const c_char,
    client_id: *const c_char,
    refresh_token: *const c_char,
    expires_in: u64,
    granted_at: i64,
) -> FfiResult<Option<TokenRefresh>> {
    // SAFETY: forwarded from the caller.
    let Some(refresh_token) = unsafe { arg_opt_str(refresh_token, "refresh_token") }? else {
        return Ok(None);
    };
    // SAFETY: forwarded from the caller.
    let (base_url, client_id) = unsafe { (arg_str(base_url, "base_url")?, arg_str(client_id, "client_id")?) };
    if base_url.trim().is_empty() || client_id.trim().is_empty() || refresh_token.is_empty() {
        return Err(Fail::new(
            mixplay_result::InvalidArgument,
            "base_url, client_id and refresh_token must not be empty",
        ));
    }
    Ok(Some(TokenRefresh {
        base_url: base_url.to_owned(),
        client_id: client_id.to_owned(),
        client_secret: None,
        refresh_token: refresh_token.to_owned(),
        expires_in,
        granted_at: if granted_at == 0 { unix_now() } else { granted_at },
    }))
}
