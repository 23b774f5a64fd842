//! The receiving half of the `gzip` scheme: one gzip member for the life of the scheme, read
//! frame by frame, never inflating more than the caller allows.
//!
//! flate2's reading decoder inflates straight into the buffer it is given, so the caller's limit
//! bounds the work and the memory: a frame that would inflate further is cut off at the limit,
//! however much its bytes could expand. The decoder sits on [`Pending`], which answers
//! `WouldBlock` when a frame's bytes are used up; flate2 keeps its state across that, so the
//! next frame continues the same stream.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

/// The smallest output buffer tried first; it grows by doubling up to the limit, so a frame
/// that lies about its length cannot make us allocate more than it really inflates to.
const FIRST_CHUNK: usize = 4 * 1024;

/// Compressed bytes received but not yet consumed by the decoder.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    read: usize,
}

impl Pending {
    fn push(&mut self, more: &[u8]) {
        self.bytes.drain(..self.read);
        self.read = 0;
        self.bytes.extend_from_slice(more);
    }

    fn is_empty(&self) -> bool {
        self.read == self.bytes.len()
    }
}

impl Read for Pending {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Pending {
    /// Out of bytes is not the end of the stream, only of this frame.
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(&self.bytes[self.read..])
    }

    fn consume(&mut self, amt: usize) {
        self.read = (self.read + amt).min(self.bytes.len());
    }
}

/// A gzip stream read one frame at a time.
pub struct GzipReader {
    decoder: GzDecoder<Pending>,
}

impl Default for GzipReader {
    fn default() -> Self {
        GzipReader { decoder: GzDecoder::new(Pending::default()) }
    }
}

impl GzipReader {
    /// Feeds one frame's compressed bytes and returns what they inflate to, at most `limit`
    /// bytes. Output of exactly `limit` bytes means the frame holds at least that much.
    pub fn inflate(&mut self, compressed: &[u8], limit: usize) -> io::Result<Vec<u8>> {
        self.decoder.get_mut().push(compressed);
        let mut out = Vec::new();
        let mut filled = 0;
        while filled < limit {
            if filled == out.len() {
                out.resize(limit.min((filled * 2).max(FIRST_CHUNK)), 0);
            }
            match self.decoder.read(&mut out[filled..]) {
                Ok(0) => {
                    // The member ended (its trailer read): nothing may follow it.
                    if !self.decoder.get_ref().is_empty() {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "bytes after the end of the gzip stream",
                        ));
                    }
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        out.truncate(filled);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    #[test]
    fn the_header_may_arrive_alone_and_the_stream_continues() {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(b"hello").unwrap();
        enc.flush().unwrap();
        let first = std::mem::take(enc.get_mut());
        let mut reader = GzipReader::default();
        assert_eq!(reader.inflate(&first[..4], 1).unwrap(), b"");
        assert_eq!(reader.inflate(&first[4..], 6).unwrap(), b"hello");
        enc.write_all(b"hello again").unwrap();
        enc.flush().unwrap();
        assert_eq!(reader.inflate(enc.get_ref(), 12).unwrap(), b"hello again");
    }

    #[test]
    fn output_stops_at_the_limit_and_a_finished_stream_takes_nothing_more() {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(&vec![0u8; 1 << 20]).unwrap();
        let done = enc.finish().unwrap();
        assert_eq!(GzipReader::default().inflate(&done, 101).unwrap().len(), 101);
        let mut reader = GzipReader::default();
        assert_eq!(reader.inflate(&done, 2 << 20).unwrap().len(), 1 << 20);
        assert!(reader.inflate(b"more", 10).is_err());
    }
}
