//! What the fuzz targets share: a reader that turns the fuzzer's bytes into the pieces a target
//! needs (and never fails: missing bytes read as zero or empty), and the matching writer, used
//! to build the seed corpus (`examples/seeds.rs`).

/// The chat methods a `chat_packet` input picks from by index (and one nobody knows).
pub const CHAT_METHODS: [&str; 13] = [
    "auth",
    "msg",
    "whisper",
    "timeout",
    "purge",
    "deleteMessage",
    "clearMessages",
    "history",
    "optOutEvents",
    "vote:start",
    "vote:choose",
    "ping",
    "no:such:method",
];

/// Reads a fuzz input front to back.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn u8(&mut self) -> u8 {
        let Some((&b, rest)) = self.bytes.split_first() else { return 0 };
        self.bytes = rest;
        b
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    pub fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | u64::from(self.u32()) << 32
    }

    /// A chunk written by [`Writer::chunk`]: a little-endian `u16` length, then that many
    /// bytes (fewer when the input ends first).
    pub fn chunk(&mut self) -> &'a [u8] {
        let len = usize::from(self.u16()).min(self.bytes.len());
        let (chunk, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        chunk
    }
}

/// Builds a fuzz input that [`Reader`] reads back.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, b: u8) -> &mut Self {
        self.bytes.push(b);
        self
    }

    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn chunk(&mut self, bytes: &[u8]) -> &mut Self {
        let len = u16::try_from(bytes.len()).expect("seed chunks are under 64 KiB");
        self.u16(len);
        self.bytes.extend_from_slice(bytes);
        self
    }
}
