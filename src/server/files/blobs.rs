//! Where uploaded files' bytes live: in the data folder (`DATA/files/CHANNEL/BLOB`, written to
//! `DATA/files/incoming/` first and renamed into place once complete), or in memory for a
//! mediator on an in-memory store (`--memory`). Blobs have random names; what path a game gave a
//! file is only in the store.
//!
//! An upload is staged (received whole, decompressed if it came compressed, measured, hashed and
//! its type read), then committed (renamed into place) once the store has accepted it.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use axum::body::{Body, Bytes};
use futures_util::{Stream, StreamExt};
use parking_lot::Mutex;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::sniff::{content_type, SNIFF_BYTES};

/// The folder under the data folder that holds uploads.
const FOLDER: &str = "files";
/// Where uploads are written until they are complete.
const INCOMING: &str = "incoming";

/// How an upload's body is encoded (`Content-Encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Lz4,
}

impl Encoding {
    /// Reads a `Content-Encoding` value (absent and empty mean identity).
    pub fn parse(value: Option<&str>) -> Option<Encoding> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("identity") => Some(Encoding::Identity),
            Some("gzip") | Some("x-gzip") => Some(Encoding::Gzip),
            Some("lz4") => Some(Encoding::Lz4),
            Some(_) => None,
        }
    }
}

/// Why an upload could not be staged: the HTTP status to answer and a sentence.
#[derive(Debug)]
pub struct StageError {
    pub status: u16,
    pub message: String,
}

impl StageError {
    fn bad(message: impl Into<String>) -> StageError {
        StageError { status: 400, message: message.into() }
    }

    fn failed(e: io::Error) -> StageError {
        eprintln!("mixplay-server: storing an upload failed: {e}");
        StageError { status: 503, message: "the mediator could not store the file; try again".into() }
    }
}

/// A complete upload, not yet a file.
pub struct Staged {
    bytes: StagedBytes,
    pub size: u64,
    pub content_type: &'static str,
    /// Hex SHA-256 of the content (its first 32 characters are the ETag).
    pub sha256: String,
}

enum StagedBytes {
    File(PathBuf),
    Memory(Bytes),
}

/// The bytes of a stored file, for serving.
pub enum Stored {
    File(tokio::fs::File),
    Memory(Bytes),
}

impl Stored {
    pub fn into_body(self) -> Body {
        match self {
            Stored::Memory(b) => Body::from(b),
            Stored::File(file) => Body::from_stream(file_chunks(file)),
        }
    }
}

/// A file's bytes in 64 KiB chunks.
fn file_chunks(file: tokio::fs::File) -> impl Stream<Item = io::Result<Bytes>> + Send {
    futures_util::stream::unfold(Some(file), |file| async move {
        use tokio::io::AsyncReadExt;
        let mut file = file?;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

pub enum Blobs {
    Folder(PathBuf),
    Memory(Mutex<HashMap<(u32, String), Bytes>>),
}

impl Blobs {
    /// Blobs under the data folder `data` (`None`: in memory).
    pub fn new(data: Option<&Path>) -> Blobs {
        match data {
            Some(dir) => Blobs::Folder(dir.join(FOLDER)),
            None => Blobs::Memory(Mutex::new(HashMap::new())),
        }
    }

    /// Deletes what an interrupted run left behind: unfinished uploads, and blobs the store does
    /// not know (a crash between writing a file and recording it, or between replacing a file and
    /// deleting the old bytes). `known` holds `(channel, blob)` of every stored file.
    pub fn sweep(&self, known: &std::collections::HashSet<(u32, String)>) -> io::Result<usize> {
        let Blobs::Folder(root) = self else { return Ok(0) };
        let mut removed = 0;
        let Ok(channels) = std::fs::read_dir(root) else { return Ok(0) };
        for dir in channels {
            let dir = dir?;
            let name = dir.file_name().to_string_lossy().into_owned();
            let channel = name.parse::<u32>().ok();
            if channel.is_none() && name != INCOMING {
                continue; // not ours
            }
            for entry in std::fs::read_dir(dir.path())? {
                let entry = entry?;
                let blob = entry.file_name().to_string_lossy().into_owned();
                let keep = channel.is_some_and(|c| known.contains(&(c, blob)));
                if !keep {
                    std::fs::remove_file(entry.path())?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Receives a body of at most `limit` bytes and exactly `length` (its `Content-Length`);
    /// decodes it (`encoding`) to exactly `total` bytes; measures, hashes and types the result.
    pub async fn stage<S, E>(
        &self,
        body: S,
        length: u64,
        limit: u64,
        encoding: Encoding,
        total: u64,
    ) -> Result<Staged, StageError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        match self {
            Blobs::Memory(_) => {
                let raw = receive_memory(body, length, limit).await?;
                tokio::task::spawn_blocking(move || {
                    let bytes = decode_all(io::Cursor::new(raw), encoding, total)?;
                    let (content_type, sha256) = inspect(&bytes);
                    Ok(Staged {
                        size: bytes.len() as u64,
                        bytes: StagedBytes::Memory(bytes.into()),
                        content_type,
                        sha256,
                    })
                })
                .await
                .map_err(|e| StageError::failed(io::Error::other(e)))?
            }
            Blobs::Folder(root) => {
                let incoming = root.join(INCOMING);
                tokio::fs::create_dir_all(&incoming).await.map_err(StageError::failed)?;
                let raw = incoming.join(uuid::Uuid::new_v4().to_string());
                let received = receive_file(body, length, limit, &raw).await;
                if let Err(e) = received {
                    let _ = tokio::fs::remove_file(&raw).await;
                    return Err(e);
                }
                let decoded = incoming.join(uuid::Uuid::new_v4().to_string());
                let staged = tokio::task::spawn_blocking({
                    let (raw, decoded) = (raw.clone(), decoded.clone());
                    move || decode_file(&raw, &decoded, encoding, total)
                })
                .await
                .map_err(|e| StageError::failed(io::Error::other(e)))
                .and_then(|r| r);
                let _ = tokio::fs::remove_file(&raw).await;
                if staged.is_err() {
                    let _ = tokio::fs::remove_file(&decoded).await;
                }
                staged
            }
        }
    }

    /// Makes a staged upload the blob `blob` of `channel`.
    pub async fn commit(&self, staged: Staged, channel: u32, blob: &str) -> io::Result<()> {
        match (self, staged.bytes) {
            (Blobs::Memory(map), StagedBytes::Memory(bytes)) => {
                map.lock().insert((channel, blob.to_owned()), bytes);
                Ok(())
            }
            (Blobs::Folder(root), StagedBytes::File(path)) => {
                let dir = root.join(channel.to_string());
                tokio::fs::create_dir_all(&dir).await?;
                tokio::fs::rename(&path, dir.join(blob)).await
            }
            _ => Err(io::Error::other("a staged upload of another kind of storage")),
        }
    }

    /// Deletes a blob (a missing one is not an error).
    pub async fn remove(&self, channel: u32, blob: &str) {
        match self {
            Blobs::Memory(map) => {
                map.lock().remove(&(channel, blob.to_owned()));
            }
            Blobs::Folder(root) => {
                let path = root.join(channel.to_string()).join(blob);
                if let Err(e) = tokio::fs::remove_file(&path).await {
                    if e.kind() != io::ErrorKind::NotFound {
                        eprintln!("mixplay-server: deleting {}: {e}", path.display());
                    }
                }
            }
        }
    }

    /// A blob's bytes, for serving.
    pub async fn open(&self, channel: u32, blob: &str) -> io::Result<Stored> {
        match self {
            Blobs::Memory(map) => map
                .lock()
                .get(&(channel, blob.to_owned()))
                .cloned()
                .map(Stored::Memory)
                .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound)),
            Blobs::Folder(root) => {
                Ok(Stored::File(tokio::fs::File::open(root.join(channel.to_string()).join(blob)).await?))
            }
        }
    }
}

/// The sentence for a body that does not match its `Content-Length`.
fn length_mismatch(got: u64, length: u64) -> StageError {
    StageError::bad(format!("the body has {got} bytes, but Content-Length says {length}"))
}

fn too_long(limit: u64) -> StageError {
    StageError { status: 413, message: format!("the body is longer than the {limit} bytes an upload may have") }
}

async fn receive_memory<S, E>(mut body: S, length: u64, limit: u64) -> Result<Vec<u8>, StageError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut out = Vec::with_capacity(length.min(limit) as usize);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| StageError::bad(format!("the body could not be read: {e}")))?;
        if (out.len() + chunk.len()) as u64 > limit {
            return Err(too_long(limit));
        }
        out.extend_from_slice(&chunk);
    }
    if out.len() as u64 != length {
        return Err(length_mismatch(out.len() as u64, length));
    }
    Ok(out)
}

async fn receive_file<S, E>(mut body: S, length: u64, limit: u64, to: &Path) -> Result<(), StageError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut file = tokio::fs::File::create(to).await.map_err(StageError::failed)?;
    let mut got = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| StageError::bad(format!("the body could not be read: {e}")))?;
        got += chunk.len() as u64;
        if got > limit {
            return Err(too_long(limit));
        }
        file.write_all(&chunk).await.map_err(StageError::failed)?;
    }
    if got != length {
        return Err(length_mismatch(got, length));
    }
    file.flush().await.map_err(StageError::failed)?;
    Ok(())
}

/// The decoder of `encoding` over `raw`.
fn decoder<'a, R: Read + 'a>(raw: R, encoding: Encoding) -> Box<dyn Read + 'a> {
    match encoding {
        Encoding::Identity => Box::new(raw),
        Encoding::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        Encoding::Lz4 => Box::new(lz4_flex::frame::FrameDecoder::new(raw)),
    }
}

/// Copies `raw` decoded into `out`: exactly `total` bytes, or a 400 saying why not.
fn decode_into<R: Read, W: Write>(raw: R, encoding: Encoding, total: u64, out: &mut W) -> Result<(), StageError> {
    let mut reader = decoder(raw, encoding).take(total + 1);
    let copied = io::copy(&mut reader, out).map_err(|e| match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof => {
            StageError::bad(format!("the body is not valid {encoding:?} data: {e}").to_lowercase())
        }
        _ => StageError::failed(e),
    })?;
    if copied != total {
        let what = if encoding == Encoding::Identity { "Content-Length" } else { "X-Total-Length" };
        let more = if copied > total { "more than".to_owned() } else { format!("{copied} bytes, not") };
        return Err(StageError::bad(format!("the file decodes to {more} the {total} bytes {what} announced")));
    }
    Ok(())
}

fn decode_all<R: Read>(raw: R, encoding: Encoding, total: u64) -> Result<Vec<u8>, StageError> {
    let mut out = Vec::with_capacity(total as usize);
    decode_into(raw, encoding, total, &mut out)?;
    Ok(out)
}

fn decode_file(raw: &Path, to: &Path, encoding: Encoding, total: u64) -> Result<Staged, StageError> {
    if encoding == Encoding::Identity {
        std::fs::rename(raw, to).map_err(StageError::failed)?;
    } else {
        let input = io::BufReader::new(std::fs::File::open(raw).map_err(StageError::failed)?);
        let mut out = io::BufWriter::new(std::fs::File::create(to).map_err(StageError::failed)?);
        decode_into(input, encoding, total, &mut out)?;
        out.flush().map_err(StageError::failed)?;
    }
    // Durable before the store records it: a crash after the record must find the bytes.
    let file = std::fs::File::open(to).map_err(StageError::failed)?;
    file.sync_all().map_err(StageError::failed)?;
    let size = file.metadata().map_err(StageError::failed)?.len();
    let mut reader = io::BufReader::new(file);
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf).map_err(StageError::failed)?;
        if n == 0 {
            break;
        }
        if head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - head.len()).min(n);
            head.extend_from_slice(&buf[..take]);
        }
        hasher.update(&buf[..n]);
    }
    Ok(Staged {
        bytes: StagedBytes::File(to.to_owned()),
        size,
        content_type: content_type(&head),
        sha256: hex(&hasher.finalize()),
    })
}

/// The content type and hex SHA-256 of `bytes`.
fn inspect(bytes: &[u8]) -> (&'static str, String) {
    (content_type(&bytes[..bytes.len().min(SNIFF_BYTES)]), hex(&Sha256::digest(bytes)))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[&'static [u8]]) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Unpin {
        futures_util::stream::iter(parts.iter().map(|p| Ok(Bytes::from_static(p))).collect::<Vec<_>>())
    }

    async fn stage(
        blobs: &Blobs,
        parts: &[&'static [u8]],
        encoding: Encoding,
        total: u64,
    ) -> Result<Staged, StageError> {
        let length = parts.iter().map(|p| p.len() as u64).sum();
        blobs.stage(body(parts), length, 1000, encoding, total).await
    }

    #[tokio::test]
    async fn uploads_are_decoded_checked_and_committed_in_both_storages() {
        let dir = std::env::temp_dir().join(format!("mixplay-blobs-{}", uuid::Uuid::new_v4()));
        let png: &'static [u8] = b"\x89PNG\r\n\x1a\nrest of the picture";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(png).unwrap();
        let gz: &'static [u8] = gz.finish().unwrap().leak();
        let mut lz = lz4_flex::frame::FrameEncoder::new(Vec::new());
        lz.write_all(png).unwrap();
        let lz: &'static [u8] = lz.finish().unwrap().leak();
        for blobs in [Blobs::new(None), Blobs::new(Some(&dir))] {
            for (parts, encoding) in [
                (vec![&png[..4], &png[4..]], Encoding::Identity),
                (vec![gz], Encoding::Gzip),
                (vec![lz], Encoding::Lz4),
            ] {
                let staged = stage(&blobs, &parts, encoding, png.len() as u64).await.unwrap();
                assert_eq!((staged.size, staged.content_type), (png.len() as u64, "image/png"));
                assert_eq!(staged.sha256, hex(&Sha256::digest(png)));
                blobs.commit(staged, 7, "b1").await.unwrap();
                assert!(blobs.open(7, "b1").await.is_ok(), "the committed blob opens");
            }
            // A body that is not what it says, or decodes to another length, is a 400.
            assert_eq!(stage(&blobs, &[b"not gzip at all"], Encoding::Gzip, 5).await.err().unwrap().status, 400);
            assert_eq!(stage(&blobs, &[gz], Encoding::Gzip, 3).await.err().unwrap().status, 400);
            assert_eq!(stage(&blobs, &[gz], Encoding::Gzip, 999).await.err().unwrap().status, 400);
            let short = blobs.stage(body(&[b"abc"]), 4, 1000, Encoding::Identity, 4).await;
            assert_eq!(short.err().unwrap().status, 400);
            let long = blobs.stage(body(&[b"abcdef"]), 6, 5, Encoding::Identity, 6).await;
            assert_eq!(long.err().unwrap().status, 413);
            blobs.remove(7, "b1").await;
            assert!(blobs.open(7, "b1").await.is_err());
        }
        // Nothing unfinished is left behind; an unknown blob is swept.
        let blobs = Blobs::new(Some(&dir));
        assert_eq!(std::fs::read_dir(dir.join(FOLDER).join(INCOMING)).unwrap().count(), 0);
        std::fs::write(dir.join(FOLDER).join("7").join("stray"), b"x").unwrap();
        std::fs::write(dir.join(FOLDER).join(INCOMING).join("half"), b"x").unwrap();
        assert_eq!(blobs.sweep(&Default::default()).unwrap(), 2);
        let _ = std::fs::remove_dir_all(dir);
    }
}
