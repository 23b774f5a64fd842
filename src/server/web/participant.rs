//! The participant page and the channel list.
//!
//! | path | what |
//! |---|---|
//! | `GET /` | the channels, live ones first, with whether their game is running |
//! | `GET /channel/{id}` | the viewer page of a channel (it speaks the participant socket) |
//!
//! The page signs the viewer in by their session cookie when they have one: the page says who
//! (`data-username`), and the participant socket and REST calls carry the cookie. Its CSRF token
//! (for signing out and cookie-authenticated calls) is in a `<meta>` tag.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::{escape, session_user};
use crate::server::accounts::browser::form_token;
use crate::server::channel::is_online;
use crate::server::hub::Hub;
use crate::server::reply::store_failed;

const PAGE_HTML: &str = include_str!("assets/page.html");
const INDEX_HTML: &str = include_str!("assets/index.html");

/// Channels listed on `/` at most.
const LISTED: u32 = 200;

pub fn routes() -> Router<Arc<Hub>> {
    Router::new().route("/", get(index)).route("/channel/{id}", get(channel_page))
}

/// `GET /`: the channels, live ones first.
async fn index(State(hub): State<Arc<Hub>>) -> Response {
    let channels = match hub.store.channel_list(LISTED).await {
        Ok(c) => c,
        Err(e) => return store_failed(e),
    };
    let mut rows: Vec<(bool, String)> = channels
        .into_iter()
        .map(|c| {
            let id = c.id;
            let session = hub.session(id);
            let live = is_online(&hub, id, c.live);
            let status = match &session {
                Some(s) if s.is_ready() => format!("live · {} watching", s.participant_count()),
                _ if live => "live".to_owned(),
                Some(_) => "starting".to_owned(),
                None => "offline".to_owned(),
            };
            let title = if c.title.is_empty() { format!("Channel {id}") } else { c.title };
            let row = format!(
                "<li><a href=\"/channel/{id}\">{title}</a> <span class=\"muted\">by {owner}</span> \
                 <span class=\"badge{cls}\">{status}</span></li>\n",
                title = escape(&title),
                owner = escape(&c.owner_name),
                cls = if live { " live" } else { "" },
                status = escape(&status),
            );
            (live, row)
        })
        .collect();
    rows.sort_by_key(|(live, _)| !*live);
    let mut items: String = rows.into_iter().map(|(_, row)| row).collect();
    if items.is_empty() {
        items.push_str("<li>This mediator has no channels yet.</li>");
    }
    let html = INDEX_HTML.replace("{{channels}}", &items);
    let mut response = Html(html).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /channel/{id}`: the viewer page; the script reads the channel id from the page.
async fn channel_page(State(hub): State<Arc<Hub>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let channel = match id.parse::<u32>().ok() {
        Some(id) => hub.store.channel(id).await,
        None => Ok(None),
    };
    let channel = match channel {
        Ok(Some(c)) => c,
        Ok(None) => {
            let body = INDEX_HTML.replace(
                "{{channels}}",
                &format!("<li>There is no channel {}. <a href=\"/\">All channels</a></li>", escape(&id)),
            );
            return (StatusCode::NOT_FOUND, Html(body)).into_response();
        }
        Err(e) => return store_failed(e),
    };
    // Who the session cookie signs in, so that the page joins as them at once.
    let username = match session_user(&hub, &headers).await {
        Ok(signed_in) => signed_in.map(|(user, _)| user.username).unwrap_or_default(),
        Err(answer) => return answer,
    };
    let (csrf, set_cookie) = form_token(&headers, hub.secure_cookies());
    let title = if channel.title.is_empty() { format!("Channel {}", channel.id) } else { channel.title.clone() };
    let html = PAGE_HTML
        .replace("{{channel}}", &channel.id.to_string())
        .replace("{{csrf}}", &escape(&csrf))
        .replace("{{username}}", &escape(&username))
        // Last: what the owner typed is never read for placeholders.
        .replace("{{title}}", &escape(&title));
    let mut response = Html(html).into_response();
    // The page carries the browser's CSRF token: never cache it.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(set_cookie) = set_cookie {
        response.headers_mut().insert(header::SET_COOKIE, set_cookie);
    }
    response
}
