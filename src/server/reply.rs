//! Error answers of the REST API, in the original service's shape:
//! `{"statusCode", "error", "message"}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::store::StoreError;

/// An error answer with `status` and a sentence saying what went wrong.
pub fn api_error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = json!({
        "statusCode": status.as_u16(),
        "error": status.canonical_reason().unwrap_or(""),
        "message": message.into(),
    });
    (status, Json(body)).into_response()
}

pub fn unauthorized(message: impl Into<String>) -> Response {
    api_error(StatusCode::UNAUTHORIZED, message)
}

pub fn forbidden(message: impl Into<String>) -> Response {
    api_error(StatusCode::FORBIDDEN, message)
}

pub fn not_found(message: impl Into<String>) -> Response {
    api_error(StatusCode::NOT_FOUND, message)
}

pub fn bad_request(message: impl Into<String>) -> Response {
    api_error(StatusCode::BAD_REQUEST, message)
}

/// The store failed: logged (store errors carry no secrets), answered 503 so clients retry.
pub fn store_failed(e: StoreError) -> Response {
    eprintln!("mixplay-server: {e}");
    api_error(StatusCode::SERVICE_UNAVAILABLE, "the mediator's store failed; try again")
}

/// Looks up the thing a path names by its numeric id: the thing, or the answer to give instead
/// (404 "WHAT ID not found" for a malformed or unknown id, 503 when the store failed).
pub async fn found<T, F>(id: &str, what: &str, lookup: impl FnOnce(u32) -> F) -> Result<T, Response>
where
    F: std::future::Future<Output = Result<Option<T>, StoreError>>,
{
    let looked_up = match id.parse::<u32>() {
        Ok(n) => lookup(n).await,
        Err(_) => Ok(None),
    };
    match looked_up {
        Ok(Some(thing)) => Ok(thing),
        Ok(None) => Err(not_found(format!("{what} {id} not found"))),
        Err(e) => Err(store_failed(e)),
    }
}

/// Marks a response as never to be cached (it carries a secret or a one-time answer).
pub fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
