//! The participant page: plain HTML, CSS and JavaScript compiled into the binary (no build step).
//!
//! | path | what |
//! |---|---|
//! | `GET /` | the channels of the world, with whether their game is running |
//! | `GET /channel/{id}` | the viewer page of a channel (it speaks the participant socket) |
//! | `GET /page/page.css`, `GET /page/common.js`, `GET /page/chat.js`, `GET /page/page.js` | its assets (the chat panel's script apart from the page's) |

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::hub::Hub;

const PAGE_HTML: &str = include_str!("page/page.html");
const PAGE_CSS: &str = include_str!("page/page.css");
const PAGE_JS: &str = include_str!("page/page.js");
const CHAT_JS: &str = include_str!("page/chat.js");
const COMMON_JS: &str = include_str!("page/common.js");
const INDEX_HTML: &str = include_str!("page/index.html");

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// The page's routes, merged into the mediator's router.
pub fn routes() -> Router<Arc<Hub>> {
    Router::new()
        .route("/", get(index))
        .route("/channel/{id}", get(channel_page))
        .route("/page/page.css", get(|| async { asset("text/css; charset=utf-8", PAGE_CSS) }))
        .route("/page/page.js", get(|| async { asset(JAVASCRIPT, PAGE_JS) }))
        .route("/page/chat.js", get(|| async { asset(JAVASCRIPT, CHAT_JS) }))
        .route("/page/common.js", get(|| async { asset(JAVASCRIPT, COMMON_JS) }))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The assets change with the binary; always revalidate so an upgrade is never half-cached.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Escapes text for HTML element content and attribute values.
pub(super) fn escape(text: &str) -> String {
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

/// `GET /`: a list of the world's channels.
async fn index(State(hub): State<Arc<Hub>>) -> Response {
    let mut channels: Vec<_> = hub.world.channels().collect();
    channels.sort_by_key(|c| c.id);
    let mut items = String::new();
    for channel in channels {
        let owner = hub.world.user(channel.owner).map(|u| u.username.as_str()).unwrap_or("?");
        let session = hub.session(channel.id);
        let status = match &session {
            Some(s) if s.is_ready() => format!("live · {} watching", s.participant_count()),
            Some(_) => "starting".to_owned(),
            None => "offline".to_owned(),
        };
        let live = session.as_ref().is_some_and(|s| s.is_ready());
        items.push_str(&format!(
            "<li><a href=\"/channel/{id}\">Channel {id}</a> <span class=\"muted\">by {owner}</span> \
             <span class=\"badge{cls}\">{status}</span></li>\n",
            id = channel.id,
            owner = escape(owner),
            cls = if live { " live" } else { "" },
            status = escape(&status),
        ));
    }
    if items.is_empty() {
        items.push_str("<li>This mediator's world has no channels.</li>");
    }
    let html = INDEX_HTML.replace("{{channels}}", &items);
    let mut response = Html(html).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /channel/{id}`: the viewer page; the script reads the channel id from the path.
async fn channel_page(State(hub): State<Arc<Hub>>, Path(id): Path<String>) -> Response {
    let Some(channel) = id.parse::<u32>().ok().and_then(|id| hub.world.channel(id)) else {
        let body = INDEX_HTML.replace(
            "{{channels}}",
            &format!("<li>There is no channel {}. <a href=\"/\">All channels</a></li>", escape(&id)),
        );
        return (StatusCode::NOT_FOUND, Html(body)).into_response();
    };
    let html = PAGE_HTML.replace("{{channel}}", &channel.id.to_string());
    let mut response = Html(html).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_html() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
