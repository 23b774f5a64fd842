//! Shared by the client benchmarks (each bench includes this with `#[path]`; not a bench itself).
#![allow(dead_code)]

pub mod alloc;
pub mod flood;
pub mod mono;
pub mod node;
pub mod packets;
pub mod typed;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `command` to its end within `limit` (killing it after); its stdout, or why it failed.
/// Meant for programs that print a few lines: their output is read once they exit.
pub fn run_limited(command: &mut Command, what: &str, limit: Duration) -> Result<String, String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {what} failed: {e}"))?;
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => {
                let mut out = String::new();
                let mut err = String::new();
                child.stdout.take().unwrap().read_to_string(&mut out).ok();
                child.stderr.take().unwrap().read_to_string(&mut err).ok();
                if !status.success() {
                    return Err(format!("{what} exited with {status}: {}", err.trim()));
                }
                return Ok(out);
            }
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what} did not finish within {limit:?}"));
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Reads a numeric setting from the environment.
pub fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key).ok().and_then(|v| v.trim().replace('_', "").parse().ok()).unwrap_or(default)
}

pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

pub fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)))
}

/// `1234567.0` → `1.235M`, `123456.0` → `123.5k`.
pub fn si(x: f64) -> String {
    if !x.is_finite() {
        "—".into()
    } else if x >= 1e6 {
        format!("{:.3}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.1}")
    }
}

/// Overall time limit of one bench binary.
pub struct Budget {
    start: Instant,
    limit: Duration,
}

impl Budget {
    pub fn new(limit: Duration) -> Self {
        Budget { start: Instant::now(), limit }
    }

    pub fn left(&self) -> Duration {
        self.limit.saturating_sub(self.start.elapsed())
    }

    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}

/// Resident set size of this process, from /proc/self/status (0 where unavailable).
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
