//! The wire decoder: length prefixes, the gzip and lz4 streams, and packet and batch parsing.
//!
//! Input (see `mixplay_fuzz::Reader`): byte 0 picks the scheme (bit 0: gzip, lz4) and the mode
//! (byte 0 >> 1, modulo 3):
//! - 0, raw: the rest is chunks, each one binary frame of a compressed stream as a hostile peer
//!   would send it;
//! - 1, honest: the rest is chunks of `[lie: i8][message]` (at most 8 messages of 512 bytes:
//!   our encoder is not what is fuzzed, and it is slow under the sanitizer); each message is
//!   encoded by our encoder, then its length prefix moved by `lie`;
//! - 2, text: the rest is one frame's text for the packet parser.
//!
//! Checked: nothing panics; a decoded frame holds exactly the bytes its prefix declares; an
//! honest frame decodes to its message and a lying one is refused; after any refusal every
//! later frame is refused; decoded text parses as packets the same way through `parse_frame`
//! and `visit_frame`, and re-encodes to the same packets; error replies quote the peer only
//! boundedly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixplay::protocol::compression::{read_varint, write_varint, DecodeError};
use mixplay::protocol::{encode_batch, parse_frame, visit_frame, Decoder, Encoder, Packet, Scheme, WireFrame};
use mixplay_fuzz::Reader;

/// The longest error message a reply may carry (peer text in it is cut to a few dozen
/// characters, library explanations to 240).
const MESSAGE_BOUND: usize = 320;

fuzz_target!(|data: &[u8]| {
    let mut input = Reader::new(data);
    let head = input.u8();
    let scheme = if head & 1 == 0 { Scheme::Gzip } else { Scheme::Lz4 };
    match (head >> 1) % 3 {
        0 => raw_frames(scheme, &mut input),
        1 => honest_frames(scheme, &mut input),
        _ => check_text(&String::from_utf8_lossy(data.get(1..).unwrap_or_default())),
    }
});

fn raw_frames(scheme: Scheme, input: &mut Reader) {
    let mut decoder = Decoder::new(scheme);
    let mut broken = false;
    while !input.is_empty() {
        let frame = input.chunk();
        match decoder.decode_binary(frame) {
            Ok(text) => {
                assert!(!broken, "a frame decoded after the stream broke");
                let (declared, _) = read_varint(frame).expect("a decoded frame has a prefix");
                assert_eq!(text.len() as u64, declared, "decoded length differs from the declared one");
                check_text(&text);
            }
            Err(DecodeError::Broken) => assert!(broken, "broken before any error"),
            Err(_) => {
                assert!(!broken, "an error other than Broken after the stream broke");
                broken = true;
            }
        }
    }
}

fn honest_frames(scheme: Scheme, input: &mut Reader) {
    let mut encoder = Encoder::new(scheme);
    let mut decoder = Decoder::new(scheme);
    for _ in 0..8 {
        if input.is_empty() {
            return;
        }
        let lie = input.u8() as i8;
        let chunk = input.chunk();
        let message = String::from_utf8_lossy(&chunk[..chunk.len().min(512)]).into_owned();
        let Ok(WireFrame::Binary(frame)) = encoder.encode(message.clone()) else {
            panic!("a compressed scheme encodes to a binary frame")
        };
        let declared = message.len() as i64 + i64::from(lie);
        if lie == 0 || declared < 0 {
            assert_eq!(decoder.decode_binary(&frame).expect("an honest frame decodes"), message);
            continue;
        }
        let (_, used) = read_varint(&frame).expect("our frames have a prefix");
        let mut lying = Vec::new();
        write_varint(&mut lying, declared as u64);
        lying.extend_from_slice(&frame[used..]);
        match decoder.decode_binary(&lying) {
            Err(DecodeError::Overlong { .. }) if lie < 0 => {}
            Err(DecodeError::Short { .. }) if lie > 0 => {}
            other => panic!("a frame lying by {lie} bytes gave {other:?}"),
        }
        let Ok(WireFrame::Binary(next)) = encoder.encode("{}".into()) else { unreachable!() };
        assert!(matches!(decoder.decode_binary(&next), Err(DecodeError::Broken)));
        return;
    }
}

/// Parses a frame's text both ways and checks they agree.
fn check_text(text: &str) {
    let parsed = parse_frame(text);
    let mut visited = 0;
    let visit = visit_frame(text, |_| visited += 1);
    match &parsed {
        Ok(packets) => {
            assert!(visit.is_ok(), "visit_frame refused what parse_frame read");
            assert_eq!(packets.len(), visited);
            let again = parse_frame(&encode_batch(packets)).expect("re-encoded packets parse");
            assert_eq!(again.len(), packets.len());
            for (a, b) in again.iter().zip(packets) {
                match (a, b) {
                    (Packet::Method(a), Packet::Method(b)) => {
                        assert_eq!((a.id, &a.method, a.discard, a.seq), (b.id, &b.method, b.discard, b.seq))
                    }
                    (Packet::Reply(a), Packet::Reply(b)) => {
                        assert_eq!((a.id, a.seq, &a.error), (b.id, b.seq, &b.error))
                    }
                    _ => panic!("a packet changed type when re-encoded"),
                }
            }
        }
        Err(e) => {
            // visit_frame may have visited packets before the one that failed; it fails too
            // unless only the Value conversion (params, result) failed.
            let message = e.to_reply().error.expect("an error reply").message;
            assert!(message.chars().count() <= MESSAGE_BOUND, "a {}-character error message", message.len());
        }
    }
}
