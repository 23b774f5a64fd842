//! The chat's event names, and the set of them a socket opted out of (`optOutEvents`): a few
//! bits, so opting out is bounded however often it is asked, and copying it is free.

/// Every chat event, as Mixer's chat named them (`SkillAttribution` is never sent here, but
/// clients may opt out of it).
pub const EVENTS: [&str; 12] = [
    "WelcomeEvent",
    "ChatMessage",
    "UserJoin",
    "UserLeave",
    "UserUpdate",
    "UserTimeout",
    "PollStart",
    "PollEnd",
    "DeleteMessage",
    "PurgeMessage",
    "ClearMessages",
    "SkillAttribution",
];

/// A set of chat events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventSet(u16);

impl EventSet {
    fn bit(event: &str) -> Option<u16> {
        EVENTS.iter().position(|e| *e == event).map(|i| 1 << i)
    }

    /// Adds a known event; `false` for a name that is not one.
    pub fn insert(&mut self, event: &str) -> bool {
        match Self::bit(event) {
            Some(bit) => {
                self.0 |= bit;
                true
            }
            None => false,
        }
    }

    pub fn contains(&self, event: &str) -> bool {
        Self::bit(event).is_some_and(|bit| self.0 & bit != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_events_once_each() {
        let mut set = EventSet::default();
        assert!(set.insert("UserJoin"));
        assert!(set.insert("UserJoin"));
        assert!(set.insert("PollEnd"));
        assert!(!set.insert("NoSuchEvent"));
        assert!(set.contains("UserJoin") && set.contains("PollEnd"));
        assert!(!set.contains("UserLeave") && !set.contains("NoSuchEvent"));
        let again = set;
        assert!(set.insert("UserJoin"));
        assert_eq!(set, again, "a second opt-out changes nothing");
    }
}
