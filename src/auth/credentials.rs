//! The token a session or a chat connects with: the one the game gave (at creation, or later
//! with `set_token`), or the newer one its keeper refreshed, whichever came last. The game's
//! thread swaps it while the network task reads it at every (re)connection.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::watch;

use super::grant::GrantError;
use super::keeper::{Keeper, Published, TokenRefresh};
use crate::clock::now_ms;
use crate::net::{ConnectError, TlsRoots};

/// How many refused tokens in a row a client refreshes and tries again before a refusal stops it
/// (a service that refuses even fresh tokens must not be asked forever).
pub(crate) const REFUSALS_REFRESHED: u32 = 3;

struct Slot {
    /// The token the game gave last.
    token: String,
    /// When `token` expires (unix ms), when known.
    expires_at_ms: Option<i64>,
    /// The keeper's generation when the game gave `token`: a newer generation wins over it.
    given_at_generation: u64,
    keeper: Option<Arc<Keeper>>,
}

/// One client's token, shared by its game-side handle and its network task.
pub(crate) struct Credentials {
    slot: Mutex<Slot>,
    tls: TlsRoots,
    request_timeout: Duration,
}

/// When a token granted at `granted_at` (unix seconds) for `expires_in` seconds is too close to
/// its end to connect with (unix ms): a quarter of its lifetime (at most a minute) before it, so
/// it does not expire between the check and the handshake.
fn expiry_ms(granted_at: i64, expires_in: u64) -> Option<i64> {
    let lifetime = i64::try_from(expires_in.checked_mul(1000)?).ok()?;
    let margin = (lifetime / 4).min(60_000);
    (expires_in > 0).then(|| granted_at.saturating_mul(1000).saturating_add(lifetime - margin))
}

impl Credentials {
    /// `token`, refreshed by itself when `refresh` is given.
    pub fn new(
        token: &str,
        refresh: Option<&TokenRefresh>,
        tls: &TlsRoots,
        request_timeout: Duration,
    ) -> std::io::Result<Credentials> {
        let credentials = Credentials {
            slot: Mutex::new(Slot {
                token: token.to_owned(),
                expires_at_ms: None,
                given_at_generation: 0,
                keeper: None,
            }),
            tls: tls.clone(),
            request_timeout,
        };
        credentials.set_refresh(refresh)?;
        Ok(credentials)
    }

    /// The token to connect with now.
    pub fn token(&self) -> String {
        let slot = self.slot.lock();
        match &slot.keeper {
            Some(k) => {
                let p = k.current();
                if p.generation > slot.given_at_generation {
                    p.tokens.access_token
                } else {
                    slot.token.clone()
                }
            }
            None => slot.token.clone(),
        }
    }

    /// Uses `token` from the next connection on (until the keeper, if any, refreshes again).
    pub fn set_token(&self, token: &str) {
        let mut slot = self.slot.lock();
        slot.given_at_generation = slot.keeper.as_ref().map_or(0, |k| k.current().generation);
        slot.token = token.to_owned();
        slot.expires_at_ms = None;
    }

    /// Refreshes by itself with `refresh` from now on (`None`: no more). The token the game gave
    /// last is taken to be the access token that came with `refresh`.
    pub fn set_refresh(&self, refresh: Option<&TokenRefresh>) -> std::io::Result<()> {
        let keeper = match refresh {
            Some(r) => {
                let token = self.slot.lock().token.clone();
                Some(Keeper::join(&token, r, &self.tls, self.request_timeout)?)
            }
            None => None,
        };
        let mut slot = self.slot.lock();
        if refresh.is_none() {
            // Refresh off: keep connecting with the newest token the old keeper got.
            if let Some(p) =
                slot.keeper.as_ref().map(|k| k.current()).filter(|p| p.generation > slot.given_at_generation)
            {
                slot.token = p.tokens.access_token;
                slot.expires_at_ms = expiry_ms(p.tokens.granted_at, p.tokens.expires_in);
            }
        } else {
            slot.expires_at_ms = refresh.and_then(|r| expiry_ms(r.granted_at, r.expires_in));
        }
        // A keeper that already refreshed past these tokens wins; a new one starts even.
        slot.given_at_generation = 0;
        let old = std::mem::replace(&mut slot.keeper, keeper);
        drop(slot);
        drop(old);
        Ok(())
    }

    /// The game swaps the token (`set_token` of a session or a chat); an empty one is refused.
    pub fn swap_token(&self, token: &str) -> Result<(), String> {
        if token.is_empty() {
            return Err("the token is empty".into());
        }
        self.set_token(token);
        Ok(())
    }

    /// The game turns refresh on or off (`set_token_refresh`), checked; returns the
    /// publications to follow from now on.
    pub fn swap_refresh(&self, refresh: Option<&TokenRefresh>) -> Result<Option<watch::Receiver<Published>>, String> {
        if refresh.is_some_and(|r| r.refresh_token.is_empty()) {
            return Err("the refresh token is empty".into());
        }
        if refresh.is_some() && self.token().is_empty() {
            return Err("there is no token to refresh (anonymous: set the token first)".into());
        }
        self.set_refresh(refresh).map_err(|e| format!("cannot start refreshing: {e}"))?;
        Ok(self.subscribe())
    }

    /// The keeper's publications, to hand to the game as events (`None` without refresh).
    pub fn subscribe(&self) -> Option<watch::Receiver<Published>> {
        self.slot.lock().keeper.as_ref().map(|k| k.subscribe())
    }

    /// The keeper, and whether the token in use is known to have expired.
    fn keeper_and_expiry(&self) -> (Option<Arc<Keeper>>, bool) {
        let slot = self.slot.lock();
        let Some(keeper) = slot.keeper.clone() else { return (None, false) };
        let p = keeper.current();
        let expires = if p.generation > slot.given_at_generation {
            expiry_ms(p.tokens.granted_at, p.tokens.expires_in)
        } else {
            slot.expires_at_ms
        };
        (Some(keeper), expires.is_some_and(|at| now_ms() >= at))
    }

    /// Before connecting: when the token in use has expired and can be refreshed, refreshes it
    /// (waiting at most `timeout`).
    pub async fn fresh(&self, timeout: Duration) -> Result<(), ConnectError> {
        match self.keeper_and_expiry() {
            (Some(keeper), true) => refresh(&keeper, timeout, "the access token expired").await,
            _ => Ok(()),
        }
    }

    /// After the service refused the token: refreshes it when it can (waiting at most
    /// `timeout`); `None` when there is no refresh to try.
    pub async fn after_refusal(&self, timeout: Duration) -> Option<Result<(), ConnectError>> {
        let keeper = self.keeper_and_expiry().0?;
        Some(refresh(&keeper, timeout, "the service refused the access token").await)
    }
}

async fn refresh(keeper: &Keeper, timeout: Duration, why: &str) -> Result<(), ConnectError> {
    match tokio::time::timeout(timeout, keeper.refresh_now()).await {
        Err(_) => Err(ConnectError::Transient(format!("{why}, and refreshing it took too long"))),
        Ok(Ok(())) => Ok(()),
        Ok(Err(GrantError::Refused(m))) => Err(ConnectError::Fatal(format!("{why}, and {m}"))),
        Ok(Err(GrantError::Unreachable(m))) => Err(ConnectError::Transient(format!("{why}, and {m}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_needs_a_lifetime() {
        assert_eq!(expiry_ms(100, 0), None);
        assert_eq!(expiry_ms(100, 4), Some(103_000), "a quarter early");
        assert_eq!(expiry_ms(0, 6 * 60 * 60), Some(6 * 60 * 60 * 1000 - 60_000), "at most a minute early");
        assert_eq!(expiry_ms(100, u64::MAX), None);
    }

    #[test]
    fn the_given_token_until_set_again() {
        let c = Credentials::new("a", None, &TlsRoots::System, Duration::from_secs(1)).unwrap();
        assert_eq!(c.token(), "a");
        c.set_token("b");
        assert_eq!(c.token(), "b");
        assert!(c.subscribe().is_none());
    }
}
