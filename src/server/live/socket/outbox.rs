//! The frames a socket is about to write, written straight from the shared bytes of each packet:
//! a frame is its header, the packet's body and (for a MixPlay packet) the `,"seq":N}` that ends
//! it, handed to the kernel as slices in one vectored write. A broadcast to 20,000 viewers is
//! thus never copied per viewer, and a socket with nothing to send holds no buffer.

use std::collections::VecDeque;
use std::io::{self, IoSlice, Write};

use axum::body::Bytes;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;

/// How many frames the outbox takes from the queue before they are written: a burst costs one
/// write call for up to this many (at most [`SLICES_PER_WRITE`] slices a call).
pub const MAX_FRAMES: usize = 256;

/// Slices handed to one vectored write (three a frame).
const SLICES_PER_WRITE: usize = 64;

/// One frame: `head`, then `body`, then `tail`.
struct OutFrame {
    opcode: OpCode,
    head: [u8; 10],
    head_len: u8,
    tail: [u8; 20],
    tail_len: u8,
    body: Bytes,
    /// The queue room this frame holds until it is written.
    charge: u32,
}

impl OutFrame {
    fn new(opcode: OpCode, body: Bytes, tail: &[u8], charge: u32) -> OutFrame {
        let mut frame = OutFrame { opcode, head: [0; 10], head_len: 0, tail: [0; 20], tail_len: 0, body, charge };
        frame.tail[..tail.len()].copy_from_slice(tail);
        frame.tail_len = tail.len() as u8;
        let length = (frame.body.len() + tail.len()) as u64;
        let header = FrameHeader { opcode, ..FrameHeader::default() };
        let mut out = &mut frame.head[..];
        // A server's header without a mask is at most 10 bytes, which `head` holds.
        let _ = header.format(length, &mut out);
        frame.head_len = (10 - out.len()) as u8;
        frame
    }

    fn len(&self) -> usize {
        self.head_len as usize + self.body.len() + self.tail_len as usize
    }

    /// The frame's bytes from `skip` on, as up to three slices.
    fn slices(&self, skip: usize) -> impl Iterator<Item = &[u8]> {
        let parts = [&self.head[..self.head_len as usize], &self.body[..], &self.tail[..self.tail_len as usize]];
        let mut skip = skip;
        parts.into_iter().filter_map(move |part| {
            let from = skip.min(part.len());
            skip -= from;
            Some(&part[from..]).filter(|rest| !rest.is_empty())
        })
    }
}

/// What one call to [`Outbox::write`] did.
pub struct Written {
    /// Bytes the kernel took.
    pub bytes: usize,
    /// Queue room freed by frames written whole.
    pub freed: usize,
}

#[derive(Default)]
pub struct Outbox {
    frames: VecDeque<OutFrame>,
    /// Bytes of the front frame already written.
    written: usize,
}

impl Outbox {
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    pub fn has_room(&self) -> bool {
        self.frames.len() < MAX_FRAMES
    }

    /// A MixPlay packet's JSON (an object) with `seq` spliced in before its closing brace.
    pub fn push_packet(&mut self, json: Bytes, seq: i32, charge: u32) {
        let mut tail = [0u8; 20];
        let mut out = &mut tail[..];
        // `,"seq":` and an i32 and `}` take at most 19 bytes.
        let _ = write!(out, ",\"seq\":{seq}}}");
        let tail_len = 20 - out.len();
        match json.len().checked_sub(1).filter(|&end| json[end] == b'}') {
            Some(end) => self.frames.push_back(OutFrame::new(TEXT, json.slice(..end), &tail[..tail_len], charge)),
            None => self.push(TEXT, json, charge),
        }
    }

    /// A text frame as it is.
    pub fn push_text(&mut self, text: Bytes, charge: u32) {
        self.push(TEXT, text, charge);
    }

    /// A binary frame (a compressed packet).
    pub fn push_binary(&mut self, data: Bytes, charge: u32) {
        self.push(OpCode::Data(Data::Binary), data, charge);
    }

    /// A control frame (its payload at most 125 bytes); it holds no queue room.
    pub fn push_control(&mut self, control: Control, payload: Bytes) {
        self.push(OpCode::Control(control), payload, 0);
    }

    /// The answer to a ping. A pong not yet begun is replaced rather than joined by another (RFC
    /// 6455 §5.5.3 lets the latest ping alone be answered): a client sending pings and reading
    /// nothing is owed one pong, not one a ping.
    pub fn push_pong(&mut self, payload: Bytes) {
        let pong = OpCode::Control(Control::Pong);
        let started = usize::from(self.written > 0);
        if let Some(waiting) = self.frames.iter_mut().skip(started).find(|f| f.opcode == pong) {
            *waiting = OutFrame::new(pong, payload, &[], 0);
            return;
        }
        self.push(pong, payload, 0);
    }

    fn push(&mut self, opcode: OpCode, body: Bytes, charge: u32) {
        self.frames.push_back(OutFrame::new(opcode, body, &[], charge));
    }

    /// Drops every frame not yet begun, so that a close frame can follow at once; a frame partly
    /// written stays, or the stream would break.
    pub fn keep_only_started(&mut self) {
        let keep = usize::from(self.written > 0).min(self.frames.len());
        self.frames.truncate(keep);
    }

    /// Writes as much as the socket takes without waiting (`WouldBlock` once it is full).
    pub fn write(&mut self, stream: &TcpStream) -> io::Result<Written> {
        let mut done = Written { bytes: 0, freed: 0 };
        while !self.frames.is_empty() {
            let n = {
                let mut slices = [IoSlice::new(&[]); SLICES_PER_WRITE];
                let mut count = 0;
                let mut skip = self.written;
                'frames: for frame in &self.frames {
                    for part in frame.slices(skip) {
                        if count == SLICES_PER_WRITE {
                            break 'frames;
                        }
                        slices[count] = IoSlice::new(part);
                        count += 1;
                    }
                    skip = 0;
                }
                match stream.try_write_vectored(&slices[..count]) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock && done.bytes > 0 => break,
                    Err(e) => return Err(e),
                }
            };
            done.bytes += n;
            self.advance(n, &mut done.freed);
        }
        if self.frames.is_empty() {
            // Most sockets are owed nothing most of the time: they keep no buffer.
            self.frames = VecDeque::new();
        }
        Ok(done)
    }

    fn advance(&mut self, mut n: usize, freed: &mut usize) {
        while let Some(front) = self.frames.front() {
            let left = front.len() - self.written;
            if n < left {
                self.written += n;
                return;
            }
            n -= left;
            *freed += front.charge as usize;
            self.written = 0;
            self.frames.pop_front();
        }
    }
}

const TEXT: OpCode = OpCode::Data(Data::Text);

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_of(outbox: &Outbox) -> Vec<u8> {
        let mut all = Vec::new();
        let mut skip = outbox.written;
        for frame in &outbox.frames {
            for part in frame.slices(skip) {
                all.extend_from_slice(part);
            }
            skip = 0;
        }
        all
    }

    #[test]
    fn a_packet_gets_its_seq_spliced_in_and_a_text_header() {
        let mut o = Outbox::default();
        o.push_packet(Bytes::from_static(b"{\"a\":1}"), 7, 10);
        let expected = b"{\"a\":1,\"seq\":7}";
        let mut want = vec![0x81, expected.len() as u8];
        want.extend_from_slice(expected);
        assert_eq!(bytes_of(&o), want);
        o.push_packet(Bytes::from_static(b"{\"x\":0}"), i32::MIN, 0);
        assert!(bytes_of(&o).ends_with(b"{\"x\":0,\"seq\":-2147483648}"), "the longest seq fits");
    }

    #[test]
    fn long_frames_get_the_longer_length_forms() {
        let mut o = Outbox::default();
        o.push_text(Bytes::from(vec![b'x'; 300]), 0);
        assert_eq!(&bytes_of(&o)[..4], &[0x81, 126, 0x01, 0x2c]);
        let mut o = Outbox::default();
        o.push_binary(Bytes::from(vec![0; 70_000]), 0);
        assert_eq!(&bytes_of(&o)[..10], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    }

    #[test]
    fn partial_writes_resume_where_they_stopped_and_free_room_per_whole_frame() {
        let mut o = Outbox::default();
        o.push_text(Bytes::from_static(b"hello"), 100);
        o.push_control(Control::Ping, Bytes::new());
        o.push_packet(Bytes::from_static(b"{\"b\":2}"), 1, 50);
        let all = bytes_of(&o);
        let mut freed = 0;
        o.advance(3, &mut freed);
        assert_eq!(bytes_of(&o), all[3..], "resumes inside the first frame");
        assert_eq!(freed, 0);
        o.advance(4 + 2, &mut freed);
        assert_eq!(freed, 100, "the first frame is whole, the ping holds no room");
        assert_eq!(bytes_of(&o), all[9..]);
        o.keep_only_started();
        assert!(o.is_empty(), "nothing was started of what is left");
    }

    #[test]
    fn pings_read_faster_than_pongs_are_written_owe_one_pong() {
        let mut o = Outbox::default();
        for i in 0..1000u32 {
            o.push_pong(Bytes::from(i.to_string()));
        }
        assert_eq!(bytes_of(&o), [&[0x8a, 3][..], b"999"].concat(), "only the latest ping is answered");
        // A pong already being written stays whole; the next ping gets one of its own.
        o.advance(1, &mut 0);
        o.push_pong(Bytes::from_static(b"a"));
        o.push_pong(Bytes::from_static(b"b"));
        assert_eq!(bytes_of(&o), [&[3][..], b"999", &[0x8a, 1], b"b"].concat());
    }

    #[test]
    fn a_started_frame_is_kept_for_the_close_to_follow() {
        let mut o = Outbox::default();
        o.push_text(Bytes::from_static(b"hello"), 0);
        o.push_text(Bytes::from_static(b"world"), 0);
        o.advance(2, &mut 0);
        o.keep_only_started();
        assert_eq!(bytes_of(&o), b"hello");
    }
}
