//! What the whole mediator shares: the world, its settings, the live channel sessions and the
//! viewers' spark balances.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::chat::Chats;
use super::oauth::{OAuth, TokenState};
use super::session::ChannelSession;
use super::world::{User, World};

/// Mediator settings.
#[derive(Debug, Clone)]
pub struct MediatorConfig {
    /// How long an uncaptured spark transaction stays capturable (the spec: five minutes).
    pub transaction_ttl: Duration,
    /// Per-session memory cap in bytes for `getMemoryStats`/`issueMemoryWarning`; 0 = uncapped.
    pub memory_limit_bytes: u64,
    /// Outgoing queue length of a game-client socket (producers wait when it is full).
    pub game_queue: usize,
    /// Outgoing queue length of a participant socket (a participant that falls this far behind is
    /// disconnected).
    pub participant_queue: usize,
    /// The address clients reach this mediator at, when it is not the one they asked (behind a
    /// TLS terminator or a reverse proxy), e.g. `https://mixplay.example.com`. Discovery and the
    /// channel endpoint then advertise `wss://…` (`ws://…` for `http://`) under it instead of
    /// the request's `Host`.
    pub public_url: Option<String>,
    /// How long an access token from the OAuth flow (`/api/v1/oauth/token`) works (Mixer: about
    /// six hours). Zero makes tokens that are expired at once (for tests).
    pub access_token_ttl: Duration,
    /// How long a short code (`/api/v1/oauth/shortcode`) can be approved (Mixer: 120 s).
    pub shortcode_ttl: Duration,
    /// How long a chat `authkey` from `GET /api/v1/chats/{id}` can be used (once).
    pub chat_authkey_ttl: Duration,
    /// The longest chat message, in characters.
    pub chat_max_message_chars: usize,
}

impl Default for MediatorConfig {
    fn default() -> Self {
        MediatorConfig {
            transaction_ttl: Duration::from_secs(5 * 60),
            memory_limit_bytes: 0,
            game_queue: 8192,
            participant_queue: 1024,
            public_url: None,
            access_token_ttl: Duration::from_secs(6 * 60 * 60),
            shortcode_ttl: Duration::from_secs(120),
            chat_authkey_ttl: Duration::from_secs(60),
            chat_max_message_chars: 360,
        }
    }
}

pub struct Hub {
    pub world: World,
    pub config: MediatorConfig,
    /// Short codes, authorization codes and the tokens the OAuth flow issued.
    pub oauth: Arc<OAuth>,
    /// The chat rooms, one per channel.
    pub chat: Chats,
    sessions: Mutex<HashMap<u32, Arc<ChannelSession>>>,
    sparks: Mutex<HashMap<u32, u64>>,
}

impl Hub {
    #[cfg(test)]
    pub fn new(world: World, config: MediatorConfig) -> Hub {
        Hub::with_oauth(world, config, Arc::default())
    }

    /// A hub honouring the codes and tokens of `oauth` (kept across an in-process restart).
    pub fn with_oauth(world: World, config: MediatorConfig, oauth: Arc<OAuth>) -> Hub {
        let sparks = world.users().map(|u| (u.id, u.sparks)).collect();
        Hub {
            world,
            config,
            oauth,
            chat: Chats::default(),
            sessions: Mutex::new(HashMap::new()),
            sparks: Mutex::new(sparks),
        }
    }

    /// The user a bearer token (or participant key) belongs to: a world token, or an unexpired
    /// access token the OAuth flow issued.
    pub fn user_by_token(&self, token: &str) -> Option<User> {
        if let Some(user) = self.world.user_by_token(token) {
            return Some(user.clone());
        }
        match self.oauth.access_token(token) {
            TokenState::Valid(id) => self.world.user(id).cloned(),
            TokenState::Expired | TokenState::Unknown => None,
        }
    }

    /// Whether `token` is one the OAuth flow issued that has expired (for clearer refusals).
    pub fn token_expired(&self, token: &str) -> bool {
        matches!(self.oauth.access_token(token), TokenState::Expired)
    }

    pub fn session(&self, channel: u32) -> Option<Arc<ChannelSession>> {
        self.sessions.lock().get(&channel).cloned()
    }

    /// Registers a channel's session; fails when one is already running (4021).
    pub fn start_session(&self, session: Arc<ChannelSession>) -> bool {
        let mut sessions = self.sessions.lock();
        if sessions.contains_key(&session.channel_id) {
            return false;
        }
        sessions.insert(session.channel_id, session);
        true
    }

    pub fn sessions(&self) -> Vec<Arc<ChannelSession>> {
        self.sessions.lock().values().cloned().collect()
    }

    /// Whether the channel already has a game client.
    pub fn is_busy(&self, channel: u32) -> bool {
        self.sessions.lock().contains_key(&channel)
    }

    /// Ends a session, if `session` is still the channel's current one.
    pub fn end_session(&self, session: &Arc<ChannelSession>) {
        let mut sessions = self.sessions.lock();
        if sessions.get(&session.channel_id).is_some_and(|s| Arc::ptr_eq(s, session)) {
            sessions.remove(&session.channel_id);
        }
    }

    pub fn sparks_of(&self, user: u32) -> u64 {
        self.sparks.lock().get(&user).copied().unwrap_or(0)
    }

    /// Deducts `cost` sparks; false when the balance is too small.
    pub fn spend_sparks(&self, user: u32, cost: u64) -> bool {
        let mut sparks = self.sparks.lock();
        match sparks.get_mut(&user) {
            Some(balance) if *balance >= cost => {
                *balance -= cost;
                true
            }
            _ => false,
        }
    }
}
