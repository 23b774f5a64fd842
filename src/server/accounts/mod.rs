//! Viewer accounts: sign-up, login (with lockout), logout, and the tokens and browser sessions
//! that sign a user in.
//!
//! | path | what |
//! |---|---|
//! | `POST /api/v1/users` | `{username, password}` (JSON or form) → `201 {id, username}`; 400 names the broken rule, 409 a taken name |
//! | `POST /api/v1/users/login` | `{username, password}` → `200 {id, username, token}`; 401 wrong, 429 + `Retry-After` when locked out |
//! | `POST /api/v1/users/logout` | revokes the bearer token (or the session cookie) it is called with → 204 |
//! | `GET /api/v1/users/current` | the caller: id, username, level, sparks, channel |
//!
//! A new account gets its channel at once. Passwords are hashed with argon2id; tokens are
//! random and stored hashed (see `store::users`).

pub mod admin;
pub mod browser;
pub mod caller;
pub mod guard;
mod lockout;
mod password;
pub mod secret;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use self::caller::{Caller, Credential};
use self::guard::{Guard, Throttled};
use self::lockout::Lockout;
use self::password::Passwords;
use self::secret::new_secret;
use super::config::MediatorConfig;
use super::conn::addr::{AddrKey, ClientAddr};
use super::hub::Hub;
use super::rate::Buckets;
use super::reply::{api_error, bad_request, no_store, store_failed, unauthorized};
use super::request::body_fields;
use super::store::{NewUser, Store, StoreError, TokenHash, TokenKind, TokenLookup, User};

/// The longest password accepted (hashing cost barely depends on it; memory for the request does).
const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a sign-up was refused.
#[derive(Debug)]
pub enum SignUpError {
    /// A rule the name or password breaks, in a sentence.
    Invalid(String),
    Taken(String),
    /// Too many accounts made from this address lately.
    Throttled(Throttled),
    Failed(StoreError),
}

/// Why a login was refused.
#[derive(Debug)]
pub enum LoginError {
    Wrong,
    /// Too many failures for this username lately: try again after this long.
    LockedOut(Duration),
    /// Too many failed sign-ins from this address lately.
    Throttled(Throttled),
    Failed(StoreError),
}

impl LoginError {
    /// How long to wait before trying again, for the refusals that have one.
    pub fn wait(&self) -> Option<u64> {
        match self {
            LoginError::LockedOut(wait) => Some(wait.as_secs().max(1)),
            LoginError::Throttled(t) => Some(t.retry_after()),
            _ => None,
        }
    }

    /// A refusal with a wait, in a sentence for a page.
    pub fn waiting_sentence(&self) -> Option<String> {
        let minutes = |secs: u64| match secs.div_ceil(60) {
            1 => "a minute".to_owned(),
            n => format!("{n} minutes"),
        };
        match self {
            LoginError::LockedOut(wait) => Some(format!(
                "Too many failed sign-ins for this name. Try again in {}.",
                minutes(wait.as_secs().max(1))
            )),
            LoginError::Throttled(t) if t.retry_after() < 60 => {
                Some(format!("Too many failed sign-ins from your address. Try again in {} seconds.", t.retry_after()))
            }
            LoginError::Throttled(t) => {
                Some(format!("Too many failed sign-ins from your address. Try again in {}.", minutes(t.retry_after())))
            }
            _ => None,
        }
    }
}

/// Why a credential could not be checked.
#[derive(Debug)]
pub enum CheckError {
    /// Too many failed checks from this address (or at this target) lately.
    Throttled(Throttled),
    Failed(StoreError),
}

impl From<StoreError> for CheckError {
    fn from(e: StoreError) -> CheckError {
        CheckError::Failed(e)
    }
}

pub struct Accounts {
    store: Store,
    passwords: Passwords,
    lockout: Lockout,
    /// Failed credential checks per address and per target.
    pub guard: Guard,
    signups: Buckets<AddrKey>,
    session_ttl: Duration,
    signup_sparks: u64,
}

/// Checks a new account's name and password against the rules; the error says which one.
pub fn check_new_account(username: &str, password: &str) -> Result<(), String> {
    let name_ok =
        (3..=20).contains(&username.len()) && username.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !name_ok {
        return Err("a username is 3 to 20 characters: letters A–Z and a–z, digits and _".into());
    }
    if password.chars().count() < 8 {
        return Err("a password is at least 8 characters long".into());
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!("a password is at most {MAX_PASSWORD_BYTES} bytes long"));
    }
    Ok(())
}

impl Accounts {
    pub fn new(store: Store, config: &MediatorConfig) -> Accounts {
        Accounts {
            store,
            passwords: Passwords::default(),
            lockout: Lockout::new(config.login_lockout_failures, config.login_lockout_window),
            guard: Guard::new(config),
            signups: Buckets::new(config.signup_rate),
            session_ttl: config.session_ttl,
            signup_sparks: config.signup_sparks,
        }
    }

    /// Creates an account (and its channel), for someone at `from` (within the sign-up rate).
    pub async fn sign_up(&self, from: ClientAddr, username: &str, password: &str) -> Result<User, SignUpError> {
        check_new_account(username, password).map_err(SignUpError::Invalid)?;
        self.signups.take(&from.key()).map_err(|wait| SignUpError::Throttled(Throttled { wait }))?;
        let taken = || SignUpError::Taken(format!("the username {username} is taken"));
        // A cheap look first, so that a taken name costs no hashing.
        if self.store.user_by_name(username).await.map_err(SignUpError::Failed)?.is_some() {
            return Err(taken());
        }
        let hash =
            self.passwords.hash(password.to_owned()).await.map_err(|e| SignUpError::Failed(StoreError::Conflict(e)))?;
        let new = NewUser {
            username: username.to_owned(),
            password_hash: Some(hash),
            level: 0,
            sparks: self.signup_sparks,
            sparks_reason: "welcome".into(),
        };
        self.store.create_user(new).await.map_err(SignUpError::Failed)?.ok_or_else(taken)
    }

    /// Checks a username and password from `from`, counting failures towards the username's
    /// lockout and the address's limit.
    pub async fn log_in(&self, from: ClientAddr, username: &str, password: &str) -> Result<User, LoginError> {
        self.guard.admit(from, None).map_err(LoginError::Throttled)?;
        if let Some(wait) = self.lockout.locked_for(username) {
            return Err(LoginError::LockedOut(wait));
        }
        let found = if username.len() > 64 {
            None
        } else {
            self.store.credentials(username).await.map_err(LoginError::Failed)?
        };
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), hash),
            None => (None, None),
        };
        let password = if password.len() > MAX_PASSWORD_BYTES { String::new() } else { password.to_owned() };
        if !self.passwords.verify(password, hash).await {
            self.lockout.failed(username);
            self.guard.failed(from, None);
            return Err(LoginError::Wrong);
        }
        self.lockout.succeeded(username);
        user.ok_or(LoginError::Wrong)
    }

    /// Issues a login token or a session for `user`, valid for the session lifetime.
    pub async fn issue(&self, user: u32, kind: TokenKind) -> Result<String, StoreError> {
        let token = new_secret();
        let expires = super::store::now() + self.session_ttl.as_millis() as i64;
        self.store.add_token(TokenHash::of(&token), user, kind, None, Some(expires)).await?;
        Ok(token)
    }

    /// Who a bearer token (or participant key) signs in: a personal access key, a login token or
    /// an OAuth access token. Unchecked: what clients present goes through
    /// [`Accounts::bearer_from`].
    pub async fn bearer(&self, token: &str) -> Result<TokenLookup, StoreError> {
        const BEARERS: &[TokenKind] = &[TokenKind::Key, TokenKind::Login, TokenKind::Access];
        self.store.token(TokenHash::of(token), BEARERS).await
    }

    /// [`Accounts::bearer`] for a token presented from `from`, within the guard's limits (an
    /// unknown token is a failure; an expired one was real, and is not).
    pub async fn bearer_from(&self, from: ClientAddr, token: &str) -> Result<TokenLookup, CheckError> {
        self.guard.admit(from, None).map_err(CheckError::Throttled)?;
        let found = self.bearer(token).await?;
        if found == TokenLookup::Unknown {
            self.guard.failed(from, None);
        }
        Ok(found)
    }

    /// Who a browser session cookie signs in.
    pub async fn session(&self, token: &str) -> Result<TokenLookup, StoreError> {
        self.store.token(TokenHash::of(token), &[TokenKind::Session]).await
    }

    /// Who may answer a short code with this token on `/go` (presented from `from`, within the
    /// guard's limits): personal access keys and login tokens (not tokens from the OAuth flow
    /// itself).
    pub async fn go_token(&self, from: ClientAddr, token: &str) -> Result<TokenLookup, CheckError> {
        self.guard.admit(from, None).map_err(CheckError::Throttled)?;
        let found = self.store.token(TokenHash::of(token), &[TokenKind::Key, TokenKind::Login]).await?;
        if !matches!(found, TokenLookup::Valid { .. }) {
            self.guard.failed(from, None);
        }
        Ok(found)
    }

    /// Revokes a token or session.
    pub async fn revoke(&self, token: &str) -> Result<(), StoreError> {
        self.store.revoke_token(TokenHash::of(token)).await.map(|_| ())
    }
}

/// The answer to a refused login.
pub fn login_refused(e: LoginError) -> Response {
    match e {
        LoginError::Wrong => unauthorized("wrong username or password"),
        LoginError::Throttled(t) => t.response(),
        LoginError::LockedOut(wait) => {
            let secs = wait.as_secs().max(1);
            let mut r = api_error(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many failed logins for this username; try again in {secs} seconds"),
            );
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
            r
        }
        LoginError::Failed(e) => store_failed(e),
    }
}

/// The username and password fields of a body.
fn credentials(headers: &HeaderMap, body: &[u8]) -> Result<(String, String), String> {
    let fields = body_fields(headers, body)?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    Ok((get("username").trim().to_owned(), get("password")))
}

/// `POST /api/v1/users`.
pub async fn sign_up(State(hub): State<Arc<Hub>>, from: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    let (username, password) = match credentials(&headers, &body) {
        Ok(c) => c,
        Err(e) => return bad_request(e),
    };
    match hub.accounts.sign_up(from, &username, &password).await {
        Ok(user) => {
            hub.sparks.reload(user.id).await;
            (StatusCode::CREATED, Json(json!({ "id": user.id, "username": user.username }))).into_response()
        }
        Err(SignUpError::Invalid(m)) => bad_request(m),
        Err(SignUpError::Taken(m)) => api_error(StatusCode::CONFLICT, m),
        Err(SignUpError::Throttled(t)) => t.mark(api_error(StatusCode::TOO_MANY_REQUESTS, signup_throttled(&t))),
        Err(SignUpError::Failed(e)) => store_failed(e),
    }
}

/// Why a sign-up was refused for its address, in a sentence.
pub fn signup_throttled(t: &Throttled) -> String {
    format!("too many accounts were created from your address lately; try again in {} seconds", t.retry_after())
}

/// `POST /api/v1/users/login`.
pub async fn log_in(State(hub): State<Arc<Hub>>, from: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    let (username, password) = match credentials(&headers, &body) {
        Ok(c) => c,
        Err(e) => return bad_request(e),
    };
    let user = match hub.accounts.log_in(from, &username, &password).await {
        Ok(u) => u,
        Err(e) => return login_refused(e),
    };
    match hub.accounts.issue(user.id, TokenKind::Login).await {
        Ok(token) => {
            no_store(Json(json!({ "id": user.id, "username": user.username, "token": token })).into_response())
        }
        Err(e) => store_failed(e),
    }
}

/// `POST /api/v1/users/logout`: the token (or session) it is called with stops working.
pub async fn log_out(State(hub): State<Arc<Hub>>, caller: Caller) -> Response {
    let secret = match &caller.credential {
        Credential::Bearer(t) | Credential::Session(t) => t.clone(),
    };
    if let Err(e) = hub.accounts.revoke(&secret).await {
        return store_failed(e);
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    if matches!(caller.credential, Credential::Session(_)) {
        r.headers_mut()
            .insert(header::SET_COOKIE, browser::clear_cookie(browser::SESSION_COOKIE, hub.secure_cookies()));
    }
    r
}

/// `GET /api/v1/users/current`.
pub async fn current(State(hub): State<Arc<Hub>>, caller: Caller) -> Response {
    let user = caller.user;
    let channel = match hub.store.channel_of(user.id).await {
        Ok(c) => c.map(|c| json!({ "id": c.id, "userId": c.owner })),
        Err(e) => return store_failed(e),
    };
    no_store(
        Json(json!({
            "id": user.id,
            "username": user.username,
            "level": user.level,
            "sparks": hub.sparks.balance(user.id),
            "pro": user.pro,
            "admin": user.admin,
            "channel": channel,
        }))
        .into_response(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_rules() {
        assert!(check_new_account("ann_99", "12345678").is_ok());
        for (name, password, rule) in [
            ("an", "12345678", "3 to 20"),
            ("a-b-c", "12345678", "3 to 20"),
            ("ännchen", "12345678", "3 to 20"),
            ("abcdefghijklmnopqrstu", "12345678", "3 to 20"),
            ("ann", "1234567", "at least 8"),
        ] {
            let e = check_new_account(name, password).unwrap_err();
            assert!(e.contains(rule), "{name}/{password}: {e}");
        }
    }
}
