//! The Studio's web app: plain HTML, CSS and JavaScript served from the binary (no build step).
//!
//! | path | what |
//! |---|---|
//! | `GET /studio` | the app (signed-in users; others go to `/login?next=/studio`) |
//! | `GET /studio/preview` | the participant page in preview mode, for the app's Preview frames |
//! | `GET /studio/assets/{file}` | the app's CSS and scripts |
//!
//! The app carries the session's CSRF token (`<meta name="csrf-token">`) for its REST calls, and
//! the kinds, properties and grids of `server::controls` as JSON, so the editor and the checks
//! never disagree.
//!
//! **The preview** is the participant page itself (`web/assets/page.html` and `page.js`,
//! unchanged) with `preview.js` in the place of the viewer socket's and the chat panel's scripts:
//! it stands in for the participant socket and the viewer socket (a preview has no channel), and
//! plays the scene the Studio posts to it (`postMessage`) the way the mediator would send it
//! (`onSceneCreate`, …). So what the developer lays out is drawn by the very code that draws it
//! for viewers, at the grid size the frame's width selects.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::server::accounts::browser::{cookie, csrf_token, SESSION_COOKIE};
use crate::server::controls;
use crate::server::hub::Hub;
use crate::server::reply::store_failed;
use crate::server::store::TokenLookup;
use crate::server::web::{asset, escape, FAVICON, JAVASCRIPT};

const STUDIO_HTML: &str = include_str!("assets/studio.html");
/// The participant page, which the preview shows in preview mode.
const PARTICIPANT_HTML: &str = include_str!("../web/assets/page.html");

/// The app's assets, by file name.
const ASSETS: &[(&str, &str)] = &[
    ("studio.css", include_str!("assets/studio.css")),
    ("api.js", include_str!("assets/api.js")),
    ("app.js", include_str!("assets/app.js")),
    ("dialogs.js", include_str!("assets/dialogs.js")),
    ("build.js", include_str!("assets/build.js")),
    ("grid.js", include_str!("assets/grid.js")),
    ("previewer.js", include_str!("assets/previewer.js")),
    ("code.js", include_str!("assets/code.js")),
    ("review.js", include_str!("assets/review.js")),
    ("preview.js", include_str!("assets/preview.js")),
];

pub fn routes() -> Router<Arc<Hub>> {
    Router::new()
        .route("/studio", get(studio))
        .route("/studio/preview", get(preview))
        .route("/studio/assets/{file}", get(studio_asset))
}

/// `GET /studio`: the app for the session's user.
async fn studio(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Response {
    let signed_in = match cookie(&headers, SESSION_COOKIE) {
        Some(session) => match hub.accounts.session(&session).await {
            Ok(TokenLookup::Valid { user, .. }) => Some((user, session)),
            Ok(_) => None,
            Err(e) => return store_failed(e),
        },
        None => None,
    };
    let Some((user, session)) = signed_in else {
        return Redirect::to("/login?next=/studio").into_response();
    };
    // JSON inside <script> must not close the element.
    let schema = controls::schema().to_string().replace("</", "<\\/");
    let html = STUDIO_HTML
        .replace("{{favicon}}", FAVICON)
        .replace("{{csrf}}", &escape(&csrf_token(&session)))
        .replace("{{username}}", &escape(&user.username))
        .replace("{{admin}}", if user.admin { "true" } else { "false" })
        .replace("{{schema}}", &schema);
    let mut response = Html(html).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Never inside another site's frame (no clickjacking of "Delete" or "Submit").
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("frame-ancestors 'none'"));
    response
}

/// The participant page with the preview's stand-ins in place of the viewer socket's and the
/// chat panel's scripts (`None` if the page no longer has them, which a unit test catches).
fn preview_html() -> Option<String> {
    const VIEWER_SCRIPT: &str = "<script src=\"/page/viewer.js\"></script>";
    const CHAT_SCRIPT: &str = "<script src=\"/page/chat.js\"></script>";
    if !PARTICIPANT_HTML.contains(VIEWER_SCRIPT) || !PARTICIPANT_HTML.contains(CHAT_SCRIPT) {
        return None;
    }
    let html = PARTICIPANT_HTML
        .replace(VIEWER_SCRIPT, "<script src=\"/studio/assets/preview.js\"></script>")
        .replace(CHAT_SCRIPT, "")
        .replace("{{channel}}", "0")
        .replace("{{csrf}}", "")
        .replace("{{username}}", "")
        .replace("{{title}}", "Preview");
    Some(html)
}

/// `GET /studio/preview?anonymous`: see the module's notes. Only the Studio's own pages may
/// frame it.
async fn preview() -> Response {
    let Some(html) = preview_html() else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the participant page has no viewer or chat script to stand in for",
        )
            .into_response();
    };
    let mut response = Html(html).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("frame-ancestors 'self'"));
    response
}

/// `GET /studio/assets/{file}`.
async fn studio_asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _)| *name == file) {
        Some((name, body)) if name.ends_with(".css") => asset("text/css; charset=utf-8", body),
        Some((_, body)) => asset(JAVASCRIPT, body),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_stands_in_for_the_viewer_and_chat_scripts_of_the_participant_page() {
        let html =
            preview_html().expect("the participant page loads viewer.js and chat.js, which the preview replaces");
        let stand_in = html.find("/studio/assets/preview.js").unwrap();
        for script in ["/page/channel-status.js", "/page/stream.js", "/page/page.js"] {
            let at = html.find(script).expect("the participant page's own scripts");
            assert!(stand_in < at, "the stand-ins are in place before {script} runs");
        }
        assert!(!html.contains("/page/viewer.js") && !html.contains("/page/chat.js"));
        assert!(!html.contains("{{"), "every placeholder is filled");
    }
}
