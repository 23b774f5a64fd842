//! The participant socket's websocket frame reader (`mixplay::server::FrameReader`) on the bytes
//! a hostile viewer sends, beside tungstenite's own reader on the same bytes as the reference.
//!
//! Input: byte 0 picks the size limit (64 × (byte + 1) bytes); the rest is the client's byte
//! stream, fed to our reader in chunks whose lengths come from the stream itself (each chunk is
//! 1 + the byte before it, mod 61), so that frames and headers are split everywhere.
//!
//! Checked: nothing panics; up to the first close frame or refusal, both readers give the same
//! text, binary, ping and pong messages in the same order; where one refuses the stream, the
//! other refuses it too or has not read that far (a close frame ends the comparison: tungstenite
//! also checks the close code, which our socket does when it answers); our reader never keeps
//! more bytes than one frame at the limit and a read.
#![no_main]

use std::io::{Cursor, Read, Write};

use axum::extract::ws::Message;
use libfuzzer_sys::fuzz_target;
use mixplay::server::{BrokenFrame, FrameReader};
use tokio_tungstenite::tungstenite::protocol::{Message as TMessage, Role, WebSocket, WebSocketConfig};

/// The client's bytes as a stream: reads from them, and takes (and drops) what the reader writes
/// back (tungstenite answers pings).
struct Client {
    input: Cursor<Vec<u8>>,
}

impl Read for Client {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Client {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, PartialEq)]
enum Seen {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close,
    Refused,
}

fn ours(bytes: &[u8], limit: usize) -> Vec<Seen> {
    let mut reader = FrameReader::new(limit);
    let mut seen = Vec::new();
    let mut at = 0;
    let mut step = 1;
    while at < bytes.len() {
        let end = (at + step).min(bytes.len());
        step = 1 + usize::from(bytes[end - 1]) % 61;
        reader.push(&bytes[at..end]);
        at = end;
        loop {
            match reader.take_message() {
                Ok(Some(message)) => {
                    let closing = matches!(message, Message::Close(_));
                    seen.push(match message {
                        Message::Text(t) => Seen::Text(t.as_str().to_owned()),
                        Message::Binary(b) => Seen::Binary(b.to_vec()),
                        Message::Ping(p) => Seen::Ping(p.to_vec()),
                        Message::Pong(p) => Seen::Pong(p.to_vec()),
                        Message::Close(_) => Seen::Close,
                    });
                    if closing {
                        return seen;
                    }
                }
                Ok(None) => {
                    assert!(reader.kept() < limit + 14, "kept {} bytes", reader.kept());
                    break;
                }
                Err(BrokenFrame::TooLarge | BrokenFrame::Protocol(..)) => {
                    seen.push(Seen::Refused);
                    return seen;
                }
            }
        }
    }
    seen
}

fn theirs(bytes: &[u8], limit: usize) -> (Vec<Seen>, bool) {
    let config = WebSocketConfig::default().max_message_size(Some(limit)).max_frame_size(Some(limit));
    let client = Client { input: Cursor::new(bytes.to_vec()) };
    let mut ws = WebSocket::from_raw_socket(client, Role::Server, Some(config));
    let mut seen = Vec::new();
    loop {
        match ws.read() {
            Ok(TMessage::Text(t)) => seen.push(Seen::Text(t.as_str().to_owned())),
            Ok(TMessage::Binary(b)) => seen.push(Seen::Binary(b.to_vec())),
            Ok(TMessage::Ping(p)) => seen.push(Seen::Ping(p.to_vec())),
            Ok(TMessage::Pong(p)) => seen.push(Seen::Pong(p.to_vec())),
            Ok(TMessage::Close(_)) => {
                seen.push(Seen::Close);
                return (seen, false);
            }
            Ok(TMessage::Frame(_)) => {}
            // Whether it refused the bytes, or ran out of them.
            Err(e) => {
                let ran_out = ws.get_ref().input.position() as usize >= bytes.len()
                    && matches!(
                        e,
                        tokio_tungstenite::tungstenite::Error::Protocol(
                            tokio_tungstenite::tungstenite::error::ProtocolError::ResetWithoutClosingHandshake
                        ) | tokio_tungstenite::tungstenite::Error::Io(_)
                            | tokio_tungstenite::tungstenite::Error::ConnectionClosed
                    );
                if !ran_out {
                    seen.push(Seen::Refused);
                }
                return (seen, ran_out);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&size, stream)) = data.split_first() else { return };
    let limit = 64 * (usize::from(size) + 1);
    let ours = ours(stream, limit);
    let (theirs, ran_out) = theirs(stream, limit);
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        if matches!((a, b), (Seen::Close, Seen::Refused) | (Seen::Refused, Seen::Close)) {
            // A close frame tungstenite refuses for its code, or one we refuse before its code
            // is looked at: both end the stream.
            return;
        }
        assert_eq!(a, b, "message {i}: ours {ours:?}, theirs {theirs:?}");
    }
    // One reader may go further only because the other ran out of bytes (tungstenite waits for
    // a whole frame before some checks we make on its header).
    assert!(theirs.len() <= ours.len(), "tungstenite read more: ours {ours:?}, theirs {theirs:?}");
    assert!(theirs.len() == ours.len() || ran_out, "ours {ours:?}, theirs {theirs:?}");
});
