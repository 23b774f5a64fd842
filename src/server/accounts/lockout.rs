//! Login lockout: after too many failed logins for one username within a window, every login for
//! it is refused until the oldest failure leaves the window, whatever the password. Kept in
//! memory (a restart forgives), bounded in size.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Usernames tracked at most; past it, names whose failures all left the window are forgotten
/// first, and new names are not tracked until there is room.
const MAX_TRACKED: usize = 100_000;

pub struct Lockout {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
    max_failures: usize,
    window: Duration,
}

impl Lockout {
    pub fn new(max_failures: usize, window: Duration) -> Lockout {
        Lockout { failures: Mutex::new(HashMap::new()), max_failures: max_failures.max(1), window }
    }

    fn key(username: &str) -> String {
        username.trim().to_lowercase()
    }

    /// How long `username` is still locked out, if it is.
    pub fn locked_for(&self, username: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut failures = self.failures.lock();
        let list = failures.get_mut(&Self::key(username))?;
        while list.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            list.pop_front();
        }
        if list.len() < self.max_failures {
            return None;
        }
        let oldest = *list.front()?;
        Some(self.window.saturating_sub(now.duration_since(oldest)).max(Duration::from_secs(1)))
    }

    /// Counts a failed login.
    pub fn failed(&self, username: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock();
        if failures.len() >= MAX_TRACKED {
            let window = self.window;
            failures.retain(|_, list| list.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let key = Self::key(username);
        if failures.len() >= MAX_TRACKED && !failures.contains_key(&key) {
            return;
        }
        let list = failures.entry(key).or_default();
        list.push_back(now);
        while list.len() > self.max_failures {
            list.pop_front();
        }
    }

    /// Forgets the failures of a username that just signed in.
    pub fn succeeded(&self, username: &str) {
        self.failures.lock().remove(&Self::key(username));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_and_forgives_a_success() {
        let l = Lockout::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            l.failed("Ann");
        }
        assert_eq!(l.locked_for("ann"), None);
        l.failed("ANN");
        let wait = l.locked_for("ann").expect("locked");
        assert!(wait > Duration::from_secs(58) && wait <= Duration::from_secs(60), "{wait:?}");
        assert_eq!(l.locked_for("bob"), None);
        l.succeeded("ann");
        assert_eq!(l.locked_for("ann"), None);
        let quick = Lockout::new(1, Duration::ZERO);
        quick.failed("x");
        assert_eq!(quick.locked_for("x"), None, "failures leave the window");
    }
}
