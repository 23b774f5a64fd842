//! Failed credential checks, limited: every check of a secret someone presents (an access key or
//! token, a password, a share code, a chat authkey, a short code, an OAuth code) asks the guard
//! first and tells it about a failure. Past `failed_credentials_per_address` failures from one
//! address, or `failed_credentials_per_target` at one target (a project's share code, a user's
//! chat authkeys) from anywhere, checks are refused until the bucket refills: REST answers 429
//! with `Retry-After`, a websocket handshake too (before the upgrade).
//!
//! Only failures count, so a busy address with working credentials is never held back; and a
//! refused check is refused whatever the secret, so guessing on learns nothing.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use crate::server::config::MediatorConfig;
use crate::server::conn::addr::{AddrKey, ClientAddr};
use crate::server::rate::Buckets;
use crate::server::reply::api_error;

/// What a guessed secret is for, when it names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A project version's share code.
    ShareCode(u32),
    /// A user's chat authkeys.
    ChatUser(u32),
}

/// Refused for now: try again after `wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub wait: Duration,
}

impl Throttled {
    /// Whole seconds to wait (at least one), for `Retry-After`.
    pub fn retry_after(&self) -> u64 {
        self.wait.as_secs_f64().ceil().max(1.0) as u64
    }

    /// The sentence that explains it.
    pub fn message(&self) -> String {
        format!("too many failed sign-in attempts; try again in {} seconds", self.retry_after())
    }

    /// Adds `Retry-After` to an answer.
    pub fn mark(&self, mut response: Response) -> Response {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after()));
        response
    }

    /// The REST answer: 429 with `Retry-After`.
    pub fn response(&self) -> Response {
        self.mark(api_error(StatusCode::TOO_MANY_REQUESTS, self.message()))
    }
}

pub struct Guard {
    by_address: Buckets<AddrKey>,
    by_target: Buckets<Target>,
}

impl Guard {
    pub fn new(config: &MediatorConfig) -> Guard {
        Guard {
            by_address: Buckets::new(config.failed_credentials_per_address),
            by_target: Buckets::new(config.failed_credentials_per_target),
        }
    }

    /// Whether a credential check from `from` (at `target`) may go ahead.
    pub fn admit(&self, from: ClientAddr, target: Option<Target>) -> Result<(), Throttled> {
        self.by_address.check(&from.key()).map_err(|wait| Throttled { wait })?;
        if let Some(target) = target {
            self.by_target.check(&target).map_err(|wait| Throttled { wait })?;
        }
        Ok(())
    }

    /// Counts a failed check.
    pub fn failed(&self, from: ClientAddr, target: Option<Target>) {
        self.by_address.spend(&from.key());
        if let Some(target) = target {
            self.by_target.spend(&target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::config::Rate;

    #[test]
    fn failures_close_an_address_and_a_target_but_not_others() {
        let config = MediatorConfig {
            failed_credentials_per_address: Rate::new(2, 60),
            failed_credentials_per_target: Rate::new(3, 60),
            ..MediatorConfig::default()
        };
        let guard = Guard::new(&config);
        let (a, b, c) =
            (ClientAddr([10, 0, 0, 1].into()), ClientAddr([10, 0, 0, 2].into()), ClientAddr([10, 0, 0, 3].into()));
        let code = Some(Target::ShareCode(7));
        assert!(guard.admit(a, code).is_ok());
        guard.failed(a, code);
        guard.failed(a, code);
        let t = guard.admit(a, None).unwrap_err();
        assert!((29..=30).contains(&t.retry_after()), "{t:?}");
        assert!(guard.admit(b, None).is_ok(), "another address");
        guard.failed(b, code);
        assert_eq!(guard.admit(c, code).map_err(|t| t.retry_after() > 0), Err(true), "the target is closed to all");
        assert!(guard.admit(c, Some(Target::ShareCode(8))).is_ok(), "another target");
        assert!(guard.admit(c, Some(Target::ChatUser(7))).is_ok(), "another kind of target");
    }
}
