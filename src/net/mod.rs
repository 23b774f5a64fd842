//! The network layer that the game-client session ([`crate::client`]), the chat
//! ([`crate::chat`]) and the sign-in ([`crate::auth`]) stand on side by side: the library's
//! internal tokio runtime, the TLS roots, HTTP, the reconnect policy, and the words every
//! connection is described in (its state, the local reply-error codes, why a connect failed).

mod http;
mod reconnect;
mod runtime;
mod tls;

pub use reconnect::ReconnectPolicy;
pub use runtime::runtime_alive;
pub use tls::TlsRoots;

pub(crate) use http::{api_base, request, site_base, upload, HttpReply};
pub(crate) use runtime::RuntimeGuard;
pub(crate) use tls::tls_config;

/// Where a connection (a session's or a chat's) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Looking up endpoints and opening the socket.
    Connecting,
    /// Connected (a session: and synchronised; its cache holds the service's state).
    Connected,
    /// The connection was lost; retrying after a delay.
    Reconnecting,
    /// Stopped for good: a fatal close code, retries exhausted, or closed by the game.
    Disconnected,
}

/// Codes the library uses in reply errors for failures that never reached the service. They
/// are outside the protocol's ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum LocalError {
    /// No reply arrived within the request timeout.
    TimedOut = 1,
    /// The request could not be sent: the connection was not up.
    NotConnected = 2,
    /// The connection was lost before the reply arrived.
    ConnectionLost = 3,
}

/// Why no connection could be had.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConnectError {
    /// Worth retrying: the network or the service failed.
    #[error("{0}")]
    Transient(String),
    /// Retrying cannot help (bad settings, or the service refused the protocol).
    #[error("{0}")]
    Fatal(String),
}

impl ConnectError {
    /// The same error with its message rewritten (to say which step failed).
    pub(crate) fn map_message(self, f: impl FnOnce(String) -> String) -> ConnectError {
        match self {
            ConnectError::Transient(m) => ConnectError::Transient(f(m)),
            ConnectError::Fatal(m) => ConnectError::Fatal(f(m)),
        }
    }
}
