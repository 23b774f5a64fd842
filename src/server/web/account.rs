//! `/account`: the signed-in user's spark balance, how they earn, their subscriptions and their
//! spark history (the ledger), newest first, a page at a time (`?before=ID`), rendered on the
//! server so it works without scripts. Signed out, it sends the browser to sign in first.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{card_page, escape, session_user};
use crate::server::economy::accrual::RATES;
use crate::server::economy::history::{kind_word, page_of, PAGE};
use crate::server::hub::Hub;
use crate::server::reply::store_failed;
use crate::server::store::{LedgerEntry, LedgerKind, User};

const TITLE: &str = "Your account";

/// A channel as a link to its page.
fn channel_link(channel: Option<u32>) -> String {
    match channel {
        Some(c) => format!("<a href=\"/channel/{c}\">channel {c}</a>"),
        None => "a channel".to_owned(),
    }
}

/// What a ledger row was, in words (HTML).
fn describe(e: &LedgerEntry) -> String {
    let control = || escape(e.control.as_deref().unwrap_or("a control"));
    match e.kind {
        LedgerKind::Earn if e.reason == "streaming" => format!("Earned streaming on {}", channel_link(e.channel)),
        LedgerKind::Earn => format!("Earned watching {}", channel_link(e.channel)),
        LedgerKind::Capture => format!("Spent on “{}” in {}", control(), channel_link(e.channel)),
        LedgerKind::Expire => {
            format!("“{}” in {} was not captured in time (nothing spent)", control(), channel_link(e.channel))
        }
        LedgerKind::Grant if e.reason.is_empty() => "Granted".to_owned(),
        LedgerKind::Grant => format!("Granted ({})", escape(&e.reason)),
    }
}

/// How often sparks are earned, in words.
fn per_interval(interval: Duration) -> String {
    match interval.as_secs() {
        1 => "every second".to_owned(),
        60 => "a minute".to_owned(),
        s if s > 0 && s % 60 == 0 => format!("every {} minutes", s / 60),
        _ => format!("every {} seconds", interval.as_secs_f64()),
    }
}

fn history_rows(rows: &[LedgerEntry]) -> String {
    if rows.is_empty() {
        return "<tr><td colspan=\"3\" class=\"muted\">Nothing yet.</td></tr>".to_owned();
    }
    rows.iter()
        .map(|e| {
            let when = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(e.at.max(0) as u64));
            let sparks = if e.delta > 0 { format!("+{}", e.delta) } else { e.delta.to_string() };
            format!(
                "<tr data-kind=\"{kind}\"><td class=\"when\">{when}</td><td>{what}</td><td class=\"num\">{sparks}</td></tr>\n",
                kind = kind_word(e.kind),
                what = describe(e),
            )
        })
        .collect()
}

/// Which page of the history is shown: its size, the cursor of the next (older) one, and whether
/// it is not the first.
struct Page {
    limit: u32,
    older: Option<i64>,
    paged: bool,
}

fn body(hub: &Hub, user: &User, sparks: u64, subscriptions: &[u32], rows: &[LedgerEntry], page: Page) -> String {
    let Page { limit, older, paged } = page;
    let how = format!(
        "You earn {base} sparks {per} while a page of a live channel is open and visible, {boosted} on channels \
         you subscribe to{pro}.",
        base = RATES.base,
        boosted = RATES.boosted,
        per = per_interval(hub.config.spark_interval),
        pro =
            if user.pro { format!(" and, as a Pro member, {} on every channel", RATES.boosted) } else { String::new() },
    );
    let subs = if subscriptions.is_empty() {
        "<p class=\"muted\" id=\"subscriptions\">No subscriptions yet: the Subscribe button on a channel's page doubles \
         what you earn there.</p>"
            .to_owned()
    } else {
        let items: String =
            subscriptions.iter().map(|c| format!("<li><a href=\"/channel/{c}\">Channel {c}</a></li>")).collect();
        format!("<ul id=\"subscriptions\">{items}</ul>")
    };
    // The pages keep the size asked for.
    let (first, more) = if limit == PAGE {
        (String::new(), String::new())
    } else {
        (format!("?limit={limit}"), format!("&limit={limit}"))
    };
    let mut pager = Vec::new();
    if paged {
        pager.push(format!("<a href=\"/account{first}\" id=\"newest\">Newest</a>"));
    }
    if let Some(before) = older {
        pager.push(format!("<a href=\"/account?before={before}{more}\" id=\"older\">Older</a>"));
    }
    format!(
        "<p>Signed in as <strong id=\"username\">{name}</strong>{badge}.</p>\n\
         <p class=\"balance\"><span aria-hidden=\"true\">✦</span> <strong id=\"balance\">{sparks}</strong> sparks</p>\n\
         <p class=\"muted small\">{how}</p>\n<h2>Subscriptions</h2>\n{subs}\n<h2>History</h2>\n\
         <table class=\"history\" id=\"history\"><thead><tr><th>When</th><th>What</th><th class=\"num\">Sparks</th></tr>\
         </thead><tbody>\n{rows}</tbody></table>\n<nav class=\"pager\">{pager}</nav>\n\
         <p class=\"or\"><a href=\"/\">All channels</a></p>",
        name = escape(&user.username),
        badge = if user.pro { " <span class=\"badge live\">Pro</span>" } else { "" },
        rows = history_rows(rows),
        pager = pager.join(" "),
    )
}

/// `GET /account[?before=ID]`.
pub async fn page(State(hub): State<Arc<Hub>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let user = match session_user(&hub, &headers).await {
        Ok(Some((user, _))) => user,
        Ok(None) => {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, "/login?next=/account")]).into_response();
        }
        Err(answer) => return answer,
    };
    let (before, limit) = match page_of(query.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            let note =
                format!("<p class=\"error\" id=\"error\">{}. <a href=\"/account\">Your account</a></p>", escape(&e));
            return card_page(StatusCode::BAD_REQUEST, TITLE, &note, &[]);
        }
    };
    let rows = hub.store.ledger(user.id, before, limit + 1).await;
    let subscriptions = hub.store.subscriptions_of(user.id).await;
    let (mut rows, subscriptions) = match (rows, subscriptions) {
        (Ok(r), Ok(s)) => (r, s),
        (Err(e), _) | (_, Err(e)) => return store_failed(e),
    };
    let older = if rows.len() > limit as usize { rows.get(limit as usize - 1).map(|e| e.id) } else { None };
    rows.truncate(limit as usize);
    let sparks = hub.sparks.balance(user.id);
    let page = Page { limit, older, paged: before.is_some() };
    card_page(StatusCode::OK, TITLE, &body(&hub, &user, sparks, &subscriptions, &rows, page), &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: LedgerKind, reason: &str, control: Option<&str>) -> LedgerEntry {
        LedgerEntry {
            id: 1,
            user: 2,
            delta: 0,
            kind,
            reason: reason.into(),
            channel: Some(3),
            control: control.map(str::to_owned),
            transaction: None,
            interval_end: None,
            at: 0,
        }
    }

    #[test]
    fn ledger_rows_in_words() {
        assert!(
            describe(&entry(LedgerKind::Earn, "watching", None)).starts_with("Earned watching <a href=\"/channel/3\">")
        );
        assert!(describe(&entry(LedgerKind::Earn, "streaming", None)).starts_with("Earned streaming on"));
        assert!(describe(&entry(LedgerKind::Capture, "", Some("<b>"))).contains("“&lt;b&gt;”"));
        assert_eq!(describe(&entry(LedgerKind::Grant, "welcome", None)), "Granted (welcome)");
        assert_eq!(per_interval(Duration::from_secs(60)), "a minute");
        assert_eq!(per_interval(Duration::from_secs(1)), "every second");
        assert_eq!(per_interval(Duration::from_secs(90)), "every 90 seconds");
    }
}
