//! Everything a game-client session can be told before it connects.

use std::time::Duration;

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

/// Which certificate authorities `wss://` and `https://` connections trust.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TlsRoots {
    /// The operating system's trust store.
    #[default]
    System,
    /// Only these PEM-encoded certificates (a private CA, or a self-signed server certificate).
    Pem(Vec<u8>),
    /// The operating system's store plus these PEM certificates.
    SystemAndPem(Vec<u8>),
}

/// How a session retries after losing its connection.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconnectPolicy {
    /// Whether to reconnect at all after 1011, 1012 or a transport failure.
    pub enabled: bool,
    /// The first delay; each failed attempt doubles it.
    pub initial_delay: Duration,
    /// The longest delay between attempts.
    pub max_delay: Duration,
    /// Give up after this many failed attempts in a row (`None`: never give up).
    pub max_attempts: Option<u32>,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            enabled: true,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_attempts: None,
        }
    }
}

/// A session's settings. Build it with [`Config::new`] and adjust the public fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub endpoints: Endpoints,
    /// The streamer's OAuth bearer token.
    pub token: String,
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
