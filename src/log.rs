//! The library's log: records go into a small bounded queue and are handed to the game only
//! from inside `poll` (through the C API's sink, or to stderr), never from a network thread.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};

use parking_lot::Mutex;

/// Severity, most severe first. A record is kept when its level is at most the current level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u32)]
pub enum Level {
    Error = 1,
    Warning = 2,
    Info = 3,
    Debug = 4,
}

/// The most records waiting; older ones are dropped (and counted) past it.
const CAPACITY: usize = 256;

static LEVEL: AtomicU32 = AtomicU32::new(Level::Warning as u32);
static QUEUE: Mutex<VecDeque<(Level, String)>> = Mutex::new(VecDeque::new());
static WAITING: AtomicUsize = AtomicUsize::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Keeps records up to `level`; 0 keeps none.
pub fn set_level(level: u32) {
    LEVEL.store(level, Ordering::Relaxed);
}

pub fn level() -> u32 {
    LEVEL.load(Ordering::Relaxed)
}

pub fn enabled(level: Level) -> bool {
    level as u32 <= LEVEL.load(Ordering::Relaxed)
}

/// Records a message (built only when the level is enabled). Never include secrets.
pub fn log(level: Level, message: impl FnOnce() -> String) {
    if !enabled(level) {
        return;
    }
    let text = message();
    let mut q = QUEUE.lock();
    if q.len() >= CAPACITY {
        q.pop_front();
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
    q.push_back((level, text));
    WAITING.store(q.len(), Ordering::Release);
}

/// Whether any record waits to be drained (two relaxed loads; for hot paths).
pub fn pending() -> bool {
    WAITING.load(Ordering::Acquire) != 0 || DROPPED.load(Ordering::Relaxed) != 0
}

/// Hands every waiting record to `sink`, oldest first. Cheap when nothing waits.
pub fn drain(mut sink: impl FnMut(Level, &str)) {
    if !pending() {
        return;
    }
    let records: Vec<(Level, String)> = {
        let mut q = QUEUE.lock();
        WAITING.store(0, Ordering::Release);
        q.drain(..).collect()
    };
    let dropped = DROPPED.swap(0, Ordering::Relaxed);
    if dropped > 0 {
        sink(Level::Warning, &format!("{dropped} log records were dropped (nobody polled)"));
    }
    for (level, text) in records {
        sink(level, &text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_filter_and_drain_empties() {
        set_level(Level::Info as u32);
        log(Level::Debug, || "hidden".into());
        log(Level::Info, || "shown".into());
        let mut seen = Vec::new();
        drain(|l, t| seen.push((l, t.to_owned())));
        assert!(seen.contains(&(Level::Info, "shown".to_owned())));
        assert!(!seen.iter().any(|(_, t)| t == "hidden"));
        let mut again = 0;
        drain(|_, _| again += 1);
        assert_eq!(again, 0);
        set_level(Level::Warning as u32);
    }
}
