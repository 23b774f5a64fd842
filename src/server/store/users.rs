//! Users and their tokens. A token is stored only as its SHA-256 hash: the database never holds a
//! credential that would sign anyone in.

use rusqlite::{params, Connection, OptionalExtension, Row};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{now, Result, Store, StoreError};

/// A user, as the rest of the mediator sees one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: u32,
    pub username: String,
    pub level: u32,
    pub pro: bool,
    pub admin: bool,
}

/// What a new account starts with.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    /// The argon2id hash of the password (`None`: the user signs in with tokens only).
    pub password_hash: Option<String>,
    pub level: u32,
    /// A first grant of sparks, written to the ledger (0: none).
    pub sparks: u64,
    /// Why the sparks were granted (the ledger row's reason).
    pub sparks_reason: String,
}

/// The kinds of token a user can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A personal access key (the world file's `token`): a bearer token and participant key.
    Key,
    /// A token from `POST /api/v1/users/login`.
    Login,
    /// A browser's session cookie.
    Session,
    /// An OAuth access token.
    Access,
    /// An OAuth refresh token (exchanged once, never a bearer token).
    Refresh,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Key => "key",
            TokenKind::Login => "login",
            TokenKind::Session => "session",
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }

    fn parse(s: &str) -> Option<TokenKind> {
        Some(match s {
            "key" => TokenKind::Key,
            "login" => TokenKind::Login,
            "session" => TokenKind::Session,
            "access" => TokenKind::Access,
            "refresh" => TokenKind::Refresh,
            _ => return None,
        })
    }
}

/// The SHA-256 of a token: what the store keeps and looks tokens up by.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    pub fn of(secret: &str) -> TokenHash {
        TokenHash(Sha256::digest(secret.as_bytes()).into())
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(…)")
    }
}

/// What a presented token turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenLookup {
    Valid {
        user: User,
        kind: TokenKind,
        client_id: Option<String>,
        scope: Option<String>,
    },
    /// A token of one of the asked-for kinds that has expired (kept a day for clearer refusals).
    Expired,
    Unknown,
}

const USER_COLUMNS: &str = "id, username, level, pro, admin";

fn user_of(row: &Row) -> rusqlite::Result<User> {
    Ok(User { id: row.get(0)?, username: row.get(1)?, level: row.get(2)?, pro: row.get(3)?, admin: row.get(4)? })
}

pub(super) fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
}

pub(super) fn by_id(conn: &Connection, id: u32) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], user_of).optional()?)
}

pub(super) fn by_name(conn: &Connection, username: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username_key = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([username.to_lowercase()], user_of).optional()?)
}

/// Inserts a user with `id` (or the next free id) and the ledger row of their first sparks (no
/// channel: see `Store::create_user`). `Ok(None)` when the name is taken.
pub(super) fn insert(conn: &Connection, id: Option<u32>, new: &NewUser) -> Result<Option<User>> {
    let at = now();
    let inserted = conn
        .prepare_cached(
            "INSERT INTO users (id, username, username_key, password_hash, level, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (username_key) DO NOTHING",
        )?
        .execute(params![id, new.username, new.username.to_lowercase(), new.password_hash, new.level, at])?;
    if inserted == 0 {
        return Ok(None);
    }
    let id =
        u32::try_from(conn.last_insert_rowid()).map_err(|_| StoreError::Conflict("user ids are exhausted".into()))?;
    if new.sparks > 0 {
        super::sparks::grant(conn, id, new.sparks, &new.sparks_reason)?;
    }
    Ok(Some(User { id, username: new.username.clone(), level: new.level, pro: false, admin: false }))
}

/// `(user, password hash)` for a username.
pub(super) fn credentials(conn: &Connection, username: &str) -> Result<Option<(User, Option<String>)>> {
    let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username_key = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([username.to_lowercase()], |r| Ok((user_of(r)?, r.get(5)?))).optional()?)
}

pub(super) fn insert_token(
    conn: &Connection,
    hash: &TokenHash,
    user: u32,
    kind: TokenKind,
    oauth: Option<(&str, &str)>,
    expires_at: Option<i64>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO tokens (hash, user_id, kind, client_id, scope, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        &hash.0[..],
        user,
        kind.as_str(),
        oauth.map(|o| o.0),
        oauth.map(|o| o.1),
        now(),
        expires_at
    ])?;
    Ok(())
}

/// The user `hash` signs in, if it is a token of one of `kinds`.
fn lookup_token(conn: &Connection, hash: &TokenHash, kinds: &[TokenKind], at: i64) -> Result<TokenLookup> {
    let sql = format!(
        "SELECT t.hash, t.kind, t.client_id, t.scope, t.expires_at, {} FROM tokens t JOIN users u ON u.id = t.user_id
         WHERE t.hash = ?1",
        USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
    );
    let row = conn
        .prepare_cached(&sql)?
        .query_row([&hash.0[..]], |r| {
            let stored: Vec<u8> = r.get(0)?;
            let kind: String = r.get(1)?;
            let client_id: Option<String> = r.get(2)?;
            let scope: Option<String> = r.get(3)?;
            let expires_at: Option<i64> = r.get(4)?;
            let user = User { id: r.get(5)?, username: r.get(6)?, level: r.get(7)?, pro: r.get(8)?, admin: r.get(9)? };
            Ok((stored, kind, client_id, scope, expires_at, user))
        })
        .optional()?;
    let Some((stored, kind, client_id, scope, expires_at, user)) = row else { return Ok(TokenLookup::Unknown) };
    // The index found the row by its hash; compare once more without an early exit.
    if !bool::from(stored.as_slice().ct_eq(&hash.0[..])) {
        return Ok(TokenLookup::Unknown);
    }
    let Some(kind) = TokenKind::parse(&kind).filter(|k| kinds.contains(k)) else { return Ok(TokenLookup::Unknown) };
    if expires_at.is_some_and(|e| e <= at) {
        return Ok(TokenLookup::Expired);
    }
    Ok(TokenLookup::Valid { user, kind, client_id, scope })
}

fn delete_token(conn: &Connection, hash: &TokenHash) -> Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM tokens WHERE hash = ?1")?.execute([&hash.0[..]])? > 0)
}

impl Store {
    /// The number of users.
    pub async fn user_count(&self) -> Result<u64> {
        self.read(count).await
    }

    pub async fn user(&self, id: u32) -> Result<Option<User>> {
        self.read(move |c| by_id(c, id)).await
    }

    /// The user named `username`, whatever its case.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let username = username.to_owned();
        self.read(move |c| by_name(c, &username)).await
    }

    /// The users with these names (unknown names are left out).
    pub async fn users_by_name(&self, names: Vec<String>) -> Result<Vec<User>> {
        self.read(move |c| {
            let mut found = Vec::new();
            for name in &names {
                if let Some(u) = by_name(c, name)? {
                    found.push(u);
                }
            }
            Ok(found)
        })
        .await
    }

    /// Creates a user and their channel in one transaction; `Ok(None)` when the name is taken.
    pub async fn create_user(&self, new: NewUser) -> Result<Option<User>> {
        self.write(move |tx| {
            let Some(user) = insert(tx, None, &new)? else { return Ok(None) };
            super::channels::insert(tx, None, user.id)?;
            Ok(Some(user))
        })
        .await
    }

    /// A user and their password hash, by name (for signing in).
    pub async fn credentials(&self, username: &str) -> Result<Option<(User, Option<String>)>> {
        let username = username.to_owned();
        self.read(move |c| credentials(c, &username)).await
    }

    /// Stores a token (by its hash) for `user`. `oauth` is `(client_id, scope)` for OAuth tokens.
    pub async fn add_token(
        &self,
        hash: TokenHash,
        user: u32,
        kind: TokenKind,
        oauth: Option<(String, String)>,
        expires_at: Option<i64>,
    ) -> Result<()> {
        self.write(move |tx| {
            insert_token(tx, &hash, user, kind, oauth.as_ref().map(|(c, s)| (c.as_str(), s.as_str())), expires_at)
        })
        .await
    }

    /// The user a token signs in, if it is one of `kinds` and has not expired.
    pub async fn token(&self, hash: TokenHash, kinds: &'static [TokenKind]) -> Result<TokenLookup> {
        self.read(move |c| lookup_token(c, &hash, kinds, now())).await
    }

    /// Deletes a token; false when there was none.
    pub async fn revoke_token(&self, hash: TokenHash) -> Result<bool> {
        self.write(move |tx| delete_token(tx, &hash)).await
    }

    /// Uses up a token of `kind` (a refresh token): returns what it was and deletes it, in one
    /// transaction, so that it works once.
    pub async fn take_token(&self, hash: TokenHash, kind: TokenKind) -> Result<TokenLookup> {
        self.write(move |tx| {
            let found = lookup_token(tx, &hash, &[kind], now())?;
            if matches!(found, TokenLookup::Valid { .. }) {
                delete_token(tx, &hash)?;
            }
            Ok(found)
        })
        .await
    }

    /// Forgets tokens that expired before `before` (kept until then to tell "expired" from
    /// "unknown").
    pub async fn prune_tokens(&self, before: i64) -> Result<u64> {
        self.write(move |tx| {
            Ok(tx.prepare_cached("DELETE FROM tokens WHERE expires_at < ?1")?.execute([before])? as u64)
        })
        .await
    }
}
