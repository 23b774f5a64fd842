//! `mixplay_config`: the settings a session is made from.

use std::os::raw::c_char;
use std::time::Duration;

use super::args::{arg_opt_str, arg_str};
use super::cell::{self, HandleType};
use super::handle::Kind;
use super::result::{boundary, mixplay_result, Fail, FfiResult};
use super::tokens::refresh_args;
use crate::client::{Config, Endpoints, TlsRoots};
use crate::protocol::Scheme;

/// Session settings. Make with `mixplay_config_new`, adjust with the `mixplay_config_set_*`
/// calls, pass to `mixplay_session_new` (which copies it: the config stays yours to change,
/// reuse or free), and free with `mixplay_config_free`.
///
/// **Threads**: any thread; calls on one config are serialised internally.
pub struct mixplay_config {
    _private: [u8; 0],
}

impl HandleType for mixplay_config {
    type Value = Config;
    const KIND: Kind = Kind::Config;
    const ARG: &'static str = "config";
    const NOUN: &'static str = "config";
}

/// The discovery URL a new config starts with: a mediator on this machine's default port.
pub(crate) const DEFAULT_DISCOVERY_URL: &str = "http://127.0.0.1:8080/api/v1/interactive/hosts";

/// A copy of a config's settings (what sessions, chats and sign-ins are made from).
pub(crate) fn settings(config: *const mixplay_config) -> FfiResult<Config> {
    cell::cell_of(config)?.with(|c| Ok(c.clone()))
}

fn with_config(config: *mut mixplay_config, f: impl FnOnce(&mut Config) -> FfiResult<()>) -> mixplay_result {
    cell::with(config, f)
}

/// Makes a config with the defaults: discovery at `http://127.0.0.1:8080/api/v1/interactive/hosts`,
/// no token, version 0 (both must be set), compression lz4 then gzip, no auto-ready, reconnect
/// with backoff from 500 ms to 20 s without limit, 10 s connect and 15 s request timeouts, the
/// system's TLS roots, handshake values as headers, and an event queue of 65536.
///
/// **Ownership**: `*out_config` is yours; free it with `mixplay_config_free`.
/// **Errors**: `NULL_ARGUMENT` if `out_config` is NULL.
///
/// # Safety
/// `out_config` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mixplay_config_new(out_config: *mut *mut mixplay_config) -> mixplay_result {
    boundary(|| {
        if out_config.is_null() {
            return Err(Fail::new(mixplay_result::NullArgument, "out_config is NULL"));
        }
        let config = Config::new(Endpoints::Discover(DEFAULT_DISCOVERY_URL.into()), "", 0);
        let handle = cell::insert(config)?;
        // SAFETY: checked for NULL above; the caller provides a writable pointer.
        unsafe { out_config.write(handle) };
        Ok(())
    })
}

/// Frees a config. NULL is a no-op. Sessions made from it are unaffected.
///
/// **Errors**: `INVALID_HANDLE` if it is not a live config (already freed, or not a config).
#[no_mangle]
pub extern "C" fn mixplay_config_free(config: *mut mixplay_config) -> mixplay_result {
    cell::free(config)
}

/// Finds the service through this hosts endpoint (`http(s)://…/api/v1/interactive/hosts`),
/// replacing any endpoints set before.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (not an http(s) URL), `INVALID_HANDLE`.
///
/// # Safety
/// `url` must be a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mixplay_config_set_discovery_url(
    config: *mut mixplay_config,
    url: *const c_char,
) -> mixplay_result {
    with_config(config, |c| {
        // SAFETY: forwarded from the caller.
        let url = unsafe { arg_str(url, "url") }?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Fail::new(
                mixplay_result::InvalidArgument,
                "the discovery URL must start with http:// or https://",
            ));
        }
        c.endpoints = Endpoints::Discover(url.to_owned());
        Ok(())
    })
}

/// Adds a game-client websocket URL (`ws://` or `wss://`) to try, after those added before.
/// The first call replaces discovery with this explicit list.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (not a ws(s) URL), `INVALID_HANDLE`.
///
/// # Safety
/// `url` must be a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mixplay_config_add_endpoint(
    config: *mut mixplay_config,
    url: *const c_char,
) -> mixplay_result {
    with_config(config, |c| {
        // SAFETY: forwarded from the caller.
        let url = unsafe { arg_str(url, "url") }?;
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(Fail::new(mixplay_result::InvalidArgument, "endpoints must start with ws:// or wss://"));
        }
        match &mut c.endpoints {
            Endpoints::Fixed(list) => list.push(url.to_owned()),
            other => *other = Endpoints::Fixed(vec![url.to_owned()]),
        }
        Ok(())
    })
}

/// Sets the streamer's OAuth bearer token (without the `Bearer ` prefix).
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`.
///
/// # Safety
/// `token` must be a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mixplay_config_set_token(config: *mut mixplay_config, token: *const c_char) -> mixplay_result {
    with_config(config, |c| {
        // SAFETY: forwarded from the caller.
        c.token = unsafe { arg_str(token, "token") }?.to_owned();
        Ok(())
    })
}

/// Turns on automatic token refresh for the sessions made from this config, and for the chats
/// given it as `settings`: the token is refreshed once half its lifetime has passed, and at once
/// when a reconnection finds it refused (close 4019) or expired, instead of stopping. New tokens
/// arrive through poll as `MIXPLAY_EVENT_KIND_TOKENS` (`MIXPLAY_CHAT_EVENT_KIND_TOKENS`) events:
/// store them, the old refresh token is spent.
///
/// - `base_url`: the OAuth service, e.g. `https://mixer.com` (its token endpoint is
///   `/api/v1/oauth/token`).
/// - `client_id`: the OAuth app the tokens were granted to.
/// - `refresh_token`: the refresh token that came with the config's token (for a chat: with its
///   token), or NULL to turn refresh off.
/// - `expires_in`, `granted_at`: the access token's lifetime in seconds and when it was granted
///   (unix seconds; 0 means now), as `mixplay_auth_status` gives them. With `expires_in` 0 the
///   token is refreshed only when refused.
///
/// A session and a chat given the same refresh token share one refresh (refresh tokens work
/// once). The strings are copied; tokens are never logged.
///
/// **Errors**: `NULL_ARGUMENT` (base URL or client id), `INVALID_UTF8`, `INVALID_ARGUMENT` (an
/// empty string), `INVALID_HANDLE`.
///
/// # Safety
/// The strings must be NULL (where allowed) or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mixplay_config_set_token_refresh(
    config: *mut mixplay_config,
    base_url: *const c_char,
    client_id: *const c_char,
    refresh_token: *const c_char,
    expires_in: u64,
    granted_at: i64,
) -> mixplay_result {
    with_config(config, |c| {
        // SAFETY: forwarded from the caller.
        c.refresh = unsafe { refresh_args(base_url, client_id, refresh_token, expires_in, granted_at) }?;
        Ok(())
    })
}

/// Sets the interactive project version to run.
///
/// **Errors**: `INVALID_ARGUMENT` for 0, `INVALID_HANDLE`.
#[no_mangle]
pub extern "C" fn mixplay_config_set_version_id(config: *mut mixplay_config, version_id: u32) -> mixplay_result {
    with_config(config, |c| {
        if version_id == 0 {
            return Err(Fail::new(mixplay_result::InvalidArgument, "the version id must not be 0"));
        }
        c.version_id = version_id;
        Ok(())
    })
}

/// Sets the share code of a project shared by its author; NULL removes it.
///
/// **Errors**: `INVALID_UTF8`, `INVALID_HANDLE`.
///
/// # Safety
/// `share_code` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mixplay_config_set_share_code(
    config: *mut mixplay_config,
    share_code: *const c_char,
) -> mixplay_result {
    with_config(config, |c| {
        // SAFETY: forwarded from the caller.
        c.share_code = unsafe { arg_opt_str(share_code, "share_code") }?.map(str::to_owned);
        Ok(())
    })
}

/// Sets the compression schemes to offer, most preferred first, comma-separated: for example
/// `"lz4,gzip"`; `"none"` or `""` keeps plain text.
///
/// **Errors**: `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (an unknown scheme), `INVALID_HANDLE`.
///
/// # Safety
/// `schemes` must be a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mixplay_config_set_compression(
    config: *mut mixplay_config,
    schemes: *const c_char,
) -> mixplay_result {
    with_config(config, |c| {
        // SAFETY: forwarded from the caller.
        let list = unsafe { arg_str(schemes, "schemes") }?;
        let mut parsed = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let scheme = Scheme::parse(name).ok_or_else(|| {
                Fail::new(mixplay_result::InvalidArgument, format!("unknown compression scheme {name:?}"))
            })?;
            if scheme != Scheme::None {
                parsed.push(scheme);
            }
        }
        c.compression = parsed;
        Ok(())
    })
}

/// Whether the session calls `ready` by itself once synchronised (default false).
///
/// **Errors**: `INVALID_HANDLE`.
#[no_mangle]
pub extern "C" fn mixplay_config_set_auto_ready(config: *mut mixplay_config, auto_ready: bool) -> mixplay_result {
    with_config(config, |c| {
        c.auto_ready = auto_ready;
        Ok(())
    })
}

/// Sets the reconnect policy: whether to reconnect after 1011, 1012 and transport failures, the
/// first delay and the longest delay in milliseconds (the delay doubles, with ±25% jitter), and
/// how many failed attempts in a row to allow (-1 for no limit).
///
/// **Errors**: `INVALID_ARGUMENT` (initial delay 0 or above the maximum), `INVALID_HANDLE`.
#[no_mangle]
pub extern "C" fn mixplay_config_set_reconnect(
    config: *mut mixplay_config,
    enabled: bool,
    initial_delay_ms: u32,
    max_delay_ms: u32,
    max_attempts: i32,
) -> mixplay_result {
    with_config(config, |c| {
        if initial_delay_ms == 0 || initial_delay_ms > max_delay_ms {
            return Err(Fail::new(mixplay_result::InvalidArgument, "need 0 < initial_delay_ms <= max_delay_ms"));
        }
        c.reconnect.enabled = enabled;
        c.reconnect.initial_delay = Duration::from_millis(initial_delay_ms.into());
        c.reconnect.max_delay = Duration::from_millis(max_delay_ms.into());
        c.reconnect.max_attempts = u32::try_from(max_attempts).ok();
        Ok(())
    })
}

/// Sets the time limit for discovery plus the handshake of one endpoint, in milliseconds.
///
/// **Errors**: `INVALID_ARGUMENT` for 0, `INVALID_HANDLE`.
#[no_mangle]
pub extern "C" fn mixplay_config_set_connect_timeout_ms(config: *mut mixplay_config, ms: u32) -> mixplay_result {
    with_config(config, |c| {
        if ms == 0 {
            return Err(Fail::new(mixplay_result::InvalidArgument, "the timeout must not be 0"));
        }
        c.connect_timeout = Duration::from_millis(ms.into());
        Ok(())
    })
}

/// Sets how long a request waits for its reply before failing with a timeout, in milliseconds.
///
/// **Errors**: `INVALID_ARGUMENT` for 0, `INVALID_HANDLE`.
#[no_mangle]
pub extern "C" fn mixplay_config_set_request_timeout_ms(config: *mut mixplay_config, ms: u32) -> mixplay_result {
    with_config(config, |c| {
        if ms == 0 {
            return Err(Fail::new(mixplay_result::InvalidArgument, "the timeout must not be 0"));
        }
        c.request_timeout = Duration::from_millis(ms.into());
        Ok(())
    })
}

/// Trusts these PEM certificates for `wss://` and `https://` (a private CA or a self-signed
/// server), alone or together with the system's roots. NULL goes back to the system roots only.
///
/// **Errors**: `INVALID_UTF8`, `INVALID_ARGUMENT` (no certificate in the PEM), `INVALID_HANDLE`.
///
/// # Safety
/// `pem` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mixplay_config_set_tls_roots_pem(
    config: *mut mixplay_config,
    pem: *const c_char,
    also_system_roots: bool,
) -> mixplay_result {
    with_config(config, |c| {
        // SAFETY: forwarded from the caller.
        let Some(pem) = (unsafe { arg_opt_str(pem, "pem") })? else {
            c.tls = TlsRoots::System;
            return Ok(());
        };
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(Fail::new(mixplay_result::InvalidArgument, "the PEM holds no certificate"));
        }
        let bytes = pem.as_bytes().to_vec();
        c.tls = if also_system_roots { TlsRoots::SystemAndPem(bytes) } else { TlsRoots::Pem(bytes) };
        Ok(())
    })
}

/// Sends the handshake values as query parameters instead of headers (for environments whose
/// websocket cannot set headers).
///
/// **Errors**: `INVALID_HANDLE`.
#[no_mangle]
pub extern "C" fn mixplay_config_set_handshake_in_query(config: *mut mixplay_config, in_query: bool) -> mixplay_result {
    with_config(config, |c| {
        c.handshake_in_query = in_query;
        Ok(())
    })
}

/// Sets how many events may wait for `poll` (at least 16). Past it, input is dropped and
/// counted (an Error event of kind QUEUE_OVERFLOW reports it); state events and replies wait.
///
/// **Errors**: `INVALID_ARGUMENT` below 16, `INVALID_HANDLE`.
#[no_mangle]
pub extern "C" fn mixplay_config_set_event_queue_capacity(
    config: *mut mixplay_config,
    capacity: u32,
) -> mixplay_result {
    with_config(config, |c| {
        if capacity < 16 {
            return Err(Fail::new(
                mixplay_result::InvalidArgument,
                "the event queue needs room for at least 16 events",
            ));
        }
        c.event_queue_capacity = capacity as usize;
        Ok(())
    })
}
