//! How a lost connection is retried: the one backoff of the game-client session and the chat.

use std::time::Duration;

/// How a session or a chat retries after losing its connection.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconnectPolicy {
    /// Whether to reconnect at all after 1011, 1012 or a transport failure.
    pub enabled: bool,
    /// The first delay; each failed attempt doubles it.
    pub initial_delay: Duration,
    /// The longest delay between attempts (before jitter).
    pub max_delay: Duration,
    /// Give up after this many failed attempts in a row (`None`: never give up).
    pub max_attempts: Option<u32>,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            enabled: true,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_attempts: None,
        }
    }
}

impl ReconnectPolicy {
    /// The wait before reconnect attempt `attempt` (1 for the first retry; 0 counts as 1): the
    /// initial delay doubled per earlier attempt, capped at the longest delay, with ±25% jitter
    /// so that many clients dropped together do not come back together.
    pub fn delay(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(16);
        let base = self.initial_delay.saturating_mul(1u32 << doublings).min(self.max_delay);
        base.mul_f64(0.75 + fastrand::f64() * 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_with_a_quarter_of_jitter() {
        let policy = ReconnectPolicy {
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..ReconnectPolicy::default()
        };
        let within = |d: Duration, ms: u64| {
            let ms = Duration::from_millis(ms);
            d >= ms.mul_f64(0.75) && d <= ms.mul_f64(1.25)
        };
        for _ in 0..200 {
            assert!(within(policy.delay(0), 100));
            assert!(within(policy.delay(1), 100));
            assert!(within(policy.delay(2), 200));
            assert!(within(policy.delay(4), 800));
            assert!(within(policy.delay(5), 1000), "capped");
            assert!(within(policy.delay(u32::MAX), 1000), "no overflow");
        }
    }
}
