//! The OAuth token endpoint (`POST /api/v1/oauth/token`): trading an approved short code's
//! authorization code, or a refresh token, for a token pair. Shared by the sign-in and by the
//! automatic refresh of sessions and chats.

use serde_json::{json, Value};

use super::{AuthConfig, Tokens};
use crate::log::{log, Level};
use crate::net::{api_base, request};

/// Why the token endpoint gave no tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GrantError {
    /// The service refused the grant (an unknown, spent or revoked refresh token, a bad client):
    /// asking again with the same grant cannot help.
    Refused(String),
    /// The service could not be reached or failed; worth asking again later.
    Unreachable(String),
}

impl GrantError {
    pub fn message(&self) -> &str {
        match self {
            GrantError::Refused(m) | GrantError::Unreachable(m) => m,
        }
    }
}

/// The body of a token request: the client, its secret when it has one, and the grant's fields.
pub(crate) fn token_body(config: &AuthConfig, fields: &[(&str, &str)]) -> Value {
    let mut body = json!({ "client_id": config.client_id });
    if let Some(secret) = &config.client_secret {
        body["client_secret"] = json!(secret);
    }
    for (k, v) in fields {
        body[*k] = json!(v);
    }
    body
}

/// Asks the token endpoint for tokens; `what` names the step in messages ("refreshing the
/// token"). Messages never hold a token.
pub(crate) async fn exchange(config: &AuthConfig, body: Value, what: &str) -> Result<Tokens, GrantError> {
    let url = format!("{}/oauth/token", api_base(&config.base_url));
    let reply = request(&config.tls, config.request_timeout, &url, None, Some(body))
        .await
        .map_err(|e| GrantError::Unreachable(format!("{what} failed: {e}")))?;
    if reply.status < 300 {
        return match reply.json().as_ref().and_then(Tokens::from_reply) {
            Some(t) => {
                log(Level::Info, || format!("{what}: tokens received"));
                Ok(t)
            }
            None => Err(GrantError::Unreachable(format!("{what} failed: the token reply has no access_token"))),
        };
    }
    let why = reply
        .json()
        .and_then(|v| v.get("error_description").or_else(|| v.get("error")).and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let message = format!("{what} failed: HTTP {} {why}", reply.status).trim_end().to_owned();
    // 4xx (but a timeout or a rate limit) is the service saying no; 5xx is the service failing.
    if (400..500).contains(&reply.status) && reply.status != 408 && reply.status != 429 {
        Err(GrantError::Refused(message))
    } else {
        Err(GrantError::Unreachable(message))
    }
}

/// Trades `refresh_token` for a new token pair (the old refresh token is spent).
pub(crate) async fn refresh(config: &AuthConfig, refresh_token: &str) -> Result<Tokens, GrantError> {
    let body = token_body(config, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]);
    exchange(config, body, "refreshing the token").await
}
