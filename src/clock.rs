//! The wall clock, as the protocol counts it: milliseconds since the unix epoch. One helper for
//! the game client (its service-clock estimate), the sign-in (token ages) and the mediator
//! (`getTime`, cooldowns, `connectedAt`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in unix milliseconds (0 if the system clock is set before 1970).
pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
