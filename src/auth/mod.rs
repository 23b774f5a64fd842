//! OAuth short-code sign-in without blocking the game.
//!
//! [`ShortCodeAuth::start`] asks the service for a six-character code (`POST
//! /api/v1/oauth/shortcode`); the game shows the code and the URL (`{site}/go?code=CODE`) while
//! the library checks the code's handle in the background (`GET
//! /api/v1/oauth/shortcode/check/{handle}`) and, once the user approved it, exchanges it for
//! tokens (`POST /api/v1/oauth/token`). The game reads the progress with
//! [`ShortCodeAuth::status`] once a frame: waiting, approved (with the tokens), denied, or
//! expired (start again). [`ShortCodeAuth::refresh`] trades a refresh token for new tokens; a
//! token is stale after half its lifetime ([`Tokens::is_stale`]), like the original C++ SDK.
//! [`ShortCodeAuth::fetch_user`] asks who a token belongs to, and which channel is theirs.
//!
//! Sessions and chats given a [`TokenRefresh`] refresh their token by themselves (`keeper`), and
//! connect with the newest one (`credentials`).
//!
//! Tokens and secrets never appear in logs, errors or `Debug` output.

pub(crate) mod credentials;
mod grant;
pub(crate) mod keeper;
pub(crate) mod user;

pub use keeper::TokenRefresh;
pub use user::{CurrentUser, UserStatus};

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::clock::now_ms;
use crate::log::{log, Level};
use crate::net::{api_base, request, site_base, RuntimeGuard, TlsRoots};
use grant::{exchange, token_body};

/// The sign-in's settings.
#[derive(Clone, PartialEq)]
pub struct AuthConfig {
    /// The service's address, e.g. `https://mixer.com` (REST under `/api/v1`, the approval page
    /// at `/go`).
    pub base_url: String,
    /// The OAuth application's client id.
    pub client_id: String,
    /// Only for apps that can keep a secret (games on players' machines cannot: leave it `None`).
    pub client_secret: Option<String>,
    /// Space-separated scopes, e.g. `interactive:robot:self chat:connect chat:chat`.
    pub scopes: String,
    pub tls: TlsRoots,
    /// Bound on each HTTP request.
    pub request_timeout: Duration,
    /// How often the code's handle is checked while waiting (the official clients: 2 s).
    pub check_interval: Duration,
}

impl AuthConfig {
    pub fn new(base_url: impl Into<String>, client_id: impl Into<String>, scopes: impl Into<String>) -> AuthConfig {
        AuthConfig {
            base_url: base_url.into(),
            client_id: client_id.into(),
            client_secret: None,
            scopes: scopes.into(),
            tls: TlsRoots::System,
            request_timeout: Duration::from_secs(10),
            check_interval: Duration::from_secs(2),
        }
    }
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "<redacted>"))
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// An OAuth token pair.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    /// The access token's lifetime in seconds, from `granted_at`.
    pub expires_in: u64,
    /// When the tokens were granted, in unix seconds.
    pub granted_at: i64,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field("granted_at", &self.granted_at)
            .finish()
    }
}

/// Now, in unix seconds.
pub fn unix_now() -> i64 {
    now_ms() / 1000
}

/// Whether a token granted at `granted_at` (unix seconds) for `expires_in` seconds is stale at
/// `now`: past half its lifetime, so it should be refreshed.
pub fn is_stale_at(granted_at: i64, expires_in: u64, now: i64) -> bool {
    let half = i64::try_from(expires_in / 2).unwrap_or(i64::MAX);
    now >= granted_at.saturating_add(half)
}

impl Tokens {
    /// Stale (refresh it) once half the access token's lifetime has passed.
    pub fn is_stale(&self) -> bool {
        is_stale_at(self.granted_at, self.expires_in, unix_now())
    }

    /// Whether the access token no longer works.
    pub fn is_expired(&self) -> bool {
        unix_now() >= self.granted_at.saturating_add(i64::try_from(self.expires_in).unwrap_or(i64::MAX))
    }

    pub(crate) fn from_reply(v: &Value) -> Option<Tokens> {
        Some(Tokens {
            access_token: v.get("access_token")?.as_str()?.to_owned(),
            refresh_token: v.get("refresh_token").and_then(Value::as_str).unwrap_or("").to_owned(),
            expires_in: v.get("expires_in").and_then(Value::as_u64).unwrap_or(0),
            granted_at: unix_now(),
        })
    }
}

/// Where the sign-in stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthStatus {
    /// Nothing started (or cancelled).
    Idle,
    /// Asking the service for a code.
    Starting,
    /// Show `code` and `url` to the user; the code works until `expires_at`.
    Waiting { code: String, url: String, expires_at: Instant },
    /// Signed in.
    Approved(Tokens),
    /// The user denied the app.
    Denied,
    /// The code expired before the user answered: start again.
    Expired,
    /// Trading a refresh token for new tokens.
    Refreshing,
    /// Something failed (the service could not be reached, refused the client or the refresh
    /// token…); the message says what.
    Failed(String),
}

/// A short-code sign-in. Drop it (or [`cancel`](Self::cancel)) to stop checking.
pub struct ShortCodeAuth {
    config: AuthConfig,
    status: Arc<Mutex<AuthStatus>>,
    task: Option<JoinHandle<()>>,
    user: Arc<Mutex<UserStatus>>,
    user_task: Option<JoinHandle<()>>,
    // Dropped last: the runtime must outlive the task.
    runtime: RuntimeGuard,
}

impl ShortCodeAuth {
    pub fn new(config: AuthConfig) -> std::io::Result<ShortCodeAuth> {
        Ok(ShortCodeAuth {
            config,
            status: Arc::new(Mutex::new(AuthStatus::Idle)),
            task: None,
            user: Arc::new(Mutex::new(UserStatus::Idle)),
            user_task: None,
            runtime: RuntimeGuard::acquire()?,
        })
    }

    /// The current status (cheap; call it every frame).
    pub fn status(&self) -> AuthStatus {
        self.status.lock().clone()
    }

    fn spawn(&mut self, first: AuthStatus, work: impl std::future::Future<Output = AuthStatus> + Send + 'static) {
        self.cancel();
        *self.status.lock() = first;
        let status = self.status.clone();
        self.task = Some(self.runtime.handle().spawn(async move {
            let end = work.await;
            *status.lock() = end;
        }));
    }

    /// Starts (or restarts) the sign-in: a new code is requested.
    pub fn start(&mut self) {
        let config = self.config.clone();
        let status = self.status.clone();
        self.spawn(AuthStatus::Starting, async move { flow(config, status).await });
    }

    /// Trades `refresh_token` for new tokens; the status becomes `Refreshing`, then `Approved`
    /// or `Failed`.
    pub fn refresh(&mut self, refresh_token: &str) {
        let config = self.config.clone();
        let refresh_token = refresh_token.to_owned();
        self.spawn(AuthStatus::Refreshing, async move { approved(grant::refresh(&config, &refresh_token).await) });
    }

    /// Asks who `access_token` belongs to (`GET /api/v1/users/current`), and their channel; the
    /// answer arrives in [`user`](Self::user). Runs beside the sign-in, and replaces a look-up
    /// still running.
    pub fn fetch_user(&mut self, access_token: &str) {
        if let Some(t) = self.user_task.take() {
            t.abort();
        }
        *self.user.lock() = UserStatus::Fetching;
        let (config, token, user) = (self.config.clone(), access_token.to_owned(), self.user.clone());
        self.user_task = Some(self.runtime.handle().spawn(async move {
            let found = user::fetch(&config.base_url, &token, &config.tls, config.request_timeout).await;
            *user.lock() = match found {
                Ok(u) => UserStatus::Found(u),
                Err(user::UserError::Refused(m) | user::UserError::Unreachable(m)) => UserStatus::Failed(m),
            };
        }));
    }

    /// Where the last [`fetch_user`](Self::fetch_user) stands (cheap; call it every frame).
    pub fn user(&self) -> UserStatus {
        self.user.lock().clone()
    }

    /// Stops what is running; the status becomes `Idle`.
    pub fn cancel(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
        *self.status.lock() = AuthStatus::Idle;
    }
}

impl Drop for ShortCodeAuth {
    fn drop(&mut self) {
        for t in [self.task.take(), self.user_task.take()].into_iter().flatten() {
            t.abort();
        }
    }
}

/// The token endpoint's answer as a sign-in status.
fn approved(result: Result<Tokens, grant::GrantError>) -> AuthStatus {
    match result {
        Ok(t) => AuthStatus::Approved(t),
        Err(e) => AuthStatus::Failed(e.message().to_owned()),
    }
}

async fn flow(config: AuthConfig, status: Arc<Mutex<AuthStatus>>) -> AuthStatus {
    let api = api_base(&config.base_url);
    let mut body = json!({ "client_id": config.client_id, "scope": config.scopes });
    if let Some(secret) = &config.client_secret {
        body["client_secret"] = json!(secret);
    }
    let started = Instant::now();
    let reply =
        match request(&config.tls, config.request_timeout, &format!("{api}/oauth/shortcode"), None, Some(body)).await {
            Err(e) => return AuthStatus::Failed(format!("requesting a code failed: {e}")),
            Ok(r) if r.status >= 300 => {
                return AuthStatus::Failed(format!("requesting a code failed: HTTP {}", r.status));
            }
            Ok(r) => r,
        };
    let v = reply.json().unwrap_or(Value::Null);
    let (Some(code), Some(handle)) = (v.get("code").and_then(Value::as_str), v.get("handle").and_then(Value::as_str))
    else {
        return AuthStatus::Failed("the short-code reply has no code or handle".into());
    };
    let expires_in = v.get("expires_in").and_then(Value::as_u64).unwrap_or(120);
    let expires_at = started + Duration::from_secs(expires_in);
    let url = format!("{}/go?code={code}", site_base(&config.base_url));
    log(Level::Info, || format!("sign-in: waiting for the user to enter code {code} at {url}"));
    *status.lock() = AuthStatus::Waiting { code: code.to_owned(), url, expires_at };
    let check = format!("{api}/oauth/shortcode/check/{handle}");
    loop {
        if Instant::now() >= expires_at {
            return AuthStatus::Expired;
        }
        match request(&config.tls, config.request_timeout, &check, None, None).await {
            // Network trouble while waiting: keep checking until the code expires.
            Err(e) => log(Level::Warning, || format!("checking the sign-in code failed: {e}")),
            Ok(r) => match r.status {
                204 => {}
                403 => return AuthStatus::Denied,
                404 => return AuthStatus::Expired,
                200 => {
                    let Some(grant) = r.json().and_then(|v| v.get("code")?.as_str().map(str::to_owned)) else {
                        return AuthStatus::Failed("the approved check has no code".into());
                    };
                    let body = token_body(&config, &[("grant_type", "authorization_code"), ("code", &grant)]);
                    return approved(exchange(&config, body, "exchanging the approved code").await);
                }
                s => return AuthStatus::Failed(format!("checking the code answered HTTP {s}")),
            },
        }
        tokio::time::sleep(config.check_interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staleness_is_half_the_lifetime() {
        assert!(!is_stale_at(1000, 100, 1049));
        assert!(is_stale_at(1000, 100, 1050));
        assert!(is_stale_at(1000, 0, 1000));
        assert!(!is_stale_at(1000, u64::MAX, i64::MAX - 1));
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let t = Tokens { access_token: "AAA".into(), refresh_token: "RRR".into(), expires_in: 5, granted_at: 0 };
        let shown = format!("{t:?} {:?}", AuthStatus::Approved(t.clone()));
        assert!(!shown.contains("AAA") && !shown.contains("RRR"), "{shown}");
        let mut c = AuthConfig::new("http://x", "cid", "s");
        c.client_secret = Some("SSS".into());
        assert!(!format!("{c:?}").contains("SSS"));
    }
}
