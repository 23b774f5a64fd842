//! Automatic token refresh: a keeper holds one token pair, refreshes it once half the access
//! token's lifetime has passed (or at once when asked, after the service refused the token), and
//! publishes every new pair to the sessions and chats that use it, which hand it to the game as
//! an event so the game can store it.
//!
//! Refresh tokens work once, so a session and a chat given the same refresh token must not both
//! spend it: clients given a refresh token that a live keeper holds, or held before (the last few
//! are remembered), share that keeper, and so share every refresh.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::grant::{self, GrantError};
use super::{AuthConfig, Tokens};
use crate::clock::now_ms;
use crate::log::{log, Level};
use crate::net::{ReconnectPolicy, RuntimeGuard, TlsRoots};

/// How a client refreshes its token by itself: the OAuth app, the refresh token that came with
/// the access token, and that access token's lifetime.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenRefresh {
    /// The service's address, e.g. `https://mixer.com` (the token endpoint is under `/api/v1`).
    pub base_url: String,
    /// The OAuth application's client id the tokens were granted to.
    pub client_id: String,
    /// Only for apps that can keep a secret; `None` for games on players' machines.
    pub client_secret: Option<String>,
    pub refresh_token: String,
    /// The access token's lifetime in seconds from `granted_at`; 0 when unknown (the token is
    /// then refreshed only when the service refuses it).
    pub expires_in: u64,
    /// When the access token was granted, in unix seconds.
    pub granted_at: i64,
}

impl fmt::Debug for TokenRefresh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRefresh")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("refresh_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field("granted_at", &self.granted_at)
            .finish_non_exhaustive()
    }
}

/// What a keeper publishes: its tokens, numbered, and why it stopped if the service refused the
/// refresh token.
#[derive(Clone)]
pub(crate) struct Published {
    /// 0 for the tokens the keeper was given; one more for every refresh (and for the refusal).
    pub generation: u64,
    pub tokens: Tokens,
    /// Set when the service refused the refresh token: the keeper has stopped.
    pub failure: Option<String>,
}

impl Published {
    /// The event a client hands to the game for this publication.
    pub fn outcome(&self) -> Result<Tokens, String> {
        match &self.failure {
            Some(why) => Err(why.clone()),
            None => Ok(self.tokens.clone()),
        }
    }
}

/// One refresh attempt's end, numbered.
#[derive(Clone)]
struct Attempt {
    count: u64,
    result: Result<(), GrantError>,
}

/// How many earlier refresh tokens a keeper recognises as its own.
const LINEAGE: usize = 8;

/// The wait before retrying a refresh the network failed: 1 s doubling to 30 s.
fn retry_policy() -> ReconnectPolicy {
    ReconnectPolicy {
        initial_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(30),
        ..ReconnectPolicy::default()
    }
}

/// What the keeper's task and its clients share.
struct Shared {
    config: AuthConfig,
    published: watch::Sender<Published>,
    attempts: watch::Sender<Attempt>,
    /// Bumped by every client asking for a refresh now.
    requests: watch::Sender<u64>,
    /// The refresh tokens this keeper holds or held, newest last.
    lineage: Mutex<VecDeque<String>>,
}

impl Shared {
    fn remember(&self, refresh_token: &str) {
        let mut lineage = self.lineage.lock();
        if lineage.iter().any(|t| t == refresh_token) {
            return;
        }
        if lineage.len() == LINEAGE {
            lineage.pop_front();
        }
        lineage.push_back(refresh_token.to_owned());
    }

    fn knows(&self, refresh_token: &str) -> bool {
        self.lineage.lock().iter().any(|t| t == refresh_token)
    }

    /// When the current access token turns stale (half its lifetime), as a tokio instant.
    fn stale_at(&self) -> Option<tokio::time::Instant> {
        let p = self.published.borrow();
        if p.tokens.expires_in == 0 {
            return None;
        }
        let lifetime_ms = i64::try_from(p.tokens.expires_in.saturating_mul(1000)).unwrap_or(i64::MAX);
        let stale_ms = p.tokens.granted_at.saturating_mul(1000).saturating_add(lifetime_ms / 2);
        let wait = u64::try_from(stale_ms.saturating_sub(now_ms())).unwrap_or(0);
        Some(tokio::time::Instant::now() + Duration::from_millis(wait))
    }
}

/// A token pair kept fresh in the background. Dropping the last reference stops it.
pub(crate) struct Keeper {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
    // Dropped last: the runtime must outlive the task.
    _runtime: RuntimeGuard,
}

impl Drop for Keeper {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The live keepers, for sharing (weak: a keeper goes when its last client does).
static KEEPERS: Mutex<Vec<Weak<Keeper>>> = Mutex::new(Vec::new());

impl Keeper {
    /// The keeper of `refresh`'s tokens: a live one that holds (or held) its refresh token for
    /// the same service and app, or a new one started with `access_token`.
    pub fn join(
        access_token: &str,
        refresh: &TokenRefresh,
        tls: &TlsRoots,
        request_timeout: Duration,
    ) -> std::io::Result<Arc<Keeper>> {
        let mut others = Vec::new();
        let mut keepers = KEEPERS.lock();
        keepers.retain(|k| k.strong_count() > 0);
        for keeper in keepers.iter().filter_map(Weak::upgrade) {
            let c = &keeper.shared.config;
            if c.base_url == refresh.base_url
                && c.client_id == refresh.client_id
                && keeper.shared.knows(&refresh.refresh_token)
            {
                return Ok(keeper);
            }
            // Dropped after the lock: the last reference going stops a keeper.
            others.push(keeper);
        }
        let keeper = Arc::new(Keeper::start(access_token, refresh, tls, request_timeout)?);
        keepers.push(Arc::downgrade(&keeper));
        drop(keepers);
        drop(others);
        Ok(keeper)
    }

    fn start(
        access_token: &str,
        refresh: &TokenRefresh,
        tls: &TlsRoots,
        request_timeout: Duration,
    ) -> std::io::Result<Keeper> {
        let runtime = RuntimeGuard::acquire()?;
        let mut config = AuthConfig::new(refresh.base_url.clone(), refresh.client_id.clone(), "");
        config.client_secret = refresh.client_secret.clone();
        config.tls = tls.clone();
        config.request_timeout = request_timeout;
        let tokens = Tokens {
            access_token: access_token.to_owned(),
            refresh_token: refresh.refresh_token.clone(),
            expires_in: refresh.expires_in,
            granted_at: refresh.granted_at,
        };
        let shared = Arc::new(Shared {
            config,
            published: watch::Sender::new(Published { generation: 0, tokens, failure: None }),
            attempts: watch::Sender::new(Attempt { count: 0, result: Ok(()) }),
            requests: watch::Sender::new(0),
            lineage: Mutex::new(VecDeque::new()),
        });
        shared.remember(&refresh.refresh_token);
        // Subscribed before the task runs, so a request made at once is not missed.
        let requests = shared.requests.subscribe();
        let task = runtime.handle().spawn(run(shared.clone(), requests));
        Ok(Keeper { shared, task, _runtime: runtime })
    }

    /// Follows the keeper's publications (the current one counts as seen).
    pub fn subscribe(&self) -> watch::Receiver<Published> {
        let mut rx = self.shared.published.subscribe();
        rx.borrow_and_update();
        rx
    }

    pub fn current(&self) -> Published {
        self.shared.published.borrow().clone()
    }

    /// Refreshes now (or joins a refresh already running) and returns how that attempt ended.
    /// A keeper whose refresh token was refused answers `Refused` at once.
    pub async fn refresh_now(&self) -> Result<(), GrantError> {
        let mut attempts = self.shared.attempts.subscribe();
        let before = attempts.borrow_and_update().count;
        // Checked after subscribing: the refusal is published before its attempt ends.
        if let Some(why) = self.current().failure {
            return Err(GrantError::Refused(why));
        }
        self.shared.requests.send_modify(|n| *n += 1);
        loop {
            if attempts.changed().await.is_err() {
                return Err(GrantError::Unreachable("the token refresh stopped".into()));
            }
            let attempt = attempts.borrow_and_update().clone();
            if attempt.count > before {
                return attempt.result;
            }
        }
    }
}

/// The keeper's life: refresh when the token turns stale or a client asks, retry what the
/// network failed, stop for good when the service refuses the refresh token.
async fn run(shared: Arc<Shared>, mut requests: watch::Receiver<u64>) {
    let mut failures = 0u32;
    loop {
        let due = if failures > 0 {
            Some(tokio::time::Instant::now() + retry_policy().delay(failures))
        } else {
            shared.stale_at()
        };
        let waited = async {
            match due {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = waited => {}
            changed = requests.changed() => if changed.is_err() { return },
        }
        let spent = shared.published.borrow().tokens.refresh_token.clone();
        let result = grant::refresh(&shared.config, &spent).await;
        // Requests made while this attempt ran are answered by it.
        requests.borrow_and_update();
        let outcome = match result {
            Ok(mut tokens) => {
                if tokens.refresh_token.is_empty() {
                    // A service that does not rotate refresh tokens keeps the old one working.
                    tokens.refresh_token = spent;
                }
                shared.remember(&tokens.refresh_token);
                failures = 0;
                shared.published.send_modify(|p| {
                    p.generation += 1;
                    p.tokens = tokens;
                    p.failure = None;
                });
                Ok(())
            }
            Err(GrantError::Unreachable(why)) => {
                failures = failures.saturating_add(1);
                log(Level::Warning, || format!("{why}; retrying"));
                Err(GrantError::Unreachable(why))
            }
            Err(GrantError::Refused(why)) => {
                log(Level::Error, || format!("{why}; sign in again"));
                shared.published.send_modify(|p| {
                    p.generation += 1;
                    p.failure = Some(why.clone());
                });
                shared.attempts.send_modify(|a| {
                    a.count += 1;
                    a.result = Err(GrantError::Refused(why));
                });
                return;
            }
        };
        shared.attempts.send_modify(|a| {
            a.count += 1;
            a.result = outcome;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refresh(base: &str, token: &str) -> TokenRefresh {
        TokenRefresh {
            base_url: base.into(),
            client_id: "app".into(),
            client_secret: None,
            refresh_token: token.into(),
            // No lifetime: nothing is refreshed (and no network is touched) in this test.
            expires_in: 0,
            granted_at: 0,
        }
    }

    #[test]
    fn clients_given_one_refresh_token_share_a_keeper() {
        let timeout = Duration::from_secs(1);
        let a = Keeper::join("access", &refresh("http://a", "r1"), &TlsRoots::System, timeout).unwrap();
        let b = Keeper::join("access", &refresh("http://a", "r1"), &TlsRoots::System, timeout).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "the same refresh token: one keeper");
        let other_token = Keeper::join("access", &refresh("http://a", "r2"), &TlsRoots::System, timeout).unwrap();
        let other_service = Keeper::join("access", &refresh("http://b", "r1"), &TlsRoots::System, timeout).unwrap();
        assert!(!Arc::ptr_eq(&a, &other_token) && !Arc::ptr_eq(&a, &other_service));
        // A refresh token the keeper held before still finds it.
        a.shared.remember("r1-next");
        let later = Keeper::join("x", &refresh("http://a", "r1-next"), &TlsRoots::System, timeout).unwrap();
        assert!(Arc::ptr_eq(&a, &later));
        assert_eq!(a.current().generation, 0);
        assert!(!format!("{:?}", refresh("http://a", "secret")).contains("secret"), "no secret in Debug");
        // Gone with its last client: a new join starts afresh.
        drop((a, b, later));
        let fresh = Keeper::join("new-access", &refresh("http://a", "r1"), &TlsRoots::System, timeout).unwrap();
        assert_eq!(fresh.current().tokens.access_token, "new-access");
    }

    #[test]
    fn the_lineage_is_bounded() {
        let k = Keeper::join("a", &refresh("http://lineage", "t0"), &TlsRoots::System, Duration::from_secs(1)).unwrap();
        for i in 1..=LINEAGE * 2 {
            k.shared.remember(&format!("t{i}"));
        }
        assert_eq!(k.shared.lineage.lock().len(), LINEAGE);
        assert!(!k.shared.knows("t0") && k.shared.knows(&format!("t{}", LINEAGE * 2)));
    }
}
