//! The Interactive 2.0 wire format, shared by the game client and the mediator.
//!
//! - [`packet`]: method and reply packets, frames of one packet or a JSON array of packets.
//! - [`error`]: every error and close code of the spec.
//! - [`compression`]: the `none`, `gzip` and `lz4` schemes with their shared streams.
//! - [`merge`]: JSON merge patch with the priority/sequence conflict rule.
//! - [`echo`]: quoting a peer's text in error messages, cut to a short bound.

pub mod compression;
pub mod echo;
pub mod error;
pub mod merge;
pub mod packet;

pub use compression::{Decoder, Encoder, Scheme, WireFrame};
pub use error::ErrorCode;
pub use merge::{merge_patch, Tag, TaggedObject};
pub use packet::{encode_batch, parse_frame, visit_frame, ErrorBody, FrameError, Method, Packet, PacketRef, Reply};

/// The protocol version this crate speaks, as sent in `X-Protocol-Version`.
pub const PROTOCOL_VERSION: &str = "2.0";
