//! `mixplay_connection_state`: the one C mapping of a connection's state, shared by the session
//! (its events and `mixplay_session_connection_state`) and the chat.

use crate::net::ConnectionState;

/// `mixplay_event.connection_state`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mixplay_connection_state {
    /// Discovering the service and opening the first connection.
    Connecting = 1,
    /// Connected and synchronised: the state cache is current.
    Connected = 2,
    /// The connection was lost; waiting to try again (the cache keeps its last state).
    Reconnecting = 3,
    /// Stopped for good (fatal close code, retries exhausted, or closed).
    Disconnected = 4,
}

impl From<ConnectionState> for mixplay_connection_state {
    fn from(state: ConnectionState) -> mixplay_connection_state {
        match state {
            ConnectionState::Connecting => mixplay_connection_state::Connecting,
            ConnectionState::Connected => mixplay_connection_state::Connected,
            ConnectionState::Reconnecting => mixplay_connection_state::Reconnecting,
            ConnectionState::Disconnected => mixplay_connection_state::Disconnected,
        }
    }
}
