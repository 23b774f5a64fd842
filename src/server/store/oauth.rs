//! OAuth in flight: short codes waiting for a person's answer on `/go`, the authorization codes
//! of approved ones, and exchanging those (and refresh tokens) for tokens, each in one
//! transaction so that a code or refresh token works exactly once.

use rusqlite::{params, Connection, OptionalExtension};

use super::users::{insert_token, TokenHash, TokenKind};
use super::{Result, Store};

/// A short code a person has not answered yet: which app asks for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCode {
    pub client_id: String,
    pub scope: String,
}

/// How many short codes may wait for an answer.
#[derive(Debug, Clone, Copy)]
pub struct CodeLimits {
    pub per_client: usize,
    pub total: usize,
}

/// What storing a new short code gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewCode {
    Added,
    /// The code is taken: pick another.
    CodeInUse,
    /// `client_id` has as many live codes as it may.
    TooManyForClient,
    /// There are as many live codes as there may be.
    TooManyInAll,
}

/// What the check endpoint finds for a handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Unknown or expired.
    Unknown,
    Pending,
    Denied,
    /// Approved: the authorization code issued now (any earlier one no longer works).
    Approved,
}

/// The tokens an exchange stores: `(access hash, refresh hash, access expiry)`.
pub struct NewTokens {
    pub access: TokenHash,
    pub refresh: TokenHash,
    pub access_expires_at: i64,
}

/// Why an exchange failed, in words for the `error_description`.
pub type ExchangeResult = Result<std::result::Result<(u32, String), String>>;

fn issue_pair(conn: &Connection, user: u32, client_id: &str, scope: &str, tokens: &NewTokens) -> Result<()> {
    insert_token(
        conn,
        &tokens.access,
        user,
        TokenKind::Access,
        Some((client_id, scope)),
        Some(tokens.access_expires_at),
    )?;
    insert_token(conn, &tokens.refresh, user, TokenKind::Refresh, Some((client_id, scope)), None)?;
    Ok(())
}

fn pending(conn: &Connection, code: &str, at: i64) -> Result<std::result::Result<PendingCode, String>> {
    let found: Option<(String, String, String)> = conn
        .prepare_cached("SELECT client_id, scope, decision FROM oauth_codes WHERE code = ?1 AND expires_at > ?2")?
        .query_row(params![code, at], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match found {
        None => Err(format!("the code {code} is unknown or has expired; ask the app for a new one")),
        Some((_, _, decision)) if decision != "pending" => Err(format!("the code {code} has already been answered")),
        Some((client_id, scope, _)) => Ok(PendingCode { client_id, scope }),
    })
}

impl Store {
    /// Stores a new short code, unless `code` is in use or live codes (unexpired, answered or
    /// not) are at `limits` for its `client_id` or in all.
    pub async fn add_short_code(
        &self,
        handle: TokenHash,
        code: String,
        client_id: String,
        scope: String,
        expires_at: i64,
        limits: CodeLimits,
    ) -> Result<NewCode> {
        self.write(move |tx| {
            let at = super::now();
            let count = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<usize> {
                Ok(tx.prepare_cached(sql)?.query_row(p, |r| r.get::<_, i64>(0))? as usize)
            };
            let live = "SELECT count(*) FROM oauth_codes WHERE expires_at > ?1";
            if count(live, &[&at])? >= limits.total {
                return Ok(NewCode::TooManyInAll);
            }
            let of_client = "SELECT count(*) FROM oauth_codes WHERE client_id = ?1 AND expires_at > ?2";
            if count(of_client, &[&client_id, &at])? >= limits.per_client {
                return Ok(NewCode::TooManyForClient);
            }
            // An expired code may be reused.
            tx.prepare_cached("DELETE FROM oauth_codes WHERE code = ?1 AND expires_at <= ?2")?.execute(params![code, at])?;
            let added = tx
                .prepare_cached(
                    "INSERT INTO oauth_codes (handle_hash, code, client_id, scope, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (code) DO NOTHING",
                )?
                .execute(params![&handle.0[..], code, client_id, scope, expires_at])?;
            Ok(if added > 0 { NewCode::Added } else { NewCode::CodeInUse })
        })
        .await
    }

    /// The app and scopes a live, unanswered code asks for (`Err` says why there is none).
    pub async fn pending_code(&self, code: &str) -> Result<std::result::Result<PendingCode, String>> {
        let code = code.to_owned();
        self.read(move |c| pending(c, &code, super::now())).await
    }

    /// Approves or denies a live, unanswered code as `user`.
    pub async fn answer_code(
        &self,
        code: &str,
        user: u32,
        approve: bool,
    ) -> Result<std::result::Result<PendingCode, String>> {
        let code = code.to_owned();
        self.write(move |tx| {
            let at = super::now();
            let found = pending(tx, &code, at)?;
            if found.is_ok() {
                tx.prepare_cached("UPDATE oauth_codes SET decision = ?2, user_id = ?3 WHERE code = ?1")?
                    .execute(params![code, if approve { "approved" } else { "denied" }, user])?;
            }
            Ok(found)
        })
        .await
    }

    /// The state of the code behind `handle`. When approved, stores `grant` (the hash of a new
    /// authorization code, valid until `grant_expires_at`) in place of any earlier one.
    pub async fn check_short_code(
        &self,
        handle: TokenHash,
        grant: TokenHash,
        grant_expires_at: i64,
    ) -> Result<CodeCheck> {
        self.write(move |tx| {
            let found: Option<(String, Option<u32>, String, String)> = tx
                .prepare_cached(
                    "SELECT decision, user_id, client_id, scope FROM oauth_codes WHERE handle_hash = ?1 AND expires_at > ?2",
                )?
                .query_row(params![&handle.0[..], super::now()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            let Some((decision, user, client_id, scope)) = found else { return Ok(CodeCheck::Unknown) };
            match (decision.as_str(), user) {
                ("approved", Some(user)) => {
                    tx.prepare_cached("DELETE FROM oauth_grants WHERE handle_hash = ?1")?.execute([&handle.0[..]])?;
                    tx.prepare_cached(
                        "INSERT INTO oauth_grants (hash, handle_hash, user_id, client_id, scope, expires_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![&grant.0[..], &handle.0[..], user, client_id, scope, grant_expires_at])?;
                    Ok(CodeCheck::Approved)
                }
                ("denied", _) => Ok(CodeCheck::Denied),
                _ => Ok(CodeCheck::Pending),
            }
        })
        .await
    }

    /// Exchanges an authorization code (once) for a token pair: `(user, scope)`, or why not.
    pub async fn exchange_grant(&self, grant: TokenHash, client_id: String, tokens: NewTokens) -> ExchangeResult {
        self.write(move |tx| {
            let found: Option<(u32, String, String)> = tx
                .prepare_cached(
                    "SELECT user_id, client_id, scope FROM oauth_grants WHERE hash = ?1 AND expires_at > ?2",
                )?
                .query_row(params![&grant.0[..], super::now()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((user, owner, scope)) = found else {
                return Ok(Err("the authorization code is unknown, used or expired".into()));
            };
            if owner != client_id {
                return Ok(Err("the authorization code was issued to another client_id".into()));
            }
            tx.prepare_cached("DELETE FROM oauth_grants WHERE hash = ?1")?.execute([&grant.0[..]])?;
            issue_pair(tx, user, &client_id, &scope, &tokens)?;
            Ok(Ok((user, scope)))
        })
        .await
    }

    /// Exchanges a refresh token (once) for a new pair: `(user, scope)`, or why not.
    pub async fn exchange_refresh(&self, refresh: TokenHash, client_id: String, tokens: NewTokens) -> ExchangeResult {
        self.write(move |tx| {
            let found: Option<(u32, Option<String>, Option<String>)> = tx
                .prepare_cached("SELECT user_id, client_id, scope FROM tokens WHERE hash = ?1 AND kind = 'refresh'")?
                .query_row([&refresh.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((user, owner, scope)) = found else {
                return Ok(Err("the refresh token is unknown or was already used".into()));
            };
            if owner.as_deref() != Some(client_id.as_str()) {
                return Ok(Err("the refresh token was issued to another client_id".into()));
            }
            tx.prepare_cached("DELETE FROM tokens WHERE hash = ?1")?.execute([&refresh.0[..]])?;
            let scope = scope.unwrap_or_default();
            issue_pair(tx, user, &client_id, &scope, &tokens)?;
            Ok(Ok((user, scope)))
        })
        .await
    }

    /// Forgets short codes and authorization codes that expired before `at`.
    pub async fn prune_oauth(&self, at: i64) -> Result<()> {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM oauth_codes WHERE expires_at <= ?1")?.execute([at])?;
            tx.prepare_cached("DELETE FROM oauth_grants WHERE expires_at <= ?1")?.execute([at])?;
            Ok(())
        })
        .await
    }
}
