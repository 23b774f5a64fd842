//! The game-client session engine.
//!
//! A [`Session`] connects to a MixPlay service on the library's internal tokio runtime and hands
//! everything to the game through [`Session::poll`], which the game calls once a frame on its own
//! thread. Calls never block: each returns a request id at once, and its answer arrives later as
//! an [`Event::Reply`] carrying that id.

// Benchmark support for `benches/` only; not part of the API.
#[doc(hidden)]
pub mod bench;
mod config;
mod connection;
mod events;
mod incoming;
mod input;
mod runtime;
mod session;
mod state;
mod transport;

pub use config::{Config, Endpoints, ReconnectPolicy, TlsRoots};
pub use events::{
    ButtonAction, ConnectionState, ErrorKind, Event, Input, InputKind, LocalError, Reply, ReplyError, SessionId,
};
pub use input::{ControlFrame, FrameInput};
pub use runtime::runtime_alive;
// Shared with the chat and sign-in clients (`crate::chat`, `crate::auth`).
pub(crate) use runtime::RuntimeGuard;
pub use session::{Session, SessionError};
pub use state::{Participant, Scene, StateCache};
pub(crate) use transport::{http_agent, root_certs, tls_config, ConnectError};
