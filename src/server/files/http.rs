//! The files' addresses: `POST /files/{channel}/{path}` (the spec's upload endpoint) and
//! `GET /files/{channel}/{path}` (participants' pages load them).
//!
//! Upload answers, in the spec's order: 400 without `Content-Length`, with an unsupported
//! `Content-Encoding` (`identity`, `gzip` and `lz4` are read), without `X-Total-Length` when
//! encoded, or with a body that does not match them; 403 without the authorization `uploadFile`
//! gave for this path (they work once; wrong ones count as failed credentials); 413 past the
//! channel's quota or file count; 429 while the channel sends [`super::UPLOADS_AT_ONCE`] uploads;
//! else 200 `{url, path, size, contentType}`.
//!
//! Files are served with the type read from their bytes (`sniff.rs`), `nosniff`, a sandboxing
//! Content-Security-Policy (a file opened on its own runs no script and has no origin), an ETag
//! browsers revalidate with (`Cache-Control: public, no-cache`: an upload to the same path shows
//! at once), `Access-Control-Allow-Origin: *` (custom controls run in a sandboxed frame of no
//! origin), and as a download when they are not a kind browsers show. There is no listing:
//! anything but a stored file's exact path is 404.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::{paths, sniff, url, Encoding, Refusal};
use crate::server::conn::addr::ClientAddr;
use crate::server::hub::Hub;
use crate::server::reply::{api_error, bad_request, forbidden, not_found};
use crate::server::rest::http_base;

/// What every served file's response carries: no script runs in it, nothing guesses its type.
const FILE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

pub fn routes() -> Router<Arc<Hub>> {
    Router::new().route("/files/{channel}/{*path}", get(serve).post(upload))
}

fn refused(r: Refusal) -> Response {
    api_error(StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST), r.message)
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A whole number header, or what is wrong with it (for a 400).
fn length_header(headers: &HeaderMap, name: &str, why: &str) -> Result<u64, String> {
    match header_text(headers, name).map(str::trim) {
        None => Err(format!("{name} is required: {why}")),
        Some(v) => v.parse().map_err(|_| format!("{name} must be a whole number of bytes, not {v:?}")),
    }
}

async fn upload(
    State(hub): State<Arc<Hub>>,
    from: ClientAddr,
    Path((channel, path)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(channel) = channel.parse::<u32>() else { return not_found(format!("channel {channel} not found")) };
    if let Err(m) = paths::check(&path) {
        return bad_request(m);
    }
    let length = match length_header(&headers, "Content-Length", "send the file with its length") {
        Ok(n) => n,
        Err(m) => return bad_request(m),
    };
    let Some(encoding) = Encoding::parse(header_text(&headers, "content-encoding")) else {
        return bad_request("this Content-Encoding is not supported: send identity, gzip or lz4");
    };
    let total = match encoding {
        Encoding::Identity => length,
        _ => match length_header(&headers, "X-Total-Length", "an encoded upload says its decoded size") {
            Ok(n) => n,
            Err(m) => return bad_request(m),
        },
    };
    if let Err(t) = hub.accounts.guard.admit(from, None) {
        return t.response();
    }
    let presented = header_text(&headers, "authorization").unwrap_or("").trim();
    let presented = presented.strip_prefix("Bearer ").unwrap_or(presented).trim();
    if presented.is_empty() {
        return forbidden("send the authorization uploadFile gave in the Authorization header");
    }
    if !hub.files.take_grant(channel, &path, presented) {
        hub.accounts.guard.failed(from, None);
        return forbidden(format!(
            "that authorization does not allow an upload to {path} on channel {channel}: it is wrong, used or expired \
             (each works once, for {} minutes); call uploadFile again",
            super::GRANT_TTL.as_secs() / 60
        ));
    }
    let quota = hub.files.limits().quota_bytes as u64;
    if total > quota {
        let m = format!("the file is {total} bytes; a channel may keep at most {quota} bytes of files (--file-quota)");
        return api_error(StatusCode::PAYLOAD_TOO_LARGE, m);
    }
    let Some(_uploading) = hub.files.begin_upload(channel) else {
        let m = format!(
            "channel {channel} is sending {} uploads already; send this one after them",
            super::UPLOADS_AT_ONCE
        );
        let mut answer = api_error(StatusCode::TOO_MANY_REQUESTS, m);
        answer.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return answer;
    };
    let staged = match hub.files.stage(body.into_data_stream(), length, encoding, total).await {
        Ok(s) => s,
        Err(r) => return refused(r),
    };
    match hub.files.keep(channel, &path, staged).await {
        Ok(meta) => Json(json!({
            "url": url(&http_base(&hub, &headers), channel, &path),
            "path": path,
            "size": meta.size,
            "contentType": meta.content_type,
        }))
        .into_response(),
        Err(r) => refused(r),
    }
}

/// Whether `If-None-Match` names `etag` (or `*`).
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    header_text(headers, "if-none-match")
        .is_some_and(|v| v.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag))
}

async fn serve(
    State(hub): State<Arc<Hub>>,
    Path((channel, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let missing = || not_found(format!("there is no file {path} on channel {channel}"));
    let Some(channel_id) = channel.parse::<u32>().ok().filter(|_| paths::check(&path).is_ok()) else {
        return missing();
    };
    let Some(meta) = hub.files.get(channel_id, &path) else { return missing() };
    let etag = format!("\"{}\"", meta.etag);
    let mut response = if matches_etag(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match hub.files.open(channel_id, &meta).await {
            Ok(stored) => {
                let mut r = stored.into_body().into_response();
                let h = r.headers_mut();
                h.insert(header::CONTENT_LENGTH, HeaderValue::from(meta.size));
                if let Ok(v) = HeaderValue::from_str(&meta.content_type) {
                    h.insert(header::CONTENT_TYPE, v);
                }
                if !sniff::shown(&meta.content_type) {
                    let name = paths::file_name(&path);
                    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                        h.insert(header::CONTENT_DISPOSITION, v);
                    }
                }
                r
            }
            // Deleted between the look-up and the read.
            Err(_) => return missing(),
        }
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(FILE_POLICY));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}
