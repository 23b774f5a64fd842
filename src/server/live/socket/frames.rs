//! Reading a client's websocket frames out of the bytes its socket gave (RFC 6455 §5): headers
//! are parsed by tungstenite's `FrameHeader`; this keeps only the bytes of a frame not yet
//! complete, and none at all between frames, so an idle socket holds no read buffer.

use std::io::Cursor;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;

/// The websocket protocol's close codes for a broken stream.
pub const PROTOCOL_ERROR: u16 = 1002;
pub const NOT_UTF8: u16 = 1007;

/// Why the stream cannot be read further: the close code to send, and why.
#[derive(Debug, PartialEq, Eq)]
pub enum Broken {
    /// A frame or message over the size limit (1009).
    TooLarge,
    /// Anything else the protocol forbids: the code (1002 or 1007) and what was wrong.
    Protocol(u16, &'static str),
}

/// A fragmented message read so far.
struct Partial {
    text: bool,
    data: Vec<u8>,
    /// For text: how many bytes of `data` are known to be UTF-8 (the rest may be a character
    /// the next fragment completes).
    checked: usize,
}

impl Partial {
    /// Looks at the bytes added since the last look: text that can no longer become UTF-8 is
    /// refused at once, not once the message ends.
    fn check(&mut self) -> Result<(), Broken> {
        if !self.text {
            return Ok(());
        }
        match std::str::from_utf8(&self.data[self.checked..]) {
            Ok(_) => self.checked = self.data.len(),
            Err(e) if e.error_len().is_some() => return Err(Broken::Protocol(NOT_UTF8, NOT_UTF8_TEXT)),
            Err(e) => self.checked += e.valid_up_to(),
        }
        Ok(())
    }
}

const NOT_UTF8_TEXT: &str = "a text message that is not UTF-8";

/// The frames a client sent, turned into messages.
pub struct FrameReader {
    /// Bytes read and not yet taken (freed once all are taken), from `start` on.
    pending: Vec<u8>,
    start: usize,
    partial: Option<Partial>,
    /// The largest frame, and message, accepted.
    max_message: usize,
}

impl FrameReader {
    pub fn new(max_message: usize) -> FrameReader {
        FrameReader { pending: Vec::new(), start: 0, partial: None, max_message }
    }

    /// Bytes read and not yet taken.
    pub fn kept(&self) -> usize {
        self.pending.len() - self.start
    }

    /// Adds bytes read from the socket.
    pub fn push(&mut self, bytes: &[u8]) {
        // Bytes taken are dropped only here, so that taking many small messages out of one read
        // moves nothing.
        self.pending.drain(..self.start);
        self.start = 0;
        self.pending.extend_from_slice(bytes);
    }

    /// The next complete message, if the bytes pushed so far hold one. Pings and pongs are
    /// messages too (the caller answers pings); a close frame is `Message::Close`.
    pub fn take_message(&mut self) -> Result<Option<Message>, Broken> {
        let mut consumed = self.start;
        let result = loop {
            match self.next_frame(consumed) {
                Ok(Some((used, message))) => {
                    consumed += used;
                    if let Some(message) = message {
                        break Ok(Some(message));
                    }
                }
                Ok(None) => break Ok(None),
                Err(broken) => break Err(broken),
            }
        };
        self.start = consumed;
        if self.start == self.pending.len() {
            // Most sockets are idle most of the time: they keep no buffer.
            self.pending = Vec::new();
            self.start = 0;
        }
        result
    }

    /// Reads one frame at `from` in the pending bytes: how many bytes it took and the message it
    /// completed, if any; `None` if the frame is not all there yet.
    fn next_frame(&mut self, from: usize) -> Result<Option<(usize, Option<Message>)>, Broken> {
        let mut cursor = Cursor::new(&self.pending[from..]);
        let (header, length) = match FrameHeader::parse(&mut cursor) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => return Ok(None),
            Err(_) => return Err(Broken::Protocol(PROTOCOL_ERROR, "an unknown opcode")),
        };
        if header.rsv1 || header.rsv2 || header.rsv3 {
            return Err(Broken::Protocol(PROTOCOL_ERROR, "reserved bits set (no extension was agreed)"));
        }
        let Some(mask) = header.mask else {
            return Err(Broken::Protocol(PROTOCOL_ERROR, "an unmasked frame from a client"));
        };
        let so_far = self.partial.as_ref().map_or(0, |p| p.data.len());
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        if length > self.max_message.saturating_sub(so_far) {
            return Err(Broken::TooLarge);
        }
        let start = cursor.position() as usize;
        let Some(end) = start.checked_add(length).filter(|&end| end <= self.pending.len() - from) else {
            return Ok(None);
        };
        let mut payload = self.pending[from + start..from + end].to_vec();
        unmask(&mut payload, mask);
        let message = self.frame(header.opcode, header.is_final, payload)?;
        Ok(Some((end, message)))
    }

    /// What one whole, unmasked frame means.
    fn frame(&mut self, opcode: OpCode, is_final: bool, payload: Vec<u8>) -> Result<Option<Message>, Broken> {
        let data = match opcode {
            OpCode::Control(control) => {
                if !is_final || payload.len() > 125 {
                    return Err(Broken::Protocol(PROTOCOL_ERROR, "a fragmented or oversized control frame"));
                }
                return match control {
                    Control::Ping => Ok(Some(Message::Ping(Bytes::from(payload)))),
                    Control::Pong => Ok(Some(Message::Pong(Bytes::from(payload)))),
                    Control::Close => close_frame(payload).map(|c| Some(Message::Close(c))),
                    Control::Reserved(_) => Err(Broken::Protocol(PROTOCOL_ERROR, "an unknown opcode")),
                };
            }
            OpCode::Data(Data::Continue) => match self.partial.as_mut() {
                Some(partial) => {
                    partial.data.extend_from_slice(&payload);
                    partial.check()?;
                    if !is_final {
                        return Ok(None);
                    }
                    self.partial.take().map(|p| (p.text, p.data))
                }
                None => {
                    return Err(Broken::Protocol(PROTOCOL_ERROR, "a continuation frame with no message to continue"))
                }
            },
            OpCode::Data(Data::Text | Data::Binary) if self.partial.is_some() => {
                return Err(Broken::Protocol(PROTOCOL_ERROR, "a new message inside a fragmented one"));
            }
            OpCode::Data(kind @ (Data::Text | Data::Binary)) => {
                let text = kind == Data::Text;
                if !is_final {
                    let mut partial = Partial { text, data: payload, checked: 0 };
                    partial.check()?;
                    self.partial = Some(partial);
                    return Ok(None);
                }
                Some((text, payload))
            }
            OpCode::Data(Data::Reserved(_)) => return Err(Broken::Protocol(PROTOCOL_ERROR, "an unknown opcode")),
        };
        let Some((text, data)) = data else { return Ok(None) };
        if !text {
            return Ok(Some(Message::Binary(Bytes::from(data))));
        }
        match String::from_utf8(data) {
            Ok(text) => Ok(Some(Message::Text(Utf8Bytes::from(text)))),
            Err(_) => Err(Broken::Protocol(NOT_UTF8, NOT_UTF8_TEXT)),
        }
    }
}

/// A close frame's code and reason (none for an empty payload).
fn close_frame(payload: Vec<u8>) -> Result<Option<CloseFrame>, Broken> {
    match payload.as_slice() {
        [] => Ok(None),
        [_] => Err(Broken::Protocol(PROTOCOL_ERROR, "a close frame of one byte")),
        [high, low, reason @ ..] => {
            let code = u16::from_be_bytes([*high, *low]);
            let reason = std::str::from_utf8(reason)
                .map_err(|_| Broken::Protocol(NOT_UTF8, "a close reason that is not UTF-8"))?;
            Ok(Some(CloseFrame { code, reason: Utf8Bytes::from(reason) }))
        }
    }
}

/// Undoes a client's masking (RFC 6455 §5.3).
fn unmask(payload: &mut [u8], mask: [u8; 4]) {
    let word = u32::from_ne_bytes(mask);
    let mut chunks = payload.chunks_exact_mut(4);
    for chunk in &mut chunks {
        let masked = u32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) ^ word;
        chunk.copy_from_slice(&masked.to_ne_bytes());
    }
    for (byte, m) in chunks.into_remainder().iter_mut().zip(mask) {
        *byte ^= m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client frame: `opcode` with FIN as given, masked with a fixed key.
    fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        let mut out = vec![if fin { 0x80 } else { 0 } | opcode];
        match payload.len() {
            n if n < 126 => out.push(0x80 | n as u8),
            n if n < 65536 => {
                out.push(0x80 | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(0x80 | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        out
    }

    fn text(m: Option<Message>) -> String {
        match m {
            Some(Message::Text(t)) => t.as_str().to_owned(),
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[test]
    fn messages_come_whole_however_the_bytes_are_split() {
        let long = "x".repeat(70_000);
        let mut bytes = frame(true, 1, b"{\"a\":1}");
        bytes.extend(frame(true, 1, long.as_bytes()));
        bytes.extend(frame(true, 2, &[1, 2, 3, 4, 5]));
        for step in [1, 3, 7, 4096, bytes.len()] {
            let mut r = FrameReader::new(100_000);
            let mut got = Vec::new();
            for piece in bytes.chunks(step) {
                r.push(piece);
                while let Some(m) = r.take_message().unwrap() {
                    got.push(m);
                }
            }
            assert_eq!(got.len(), 3, "split every {step} bytes");
            assert_eq!(text(Some(got[0].clone())), "{\"a\":1}");
            assert_eq!(text(Some(got[1].clone())), long);
            assert_eq!(got[2], Message::Binary(Bytes::from_static(&[1, 2, 3, 4, 5])));
            assert_eq!(r.pending.capacity(), 0, "nothing is kept between frames");
        }
    }

    #[test]
    fn fragments_are_joined_and_control_frames_may_come_between_them() {
        let mut r = FrameReader::new(1000);
        r.push(&frame(false, 1, b"hel"));
        r.push(&frame(true, 9, b"are you there"));
        r.push(&frame(false, 0, b"lo "));
        r.push(&frame(true, 0, "wörld".as_bytes()));
        assert_eq!(r.take_message().unwrap(), Some(Message::Ping(Bytes::from_static(b"are you there"))));
        assert_eq!(text(r.take_message().unwrap()), "hello wörld");
        assert_eq!(r.take_message().unwrap(), None);
    }

    #[test]
    fn close_frames_carry_their_code_and_reason() {
        let mut r = FrameReader::new(1000);
        r.push(&frame(true, 8, &[0x03, 0xe8, b'b', b'y', b'e']));
        r.push(&frame(true, 8, &[]));
        let Some(Message::Close(Some(c))) = r.take_message().unwrap() else { panic!("a close frame") };
        assert_eq!((c.code, c.reason.as_str()), (1000, "bye"));
        assert_eq!(r.take_message().unwrap(), Some(Message::Close(None)));
    }

    #[test]
    fn sizes_are_bounded_before_the_payload_arrives() {
        let mut r = FrameReader::new(100);
        // Only the header of a 101-byte frame: refused without waiting for (or keeping) the rest.
        r.push(&frame(true, 1, &[b'a'; 101])[..8]);
        assert_eq!(r.take_message(), Err(Broken::TooLarge));
        // A message over the limit in fragments that are each under it.
        let mut r = FrameReader::new(100);
        r.push(&frame(false, 1, &[b'a'; 60]));
        r.push(&frame(true, 0, &[b'a'; 41]));
        assert_eq!(r.take_message(), Err(Broken::TooLarge));
        let mut r = FrameReader::new(100);
        r.push(&frame(true, 1, &[b'a'; 100]));
        assert_eq!(text(r.take_message().unwrap()).len(), 100, "a message at the limit is read");
    }

    #[test]
    fn what_the_protocol_forbids_is_refused_with_its_code() {
        let refused = |bytes: Vec<u8>| {
            let mut r = FrameReader::new(1000);
            r.push(&bytes);
            match r.take_message() {
                Err(Broken::Protocol(code, _)) => code,
                other => panic!("expected a refusal, got {other:?}"),
            }
        };
        let mut unmasked = frame(true, 1, b"hi");
        unmasked[1] &= 0x7f;
        unmasked.drain(2..6);
        assert_eq!(refused(unmasked), PROTOCOL_ERROR);
        let mut reserved = frame(true, 1, b"hi");
        reserved[0] |= 0x40;
        assert_eq!(refused(reserved), PROTOCOL_ERROR);
        assert_eq!(refused(frame(true, 3, b"hi")), PROTOCOL_ERROR, "unknown data opcode");
        assert_eq!(refused(frame(true, 0, b"hi")), PROTOCOL_ERROR, "a continuation of nothing");
        assert_eq!(refused(frame(false, 9, b"hi")), PROTOCOL_ERROR, "a fragmented ping");
        assert_eq!(refused(frame(true, 9, &[0; 126])), PROTOCOL_ERROR, "a ping over 125 bytes");
        assert_eq!(refused(frame(true, 1, &[0xff, 0xfe])), NOT_UTF8);
        // A fragment that no later one can make UTF-8 is refused at once; one that ends inside a
        // character is not.
        assert_eq!(refused(frame(false, 1, &[b'a', 0xff])), NOT_UTF8);
        let mut r = FrameReader::new(1000);
        r.push(&frame(false, 1, &"é".as_bytes()[..1]));
        r.push(&frame(true, 0, &"é".as_bytes()[1..]));
        assert_eq!(text(r.take_message().unwrap()), "é");
        let mut twice = frame(false, 1, b"a");
        twice.extend(frame(true, 1, b"b"));
        assert_eq!(refused(twice), PROTOCOL_ERROR, "a new message inside a fragmented one");
    }

    #[test]
    fn unmasking_matches_the_byte_by_byte_rule() {
        let mask = [1, 2, 3, 4];
        for len in 0..20 {
            let mut data: Vec<u8> = (0..len as u8).collect();
            unmask(&mut data, mask);
            let expected: Vec<u8> = (0..len as u8).map(|b| b ^ mask[b as usize % 4]).collect();
            assert_eq!(data, expected);
        }
    }
}
