//! The live mediator: what happens while games and viewers are connected, all in memory. The input
//! hot path (a participant's `giveInput` to its game client) never touches the store; only a
//! costed input (its spark transaction) and a capture do.
//!
//! | file | what |
//! |---|---|
//! | `sockets.rs` | the two websockets: handshakes, then the method loop |
//! | `session/` | one channel's interactive session and every method on it |
//! | `peer.rs` | a socket's outgoing queue (bounded in bytes, of shared text) and its reader's wait |
//! | `queue.rs` | the queue itself: many producers, one writer, no memory while empty |
//! | `socket/` | a websocket served by one task with no idle buffers (participant sockets) |
//! | `writer.rs` | a socket's writer task: `seq`, compression, batching, pings, write timeouts, closing |
//! | `inbound.rs` | reading frames, decompression, `setCompression` |
//! | `throttle.rs` | `setBandwidthThrottle`'s leaky buckets |
//! | `bans.rs` | a channel ban closes the viewer's participant sockets (4025); admins end sessions (4027) |

pub mod bans;
pub mod inbound;
pub mod peer;
mod queue;
pub mod session;
pub mod socket;
pub mod sockets;
pub mod throttle;
mod writer;
