//! The browser apps the mediator serves from its binary: plain HTML, CSS and JavaScript (no
//! build step), all sharing one session cookie and one CSRF scheme (`accounts::browser`).
//!
//! | file | pages |
//! |---|---|
//! | `participant.rs` | `/` (the channels), `/channel/{id}` (the viewer page, with its chat panel) |
//! | `stage.rs` | the stream stage's scripts (player, picture mapping, channel status) and the vendored hls.js |
//! | `dashboard.rs` | `/dashboard`: the streamer's own channel settings |
//! | `signin.rs` | `/signup`, `/login`, `POST /logout` |
//! | `go.rs` | `/go`: answering an app's short code |
//! | `account.rs` | `/account`: the signed-in user's sparks, subscriptions and spark history |
//! | `assets/` | the pages' HTML, CSS and scripts |

mod account;
mod dashboard;
mod go;
mod participant;
mod signin;
mod stage;

use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::accounts::browser::{cookie, CSRF_FIELD, SESSION_COOKIE};
use super::hub::Hub;
use super::reply::store_failed;
use super::store::{TokenLookup, User};

const PAGE_CSS: &str = include_str!("assets/page.css");
const PAGE_JS: &str = include_str!("assets/page.js");
const CHAT_JS: &str = include_str!("assets/chat.js");
const COMMON_JS: &str = include_str!("assets/common.js");
const VIEWER_JS: &str = include_str!("assets/viewer.js");
const CUSTOM_JS: &str = include_str!("assets/custom.js");
pub(crate) const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// The pages' icon (a blue dot), inline so that no request for it can fail.
pub(crate) const FAVICON: &str =
    "data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E\
%3Ccircle cx=%228%22 cy=%228%22 r=%227%22 fill=%22%232e9bff%22/%3E%3C/svg%3E";

/// Every page and asset except the sign-in forms, merged into the mediator's router.
pub fn routes() -> Router<Arc<Hub>> {
    Router::new()
        .merge(participant::routes())
        .merge(stage::routes())
        .merge(dashboard::routes())
        .route("/account", get(account::page))
        .route("/page/page.css", get(|| async { asset("text/css; charset=utf-8", PAGE_CSS) }))
        .route("/page/page.js", get(|| async { asset(JAVASCRIPT, PAGE_JS) }))
        .route("/page/chat.js", get(|| async { asset(JAVASCRIPT, CHAT_JS) }))
        .route("/page/common.js", get(|| async { asset(JAVASCRIPT, COMMON_JS) }))
        .route("/page/viewer.js", get(|| async { asset(JAVASCRIPT, VIEWER_JS) }))
        .route("/page/custom.js", get(|| async { asset(JAVASCRIPT, CUSTOM_JS) }))
}

/// The pages that take a sign-in form (`/signup`, `/login`, `/logout`, `/go`): the mediator
/// limits their bodies' size.
pub fn sign_in_routes() -> Router<Arc<Hub>> {
    Router::new().merge(signin::routes()).route("/go", get(go::page).post(go::submit))
}

pub(crate) fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The assets change with the binary; always revalidate so an upgrade is never half-cached.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The hidden field that carries a form's CSRF token.
fn csrf_field(token: &str) -> String {
    format!("<input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{}\">", escape(token))
}

/// An account page (sign-up, login, `/go`): `body` in a card, never cached nor framed; `cookies`
/// are set with it.
fn card_page(status: StatusCode, title: &str, body: &str, cookies: &[HeaderValue]) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · MixPlay</title><link rel=\"icon\" href=\"{FAVICON}\">\
         <link rel=\"stylesheet\" href=\"/page/page.css\"></head>\
         <body><header class=\"bar\"><a class=\"home\" href=\"/\">MixPlay</a></header>\
         <main class=\"card\" id=\"card\"><h1>{title}</h1>\n{body}\n</main></body></html>\n",
        title = escape(title),
    );
    let mut response = private_page((status, Html(html)).into_response());
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, c.clone());
    }
    response
}

/// A page that acts for a signed-in person (account pages, the dashboard): never cached, and
/// never shown inside another site's frame (no clickjacking of "Approve" or "Ban").
fn private_page(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("frame-ancestors 'none'"));
    response
}

/// The signed-in user of this browser, with their session token.
async fn session_user(hub: &Hub, headers: &HeaderMap) -> Result<Option<(User, String)>, Response> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    match hub.accounts.session(&token).await {
        Ok(TokenLookup::Valid { user, .. }) => Ok(Some((user, token))),
        Ok(_) => Ok(None),
        Err(e) => Err(store_failed(e)),
    }
}

/// A local path to go to after signing in: `next` when it is one of ours (starts with a single
/// `/`), else `/`.
fn local_path(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.contains(['\r', '\n']) => {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html_and_keeps_redirects_local() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(local_path(Some("/channel/1")), "/channel/1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "", "channel"] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }
}
