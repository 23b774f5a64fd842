//! Files games upload: what the mediator knows of each (its bytes live in the data folder, see
//! `server::files`). A channel's quota and file count are checked inside the write that adds a
//! file, so two uploads racing cannot both get past them.

use rusqlite::{params, Connection, OptionalExtension};

use super::{now, Result, Store};

/// One uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub channel: u32,
    /// Where the game put it (`images/tile.png`), unique in the channel.
    pub path: String,
    /// The name of its bytes in the data folder.
    pub blob: String,
    pub size: u64,
    pub content_type: String,
    pub etag: String,
    pub uploaded_at: i64,
}

/// Why a file was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRefused {
    /// The channel's files would take more than its quota: `used` bytes are taken by its other
    /// files.
    Quota { used: u64 },
    /// The channel keeps as many files as it may.
    Count,
}

fn stored_file(r: &rusqlite::Row) -> rusqlite::Result<StoredFile> {
    Ok(StoredFile {
        channel: r.get(0)?,
        path: r.get(1)?,
        blob: r.get(2)?,
        size: r.get(3)?,
        content_type: r.get(4)?,
        etag: r.get(5)?,
        uploaded_at: r.get(6)?,
    })
}

const COLUMNS: &str = "channel_id, path, blob, size, content_type, etag, uploaded_at";

/// Stores `file` (replacing the one at its path) unless the channel's other files and it would
/// pass `quota` bytes or `max_files` files; returns the replaced file's blob.
fn put(
    conn: &Connection,
    file: &StoredFile,
    quota: u64,
    max_files: usize,
) -> Result<Result<Option<String>, FileRefused>> {
    let (used, count): (u64, u64) = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(size), 0), COUNT(*) FROM channel_files WHERE channel_id = ?1 AND path != ?2",
        )?
        .query_row(params![file.channel, file.path], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if used.saturating_add(file.size) > quota {
        return Ok(Err(FileRefused::Quota { used }));
    }
    if count >= max_files as u64 {
        return Ok(Err(FileRefused::Count));
    }
    let old: Option<String> = conn
        .prepare_cached("SELECT blob FROM channel_files WHERE channel_id = ?1 AND path = ?2")?
        .query_row(params![file.channel, file.path], |r| r.get(0))
        .optional()?;
    conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO channel_files ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    ))?
    .execute(params![
        file.channel,
        file.path,
        file.blob,
        file.size,
        file.content_type,
        file.etag,
        file.uploaded_at
    ])?;
    Ok(Ok(old))
}

impl Store {
    /// Every uploaded file (loaded once at start: the mediator serves them from memory's index).
    pub async fn all_files(&self) -> Result<Vec<StoredFile>> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached(&format!("SELECT {COLUMNS} FROM channel_files ORDER BY channel_id, path"))?;
            let files = stmt.query_map([], stored_file)?.collect::<rusqlite::Result<_>>()?;
            Ok(files)
        })
        .await
    }

    /// Stores a file (see [`put`]): `Ok(Ok(replaced blob))`, or why not.
    pub async fn put_file(
        &self,
        mut file: StoredFile,
        quota: u64,
        max_files: usize,
    ) -> Result<Result<(StoredFile, Option<String>), FileRefused>> {
        file.uploaded_at = now();
        self.write(move |tx| Ok(put(tx, &file, quota, max_files)?.map(|old| (file, old)))).await
    }

    /// Forgets a file; returns its blob (`None`: there was none).
    pub async fn delete_file(&self, channel: u32, path: String) -> Result<Option<String>> {
        self.write(move |tx| {
            let old = tx
                .prepare_cached("DELETE FROM channel_files WHERE channel_id = ?1 AND path = ?2 RETURNING blob")?
                .query_row(params![channel, path], |r| r.get(0))
                .optional()?;
            Ok(old)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::Location;
    use crate::server::World;

    fn file(path: &str, size: u64) -> StoredFile {
        StoredFile {
            channel: 1,
            path: path.into(),
            blob: format!("blob-{path}"),
            size,
            content_type: "image/png".into(),
            etag: "e".into(),
            uploaded_at: 0,
        }
    }

    #[tokio::test]
    async fn the_quota_and_the_count_are_checked_with_the_write_and_a_path_is_replaced() {
        let store = Store::open(Location::Memory).await.unwrap();
        store.import_world(World::demo()).await.unwrap();
        assert_eq!(store.put_file(file("a.png", 60), 100, 2).await.unwrap().unwrap().1, None);
        assert_eq!(store.put_file(file("b.png", 50), 100, 2).await.unwrap(), Err(FileRefused::Quota { used: 60 }));
        // Replacing a.png counts only the new size.
        let (_, old) = store.put_file(file("a.png", 90), 100, 2).await.unwrap().unwrap();
        assert_eq!(old.as_deref(), Some("blob-a.png"));
        assert!(store.put_file(file("b.png", 10), 100, 2).await.unwrap().is_ok());
        assert_eq!(store.put_file(file("c.png", 0), 100, 2).await.unwrap(), Err(FileRefused::Count));
        assert_eq!(store.delete_file(1, "a.png".into()).await.unwrap().as_deref(), Some("blob-a.png"));
        assert_eq!(store.delete_file(1, "a.png".into()).await.unwrap(), None);
        let all = store.all_files().await.unwrap();
        assert_eq!(all.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["b.png"]);
    }
}
