//! OAuth for apps that cannot show a browser: the short-code flow and the token endpoint. A
//! person answers a code on the `/go` page (`web/go.rs`).
//!
//! | path | what |
//! |---|---|
//! | `POST /api/v1/oauth/shortcode` | `{client_id, client_secret?, scope}` → `{code, expires_in, handle}` |
//! | `GET /api/v1/oauth/shortcode/check/{handle}` | 204 waiting, 403 denied, 404 unknown or expired, 200 `{code}` |
//! | `POST /api/v1/oauth/token` | `authorization_code` and `refresh_token` grants → `{access_token, refresh_token, expires_in, token_type}` |
//!
//! Bodies may be JSON or form-encoded, with a `Content-Length` or chunked. Codes, their answers,
//! authorization codes and tokens live in the store (secrets only as hashes), so a restart loses
//! none of them. Each successful check issues a fresh authorization code (replacing any earlier
//! one), valid for ten minutes and once. Access tokens expire after
//! `MediatorConfig::access_token_ttl`; refresh tokens work once. Issued access tokens are accepted
//! wherever a personal access key is (game client, participant socket, REST, chat).
//!
//! Limits (`config.rs`): short codes per address (`shortcode_rate`), live codes per `client_id`
//! and in all, the size of `client_id` and `scope`, and the body's size; unknown handles, codes
//! and refresh tokens count as failed guesses (`accounts/guard.rs`).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::accounts::guard::Throttled;
use super::accounts::secret::{new_secret, random_bytes};
use super::conn::addr::ClientAddr;
use super::hub::Hub;
use super::reply::{no_store, store_failed};
use super::request::body_fields;
use super::store::{now, CodeCheck, CodeLimits, NewCode, NewTokens, TokenHash};
use crate::protocol::echo::quoted;

/// How long an approved short code's authorization code can be exchanged.
const GRANT_TTL: Duration = Duration::from_secs(10 * 60);

/// The characters of a short code: no 0/O, 1/I to misread.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Tries at finding a short code not in use before giving up.
const CODE_TRIES: usize = 16;

fn short_code() -> String {
    random_bytes::<6>().iter().map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char).collect()
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Normalizes a code as a person types it (case, spaces).
pub fn normalize_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({ "error": error, "error_description": description }))).into_response()
}

/// Too many requests: 429 `slow_down`, with `Retry-After`.
fn slow_down(t: Throttled, description: &str) -> Response {
    t.mark(oauth_error(StatusCode::TOO_MANY_REQUESTS, "slow_down", description))
}

/// `POST /api/v1/oauth/shortcode`.
pub async fn shortcode(State(hub): State<Arc<Hub>>, from: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(wait) = hub.shortcode_requests.take(&from.key()) {
        let t = Throttled { wait };
        return slow_down(
            t,
            &format!("too many short codes from your address; try again in {} seconds", t.retry_after()),
        );
    }
    let fields = match body_fields(&headers, &body) {
        Ok(f) => f,
        Err(e) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &e),
    };
    let Some(client_id) = fields.get("client_id").filter(|c| !c.trim().is_empty()) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "client_id is required");
    };
    let scope = fields.get("scope").cloned().unwrap_or_default();
    let (max_client_id, max_scope) = (hub.config.shortcode_max_client_id_bytes, hub.config.shortcode_max_scope_bytes);
    if client_id.len() > max_client_id || scope.len() > max_scope {
        let m = format!("client_id is at most {max_client_id} bytes and scope at most {max_scope}");
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &m);
    }
    let ttl = hub.config.shortcode_ttl;
    let limits =
        CodeLimits { per_client: hub.config.shortcode_pending_per_client, total: hub.config.shortcode_pending_total };
    let handle = new_secret();
    let expires_at = now().saturating_add(millis(ttl));
    for _ in 0..CODE_TRIES {
        let code = short_code();
        let added = hub.store.add_short_code(
            TokenHash::of(&handle),
            code.clone(),
            client_id.clone(),
            scope.clone(),
            expires_at,
            limits,
        );
        let wait_a_code = Throttled { wait: ttl.max(Duration::from_secs(1)) };
        match added.await {
            Ok(NewCode::Added) => {
                return no_store(
                    Json(json!({ "code": code, "expires_in": ttl.as_secs(), "handle": handle })).into_response(),
                )
            }
            Ok(NewCode::CodeInUse) => continue,
            Ok(NewCode::TooManyForClient) => {
                let m =
                    format!("this client_id already has {} short codes waiting; try again later", limits.per_client);
                return slow_down(wait_a_code, &m);
            }
            Ok(NewCode::TooManyInAll) => {
                let m = "too many short codes are waiting for an answer; try again later";
                let busy = oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", m);
                return wait_a_code.mark(busy);
            }
            Err(e) => return store_failed(e),
        }
    }
    oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "no short code is free; try again")
}

/// `GET /api/v1/oauth/shortcode/check/{handle}`.
pub async fn check(State(hub): State<Arc<Hub>>, from: ClientAddr, Path(handle): Path<String>) -> Response {
    if let Err(t) = hub.accounts.guard.admit(from, None) {
        return slow_down(t, &t.message());
    }
    let grant = new_secret();
    let checked = hub.store.check_short_code(TokenHash::of(&handle), TokenHash::of(&grant), now() + millis(GRANT_TTL));
    match checked.await {
        Ok(CodeCheck::Approved) => no_store(Json(json!({ "code": grant })).into_response()),
        Ok(CodeCheck::Pending) => no_store(StatusCode::NO_CONTENT.into_response()),
        Ok(CodeCheck::Denied) => no_store(StatusCode::FORBIDDEN.into_response()),
        Ok(CodeCheck::Unknown) => {
            hub.accounts.guard.failed(from, None);
            no_store(StatusCode::NOT_FOUND.into_response())
        }
        Err(e) => store_failed(e),
    }
}

/// `POST /api/v1/oauth/token`.
pub async fn token(State(hub): State<Arc<Hub>>, from: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(t) = hub.accounts.guard.admit(from, None) {
        return slow_down(t, &t.message());
    }
    let fields = match body_fields(&headers, &body) {
        Ok(f) => f,
        Err(e) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &e),
    };
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    let client_id = field("client_id").to_owned();
    if client_id.is_empty() {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "client_id is required");
    }
    let ttl = hub.config.access_token_ttl;
    let (access, refresh) = (new_secret(), new_secret());
    let tokens = NewTokens {
        access: TokenHash::of(&access),
        refresh: TokenHash::of(&refresh),
        access_expires_at: now().saturating_add(millis(ttl)),
    };
    let exchanged = match field("grant_type") {
        "authorization_code" if field("code").is_empty() => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "code is required")
        }
        "authorization_code" => hub.store.exchange_grant(TokenHash::of(field("code")), client_id, tokens).await,
        "refresh_token" if field("refresh_token").is_empty() => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "refresh_token is required")
        }
        "refresh_token" => hub.store.exchange_refresh(TokenHash::of(field("refresh_token")), client_id, tokens).await,
        "" => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is required"),
        other => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant_type {} is not supported (authorization_code, refresh_token)", quoted(other)),
            )
        }
    };
    match exchanged {
        Ok(Ok((_, scope))) => no_store(
            Json(json!({
                "access_token": access,
                "refresh_token": refresh,
                "expires_in": ttl.as_secs(),
                "token_type": "Bearer",
                "scope": scope,
            }))
            .into_response(),
        ),
        Ok(Err(e)) => {
            hub.accounts.guard.failed(from, None);
            oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &e)
        }
        Err(e) => store_failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_unambiguous_characters() {
        for _ in 0..100 {
            let c = short_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{c}");
        }
    }
}
