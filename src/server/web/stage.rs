//! The stream stage's assets, shared by the participant page and the dashboard's preview:
//!
//! | path | what |
//! |---|---|
//! | `GET /page/stage.js` | the player (HLS through hls.js or the browser's own, embeds in a sandboxed frame), the offline card, mute and volume, and the mapping of pointer positions onto the picture's own rectangle |
//! | `GET /page/channel-status.js` | `MixPlay.watchChannelStatus`: the channel's public settings, now and whenever they change |
//! | `GET /page/stream.js` | the participant page's stream: the stage on `#video`, following the channel's status |
//! | `GET /page/vendor/hls-VERSION.min.js` | hls.js, vendored unmodified (cached for a year: the address changes with the version) |
//! | `GET /page/vendor/hls.js-LICENSE.txt` | its licence (Apache 2.0) |

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::{asset, JAVASCRIPT};
use crate::server::hub::Hub;

/// Where the page loads hls.js from, named by the vendored release (1.7.4, see
/// `assets/vendor/README.md`); `stage.js` names the same address.
const HLS_PATH: &str = "/page/vendor/hls-1.7.4.min.js";

const STAGE_JS: &str = include_str!("assets/stage.js");
const CHANNEL_STATUS_JS: &str = include_str!("assets/channel-status.js");
const STREAM_JS: &str = include_str!("assets/stream.js");
const HLS_JS: &str = include_str!("assets/vendor/hls.min.js");
const HLS_LICENSE: &str = include_str!("assets/vendor/hls.js-LICENSE.txt");

pub fn routes() -> Router<Arc<Hub>> {
    Router::new()
        .route("/page/stage.js", get(|| async { asset(JAVASCRIPT, STAGE_JS) }))
        .route("/page/channel-status.js", get(|| async { asset(JAVASCRIPT, CHANNEL_STATUS_JS) }))
        .route("/page/stream.js", get(|| async { asset(JAVASCRIPT, STREAM_JS) }))
        .route(HLS_PATH, get(|| async { versioned(JAVASCRIPT, HLS_JS) }))
        .route("/page/vendor/hls.js-LICENSE.txt", get(|| async { asset("text/plain; charset=utf-8", HLS_LICENSE) }))
}

/// An asset whose address changes whenever its content does: cached for a year.
fn versioned(content_type: &'static str, body: &'static str) -> Response {
    let mut response = asset(content_type, body);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_the_vendored_hls_js_by_its_versioned_address() {
        let readme = include_str!("assets/vendor/README.md");
        let version = HLS_PATH.trim_start_matches("/page/vendor/hls-").trim_end_matches(".min.js");
        assert!(readme.contains(&format!("`hls.js@{version}`")), "the vendor README names release {version}");
        assert!(STAGE_JS.contains(&format!("'{HLS_PATH}'")), "stage.js loads {HLS_PATH}");
        assert!(HLS_LICENSE.contains("Apache License, Version 2.0"));
        assert!(HLS_JS.len() > 100_000 && HLS_JS.contains(".Hls="), "hls.min.js is the UMD build defining Hls");
    }
}
