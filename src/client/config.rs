//! Everything a game-client session can be told before it connects.

use std::time::Duration;

use crate::auth::TokenRefresh;
use crate::net::{ReconnectPolicy, TlsRoots};
use crate::protocol::Scheme;

/// Where a session finds the service.
#[derive(Debug, Clone, PartialEq)]
pub enum Endpoints {
    /// Ask this hosts endpoint (`…/api/v1/interactive/hosts`) for the game-client sockets, then try
    /// them in the order given.
    Discover(String),
    /// Use these websocket URLs (`ws://` or `wss://`), in order.
    Fixed(Vec<String>),
}

/// A session's settings. Build it with [`Config::new`] and adjust the public fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub endpoints: Endpoints,
    /// The streamer's OAuth bearer token. [`Session::set_token`](super::Session::set_token)
    /// swaps it while the session runs.
    pub token: String,
    /// Refresh the token by itself: before it expires (at half its lifetime), and at once when a
    /// reconnection finds it refused (4019) or expired. The new tokens arrive through `poll` as
    /// [`Event::Tokens`](super::Event::Tokens). `None` (the default): the token is used as given.
    pub refresh: Option<TokenRefresh>,
    /// The interactive project version to run.
    pub version_id: u32,
    /// The share code of a project shared by its author.
    pub share_code: Option<String>,
    /// Compression schemes in order of preference; empty keeps `none`. Default: lz4, then gzip.
    pub compression: Vec<Scheme>,
    /// Call `ready` as soon as the state is synchronised. Default: false (the game calls it).
    pub auto_ready: bool,
    pub reconnect: ReconnectPolicy,
    /// Limit for discovery plus the websocket handshake of one endpoint.
    pub connect_timeout: Duration,
    /// How long a request waits for its reply before it fails with a timeout.
    pub request_timeout: Duration,
    pub tls: TlsRoots,
    /// Send the handshake values as query parameters instead of headers (for environments that
    /// cannot set websocket headers).
    pub handshake_in_query: bool,
    /// Most events waiting for `poll`. Past it, input events are dropped (and counted); state
    /// events and replies wait, which slows the socket instead of losing state.
    pub event_queue_capacity: usize,
    /// After this long without hearing from the service, the session pings it; after as long
    /// again, still without a word, the connection counts as lost and the session reconnects.
    /// A link that silently stops carrying packets is noticed this way. Zero: never. Default: 15 s.
    pub keepalive: Duration,
}

impl Config {
    /// Settings for `version_id` with `token`, found through `endpoints`; everything else default.
    pub fn new(endpoints: Endpoints, token: impl Into<String>, version_id: u32) -> Config {
        Config {
            endpoints,
            token: token.into(),
            refresh: None,
            version_id,
            share_code: None,
            compression: vec![Scheme::Lz4, Scheme::Gzip],
            auto_ready: false,
            reconnect: ReconnectPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(15),
            tls: TlsRoots::System,
            handshake_in_query: false,
            event_queue_capacity: 65_536,
            keepalive: Duration::from_secs(15),
        }
    }
}
