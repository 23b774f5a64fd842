//! What the whole mediator shares: its settings, the store, accounts, spark balances, the live
//! channel sessions, who is watching them, the chat rooms and uploaded files.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::accounts::Accounts;
use super::chat::Chats;
use super::config::MediatorConfig;
use super::conn::addr::AddrKey;
use super::economy::watching::Watching;
use super::files::Files;
use super::live::session::ChannelSession;
use super::rate::Buckets;
use super::sparks::Sparks;
use super::store::{Store, StoreError};

pub struct Hub {
    pub config: MediatorConfig,
    /// Everything that outlives a restart.
    pub store: Store,
    pub accounts: Accounts,
    pub sparks: Sparks,
    /// The viewer sockets, live channels and who is watching (the economy's view).
    pub watching: Arc<Watching>,
    /// The chat rooms, one per channel.
    pub chat: Chats,
    /// Files games uploaded.
    pub files: Files,
    /// `POST /api/v1/oauth/shortcode` per address.
    pub shortcode_requests: Buckets<AddrKey>,
    sessions: Mutex<HashMap<u32, Arc<ChannelSession>>>,
}

impl Hub {
    pub async fn new(store: Store, config: MediatorConfig) -> Result<Hub, StoreError> {
        let watching = Arc::new(Watching::new(config.viewer_sockets_per_user, config.viewer_sockets_max));
        let sparks = Sparks::load(store.clone(), config.transaction_ttl, watching.clone()).await?;
        let files = Files::load(store.clone(), config.files).await?;
        Ok(Hub {
            files,
            accounts: Accounts::new(store.clone(), &config),
            sparks,
            watching,
            chat: Chats::default(),
            shortcode_requests: Buckets::new(config.shortcode_rate),
            sessions: Mutex::new(HashMap::new()),
            store,
            config,
        })
    }

    /// Whether cookies are `Secure` (the mediator is reached over `https://`).
    pub fn secure_cookies(&self) -> bool {
        self.config.public_url.as_deref().is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
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
        {
            let mut sessions = self.sessions.lock();
            if !sessions.get(&session.channel_id).is_some_and(|s| Arc::ptr_eq(s, session)) {
                return;
            }
            sessions.remove(&session.channel_id);
        }
        self.channel_status_changed(session.channel_id);
    }

    /// Whether a channel's game client is connected and ready: what makes watching the channel
    /// earn sparks. (A channel is *online* also while its owner switched it live, see
    /// `channel/`.)
    pub fn game_ready(&self, channel: u32) -> bool {
        self.session(channel).is_some_and(|s| s.is_ready())
    }

    /// Call after a game client may have become ready or left: the channel's viewers start (or
    /// stop) earning, and its pages hear the new status.
    pub fn channel_status_changed(&self, channel: u32) {
        self.watching.set_game_ready(channel, || self.game_ready(channel));
    }
}
