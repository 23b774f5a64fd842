//! Rate limits: a token bucket per key (an address, a user, a target), in memory and bounded in
//! size, or a single one (a socket's own). A bucket starts full with `burst` tokens, refilled at
//! `burst` per `per`.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::config::Rate;

/// Keys tracked at most; past it, keys whose bucket is full again (which carry no information)
/// are forgotten, and new keys are let through untracked until there is room.
const MAX_KEYS: usize = 100_000;

/// One token bucket: `burst` tokens at first, refilled at `burst` per `per` of its [`Rate`] (a
/// single socket's limit; [`Buckets`] keeps one per key).
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn full(rate: Rate) -> Bucket {
        Bucket { tokens: f64::from(rate.burst), at: Instant::now() }
    }

    fn refill(&mut self, rate: Rate, now: Instant) {
        let earned = now.duration_since(self.at).as_secs_f64() / per_token(rate);
        *self = Bucket { tokens: (self.tokens + earned).min(f64::from(rate.burst)), at: now };
    }

    /// Takes a token: `Err(wait)` (taking nothing) when there is none. Always `Ok` when the
    /// limit is off.
    pub fn take(&mut self, rate: Rate) -> Result<(), Duration> {
        if rate.is_off() {
            return Ok(());
        }
        self.refill(rate, Instant::now());
        self.take_refilled(rate)
    }

    fn take_refilled(&mut self, rate: Rate) -> Result<(), Duration> {
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(wait(rate, self.tokens))
        }
    }
}

/// The time one token takes to come back.
fn per_token(rate: Rate) -> f64 {
    rate.per.as_secs_f64() / f64::from(rate.burst)
}

/// How long until a bucket holding `tokens` has a whole one again.
fn wait(rate: Rate, tokens: f64) -> Duration {
    Duration::from_secs_f64(((1.0 - tokens) * per_token(rate)).max(0.001))
}

/// Token buckets, one per key.
pub struct Buckets<K> {
    rate: Rate,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    pub fn new(rate: Rate) -> Buckets<K> {
        Buckets { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// Runs `f` on `key`'s refilled bucket (a full one when the key is new). `None` when the
    /// limit is off or the key cannot be tracked.
    fn with<T>(&self, key: &K, f: impl FnOnce(&mut Bucket) -> T) -> Option<T> {
        if self.rate.is_off() {
            return None;
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock();
        if !buckets.contains_key(key) {
            if buckets.len() >= MAX_KEYS {
                let full = f64::from(self.rate.burst);
                buckets.retain(|_, b| {
                    let mut b = *b;
                    b.refill(self.rate, now);
                    b.tokens < full
                });
                if buckets.len() >= MAX_KEYS {
                    return None;
                }
            }
            buckets.insert(key.clone(), Bucket::full(self.rate));
        }
        let bucket = buckets.get_mut(key).expect("inserted above");
        bucket.refill(self.rate, now);
        Some(f(bucket))
    }

    /// Takes a token for `key`: `Err(wait)` (taking nothing) when there is none.
    pub fn take(&self, key: &K) -> Result<(), Duration> {
        self.with(key, |b| b.take_refilled(self.rate)).unwrap_or(Ok(()))
    }

    /// Whether `key` has a token, without taking it: `Err(wait)` when it has none.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        match self.with(key, |b| b.tokens) {
            Some(tokens) if tokens < 1.0 => Err(wait(self.rate, tokens)),
            _ => Ok(()),
        }
    }

    /// Takes a token for `key` if it has one (counting an event that already happened).
    pub fn spend(&self, key: &K) {
        self.with(key, |b| b.tokens = (b.tokens - 1.0).max(0.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let b = Buckets::new(Rate::new(3, 60));
        for _ in 0..3 {
            assert!(b.take(&"a").is_ok());
        }
        let wait = b.take(&"a").unwrap_err();
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20), "{wait:?}");
        assert!(b.take(&"b").is_ok(), "keys are separate");
        assert!(b.check(&"a").is_err());
        assert!(b.check(&"c").is_ok());
        b.spend(&"c");
        b.spend(&"c");
        assert!(b.check(&"c").is_ok());
        b.spend(&"c");
        assert!(b.check(&"c").is_err());
        let off = Buckets::new(Rate::OFF);
        for _ in 0..100 {
            assert!(off.take(&1).is_ok());
        }
        let quick = Buckets::new(Rate { burst: 1, per: Duration::from_millis(1) });
        assert!(quick.take(&1).is_ok());
        std::thread::sleep(Duration::from_millis(5));
        assert!(quick.take(&1).is_ok(), "refilled");
    }

    #[test]
    fn one_bucket_alone() {
        let rate = Rate::new(3, 60);
        let mut b = Bucket::full(rate);
        assert!(b.take(rate).is_ok() && b.take(rate).is_ok() && b.take(rate).is_ok());
        assert!(b.take(rate).is_err());
        assert!(Bucket::full(Rate::OFF).take(Rate::OFF).is_ok());
    }
}
