//! The three compression schemes of the protocol.
//!
//! `none` sends plain text frames. `gzip` and `lz4` send binary frames, each prefixed with the
//! uncompressed length as an unsigned LEB128 varint, and both directions keep **one** compressed
//! stream for the life of the scheme: the writer is flushed at the end of every frame (a deflate
//! sync flush; an LZ4 block of a linked-block frame), and the reader treats incoming frames as
//! consecutive parts of one stream.

mod gzip;
mod lz4;

use std::io::{self, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use lz4_flex::frame::{BlockMode, FrameEncoder, FrameInfo};

use gzip::GzipReader;
use lz4::Lz4Reader;

/// The largest packet, uncompressed, that a decoder made by [`Decoder::new`] accepts (the SDK's;
/// the mediator's bound is its `max_inflated_bytes` setting). Larger frames are refused before
/// anything is allocated for them.
pub const MAX_PACKET_BYTES: usize = 4 * 1024 * 1024;

/// A compression scheme name as negotiated with `setCompression`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    None,
    Gzip,
    Lz4,
}

impl Scheme {
    /// Reads a scheme name. `text` is the spec's other name for `none`.
    pub fn parse(name: &str) -> Option<Scheme> {
        match name.to_ascii_lowercase().as_str() {
            "none" | "text" => Some(Scheme::None),
            "gzip" => Some(Scheme::Gzip),
            "lz4" => Some(Scheme::Lz4),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scheme::None => "none",
            Scheme::Gzip => "gzip",
            Scheme::Lz4 => "lz4",
        }
    }

    /// The first scheme of `preferences` that we support; `none` when there is none.
    pub fn negotiate<'a>(preferences: impl IntoIterator<Item = &'a str>) -> Scheme {
        preferences.into_iter().find_map(Scheme::parse).unwrap_or(Scheme::None)
    }
}

/// One outgoing websocket data frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireFrame {
    Text(String),
    Binary(Vec<u8>),
}

/// Why an incoming frame could not be decoded (all map to error 4001).
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("frame has no valid length prefix")]
    BadLength,
    #[error("frame declares {declared} bytes, more than the {limit}-byte limit")]
    TooLarge { declared: u64, limit: usize },
    #[error("frame decompressed to {got} bytes, but declared {declared}")]
    Short { declared: usize, got: usize },
    #[error("frame decompresses to more than the {declared} bytes it declares")]
    Overlong { declared: usize },
    #[error("decompression failed: {0}")]
    Corrupt(#[from] io::Error),
    #[error("a binary frame arrived while the scheme is `none`")]
    UnexpectedBinary,
    #[error("a text frame arrived while the scheme is compressed")]
    UnexpectedText,
    #[error("decompressed data is not UTF-8")]
    NotUtf8,
    #[error("an earlier frame broke the compressed stream")]
    Broken,
}

/// Appends `value` as an unsigned LEB128 varint.
pub fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads an unsigned LEB128 varint; returns the value and the bytes it used.
pub fn read_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The sending half of a scheme: turns packets' JSON into frames.
pub struct Encoder {
    inner: EncoderKind,
}

enum EncoderKind {
    None,
    Gzip(Box<GzEncoder<Vec<u8>>>),
    Lz4(Box<FrameEncoder<Vec<u8>>>),
}

impl Encoder {
    pub fn new(scheme: Scheme) -> Self {
        let inner = match scheme {
            Scheme::None => EncoderKind::None,
            Scheme::Gzip => EncoderKind::Gzip(Box::new(GzEncoder::new(Vec::new(), Compression::default()))),
            Scheme::Lz4 => {
                let info = FrameInfo::new().block_mode(BlockMode::Linked);
                EncoderKind::Lz4(Box::new(FrameEncoder::with_frame_info(info, Vec::new())))
            }
        };
        Encoder { inner }
    }

    pub fn scheme(&self) -> Scheme {
        match self.inner {
            EncoderKind::None => Scheme::None,
            EncoderKind::Gzip(_) => Scheme::Gzip,
            EncoderKind::Lz4(_) => Scheme::Lz4,
        }
    }

    /// Encodes one frame's JSON text.
    pub fn encode(&mut self, json: String) -> io::Result<WireFrame> {
        fn compress<W: Write>(w: &mut W, sink: impl Fn(&mut W) -> &mut Vec<u8>, json: &str) -> io::Result<Vec<u8>> {
            let mut frame = Vec::with_capacity(json.len() / 2 + 8);
            write_varint(&mut frame, json.len() as u64);
            w.write_all(json.as_bytes())?;
            w.flush()?;
            let produced = sink(w);
            frame.extend_from_slice(produced);
            produced.clear();
            Ok(frame)
        }
        match &mut self.inner {
            EncoderKind::None => Ok(WireFrame::Text(json)),
            EncoderKind::Gzip(enc) => Ok(WireFrame::Binary(compress(enc.as_mut(), |w| w.get_mut(), &json)?)),
            EncoderKind::Lz4(enc) => Ok(WireFrame::Binary(compress(enc.as_mut(), |w| w.get_mut(), &json)?)),
        }
    }
}

/// The receiving half of a scheme: turns frames back into JSON text.
///
/// A compressed frame is inflated to at most one byte more than its length prefix declares, so
/// a frame that lies about its length costs no more memory or work than an honest one of the
/// declared size, however far its bytes would expand.
pub struct Decoder {
    inner: DecoderKind,
    /// The most bytes a compressed frame may declare (and so inflate to).
    max_inflated: usize,
    /// Set once a frame failed: the shared stream cannot be read past it.
    broken: bool,
}

enum DecoderKind {
    None,
    Gzip(Box<GzipReader>),
    Lz4(Box<Lz4Reader>),
}

impl Decoder {
    /// A decoder whose compressed frames may declare at most [`MAX_PACKET_BYTES`].
    pub fn new(scheme: Scheme) -> Self {
        Self::with_limit(scheme, MAX_PACKET_BYTES)
    }

    /// A decoder whose compressed frames may declare at most `max_inflated` bytes: a frame that
    /// declares more is refused before anything is inflated.
    pub fn with_limit(scheme: Scheme, max_inflated: usize) -> Self {
        let inner = match scheme {
            Scheme::None => DecoderKind::None,
            Scheme::Gzip => DecoderKind::Gzip(Box::default()),
            Scheme::Lz4 => DecoderKind::Lz4(Box::default()),
        };
        Decoder { inner, max_inflated, broken: false }
    }

    pub fn scheme(&self) -> Scheme {
        match self.inner {
            DecoderKind::None => Scheme::None,
            DecoderKind::Gzip(_) => Scheme::Gzip,
            DecoderKind::Lz4(_) => Scheme::Lz4,
        }
    }

    /// Decodes a text frame. Text is only valid under `none`; the spec says plain text must
    /// always be accepted, so a text frame is also passed through under a compressed scheme
    /// when `lenient` is set.
    pub fn decode_text(&self, text: String, lenient: bool) -> Result<String, DecodeError> {
        match self.inner {
            DecoderKind::None => Ok(text),
            _ if lenient => Ok(text),
            _ => Err(DecodeError::UnexpectedText),
        }
    }

    /// Decodes a binary frame of the current compressed stream. After an error the stream is
    /// broken, and every later frame is refused too.
    pub fn decode_binary(&mut self, frame: &[u8]) -> Result<String, DecodeError> {
        if self.broken {
            return Err(DecodeError::Broken);
        }
        let result = self.inflate(frame);
        self.broken = result.is_err();
        result
    }

    fn inflate(&mut self, frame: &[u8]) -> Result<String, DecodeError> {
        let (declared, used) = read_varint(frame).ok_or(DecodeError::BadLength)?;
        if declared > self.max_inflated as u64 {
            return Err(DecodeError::TooLarge { declared, limit: self.max_inflated });
        }
        let declared = declared as usize;
        let body = &frame[used..];
        // One byte more than declared is enough to tell that the frame holds more.
        let limit = declared + 1;
        let out = match &mut self.inner {
            DecoderKind::None => return Err(DecodeError::UnexpectedBinary),
            DecoderKind::Gzip(reader) => reader.inflate(body, limit)?,
            DecoderKind::Lz4(reader) => reader.inflate(body, limit)?,
        };
        if out.len() > declared {
            return Err(DecodeError::Overlong { declared });
        }
        if out.len() < declared {
            return Err(DecodeError::Short { declared, got: out.len() });
        }
        String::from_utf8(out).map_err(|_| DecodeError::NotUtf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(scheme: Scheme) {
        let mut enc = Encoder::new(scheme);
        let mut dec = Decoder::new(scheme);
        for i in 0..200 {
            let json = format!(r#"{{"type":"method","id":{i},"method":"giveInput","params":{{"x":{i}}}}}"#);
            let frame = enc.encode(json.clone()).unwrap();
            let back = match frame {
                WireFrame::Text(t) => dec.decode_text(t, false).unwrap(),
                WireFrame::Binary(b) => dec.decode_binary(&b).unwrap(),
            };
            assert_eq!(back, json);
        }
    }

    #[test]
    fn every_scheme_round_trips_a_stream() {
        round_trip(Scheme::None);
        round_trip(Scheme::Gzip);
        round_trip(Scheme::Lz4);
    }

    #[test]
    fn later_frames_compress_against_earlier_ones() {
        for scheme in [Scheme::Gzip, Scheme::Lz4] {
            let mut enc = Encoder::new(scheme);
            let json = r#"{"type":"method","id":1,"method":"giveInput","params":{"participantID":"b2f65dea-429f-4105-a280-745fd5d75945","input":{"controlID":"win","event":"mousedown","button":0}}}"#;
            let first = match enc.encode(json.into()).unwrap() {
                WireFrame::Binary(b) => b.len(),
                _ => unreachable!(),
            };
            let second = match enc.encode(json.into()).unwrap() {
                WireFrame::Binary(b) => b.len(),
                _ => unreachable!(),
            };
            assert!(second * 3 < first, "{scheme:?}: {second} vs {first}");
        }
    }

    #[test]
    fn corrupt_and_oversized_frames_are_errors() {
        let mut dec = Decoder::new(Scheme::Gzip);
        assert!(dec.decode_binary(&[5, 1, 2, 3, 4, 5]).is_err());
        let mut dec = Decoder::new(Scheme::Lz4);
        assert!(dec.decode_binary(&[5, 1, 2, 3, 4, 5]).is_err());
        let mut big = Vec::new();
        write_varint(&mut big, MAX_PACKET_BYTES as u64 + 1);
        assert!(matches!(Decoder::new(Scheme::Lz4).decode_binary(&big), Err(DecodeError::TooLarge { .. })));
        assert!(matches!(Decoder::new(Scheme::Gzip).decode_binary(&[0x80]), Err(DecodeError::BadLength)));
    }

    #[test]
    fn a_frame_declaring_fewer_bytes_than_it_holds_is_an_error() {
        for scheme in [Scheme::Gzip, Scheme::Lz4] {
            let mut enc = Encoder::new(scheme);
            let mut dec = Decoder::new(scheme);
            let Ok(WireFrame::Binary(good)) = enc.encode(r#"{"type":"method","id":1}"#.into()) else { unreachable!() };
            dec.decode_binary(&good).unwrap();
            let json = r#"{"type":"method","id":2,"method":"getTime","params":{}}"#;
            let Ok(WireFrame::Binary(frame)) = enc.encode(json.into()) else { unreachable!() };
            let (_, used) = read_varint(&frame).unwrap();
            let mut short = Vec::new();
            write_varint(&mut short, json.len() as u64 - 3);
            short.extend_from_slice(&frame[used..]);
            assert!(
                matches!(dec.decode_binary(&short), Err(DecodeError::Overlong { .. })),
                "{scheme:?} accepted a frame declaring too few bytes"
            );
        }
    }

    /// `json` encoded in `scheme` as a frame that declares `declared` bytes.
    fn lying_frame(scheme: Scheme, json: String, declared: u64) -> Vec<u8> {
        let Ok(WireFrame::Binary(frame)) = Encoder::new(scheme).encode(json) else { unreachable!() };
        let (_, used) = read_varint(&frame).unwrap();
        let mut lie = Vec::new();
        write_varint(&mut lie, declared);
        lie.extend_from_slice(&frame[used..]);
        lie
    }

    #[test]
    fn a_frame_inflating_past_its_declared_length_is_refused_and_breaks_the_stream() {
        for scheme in [Scheme::Gzip, Scheme::Lz4] {
            let bomb = lying_frame(scheme, " ".repeat(2 << 20), 100);
            assert!(bomb.len() < 64 * 1024, "{scheme:?}: {} bytes", bomb.len());
            let mut dec = Decoder::new(scheme);
            assert!(
                matches!(dec.decode_binary(&bomb), Err(DecodeError::Overlong { declared: 100 })),
                "{scheme:?} accepted a bomb"
            );
            let next = lying_frame(scheme, "{}".into(), 2);
            assert!(matches!(dec.decode_binary(&next), Err(DecodeError::Broken)), "{scheme:?}");
            // Declaring too much is refused as well, without waiting for more.
            let short = lying_frame(scheme, "{}".into(), 3);
            assert!(
                matches!(Decoder::new(scheme).decode_binary(&short), Err(DecodeError::Short { declared: 3, got: 2 })),
                "{scheme:?}"
            );
        }
    }

    #[test]
    fn varints() {
        for v in [0u64, 1, 127, 128, 300, 16384, u32::MAX as u64, u64::MAX] {
            let mut b = Vec::new();
            write_varint(&mut b, v);
            assert_eq!(read_varint(&b), Some((v, b.len())));
        }
    }

    #[test]
    fn negotiation() {
        assert_eq!(Scheme::negotiate(["brotli", "lz4", "gzip"]), Scheme::Lz4);
        assert_eq!(Scheme::negotiate(["text"]), Scheme::None);
        assert_eq!(Scheme::negotiate(["zstd"]), Scheme::None);
    }
}
