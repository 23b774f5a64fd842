//! The receiving half of the `lz4` scheme: one LZ4 frame (format 1.6.x, linked or independent
//! blocks) for the life of the scheme, read websocket frame by websocket frame, never inflating
//! more than the caller allows.
//!
//! lz4_flex's `FrameDecoder` always inflates a whole block (up to 4 MiB) into its own buffer
//! before handing any of it out, whatever the caller asked for. Here each block is decoded with
//! lz4_flex's block functions straight into an output slice no longer than the caller's limit,
//! so a block that would inflate further is refused there. Each websocket frame must hold whole
//! structures (header, blocks, end mark), as every writer that flushes per message produces.

use std::hash::Hasher;
use std::io;

use lz4_flex::block::{decompress_into, decompress_into_with_dict, DecompressError};
use twox_hash::XxHash32;

const MAGIC: u32 = 0x184D_2204;
/// Skippable frames carry user data the reader ignores (magic numbers 0x184D2A50..=5F).
const SKIPPABLE_MAGIC: std::ops::RangeInclusive<u32> = 0x184D_2A50..=0x184D_2A5F;
/// How far back a linked block may refer into earlier output.
const WINDOW: usize = 64 * 1024;
/// How much earlier output is kept before the oldest is dropped; the slack above [`WINDOW`]
/// spares a copy of the window on every small message.
const HISTORY_LIMIT: usize = 2 * WINDOW;
/// The first output size tried for a compressed block, as a multiple of its compressed size.
const FIRST_RATIO: usize = 4;

fn invalid(why: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why)
}

/// What the frame descriptor says about the blocks that follow.
struct FrameHeader {
    linked: bool,
    block_checksums: bool,
    content_checksum: Option<XxHash32>,
    content_size: Option<u64>,
    max_block: usize,
    produced: u64,
}

/// Takes `n` bytes off the front of `input`, or fails if the frame does not hold them.
fn take<'a>(input: &mut &'a [u8], n: usize) -> io::Result<&'a [u8]> {
    if input.len() < n {
        return Err(invalid("the frame ends inside an LZ4 structure"));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

fn take_u32(input: &mut &[u8]) -> io::Result<u32> {
    let b = take(input, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl FrameHeader {
    /// Reads a frame descriptor (after the magic number).
    fn read(input: &mut &[u8]) -> io::Result<FrameHeader> {
        let start = *input;
        let flg = take(input, 1)?[0];
        let bd = take(input, 1)?[0];
        if flg >> 6 != 0b01 {
            return Err(invalid("unsupported LZ4 frame version"));
        }
        if flg & 0b10 != 0 || bd & 0b1000_1111 != 0 {
            return Err(invalid("reserved bits set in an LZ4 frame descriptor"));
        }
        if flg & 0b1 != 0 {
            return Err(invalid("LZ4 dictionaries are not supported"));
        }
        let max_block = match (bd >> 4) & 0b111 {
            4 => 64 * 1024,
            5 => 256 * 1024,
            6 => 1024 * 1024,
            7 => 4 * 1024 * 1024,
            _ => return Err(invalid("unknown LZ4 block maximum")),
        };
        let content_size = if flg & 0b1000 != 0 {
            let b = take(input, 8)?;
            Some(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        } else {
            None
        };
        let descriptor = &start[..start.len() - input.len()];
        let checksum = take(input, 1)?[0];
        if checksum != (XxHash32::oneshot(0, descriptor) >> 8) as u8 {
            return Err(invalid("LZ4 frame descriptor checksum mismatch"));
        }
        Ok(FrameHeader {
            linked: flg & 0b10_0000 == 0,
            block_checksums: flg & 0b1_0000 != 0,
            content_checksum: (flg & 0b100 != 0).then(|| XxHash32::with_seed(0)),
            content_size,
            max_block,
            produced: 0,
        })
    }
}

/// An LZ4 stream read one websocket frame at a time.
#[derive(Default)]
pub struct Lz4Reader {
    /// The LZ4 frame being read; `None` between frames.
    frame: Option<FrameHeader>,
    /// Earlier output that linked blocks may refer to (the last [`WINDOW`] bytes of it).
    history: Vec<u8>,
    /// Where the current LZ4 frame's output starts in `history`: blocks never refer before it.
    frame_start: usize,
}

impl Lz4Reader {
    /// Reads one websocket frame's compressed bytes and returns what they inflate to, at most
    /// `limit` bytes. Output of exactly `limit` bytes means the frame holds at least that much.
    pub fn inflate(&mut self, mut input: &[u8], limit: usize) -> io::Result<Vec<u8>> {
        let start = self.history.len();
        let result = self.read_structures(&mut input, start, limit);
        let out = self.history[start..].to_vec();
        self.trim_history();
        result.map(|()| out)
    }

    fn read_structures(&mut self, input: &mut &[u8], start: usize, limit: usize) -> io::Result<()> {
        while !input.is_empty() {
            let Some(frame) = &mut self.frame else {
                let magic = take_u32(input)?;
                if SKIPPABLE_MAGIC.contains(&magic) {
                    let len = take_u32(input)? as usize;
                    take(input, len)?;
                } else if magic == MAGIC {
                    self.frame = Some(FrameHeader::read(input)?);
                    self.frame_start = self.history.len();
                } else {
                    return Err(invalid("not an LZ4 frame (bad magic number)"));
                }
                continue;
            };
            let size = take_u32(input)?;
            if size == 0 {
                // The end mark; a new LZ4 frame may follow and starts with no history.
                let frame = self.frame.take().expect("inside a frame");
                if let Some(hasher) = frame.content_checksum {
                    if take_u32(input)? != hasher.finish_32() {
                        return Err(invalid("LZ4 content checksum mismatch"));
                    }
                }
                if frame.content_size.is_some_and(|expected| expected != frame.produced) {
                    return Err(invalid("LZ4 frame content size mismatch"));
                }
                continue;
            }
            let stored = size & 0x8000_0000 != 0;
            let len = (size & 0x7FFF_FFFF) as usize;
            if len > frame.max_block {
                return Err(invalid("LZ4 block larger than the frame's block maximum"));
            }
            let data = take(input, len)?;
            if frame.block_checksums && take_u32(input)? != XxHash32::oneshot(0, data) {
                return Err(invalid("LZ4 block checksum mismatch"));
            }
            let caller_room = limit - (self.history.len() - start);
            let room = caller_room.min(frame.max_block);
            let block_start = self.history.len();
            let dict_from =
                if frame.linked { block_start.saturating_sub(WINDOW).max(self.frame_start) } else { block_start };
            let written = if !stored {
                decode_block(data, &mut self.history, dict_from, room)?
            } else if len <= room {
                self.history.extend_from_slice(data);
                Some(len)
            } else {
                None
            };
            let Some(written) = written else {
                if room < caller_room {
                    return Err(invalid("LZ4 block inflates past the frame's block maximum"));
                }
                // Past the caller's limit: the frame holds more than it may. Say so by filling
                // the allowance; nothing more of the frame is read.
                self.history.resize(start + limit, 0);
                return Ok(());
            };
            let frame = self.frame.as_mut().expect("inside a frame");
            frame.produced += written as u64;
            if let Some(hasher) = &mut frame.content_checksum {
                hasher.write(&self.history[block_start..]);
            }
            if self.history.len() - start == limit {
                // As much as the caller allows; whatever else the frame holds is not read.
                return Ok(());
            }
        }
        Ok(())
    }

    /// Keeps only what linked blocks may still refer to.
    fn trim_history(&mut self) {
        if self.history.len() > HISTORY_LIMIT {
            let dropped = self.history.len() - WINDOW;
            self.history.drain(..dropped);
            self.frame_start = self.frame_start.saturating_sub(dropped);
        }
        if self.history.capacity() > 2 * HISTORY_LIMIT {
            self.history.shrink_to(HISTORY_LIMIT);
        }
    }
}

/// Decodes one compressed block onto the end of `history`, referring back to
/// `history[dict_from..]`, writing at most `room` bytes; `None` (and nothing written) when the
/// block inflates to more than that.
fn decode_block(data: &[u8], history: &mut Vec<u8>, dict_from: usize, room: usize) -> io::Result<Option<usize>> {
    let start = history.len();
    // Most blocks inflate to a few times their size: try that first and grow on demand, so a
    // small block in a frame that declares a large message does not cost the whole allowance.
    let mut try_size = room.min(data.len().saturating_mul(FIRST_RATIO).max(4096));
    loop {
        history.resize(start + try_size, 0);
        let (before, after) = history.split_at_mut(start);
        let dict = &before[dict_from..];
        let result =
            if dict.is_empty() { decompress_into(data, after) } else { decompress_into_with_dict(data, after, dict) };
        match result {
            Ok(n) => {
                history.truncate(start + n);
                return Ok(Some(n));
            }
            Err(DecompressError::OutputTooSmall { .. }) if try_size < room => {
                try_size = room.min(try_size.saturating_mul(4));
            }
            Err(DecompressError::OutputTooSmall { .. }) => {
                history.truncate(start);
                return Ok(None);
            }
            Err(_) => {
                history.truncate(start);
                return Err(invalid("corrupt LZ4 block"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lz4_flex::frame::{BlockMode, BlockSize, FrameEncoder, FrameInfo};
    use std::io::Write;

    /// A message that compresses, but not to nothing, and refers back across messages.
    fn message(i: usize, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len);
        let mut x = (i as u32 + 1).wrapping_mul(2_654_435_761);
        while out.len() < len {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            out.extend_from_slice(format!("{{\"n\":{},\"v\":\"{}\"}}", i, x % 97).as_bytes());
        }
        out.truncate(len);
        out
    }

    /// Writes each message with `info`, one flushed block run per message, the last one
    /// finishing the LZ4 frame; returns the bytes of each message.
    fn encode(info: FrameInfo, messages: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut enc = FrameEncoder::with_frame_info(info, Vec::new());
        let mut frames = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            enc.write_all(m).unwrap();
            if i + 1 == messages.len() {
                let rest = enc.finish().unwrap();
                frames.push(rest);
                break;
            }
            enc.flush().unwrap();
            frames.push(std::mem::take(enc.get_mut()));
        }
        frames
    }

    #[test]
    fn every_frame_option_reads_back() {
        let sizes = [10, 70_000, 300, 200_000, 5, 0, 65_536];
        let messages: Vec<Vec<u8>> = sizes.iter().enumerate().map(|(i, &n)| message(i, n)).collect();
        for mode in [BlockMode::Linked, BlockMode::Independent] {
            for block in [BlockSize::Max64KB, BlockSize::Max256KB, BlockSize::Max4MB] {
                for checksums in [false, true] {
                    let total: usize = sizes.iter().sum();
                    let info = FrameInfo::new()
                        .block_mode(mode)
                        .block_size(block)
                        .block_checksums(checksums)
                        .content_checksum(checksums)
                        .content_size(checksums.then_some(total as u64));
                    let mut reader = Lz4Reader::default();
                    for (frame, m) in encode(info, &messages).iter().zip(&messages) {
                        let out = reader.inflate(frame, m.len() + 1).unwrap();
                        assert!(out == *m, "{mode:?} {block:?} {checksums}: message of {} bytes", m.len());
                    }
                }
            }
        }
    }

    #[test]
    fn a_new_frame_may_follow_the_end_mark() {
        let first = encode(FrameInfo::new(), &[message(1, 100), message(2, 100)]);
        let second = encode(FrameInfo::new(), &[message(3, 100)]);
        let mut reader = Lz4Reader::default();
        assert_eq!(reader.inflate(&first[0], 101).unwrap(), message(1, 100));
        // The end of one frame and the whole next one, in one websocket frame.
        let joined = [first[1].clone(), second[0].clone()].concat();
        assert_eq!(reader.inflate(&joined, 201).unwrap(), [message(2, 100), message(3, 100)].concat());
    }

    #[test]
    fn output_stops_at_the_limit() {
        let zeros = vec![b'0'; 1 << 20];
        let frames = encode(FrameInfo::new().block_size(BlockSize::Max4MB), &[zeros]);
        let out = Lz4Reader::default().inflate(&frames[0], 101).unwrap();
        assert_eq!(out.len(), 101);
        // Stored blocks too: 1 MiB of incompressible bytes.
        let noise: Vec<u8> = (0..1u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        let frames = encode(FrameInfo::new().block_size(BlockSize::Max4MB), &[noise]);
        assert_eq!(Lz4Reader::default().inflate(&frames[0], 101).unwrap().len(), 101);
    }

    #[test]
    fn broken_structures_are_errors() {
        let frames = encode(FrameInfo::new().block_checksums(true), &[message(1, 500), message(2, 500)]);
        for cut in [1, 5, 6, 9, frames[0].len() - 1] {
            assert!(Lz4Reader::default().inflate(&frames[0][..cut], 1000).is_err(), "cut at {cut}");
        }
        let mut flipped = frames[0].clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(Lz4Reader::default().inflate(&flipped, 1000).is_err(), "block checksum");
        let mut header = frames[0].clone();
        header[6] ^= 1;
        assert!(Lz4Reader::default().inflate(&header, 1000).is_err(), "descriptor checksum");
        assert!(Lz4Reader::default().inflate(b"\x00\x01\x02\x03", 10).is_err(), "magic");
        let skippable = [0x50, 0x2A, 0x4D, 0x18, 2, 0, 0, 0, 9, 9];
        assert_eq!(Lz4Reader::default().inflate(&skippable, 10).unwrap(), b"");
    }
}
