//! File storage (the spec's `uploadFile`, `deleteFile` and upload endpoint): a channel's game
//! client stores files (button images, data for custom controls) that participants' pages load.
//!
//! 1. The game calls `uploadFile {path}`; the mediator answers `{url, authorization}`, where `url`
//!    is `BASE/files/CHANNEL/PATH` and `authorization` a one-time secret, valid for
//!    [`GRANT_TTL`] (a new `uploadFile` for the same path replaces it; a channel holds at most
//!    [`GRANTS_PER_CHANNEL`], the oldest dropped first).
//! 2. The game `POST`s the bytes to `url` with `Authorization: SECRET` and `Content-Length`
//!    (optionally `Content-Encoding: gzip` or `lz4` with `X-Total-Length`): 200 with
//!    `{url, path, size, contentType}`, 400, 403 or 413 (see `http.rs`).
//! 3. Anyone may `GET` the file at `url`.
//! 4. `deleteFile {path}` removes it (no error when it does not exist).
//!
//! Unlike the spec's service, which cleared the storage when the game disconnected, files stay
//! until the game deletes them and outlive restarts (metadata in the store, bytes in the data
//! folder, see `blobs.rs`): a game that reconnects finds its images where it left them. The
//! per-channel quota (`--file-quota`) and file count (`--files-per-channel`) bound what a channel
//! keeps.

mod blobs;
mod http;
pub mod paths;
pub mod sniff;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use parking_lot::Mutex;
use serde_json::{json, Value};

pub use blobs::Encoding;
use blobs::{Blobs, StageError, Staged};
pub use http::routes;

use super::accounts::secret::{new_secret, secrets_equal};
use super::config::FileLimits;
use super::store::{FileRefused, Location, Store, StoreError, StoredFile};

/// How long an upload authorization works.
pub const GRANT_TTL: Duration = Duration::from_secs(10 * 60);

/// Upload authorizations one channel holds at most.
pub const GRANTS_PER_CHANNEL: usize = 64;

/// Uploads one channel may send at once.
pub const UPLOADS_AT_ONCE: usize = 4;

/// What the mediator serves a file with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    pub blob: String,
    pub size: u64,
    pub content_type: String,
    pub etag: String,
}

impl From<&StoredFile> for FileMeta {
    fn from(f: &StoredFile) -> FileMeta {
        FileMeta { blob: f.blob.clone(), size: f.size, content_type: f.content_type.clone(), etag: f.etag.clone() }
    }
}

struct Grant {
    secret: String,
    expires: Instant,
}

/// Why an upload was refused: the HTTP status and a sentence.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl From<StageError> for Refusal {
    fn from(e: StageError) -> Refusal {
        Refusal { status: e.status, message: e.message }
    }
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        eprintln!("mixplay-server: {e}");
        Refusal { status: 503, message: "the mediator's store failed; try again".into() }
    }
}

/// Every channel's uploaded files.
pub struct Files {
    limits: FileLimits,
    store: Store,
    blobs: Blobs,
    /// channel → path → file: the store's records, loaded at start and kept in step with it.
    index: Mutex<HashMap<u32, HashMap<String, Arc<FileMeta>>>>,
    /// channel → path → upload authorization, oldest first.
    grants: Mutex<HashMap<u32, IndexMap<String, Grant>>>,
    uploading: Mutex<HashMap<u32, usize>>,
}

/// One upload in progress (counted against [`UPLOADS_AT_ONCE`] until dropped).
pub struct Uploading<'a> {
    files: &'a Files,
    channel: u32,
}

impl Drop for Uploading<'_> {
    fn drop(&mut self) {
        let mut uploading = self.files.uploading.lock();
        if let Some(n) = uploading.get_mut(&self.channel) {
            *n -= 1;
            if *n == 0 {
                uploading.remove(&self.channel);
            }
        }
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

impl Files {
    /// Loads the index of stored files and deletes what an interrupted run left behind.
    pub async fn load(store: Store, limits: FileLimits) -> Result<Files, StoreError> {
        let data = match store.location() {
            Location::Folder(dir) => Some(dir.clone()),
            Location::Memory => None,
        };
        let blobs = Blobs::new(data.as_deref());
        let stored = store.all_files().await?;
        let known: HashSet<(u32, String)> = stored.iter().map(|f| (f.channel, f.blob.clone())).collect();
        match blobs.sweep(&known) {
            Ok(0) => {}
            Ok(n) => eprintln!("mixplay-server: removed {n} unfinished or unrecorded uploads"),
            Err(e) => eprintln!("mixplay-server: cleaning up uploads: {e}"),
        }
        let mut index: HashMap<u32, HashMap<String, Arc<FileMeta>>> = HashMap::new();
        for f in &stored {
            index.entry(f.channel).or_default().insert(f.path.clone(), Arc::new(FileMeta::from(f)));
        }
        Ok(Files {
            limits,
            store,
            blobs,
            index: Mutex::new(index),
            grants: Mutex::new(HashMap::new()),
            uploading: Mutex::new(HashMap::new()),
        })
    }

    pub fn limits(&self) -> &FileLimits {
        &self.limits
    }

    /// `uploadFile`: authorizes one upload of `path` to `channel`; `base` is the mediator's
    /// `http(s)://host[:port]` as clients reach it.
    pub fn authorize(&self, channel: u32, path: &str, base: &str) -> Result<Value, String> {
        let path = paths::check(path)?;
        let secret = new_secret();
        let mut grants = self.grants.lock();
        let list = grants.entry(channel).or_default();
        let now = Instant::now();
        list.retain(|_, g| g.expires > now);
        list.shift_remove(path);
        while list.len() >= GRANTS_PER_CHANNEL {
            list.shift_remove_index(0);
        }
        list.insert(path.to_owned(), Grant { secret: secret.clone(), expires: now + GRANT_TTL });
        Ok(json!({ "url": url(base, channel, path), "authorization": secret }))
    }

    /// Uses up the authorization to upload `path` to `channel`, if `presented` is it.
    pub fn take_grant(&self, channel: u32, path: &str, presented: &str) -> bool {
        let mut grants = self.grants.lock();
        let Some(list) = grants.get_mut(&channel) else { return false };
        let valid = list.get(path).is_some_and(|g| g.expires > Instant::now() && secrets_equal(&g.secret, presented));
        if valid {
            list.shift_remove(path);
        }
        valid
    }

    /// Counts an upload to `channel` as running (`None`: it already runs as many as it may).
    pub fn begin_upload(&self, channel: u32) -> Option<Uploading<'_>> {
        let mut uploading = self.uploading.lock();
        let n = uploading.entry(channel).or_insert(0);
        if *n >= UPLOADS_AT_ONCE {
            return None;
        }
        *n += 1;
        Some(Uploading { files: self, channel })
    }

    /// Receives an upload's body (see `Blobs::stage`).
    pub async fn stage<S, E>(&self, body: S, length: u64, encoding: Encoding, total: u64) -> Result<Staged, Refusal>
    where
        S: futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        // A compressed body may be a little longer than its content (incompressible data).
        let limit = (self.limits.quota_bytes as u64).saturating_add(64 * 1024);
        Ok(self.blobs.stage(body, length, limit, encoding, total).await?)
    }

    /// Keeps a staged upload as `path` of `channel`, if the channel's quota and file count allow.
    pub async fn keep(&self, channel: u32, path: &str, staged: Staged) -> Result<Arc<FileMeta>, Refusal> {
        let blob = uuid::Uuid::new_v4().simple().to_string();
        let record = StoredFile {
            channel,
            path: path.to_owned(),
            blob: blob.clone(),
            size: staged.size,
            content_type: staged.content_type.to_owned(),
            etag: staged.sha256[..32].to_owned(),
            uploaded_at: 0,
        };
        let size = staged.size;
        // The bytes are in place before the record that points at them.
        if let Err(e) = self.blobs.commit(staged, channel, &blob).await {
            eprintln!("mixplay-server: storing an upload failed: {e}");
            self.blobs.remove(channel, &blob).await;
            return Err(Refusal { status: 503, message: "the mediator could not store the file; try again".into() });
        }
        let quota = self.limits.quota_bytes as u64;
        let stored = self.store.put_file(record, quota, self.limits.per_channel).await;
        let (record, replaced) = match stored {
            Ok(Ok(kept)) => kept,
            Ok(Err(refused)) => {
                self.blobs.remove(channel, &blob).await;
                return Err(self.refusal(channel, size, refused));
            }
            Err(e) => {
                self.blobs.remove(channel, &blob).await;
                return Err(e.into());
            }
        };
        let meta = Arc::new(FileMeta::from(&record));
        self.index.lock().entry(channel).or_default().insert(record.path, meta.clone());
        if let Some(old) = replaced {
            self.blobs.remove(channel, &old).await;
        }
        Ok(meta)
    }

    /// The 413 for a file the channel has no room for.
    fn refusal(&self, channel: u32, size: u64, refused: FileRefused) -> Refusal {
        let quota = self.limits.quota_bytes as u64;
        let message = match refused {
            FileRefused::Quota { used } => format!(
                "the file is {size} bytes, and channel {channel} has {} bytes of its {} quota left ({used} are \
                 used by its other files); delete files with deleteFile, or raise --file-quota",
                quota.saturating_sub(used),
                megabytes(quota),
            ),
            FileRefused::Count => format!(
                "channel {channel} keeps {} files, the most it may; delete files with deleteFile, or raise \
                 --files-per-channel",
                self.limits.per_channel
            ),
        };
        Refusal { status: 413, message }
    }

    /// `deleteFile`: removes `path` of `channel` (nothing to do when there is none).
    pub async fn delete(&self, channel: u32, path: &str) -> Result<(), StoreError> {
        let removed = self.store.delete_file(channel, path.to_owned()).await?;
        if let Some(files) = self.index.lock().get_mut(&channel) {
            files.remove(path);
        }
        if let Some(blob) = removed {
            self.blobs.remove(channel, &blob).await;
        }
        Ok(())
    }

    /// The file at `path` of `channel`.
    pub fn get(&self, channel: u32, path: &str) -> Option<Arc<FileMeta>> {
        self.index.lock().get(&channel)?.get(path).cloned()
    }

    /// The bytes of a file [`Files::get`] found.
    pub async fn open(&self, channel: u32, meta: &FileMeta) -> std::io::Result<blobs::Stored> {
        self.blobs.open(channel, &meta.blob).await
    }
}

/// Where `path` of `channel` is served.
pub fn url(base: &str, channel: u32, path: &str) -> String {
    format!("{}/files/{channel}/{path}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn files() -> Files {
        let store = Store::open(Location::Memory).await.unwrap();
        Files::load(store, FileLimits::default()).await.unwrap()
    }

    #[tokio::test]
    async fn uploads_at_once_are_bounded_per_channel() {
        let f = files().await;
        let running: Vec<_> = (0..UPLOADS_AT_ONCE).map(|_| f.begin_upload(1).expect("room for it")).collect();
        assert!(f.begin_upload(1).is_none(), "one more than the bound waits");
        assert!(f.begin_upload(2).is_some(), "another channel is not held up");
        drop(running);
        assert!(f.begin_upload(1).is_some(), "finished uploads make room");
    }

    #[tokio::test]
    async fn authorizations_work_once_for_their_path_and_the_oldest_go_first() {
        let f = files().await;
        let secret = |v: Value| v["authorization"].as_str().unwrap().to_owned();
        let a = secret(f.authorize(1, "a.png", "http://h").unwrap());
        assert!(!f.take_grant(2, "a.png", &a), "another channel's path");
        assert!(!f.take_grant(1, "b.png", &a), "another path");
        assert!(f.take_grant(1, "a.png", &a));
        assert!(!f.take_grant(1, "a.png", &a), "used up");
        // A new authorization for a path replaces the old one.
        let old = secret(f.authorize(1, "a.png", "http://h").unwrap());
        let new = secret(f.authorize(1, "a.png", "http://h").unwrap());
        assert!(!f.take_grant(1, "a.png", &old) && f.take_grant(1, "a.png", &new));
        // Past the bound, the oldest is dropped.
        let first = secret(f.authorize(1, "p0", "http://h").unwrap());
        for i in 1..=GRANTS_PER_CHANNEL {
            f.authorize(1, &format!("p{i}"), "http://h").unwrap();
        }
        assert!(!f.take_grant(1, "p0", &first), "the oldest authorization was dropped");
        assert!(f.authorize(1, "../x", "http://h").is_err());
    }
}
