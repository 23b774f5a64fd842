//! Who a token belongs to: `GET /api/v1/users/current`, with the user's channel (so a game can
//! join its streamer's chat without a hard-coded channel id).

use std::time::Duration;

use serde_json::Value;

use crate::net::{api_base, request, ConnectError, TlsRoots};

/// The user an OAuth token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: u32,
    pub username: String,
    pub level: u32,
    /// The user's spark balance.
    pub sparks: u64,
    /// The user's own channel, if they have one.
    pub channel_id: Option<u32>,
    /// The whole answer as JSON, for fields this struct does not name.
    pub raw: String,
}

impl CurrentUser {
    fn parse(v: &Value) -> Option<CurrentUser> {
        let number = |k: &str| v.get(k).and_then(Value::as_u64);
        Some(CurrentUser {
            id: u32::try_from(number("id")?).ok()?,
            username: v.get("username").and_then(Value::as_str).unwrap_or("").to_owned(),
            level: number("level").and_then(|l| u32::try_from(l).ok()).unwrap_or(0),
            sparks: number("sparks").unwrap_or(0),
            channel_id: v
                .get("channel")
                .and_then(|c| c.get("id"))
                .and_then(Value::as_u64)
                .and_then(|id| u32::try_from(id).ok()),
            raw: v.to_string(),
        })
    }
}

/// Where a user look-up of a sign-in ([`super::ShortCodeAuth::fetch_user`]) stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserStatus {
    /// Nothing asked.
    Idle,
    Fetching,
    Found(CurrentUser),
    /// The token was refused, or the service could not be reached; the message says which.
    Failed(String),
}

/// Why no user was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UserError {
    /// The token was refused (HTTP 401 or 403): unknown, expired or revoked.
    Refused(String),
    /// The service could not be reached or failed.
    Unreachable(String),
}

impl From<UserError> for ConnectError {
    fn from(e: UserError) -> ConnectError {
        match e {
            UserError::Refused(m) => ConnectError::Fatal(m),
            UserError::Unreachable(m) => ConnectError::Transient(m),
        }
    }
}

/// `GET {base_url}/api/v1/users/current` with `token` as the bearer token.
pub(crate) async fn fetch(
    base_url: &str,
    token: &str,
    tls: &TlsRoots,
    timeout: Duration,
) -> Result<CurrentUser, UserError> {
    let url = format!("{}/users/current", api_base(base_url));
    let reply = request(tls, timeout, &url, Some(token), None)
        .await
        .map_err(|e| UserError::Unreachable(format!("asking who the token belongs to failed: {e}")))?;
    match reply.status {
        200 => reply
            .json()
            .as_ref()
            .and_then(CurrentUser::parse)
            .ok_or_else(|| UserError::Unreachable("users/current did not say the user's id".into())),
        401 | 403 => Err(UserError::Refused(format!("the token was refused (HTTP {})", reply.status))),
        s => Err(UserError::Unreachable(format!("users/current answered HTTP {s}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_user_and_their_channel() {
        let v = serde_json::json!({"id": 1, "username": "streamer", "level": 50, "sparks": 7, "channel": {"id": 3, "userId": 1}});
        let u = CurrentUser::parse(&v).unwrap();
        assert_eq!((u.id, u.username.as_str(), u.level, u.sparks, u.channel_id), (1, "streamer", 50, 7, Some(3)));
        let none = CurrentUser::parse(&serde_json::json!({"id": 2, "channel": null})).unwrap();
        assert_eq!(none.channel_id, None);
        assert!(CurrentUser::parse(&serde_json::json!({"username": "x"})).is_none());
    }
}
