//! Sparks: the append-only ledger, the balances it adds up to, and the transactions costed input
//! opens until the game captures them (or they expire).
//!
//! Every change to a balance writes its ledger row in the same database transaction, and the
//! `CHECK (sparks >= 0)` on the balance makes an overdraft impossible even for a buggy caller.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{Result, Store, StoreError};

/// A spark transaction a costed input opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTransaction {
    pub id: String,
    pub user: u32,
    pub channel: u32,
    pub control: String,
    pub cost: u64,
    pub expires_at: i64,
}

/// Why a capture failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureError {
    /// No open transaction of that id on this channel (never opened, captured, or expired).
    Unknown,
    /// The balance no longer covers the cost; the transaction stays open.
    NotEnoughSparks,
}

/// What a ledger row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerKind {
    /// Sparks given (a world file's starting balance, a sign-up's welcome).
    Grant,
    /// Sparks earned by watching (the economy writes these).
    Earn,
    Capture,
    Expire,
}

impl LedgerKind {
    /// The kind as stored (`grant`, `earn`, `capture`, `expire`).
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Grant => "grant",
            LedgerKind::Earn => "earn",
            LedgerKind::Capture => "capture",
            LedgerKind::Expire => "expire",
        }
    }

    fn parse(s: &str) -> LedgerKind {
        match s {
            "earn" => LedgerKind::Earn,
            "capture" => LedgerKind::Capture,
            "expire" => LedgerKind::Expire,
            _ => LedgerKind::Grant,
        }
    }
}

/// One ledger row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// Increases with every row: a balance read with a row's id is at least that recent.
    pub id: i64,
    pub user: u32,
    pub delta: i64,
    pub kind: LedgerKind,
    pub reason: String,
    pub channel: Option<u32>,
    pub control: Option<String>,
    pub transaction: Option<String>,
    /// Earn rows: the end (unix ms) of the interval they pay for.
    pub interval_end: Option<i64>,
    pub at: i64,
}

/// A balance after a change: `as_of` is the id of the ledger row that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    pub user: u32,
    pub sparks: u64,
    pub as_of: i64,
}

/// A captured transaction and the balance it left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    pub balance: Balance,
    pub transaction: OpenTransaction,
}

/// A user whose balance is not the sum of their ledger (there should never be one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerMismatch {
    pub user: u32,
    pub balance: i64,
    pub ledger_sum: i64,
}

fn ledger_row(
    conn: &Connection,
    user: u32,
    delta: i64,
    kind: LedgerKind,
    reason: &str,
    txn: Option<&OpenTransaction>,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO ledger (user_id, delta, kind, reason, channel_id, control_id, transaction_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        user,
        delta,
        kind.as_str(),
        reason,
        txn.map(|t| t.channel),
        txn.map(|t| t.control.as_str()),
        txn.map(|t| t.id.as_str()),
        super::now()
    ])?;
    Ok(conn.last_insert_rowid())
}

fn balance_of(conn: &Connection, user: u32) -> Result<u64> {
    Ok(conn.prepare_cached("SELECT sparks FROM users WHERE id = ?1")?.query_row([user], |r| r.get(0))?)
}

/// Adds `amount` sparks to `user`'s balance, with its ledger row.
pub(super) fn grant(conn: &Connection, user: u32, amount: u64, reason: &str) -> Result<Balance> {
    let delta = i64::try_from(amount).map_err(|_| StoreError::Conflict("a grant that large is not possible".into()))?;
    let changed =
        conn.prepare_cached("UPDATE users SET sparks = sparks + ?2 WHERE id = ?1")?.execute(params![user, delta])?;
    if changed == 0 {
        return Err(StoreError::Conflict(format!("there is no user {user}")));
    }
    let as_of = ledger_row(conn, user, delta, LedgerKind::Grant, reason, None)?;
    Ok(Balance { user, sparks: balance_of(conn, user)?, as_of })
}

fn open_transaction_of(row: &Row) -> rusqlite::Result<OpenTransaction> {
    Ok(OpenTransaction {
        id: row.get(0)?,
        user: row.get(1)?,
        channel: row.get(2)?,
        control: row.get(3)?,
        cost: row.get(4)?,
        expires_at: row.get(5)?,
    })
}

const TRANSACTION_COLUMNS: &str = "id, user_id, channel_id, control_id, cost, expires_at";

fn expire_one(conn: &Connection, t: &OpenTransaction) -> Result<()> {
    ledger_row(conn, t.user, 0, LedgerKind::Expire, "not captured in time", Some(t))?;
    conn.prepare_cached("DELETE FROM spark_transactions WHERE id = ?1")?.execute([&t.id])?;
    Ok(())
}

fn capture(conn: &Connection, id: &str, channel: u32, at: i64) -> Result<Result<Captured, CaptureError>> {
    let sql = format!("SELECT {TRANSACTION_COLUMNS} FROM spark_transactions WHERE id = ?1");
    let Some(t) = conn.prepare_cached(&sql)?.query_row([id], open_transaction_of).optional()? else {
        return Ok(Err(CaptureError::Unknown));
    };
    if t.channel != channel {
        return Ok(Err(CaptureError::Unknown));
    }
    if t.expires_at <= at {
        expire_one(conn, &t)?;
        return Ok(Err(CaptureError::Unknown));
    }
    let cost = i64::try_from(t.cost).map_err(|_| StoreError::Conflict("the cost is too large".into()))?;
    let paid = conn
        .prepare_cached("UPDATE users SET sparks = sparks - ?2 WHERE id = ?1 AND sparks >= ?2")?
        .execute(params![t.user, cost])?;
    if paid == 0 {
        return Ok(Err(CaptureError::NotEnoughSparks));
    }
    let as_of = ledger_row(conn, t.user, -cost, LedgerKind::Capture, "", Some(&t))?;
    conn.prepare_cached("DELETE FROM spark_transactions WHERE id = ?1")?.execute([id])?;
    let balance = Balance { user: t.user, sparks: balance_of(conn, t.user)?, as_of };
    Ok(Ok(Captured { balance, transaction: t }))
}

fn ledger_entry_of(row: &Row) -> rusqlite::Result<LedgerEntry> {
    Ok(LedgerEntry {
        id: row.get(0)?,
        user: row.get(1)?,
        delta: row.get(2)?,
        kind: LedgerKind::parse(&row.get::<_, String>(3)?),
        reason: row.get(4)?,
        channel: row.get(5)?,
        control: row.get(6)?,
        transaction: row.get(7)?,
        at: row.get(8)?,
        interval_end: row.get(9)?,
    })
}

impl Store {
    /// Every user's balance (to warm the mediator's cache on start).
    pub async fn balances(&self) -> Result<Vec<(u32, u64)>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT id, sparks FROM users")?;
            let all = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            Ok(all)
        })
        .await
    }

    /// A user's balance, as of their newest ledger row.
    pub async fn balance(&self, user: u32) -> Result<Balance> {
        self.read(move |c| {
            let as_of: Option<i64> =
                c.prepare_cached("SELECT max(id) FROM ledger WHERE user_id = ?1")?.query_row([user], |r| r.get(0))?;
            Ok(Balance { user, sparks: balance_of(c, user)?, as_of: as_of.unwrap_or(0) })
        })
        .await
    }

    /// Adds sparks to a balance, with its ledger row.
    pub async fn grant_sparks(&self, user: u32, amount: u64, reason: &str) -> Result<Balance> {
        let reason = reason.to_owned();
        self.write(move |tx| grant(tx, user, amount, &reason)).await
    }

    /// Records a transaction a costed input opened (queued now, in order with other writes).
    pub fn open_transaction(&self, t: OpenTransaction) -> impl std::future::Future<Output = Result<()>> + Send {
        self.write(move |tx| {
            let sql = format!("INSERT INTO spark_transactions ({TRANSACTION_COLUMNS}, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
            tx.prepare_cached(&sql)?.execute(params![
                t.id,
                t.user,
                t.channel,
                t.control,
                t.cost,
                t.expires_at,
                super::now()
            ])?;
            Ok(())
        })
    }

    /// Captures an open transaction of `channel`: the balance drops by its cost and the ledger
    /// gets its row, in one database transaction, or nothing happens.
    pub async fn capture(&self, id: String, channel: u32, at: i64) -> Result<Result<Captured, CaptureError>> {
        self.write(move |tx| capture(tx, &id, channel, at)).await
    }

    /// Closes up to `limit` transactions that expired by `at`, each with a ledger row; returns
    /// how many.
    pub async fn expire_transactions(&self, at: i64, limit: u32) -> Result<u64> {
        self.write(move |tx| {
            let sql = format!(
                "SELECT {TRANSACTION_COLUMNS} FROM spark_transactions WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2"
            );
            let expired: Vec<OpenTransaction> =
                tx.prepare_cached(&sql)?.query_map(params![at, limit], open_transaction_of)?.collect::<rusqlite::Result<_>>()?;
            for t in &expired {
                expire_one(tx, t)?;
            }
            Ok(expired.len() as u64)
        })
        .await
    }

    /// How many transactions are open.
    pub async fn open_transaction_count(&self) -> Result<u64> {
        self.read(|c| Ok(c.query_row("SELECT count(*) FROM spark_transactions", [], |r| r.get(0))?)).await
    }

    /// A user's ledger, newest first: up to `limit` rows older than `before` (a row id).
    pub async fn ledger(&self, user: u32, before: Option<i64>, limit: u32) -> Result<Vec<LedgerEntry>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, user_id, delta, kind, reason, channel_id, control_id, transaction_id, created_at, interval_end
                 FROM ledger WHERE user_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
            )?;
            let rows = stmt
                .query_map(params![user, before.unwrap_or(i64::MAX), limit], ledger_entry_of)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .await
    }

    /// Users whose balance is not the sum of their ledger (an integrity check; always empty).
    pub async fn ledger_mismatches(&self) -> Result<Vec<LedgerMismatch>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT u.id, u.sparks, COALESCE((SELECT sum(delta) FROM ledger l WHERE l.user_id = u.id), 0) AS total
                 FROM users u WHERE u.sparks != total",
            )?;
            let rows = stmt
                .query_map([], |r| Ok(LedgerMismatch { user: r.get(0)?, balance: r.get(1)?, ledger_sum: r.get(2)? }))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .await
    }
}
