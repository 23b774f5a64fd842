//! The store: everything that must outlive a restart, in an embedded SQLite database. This module
//! (with its files, one per aggregate) is the only code that talks to the database; the rest of
//! the mediator sees a narrow async interface of typed calls, so another backend (PostgreSQL for
//! several nodes) replaces only this module.
//!
//! | file | aggregate |
//! |---|---|
//! | `users.rs` | users and their tokens (stored as SHA-256 hashes) |
//! | `channels.rs` | channels: title, stream source, the live switch, mods and bans, slow chat |
//! | `projects.rs` | interactive projects, their versions and sharing |
//! | `studio.rs` | the Studio's changes: projects, versions, sharing, editors, reviews |
//! | `sparks.rs` | the spark ledger, balances and open (uncaptured) transactions |
//! | `economy.rs` | paying for watching, subscriptions, Pro |
//! | `chat.rs` | each channel's recent chat messages |
//! | `files.rs` | files games uploaded (their bytes live in the data folder) |
//! | `bundles.rs` | versions' custom-control bundles |
//! | `oauth.rs` | OAuth short codes and authorization codes in flight |
//! | `import.rs` | importing a world file (idempotent) |
//! | `migrations/` | the schema, as numbered SQL files applied in order on start |
//!
//! **Threads.** One writer connection lives on its own thread and runs write jobs in the order
//! they were submitted; a write is queued when its call is made, so calls made in order are applied
//! in order even when their futures are awaited later. Each job is atomic (a savepoint: all of it
//! or none of it); the writer commits the jobs that queued up while it was busy together (group
//! commit, up to `GROUP` at once), and answers a job only after its group has committed. Reads
//! run on tokio's blocking pool over a few read-only connections (WAL lets them read while the
//! writer writes); an in-memory database has only the writer, which then serves reads too.
//!
//! **Durability.** WAL with `synchronous=NORMAL`: a committed transaction survives the process
//! being killed (it is in the operating system's hands once `COMMIT` returns); a power cut may
//! lose the last few commits, never the database.

mod bundles;
mod channels;
mod chat;
mod economy;
mod files;
mod import;
mod oauth;
mod projects;
mod sparks;
mod studio;
mod users;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use tokio::sync::{oneshot, Semaphore};

pub use bundles::{Bundle, BundleEntry, NewBundleFile};
pub use channels::{Channel, ChannelRole, ChannelSummary, ChannelUpdate, SourceKind, StreamSource};
pub use economy::{Earned, Payee, Rates};
pub use files::{FileRefused, StoredFile};
pub use import::ImportSummary;
pub use oauth::{CodeCheck, CodeLimits, ExchangeResult, NewCode, NewTokens, PendingCode};
pub use projects::{Project, Sharing, Version, VersionState};
pub use sparks::{Balance, CaptureError, Captured, LedgerEntry, LedgerKind, LedgerMismatch, OpenTransaction};
pub use studio::{editable, submission_problems, Change, ProjectSummary, Refused};
pub use users::{NewUser, TokenHash, TokenKind, TokenLookup, User};

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "mixplay.sqlite3";

/// The schema, one SQL file per version, applied in order; `PRAGMA user_version` records how far
/// a database has come. Never edit a released migration: add the next one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_studio.sql"),
    include_str!("migrations/0003_economy.sql"),
    include_str!("migrations/0004_channel_page.sql"),
    include_str!("migrations/0005_files.sql"),
    include_str!("migrations/0006_hardening.sql"),
];

/// Read-only connections kept for reads (a file database).
const READERS: usize = 4;

/// Write jobs committed together at most.
const GROUP: usize = 512;

/// How long a connection waits for another one's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `DIR/mixplay.sqlite3`; the folder is created if missing.
    Folder(PathBuf),
    /// In memory, gone when the store is dropped (tests, demos).
    Memory,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    #[error("the database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database was written by a newer mixplay-server (schema version {found}; this one knows up to {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("a stored value is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Conflict(String),
    #[error("the store has shut down")]
    Closed,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What the writer thread runs.
enum Job {
    /// Runs inside the current group's transaction (`None`: the transaction could not begin, so
    /// it does not run); told afterwards whether the group committed.
    Write(WriteJob),
    /// Runs on the bare connection, outside any transaction (`VACUUM INTO`).
    Raw(Box<dyn FnOnce(&mut Connection) + Send>),
}

/// A write job: runs in the group's transaction, or (given `None`) only reports the failure.
type WriteJob = Box<dyn FnOnce(Option<&Connection>) -> Done + Send>;

/// A finished write job, waiting to hear whether its group committed.
type Done = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;

/// A handle to the store. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    location: Location,
    writer: std::sync::mpsc::Sender<Job>,
    readers: Mutex<Vec<Connection>>,
    reader_slots: Semaphore,
    /// Whether the database was empty (no users) when it was opened.
    was_empty: bool,
}

/// Opens a connection with the settings every connection shares.
fn connect(location: &Location, read_only: bool) -> Result<Connection> {
    let conn = match location {
        Location::Memory => Connection::open_in_memory()?,
        Location::Folder(dir) => {
            let flags = if read_only {
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
            } else {
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX
            };
            Connection::open_with_flags(dir.join(DATABASE_FILE), flags)?
        }
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    if !read_only {
        if matches!(location, Location::Folder(_)) {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    Ok(conn)
}

/// Brings the schema up to date, one migration per transaction.
fn migrate(conn: &mut Connection) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

fn writer_loop(mut conn: Connection, jobs: std::sync::mpsc::Receiver<Job>) {
    let mut next = jobs.recv().ok();
    while let Some(job) = next.take() {
        let writes = match job {
            Job::Raw(job) => {
                job(&mut conn);
                next = jobs.recv().ok();
                continue;
            }
            Job::Write(first) => {
                // Everything queued meanwhile goes into the same transaction (up to GROUP).
                let mut writes = vec![first];
                while writes.len() < GROUP {
                    match jobs.try_recv() {
                        Ok(Job::Write(w)) => writes.push(w),
                        Ok(raw) => {
                            next = Some(raw);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                writes
            }
        };
        commit_group(&conn, writes);
        if next.is_none() {
            next = jobs.recv().ok();
        }
    }
}

/// Runs write jobs in one transaction, each in its own savepoint, then tells each whether the
/// group committed.
fn commit_group(conn: &Connection, writes: Vec<WriteJob>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let e = StoreError::from(e);
        for w in writes {
            w(None)(Err(&e));
        }
        return;
    }
    let done: Vec<Done> = writes.into_iter().map(|w| w(Some(conn))).collect();
    let committed = conn.execute_batch("COMMIT").map_err(StoreError::from);
    if committed.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    for d in done {
        d(committed.as_ref().map(|_| ()));
    }
}

impl Store {
    /// Opens (creating if needed) the database at `location` and applies any pending migrations.
    pub async fn open(location: Location) -> Result<Store> {
        let opened = tokio::task::spawn_blocking(move || Store::open_blocking(location))
            .await
            .map_err(|_| StoreError::Closed)?;
        opened
    }

    fn open_blocking(location: Location) -> Result<Store> {
        if let Location::Folder(dir) = &location {
            std::fs::create_dir_all(dir)
                .map_err(|source| StoreError::Folder { path: dir.display().to_string(), source })?;
        }
        let mut conn = connect(&location, false)?;
        migrate(&mut conn)?;
        let was_empty = users::count(&conn)? == 0;
        let readers = match location {
            Location::Memory => Vec::new(),
            Location::Folder(_) => (0..READERS).map(|_| connect(&location, true)).collect::<Result<_>>()?,
        };
        let (writer, jobs) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("mixplay-store".into())
            .spawn(move || writer_loop(conn, jobs))
            .map_err(|e| StoreError::Conflict(format!("cannot start the store's writer thread: {e}")))?;
        let reader_slots = Semaphore::new(readers.len());
        Ok(Store { inner: Arc::new(Inner { location, writer, readers: Mutex::new(readers), reader_slots, was_empty }) })
    }

    /// Where the database lives.
    pub fn location(&self) -> &Location {
        &self.inner.location
    }

    /// Whether the database had no users when it was opened (a new database, to be seeded).
    pub fn was_empty(&self) -> bool {
        self.inner.was_empty
    }

    /// Queues `job` on the bare writer connection (no transaction), now.
    fn submit<T, F>(&self, job: F) -> impl Future<Output = Result<T>> + Send + 'static
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let (done, result) = oneshot::channel();
        let queued = self.inner.writer.send(Job::Raw(Box::new(move |conn| {
            let _ = done.send(job(conn));
        })));
        async move {
            queued.map_err(|_| StoreError::Closed)?;
            result.await.unwrap_or(Err(StoreError::Closed))
        }
    }

    /// Queues `job` to run atomically in a write transaction, now; the future resolves once that
    /// transaction has committed (or with the job's error, when it failed and was rolled back).
    fn write<T, F>(&self, job: F) -> impl Future<Output = Result<T>> + Send + 'static
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (done, result) = oneshot::channel();
        let queued = self.inner.writer.send(Job::Write(Box::new(move |conn: Option<&Connection>| {
            let outcome = match conn {
                None => Err(StoreError::Closed),
                Some(conn) => conn.execute_batch("SAVEPOINT job").map_err(StoreError::from).and_then(|()| {
                    // A bug in one job must not take the writer thread (and every later write) down.
                    let value = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(conn)))
                        .unwrap_or_else(|_| Err(StoreError::Conflict("a store operation failed unexpectedly".into())));
                    let end = if value.is_ok() { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
                    conn.execute_batch(end)?;
                    value
                }),
            };
            Box::new(move |committed: Result<(), &StoreError>| {
                let answer = match committed {
                    Ok(()) => outcome,
                    Err(e) => Err(StoreError::Conflict(format!("the write was not committed: {e}"))),
                };
                let _ = done.send(answer);
            })
        })));
        async move {
            queued.map_err(|_| StoreError::Closed)?;
            result.await.unwrap_or(Err(StoreError::Closed))
        }
    }

    /// Runs `query` on a read connection (the writer's, for an in-memory database).
    async fn read<T, F>(&self, query: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        if matches!(self.inner.location, Location::Memory) {
            return self.write(move |tx| query(tx)).await;
        }
        let _slot = self.inner.reader_slots.acquire().await.map_err(|_| StoreError::Closed)?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = inner.readers.lock().pop().ok_or(StoreError::Closed)?;
            let result = query(&conn);
            inner.readers.lock().push(conn);
            result
        })
        .await
        .map_err(|_| StoreError::Closed)?
    }

    /// Writes a consistent copy of the whole database to `file` (SQLite's `VACUUM INTO`), safely
    /// while the mediator runs. `file` must not exist yet.
    pub async fn backup_to(&self, file: &Path) -> Result<()> {
        let target = file.to_string_lossy().into_owned();
        if file.exists() {
            return Err(StoreError::Conflict(format!("{target} already exists; choose a new file for the backup")));
        }
        let vacuum = move |conn: &Connection| {
            conn.execute("VACUUM INTO ?1", [&target])?;
            Ok(())
        };
        match self.inner.location {
            // VACUUM cannot run inside a transaction, which is how memory reads run.
            Location::Memory => self.submit(move |conn| vacuum(conn)).await,
            Location::Folder(_) => self.read(vacuum).await,
        }
    }
}

/// The current time as stored (unix milliseconds).
pub(crate) use crate::clock::now_ms as now;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_queued_together_commit_together_and_a_failing_one_fails_alone() {
        let store = Store::open(Location::Memory).await.unwrap();
        // Hold the writer up so that the three writes below land in one group.
        let busy = store.submit(|_| {
            std::thread::sleep(Duration::from_millis(100));
            Ok(())
        });
        let insert = |name: &'static str| {
            move |c: &Connection| {
                c.execute("INSERT INTO users (username, username_key, created_at) VALUES (?1, ?1, 0)", [name])?;
                Ok(())
            }
        };
        let first = store.write(insert("first"));
        let doomed = insert("doomed");
        let failing = store.write(move |c: &Connection| {
            doomed(c)?;
            Err::<(), _>(StoreError::Conflict("this one fails".into()))
        });
        let last = store.write(insert("last"));
        busy.await.unwrap();
        assert!(first.await.is_ok() && last.await.is_ok());
        assert!(matches!(failing.await, Err(StoreError::Conflict(m)) if m == "this one fails"));
        let names = store
            .read(|c| {
                let mut stmt = c.prepare("SELECT username FROM users ORDER BY id")?;
                let names: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                Ok(names)
            })
            .await
            .unwrap();
        assert_eq!(names, ["first", "last"], "the failing write left nothing behind");
    }

    #[tokio::test]
    async fn migrations_apply_once_and_a_newer_schema_is_refused() {
        let dir = std::env::temp_dir().join(format!("mixplay-store-{}", uuid::Uuid::new_v4()));
        let store = Store::open(Location::Folder(dir.clone())).await.unwrap();
        assert!(store.was_empty());
        drop(store);
        // Opening again finds the schema current.
        let store = Store::open(Location::Folder(dir.clone())).await.unwrap();
        drop(store);
        let conn = Connection::open(dir.join(DATABASE_FILE)).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        match Store::open(Location::Folder(dir.clone())).await {
            Err(StoreError::TooNew { found: 99, .. }) => {}
            other => panic!("expected TooNew, got {:?}", other.map(|_| ())),
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
