//! The mediator's settings and limits, in one place. Each has a `mixplay-server` flag where an
//! operator would want one, and a line in the README's mediator section.

use std::time::Duration;

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
    /// the request's `Host`; browsers' `Origin` may be this address; with `https://`, cookies are
    /// `Secure`.
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
    /// How long a sign-in lasts: the browser session cookie and the token from
    /// `POST /api/v1/users/login`.
    pub session_ttl: Duration,
    /// Sparks a new account starts with (a ledger grant; 0: none).
    pub signup_sparks: u64,
    /// Failed logins for one username within `login_lockout_window` after which every login for
    /// it is refused (429) until the oldest failure leaves the window.
    pub login_lockout_failures: usize,
    pub login_lockout_window: Duration,
    /// The watching economy's interval: a signed-in viewer who watched a live channel all
    /// interval long earns sparks once for it (`--spark-interval`; the original service: a
    /// minute).
    pub spark_interval: Duration,
    /// Viewer sockets (`/api/v1/channels/{id}/viewer`) one signed-in user may hold at once (tabs,
    /// devices, channels together).
    pub viewer_sockets_per_user: usize,
    /// Viewer sockets the mediator holds at once, signed in or anonymous.
    pub viewer_sockets_max: usize,
    /// The largest message a viewer socket accepts, in bytes (a larger one closes it with 1009;
    /// the websocket layer buffers at most 16 KiB or this, whichever is larger).
    pub viewer_message_bytes: usize,
    /// Messages a viewer socket may send per second on average, and at once: a token bucket of
    /// `viewer_message_burst` refilled at this rate. Past it, the socket is closed with 1008.
    pub viewer_messages_per_second: u32,
    pub viewer_message_burst: u32,
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
            session_ttl: Duration::from_secs(30 * 24 * 60 * 60),
            signup_sparks: 0,
            login_lockout_failures: 10,
            login_lockout_window: Duration::from_secs(15 * 60),
            spark_interval: Duration::from_secs(60),
            viewer_sockets_per_user: 16,
            viewer_sockets_max: 100_000,
            viewer_message_bytes: 256,
            viewer_messages_per_second: 5,
            viewer_message_burst: 20,
        }
    }
}
