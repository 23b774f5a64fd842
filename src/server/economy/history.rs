//! `GET /api/v1/users/current/sparks/history`: the caller's ledger, newest first, a page at a
//! time.
//!
//! `?limit=N` (1–100, default 25) and `?before=ID` (the `next` of the previous page) →
//! `{"sparks": BALANCE, "entries": [...], "next": ID | null}`; each entry is
//! `{"id", "type", "sparks", "reason", "channelId", "controlId", "transactionId", "at"}` with
//! `type` one of `earned`, `spent`, `granted`, `expired` and `sparks` the change (`expired`
//! changes nothing: the transaction was never captured).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::server::accounts::caller::Caller;
use crate::server::hub::Hub;
use crate::server::reply::{bad_request, no_store, store_failed};
use crate::server::request::url_pairs;
use crate::server::store::{LedgerEntry, LedgerKind};

/// Entries per page unless asked otherwise, and at most.
pub const PAGE: u32 = 25;
pub const MAX_PAGE: u32 = 100;

/// What a ledger row is, in a word.
pub fn kind_word(kind: LedgerKind) -> &'static str {
    match kind {
        LedgerKind::Grant => "granted",
        LedgerKind::Earn => "earned",
        LedgerKind::Capture => "spent",
        LedgerKind::Expire => "expired",
    }
}

fn entry_json(e: &LedgerEntry) -> Value {
    json!({
        "id": e.id,
        "type": kind_word(e.kind),
        "sparks": e.delta,
        "reason": e.reason,
        "channelId": e.channel,
        "controlId": e.control,
        "transactionId": e.transaction,
        "at": e.at,
    })
}

/// `before` and `limit` from a query string; the error names the bad one.
pub fn page_of(query: Option<&str>) -> Result<(Option<i64>, u32), String> {
    let (mut before, mut limit) = (None, PAGE);
    for (k, v) in url_pairs(query.unwrap_or("")) {
        match k.as_str() {
            "before" => {
                before = Some(
                    v.parse::<i64>()
                        .ok()
                        .filter(|b| *b > 0)
                        .ok_or("before must be an entry id (a positive whole number)")?,
                )
            }
            "limit" => {
                limit = v
                    .parse::<u32>()
                    .ok()
                    .filter(|l| (1..=MAX_PAGE).contains(l))
                    .ok_or(format!("limit must be a whole number from 1 to {MAX_PAGE}"))?
            }
            _ => {}
        }
    }
    Ok((before, limit))
}

/// `GET /api/v1/users/current/sparks/history`.
pub async fn history(State(hub): State<Arc<Hub>>, caller: Caller, RawQuery(query): RawQuery) -> Response {
    let (before, limit) = match page_of(query.as_deref()) {
        Ok(p) => p,
        Err(e) => return bad_request(e),
    };
    let user = caller.user.id;
    // One more than asked: whether there is a next page.
    let mut rows = match hub.store.ledger(user, before, limit + 1).await {
        Ok(rows) => rows,
        Err(e) => return store_failed(e),
    };
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(|e| e.id) } else { None };
    let entries: Vec<Value> = rows.iter().map(entry_json).collect();
    no_store(Json(json!({ "sparks": hub.sparks.balance(user), "entries": entries, "next": next })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_checked() {
        assert_eq!(page_of(None), Ok((None, PAGE)));
        assert_eq!(page_of(Some("before=12&limit=3")), Ok((Some(12), 3)));
        assert!(page_of(Some("limit=0")).unwrap_err().contains("limit"));
        assert!(page_of(Some("limit=101")).unwrap_err().contains("limit"));
        assert!(page_of(Some("before=-1")).unwrap_err().contains("before"));
    }
}
