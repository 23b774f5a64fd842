//! The streamer's dashboard, `GET /dashboard`: the signed-in user's own channel (every user owns
//! one). Its script (`dashboard.js`) reads and changes the channel through the channel REST routes
//! (`channel/`) with the session cookie and the page's CSRF token, like every other page: title,
//! stream source with a live preview, go live / go offline, slow chat, mods and bans by username,
//! and the participant count and the game client's state, refreshed every few seconds. Signed out,
//! the browser is sent to sign in and comes back.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::{asset, card_page, escape, private_page, session_user, JAVASCRIPT};
use crate::server::accounts::browser::form_token;
use crate::server::channel::{MAX_SLOW_CHAT_MS, MAX_TITLE_CHARS, MAX_URL_BYTES};
use crate::server::hub::Hub;
use crate::server::reply::store_failed;

const DASHBOARD_HTML: &str = include_str!("assets/dashboard.html");
const DASHBOARD_JS: &str = include_str!("assets/dashboard.js");
const DASHBOARD_CSS: &str = include_str!("assets/dashboard.css");

pub fn routes() -> Router<Arc<Hub>> {
    Router::new()
        .route("/dashboard", get(page))
        .route("/page/dashboard.js", get(|| async { asset(JAVASCRIPT, DASHBOARD_JS) }))
        .route("/page/dashboard.css", get(|| async { asset("text/css; charset=utf-8", DASHBOARD_CSS) }))
}

/// `GET /dashboard`.
async fn page(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Response {
    let user = match session_user(&hub, &headers).await {
        Ok(Some((user, _))) => user,
        Ok(None) => {
            let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/login?next=/dashboard")]).into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            return r;
        }
        Err(answer) => return answer,
    };
    let channel = match hub.store.channel_of(user.id).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            let body = "<p class=\"error\" id=\"error\">Your account has no channel.</p>";
            return card_page(StatusCode::NOT_FOUND, "Dashboard", body, &[]);
        }
        Err(e) => return store_failed(e),
    };
    let (csrf, _) = form_token(&headers, hub.secure_cookies());
    let html = DASHBOARD_HTML
        .replace("{{channel}}", &channel.id.to_string())
        .replace("{{csrf}}", &escape(&csrf))
        .replace("{{username}}", &escape(&user.username))
        .replace("{{max_title}}", &MAX_TITLE_CHARS.to_string())
        .replace("{{max_url}}", &MAX_URL_BYTES.to_string())
        .replace("{{max_slow_seconds}}", &(MAX_SLOW_CHAT_MS / 1000).to_string());
    private_page(Html(html).into_response())
}
