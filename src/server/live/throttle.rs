//! Leaky-bucket throttles on what the mediator sends to a game client (`setBandwidthThrottle`).

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{json, Map, Value};

/// The global bucket every session starts with: 332160 bytes of capacity, draining
/// 1310720 bytes per second (the spec's defaults).
pub const DEFAULT_GLOBAL: Rule = Rule { capacity: 332_160, drain_rate: 1_310_720 };

/// Buckets a game client may have at most (one per method it throttles, and `*`).
pub const MAX_BUCKETS: usize = 256;

/// A bucket's size in bytes and how many bytes per second drain from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub capacity: u64,
    pub drain_rate: u64,
}

#[derive(Debug)]
struct Bucket {
    rule: Rule,
    level: f64,
    updated: Instant,
    inserted: u64,
    rejected: u64,
}

impl Bucket {
    fn new(rule: Rule) -> Self {
        Bucket { rule, level: 0.0, updated: Instant::now(), inserted: 0, rejected: 0 }
    }

    fn fits(&mut self, bytes: u64, now: Instant) -> bool {
        let drained = now.duration_since(self.updated).as_secs_f64() * self.rule.drain_rate as f64;
        self.level = (self.level - drained).max(0.0);
        self.updated = now;
        self.level + bytes as f64 <= self.rule.capacity as f64
    }
}

/// The buckets of one game client: one per throttled method, and `*` for everything.
#[derive(Debug)]
pub struct Throttles {
    buckets: HashMap<String, Bucket>,
}

impl Default for Throttles {
    fn default() -> Self {
        let mut buckets = HashMap::new();
        buckets.insert("*".to_owned(), Bucket::new(DEFAULT_GLOBAL));
        Throttles { buckets }
    }
}

/// Why a `setBandwidthThrottle` call was refused.
#[derive(Debug, PartialEq)]
pub struct BadRule {
    pub method: String,
    pub reason: &'static str,
}

impl Throttles {
    /// Applies a `setBandwidthThrottle` params map: `{method: {capacity, drainRate} | null}`.
    /// Validates everything before changing anything.
    pub fn configure(&mut self, params: &Map<String, Value>) -> Result<(), BadRule> {
        let mut parsed = Vec::with_capacity(params.len());
        for (method, rule) in params {
            let rule = match rule {
                Value::Null => None,
                Value::Object(r) => {
                    let field = |name: &str| r.get(name).and_then(Value::as_u64);
                    match (field("capacity"), field("drainRate")) {
                        (Some(capacity), Some(drain_rate)) => Some(Rule { capacity, drain_rate }),
                        _ => {
                            return Err(BadRule {
                                method: method.clone(),
                                reason: "needs non-negative integer capacity and drainRate",
                            })
                        }
                    }
                }
                _ => return Err(BadRule { method: method.clone(), reason: "must be an object or null" }),
            };
            parsed.push((method.clone(), rule));
        }
        let added = parsed.iter().filter(|(m, r)| r.is_some() && !self.buckets.contains_key(m)).count();
        if self.buckets.len() + added > MAX_BUCKETS {
            return Err(BadRule { method: "*".into(), reason: "a game client may throttle at most 256 methods" });
        }
        for (method, rule) in parsed {
            match rule {
                None => {
                    self.buckets.remove(&method);
                }
                Some(rule) => {
                    // Keep the counters of an existing bucket; a new rule starts empty.
                    let bucket = self.buckets.entry(method).or_insert_with(|| Bucket::new(rule));
                    bucket.rule = rule;
                }
            }
        }
        Ok(())
    }

    /// Whether a `bytes`-long call of `method` may be sent now; counts it either way.
    pub fn admit(&mut self, method: &str, bytes: usize) -> bool {
        let now = Instant::now();
        let bytes = bytes as u64;
        let mut admitted = true;
        for key in [method, "*"] {
            if let Some(bucket) = self.buckets.get_mut(key) {
                if admitted && bucket.fits(bytes, now) {
                    bucket.level += bytes as f64;
                    bucket.inserted += 1;
                } else if admitted {
                    bucket.rejected += 1;
                    admitted = false;
                }
            }
        }
        admitted
    }

    /// The `getThrottleState` result: `{method: {inserted, rejected}}` for every bucket.
    pub fn state(&self) -> Value {
        let map: Map<String, Value> = self
            .buckets
            .iter()
            .map(|(k, b)| (k.clone(), json!({ "inserted": b.inserted, "rejected": b.rejected })))
            .collect();
        Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_reject_when_full_and_count() {
        let mut t = Throttles::default();
        let rules = json!({ "giveInput": { "capacity": 100, "drainRate": 0 }, "onParticipantJoin": { "capacity": 0, "drainRate": 0 } });
        t.configure(rules.as_object().unwrap()).unwrap();
        assert!(t.admit("giveInput", 60));
        assert!(!t.admit("giveInput", 60));
        assert!(!t.admit("onParticipantJoin", 1));
        assert!(t.admit("onReady", 10));
        let s = t.state();
        assert_eq!(s["giveInput"], json!({"inserted": 1, "rejected": 1}));
        assert_eq!(s["onParticipantJoin"], json!({"inserted": 0, "rejected": 1}));
        assert_eq!(s["*"], json!({"inserted": 2, "rejected": 0}));
        t.configure(json!({"*": null, "giveInput": null}).as_object().unwrap()).unwrap();
        assert!(t.admit("giveInput", 1_000_000));
        assert!(t.configure(json!({"x": {"capacity": -1}}).as_object().unwrap()).is_err());
        let rule = json!({ "capacity": 1, "drainRate": 1 });
        let many: Map<String, Value> = (0..MAX_BUCKETS).map(|i| (format!("m{i}"), rule.clone())).collect();
        let e = t.configure(&many).unwrap_err();
        assert!(e.reason.contains("at most 256"), "{e:?}");
        assert!(!t.state().as_object().unwrap().contains_key("m0"), "nothing changed");
    }
}
