//! Custom-control bundles (protocol 1.6): the HTML/JavaScript a version's participant page runs
//! instead of the built-in controls, in a sandboxed frame (see `web/assets/custom.js`).
//!
//! | route | who | what |
//! |---|---|---|
//! | `PUT /api/v1/interactive/versions/{id}/bundle` | owner, editors; drafts | `{"files": {"index.html": BASE64, …}}` replaces the bundle |
//! | `DELETE /api/v1/interactive/versions/{id}/bundle` | owner, editors; drafts | takes it away |
//! | `GET /bundles/{versionId}/{digest}/{path}` | anyone | one file of the bundle |
//!
//! A bundle needs an `index.html`; its paths are plain relative ones (`files::paths`), at most
//! `--bundle-max-files` files of `--bundle-max-bytes` in all. Files are served with the type their
//! extension says, `nosniff`, and `Content-Security-Policy: sandbox allow-scripts`, so a bundle
//! opened on its own (not in the page's frame) still runs with no origin: it can reach neither the
//! viewer's cookies nor the mediator as the viewer. The digest in the address names the content,
//! so each address is cached for good.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{changed, refused, version_for, Answer};
use crate::server::accounts::caller::Caller;
use crate::server::files::paths;
use crate::server::hub::Hub;
use crate::server::reply::{api_error, not_found, store_failed};
use crate::server::store::{editable, NewBundleFile};

/// The page every bundle starts from.
pub const ENTRY: &str = "index.html";

pub fn routes(bundle_bytes: usize) -> Router<Arc<Hub>> {
    // Base64 takes four bytes for three, plus the JSON around it.
    let body = bundle_bytes.saturating_mul(4) / 3 + 64 * 1024;
    Router::new()
        .route("/api/v1/interactive/versions/{version}/bundle", put(upload).delete(remove))
        .layer(DefaultBodyLimit::max(body))
        .route("/bundles/{version}/{digest}/{*path}", get(serve))
}

/// The address of a bundle's entry page.
pub fn entry_url(version: u32, digest: &str) -> String {
    format!("/bundles/{version}/{digest}/{ENTRY}")
}

/// The type a bundle file is served with, from its extension.
fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The files of a `PUT` body, checked against the limits; or what is wrong with them.
fn read_files(body: &[u8], max_bytes: usize, max_files: usize) -> Result<Vec<NewBundleFile>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let Some(files) = value.get("files").and_then(Value::as_object) else {
        return Err("files is required: {\"files\": {\"index.html\": BASE64, …}}".into());
    };
    if files.len() > max_files {
        return Err(format!(
            "the bundle has {} files; at most {max_files} are allowed (--bundle-max-files)",
            files.len()
        ));
    }
    if !files.contains_key(ENTRY) {
        return Err(format!("the bundle needs an {ENTRY}: the page runs it"));
    }
    let mut out = Vec::with_capacity(files.len());
    let mut total = 0usize;
    for (path, content) in files {
        paths::check(path).map_err(|m| format!("files.{path}: {m}"))?;
        let text = content.as_str().ok_or_else(|| format!("files.{path} must be base64 text"))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| format!("files.{path} is not base64: {e}"))?;
        total += bytes.len();
        if total > max_bytes {
            return Err(format!("the bundle is larger than {max_bytes} bytes (--bundle-max-bytes)"));
        }
        out.push(NewBundleFile { path: path.clone(), content_type: content_type(path).into(), bytes });
    }
    Ok(out)
}

/// The bundle's name: SHA-256 over every path, its length and its bytes, in path order.
fn digest(files: &[NewBundleFile]) -> String {
    let sorted: BTreeMap<&str, &[u8]> = files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())).collect();
    let mut h = Sha256::new();
    for (path, bytes) in sorted {
        h.update((path.len() as u64).to_be_bytes());
        h.update(path.as_bytes());
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    }
    h.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

async fn upload(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>, body: Bytes) -> Answer {
    let (version, project, role) = version_for(&hub, &caller, &id).await?;
    role.must_edit(&project)?;
    if let Some(r) = editable(&version) {
        return Err(refused(r).into());
    }
    let limits = hub.config.files;
    let files = read_files(&body, limits.bundle_bytes, limits.bundle_files).map_err(|m| {
        let status =
            if m.contains("--bundle-max-bytes") { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::BAD_REQUEST };
        api_error(status, m)
    })?;
    let digest = digest(&files);
    let bundle = changed(hub.store.put_bundle(version.id, digest, files).await)?;
    let listed: Vec<Value> =
        bundle.files.iter().map(|f| json!({ "path": f.path, "size": f.size, "contentType": f.content_type })).collect();
    Ok(Json(json!({
        "versionId": bundle.version,
        "digest": bundle.digest,
        "size": bundle.size,
        "entry": entry_url(bundle.version, &bundle.digest),
        "files": listed,
    }))
    .into_response())
}

async fn remove(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Answer {
    let (version, project, role) = version_for(&hub, &caller, &id).await?;
    role.must_edit(&project)?;
    changed(hub.store.delete_bundle(version.id).await)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn serve(State(hub): State<Arc<Hub>>, Path((version, digest, path)): Path<(String, String, String)>) -> Response {
    let missing = || not_found(format!("there is no bundle file {path}"));
    let Ok(version) = version.parse::<u32>() else { return missing() };
    if paths::check(&path).is_err() {
        return missing();
    }
    let (content_type, bytes) = match hub.store.bundle_file(version, digest, path.clone()).await {
        Ok(Some(found)) => found,
        Ok(None) => return missing(),
        Err(e) => return store_failed(e),
    };
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox allow-scripts"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r
}
