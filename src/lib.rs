//! mixplay: a MixPlay (Mixer Interactive 2.0) game-client SDK with a C ABI, and a
//! self-hostable MixPlay mediator (feature `server`).

pub mod auth;
pub mod chat;
pub mod client;
mod clock;
pub mod ffi;
pub mod log;
pub mod net;
pub mod protocol;

#[cfg(feature = "server")]
pub mod server;
