//! Custom-control bundles: the files a version's participant page runs instead of the built-in
//! controls (checked and unpacked by `server::bundles` before they get here). A bundle changes
//! only while its version is a draft, like the version's controls; a new version starts with a
//! copy of the newest version's bundle.

use rusqlite::{params, Connection, OptionalExtension};

use super::projects;
use super::studio::{editable, Change, Refused};
use super::{now, Result, Store};

/// A file of a bundle, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleEntry {
    pub path: String,
    pub content_type: String,
    pub size: u64,
}

/// A version's bundle, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub version: u32,
    /// Names the bundle's content in its addresses (hex SHA-256).
    pub digest: String,
    /// All its files' bytes.
    pub size: u64,
    pub uploaded_at: i64,
    pub files: Vec<BundleEntry>,
}

/// A file to store in a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBundleFile {
    pub path: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn bundle(conn: &Connection, version: u32) -> Result<Option<Bundle>> {
    let head = conn
        .prepare_cached("SELECT digest, size, uploaded_at FROM version_bundles WHERE version_id = ?1")?
        .query_row([version], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((digest, size, uploaded_at)) = head else { return Ok(None) };
    let mut stmt = conn.prepare_cached(
        "SELECT path, content_type, length(bytes) FROM bundle_files WHERE version_id = ?1 ORDER BY path",
    )?;
    let files = stmt
        .query_map([version], |r| Ok(BundleEntry { path: r.get(0)?, content_type: r.get(1)?, size: r.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(Bundle { version, digest, size, uploaded_at, files }))
}

fn remove(conn: &Connection, version: u32) -> Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM version_bundles WHERE version_id = ?1")?.execute([version])? > 0)
}

/// Stores a bundle for `version`, replacing the one it had (no checks: see [`Store::put_bundle`]).
pub(super) fn insert(conn: &Connection, version: u32, digest: &str, files: &[NewBundleFile]) -> Result<()> {
    remove(conn, version)?;
    let size: u64 = files.iter().map(|f| f.bytes.len() as u64).sum();
    conn.prepare_cached("INSERT INTO version_bundles (version_id, digest, size, uploaded_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![version, digest, size, now()])?;
    for f in files {
        conn.prepare_cached(
            "INSERT INTO bundle_files (version_id, path, content_type, bytes) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![version, f.path, f.content_type, f.bytes])?;
    }
    Ok(())
}

/// Gives version `to` a copy of version `from`'s bundle (if it has one).
pub(super) fn copy(conn: &Connection, from: u32, to: u32) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO version_bundles (version_id, digest, size, uploaded_at)
         SELECT ?2, digest, size, uploaded_at FROM version_bundles WHERE version_id = ?1",
    )?
    .execute(params![from, to])?;
    conn.prepare_cached(
        "INSERT INTO bundle_files (version_id, path, content_type, bytes)
         SELECT ?2, path, content_type, bytes FROM bundle_files WHERE version_id = ?1",
    )?
    .execute(params![from, to])?;
    Ok(())
}

impl Store {
    /// A version's bundle (`None`: the version has none).
    pub async fn bundle(&self, version: u32) -> Result<Option<Bundle>> {
        self.read(move |c| bundle(c, version)).await
    }

    /// The digest of a version's bundle, for a session starting on it.
    pub async fn bundle_digest(&self, version: u32) -> Result<Option<String>> {
        self.read(move |c| {
            Ok(c.prepare_cached("SELECT digest FROM version_bundles WHERE version_id = ?1")?
                .query_row([version], |r| r.get(0))
                .optional()?)
        })
        .await
    }

    /// One file of the bundle `digest` of `version`: its content type and bytes (`None` when the
    /// version's bundle is another one, or has no such file).
    pub async fn bundle_file(&self, version: u32, digest: String, path: String) -> Result<Option<(String, Vec<u8>)>> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT f.content_type, f.bytes FROM bundle_files f JOIN version_bundles b USING (version_id)
                 WHERE f.version_id = ?1 AND b.digest = ?2 AND f.path = ?3",
            )?
            .query_row(params![version, digest, path], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
        })
        .await
    }

    /// Gives a draft version a bundle (replacing its old one); refused unless it is a draft.
    pub async fn put_bundle(&self, version: u32, digest: String, files: Vec<NewBundleFile>) -> Change<Bundle> {
        self.write(move |tx| {
            let Some(v) = projects::version(tx, version)? else { return Ok(Err(Refused::Gone)) };
            if let Some(refusal) = editable(&v) {
                return Ok(Err(refusal));
            }
            insert(tx, version, &digest, &files)?;
            Ok(bundle(tx, version)?.ok_or(Refused::Gone))
        })
        .await
    }

    /// Takes a draft version's bundle away (`false`: it had none); refused unless it is a draft.
    pub async fn delete_bundle(&self, version: u32) -> Change<bool> {
        self.write(move |tx| {
            let Some(v) = projects::version(tx, version)? else { return Ok(Err(Refused::Gone)) };
            if let Some(refusal) = editable(&v) {
                return Ok(Err(refusal));
            }
            Ok(Ok(remove(tx, version)?))
        })
        .await
    }
}
