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

/// Marks a response as never to be cached (it carries a secret or a one-time answer).
pub fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
