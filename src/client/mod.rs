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
mod participants;
mod session;
mod state;
mod task;
mod transport;
mod upload;

pub use config::{Config, Endpoints};
pub use events::{ButtonAction, ErrorKind, Event, Input, InputKind, Reply, ReplyError, SessionId};
pub use input::{ControlFrame, FrameInput};
pub use participants::{Participant, Participants};
pub(crate) use session::tokens_changed;
pub use session::{Session, SessionError};
pub use state::{Scene, StateCache};
// The network layer's types a session is configured and described with; their home is
// `crate::net`, shared with the chat and the sign-in.
pub use crate::net::{runtime_alive, ConnectionState, LocalError, ReconnectPolicy, TlsRoots};
