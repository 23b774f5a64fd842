//! The receiving side shared by every socket: decompressing frames, reading packets, and
//! negotiating compression with `setCompression`.

use axum::extract::ws::Message;
use serde_json::{json, Value};

use super::peer::{unsequenced, Peer};
use crate::protocol::{parse_frame, Decoder, ErrorBody, ErrorCode, Method, Packet, Reply, Scheme};

/// What one incoming websocket message turned into.
pub enum Incoming {
    /// Zero or more packets to handle, in order.
    Packets(Vec<Packet>),
    /// The peer closed the socket.
    Closed,
    /// Nothing to do (ping, pong, or an error already answered).
    Nothing,
    /// The stream can no longer be read; close with this code.
    Fatal(ErrorCode, String),
}

pub struct Inbound {
    decoder: Decoder,
    /// The most bytes a compressed frame may declare (`max_inflated_bytes`).
    max_inflated: usize,
}

impl Inbound {
    pub fn new(max_inflated: usize) -> Self {
        Inbound { decoder: Decoder::with_limit(Scheme::None, max_inflated), max_inflated }
    }

    /// Decodes one websocket message. Frames that are not JSON, or packets of unknown types, are
    /// answered on `peer` with the spec's error reply.
    pub async fn read(&mut self, message: Message, peer: &Peer) -> Incoming {
        let text = match message {
            // Plain text must always be accepted, whatever the scheme.
            Message::Text(t) => self.decoder.decode_text(t.to_string(), true),
            Message::Binary(b) => self.decoder.decode_binary(&b),
            Message::Close(_) => return Incoming::Closed,
            Message::Ping(_) | Message::Pong(_) => return Incoming::Nothing,
        };
        let text = match text {
            Ok(t) => t,
            // The shared stream is broken from here on; nothing later can be read.
            Err(e) => return Incoming::Fatal(ErrorCode::DecompressionFailed, e.to_string()),
        };
        match parse_frame(&text) {
            Ok(packets) => Incoming::Packets(packets),
            Err(e) => {
                peer.send(unsequenced(&Packet::Reply(e.to_reply()))).await;
                Incoming::Nothing
            }
        }
    }

    /// Answers `setCompression`. The reply goes out uncompressed, then both directions switch.
    ///
    /// The spec names the preference list `scheme`. interactive-node 3.0.1 nests it under
    /// `params` and never implemented compression, so that form is always answered `none`.
    pub async fn set_compression(&mut self, m: &Method, peer: &Peer) {
        let chosen = match m.params.get("scheme") {
            Some(Value::Array(list)) => Ok(Scheme::negotiate(list.iter().filter_map(Value::as_str))),
            Some(Value::String(one)) => Ok(Scheme::negotiate([one.as_str()])),
            _ if m.params.get("params").is_some_and(Value::is_array) => Ok(Scheme::None),
            _ => Err(ErrorBody::with_message(ErrorCode::InvalidParams, "scheme must be an array of scheme names")
                .at("scheme")),
        };
        match chosen {
            Ok(scheme) => {
                peer.set_scheme(Scheme::None).await;
                peer.send(unsequenced(&Packet::Reply(Reply::ok(m.id, json!({ "scheme": scheme.name() }))))).await;
                peer.set_scheme(scheme).await;
                self.decoder = Decoder::with_limit(scheme, self.max_inflated);
            }
            Err(e) => {
                peer.send(unsequenced(&Packet::Reply(Reply::err(m.id, e)))).await;
            }
        }
    }
}

/// Sends the reply a method deserves: errors always, successes unless the caller discarded them.
pub async fn answer(peer: &Peer, m: &Method, result: Result<Value, ErrorBody>) {
    let reply = match result {
        Ok(_) if m.discard => return,
        Ok(v) => Reply::ok(m.id, v),
        Err(e) => Reply::err(m.id, e),
    };
    peer.send(unsequenced(&Packet::Reply(reply))).await;
}
