//! Who is calling: the one extractor every REST route uses. A bearer token (`Authorization`) or
//! the browser's session cookie signs the caller in; a cookie-authenticated request that changes
//! something must also carry the session's CSRF token in `X-CSRF-Token`. Unknown bearer tokens
//! count against the caller's address (`guard.rs`): past the limit, 429.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;

use super::browser::{cookie, csrf_valid, CSRF_HEADER, SESSION_COOKIE};
use super::CheckError;
use crate::server::conn::addr::ClientAddr;
use crate::server::hub::Hub;
use crate::server::reply::{forbidden, store_failed, unauthorized};
use crate::server::request::HandshakeParams;
use crate::server::store::{TokenLookup, User};

/// How the caller signed in, with the secret they presented (to revoke it on logout).
#[derive(Clone)]
pub enum Credential {
    Bearer(String),
    Session(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credential::Bearer(_) => "Bearer(…)",
            Credential::Session(_) => "Session(…)",
        })
    }
}

/// A signed-in caller; routes that take it answer 401 to everyone else.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub credential: Credential,
}

/// A caller who may be signed in; a bearer token that does not work is still refused (401).
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

/// The caller of a request: `Ok(None)` when it presents no credential that works (a missing or
/// stale session cookie counts as none).
async fn identify(parts: &Parts, hub: &Hub) -> Result<Option<Caller>, Response> {
    if let Some(token) = HandshakeParams::new(&parts.headers, None).bearer() {
        let from = ClientAddr::of_parts(parts, &hub.config.trusted_proxies);
        return match hub.accounts.bearer_from(from, &token).await {
            Ok(TokenLookup::Valid { user, .. }) => Ok(Some(Caller { user, credential: Credential::Bearer(token) })),
            Ok(TokenLookup::Expired) => Err(unauthorized("the access token has expired")),
            Ok(TokenLookup::Unknown) => Err(unauthorized("the bearer token is not valid")),
            Err(CheckError::Throttled(t)) => Err(t.response()),
            Err(CheckError::Failed(e)) => Err(store_failed(e)),
        };
    }
    let Some(session) = cookie(&parts.headers, SESSION_COOKIE) else { return Ok(None) };
    let user = match hub.accounts.session(&session).await {
        Ok(TokenLookup::Valid { user, .. }) => user,
        Ok(_) => return Ok(None),
        Err(e) => return Err(store_failed(e)),
    };
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let presented = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !csrf_valid(&parts.headers, presented) {
            return Err(forbidden("a request signed in by cookie must carry the page's CSRF token (X-CSRF-Token)"));
        }
    }
    Ok(Some(Caller { user, credential: Credential::Session(session) }))
}

impl FromRequestParts<Arc<Hub>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<Hub>) -> Result<Self, Self::Rejection> {
        identify(parts, hub)
            .await?
            .ok_or_else(|| unauthorized("sign in first: a bearer token or a session cookie is required"))
    }
}

impl FromRequestParts<Arc<Hub>> for MaybeCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<Hub>) -> Result<Self, Self::Rejection> {
        identify(parts, hub).await.map(MaybeCaller)
    }
}
