//! What keeps browsers safe: the session cookie, CSRF tokens for forms and cookie-authenticated
//! requests, and same-origin checks.
//!
//! - The session cookie (`mixplay_session`) is `HttpOnly`, `SameSite=Lax`, `Path=/` (and `Secure`
//!   behind an `https://` public URL); its value is a token stored only as a hash.
//! - A CSRF token is derived from the browser's secret cookie (the session cookie when signed in,
//!   else a `mixplay_csrf` cookie set with the first form): the SHA-256 of the cookie under a fixed
//!   label. A cross-site page can neither read the cookie nor compute the token, so a form post
//!   or a cookie-authenticated request carrying the right token came from our own pages.
//! - A state-changing request whose `Origin` (or `Sec-Fetch-Site`) says another site is refused
//!   outright, and a websocket that signs in by cookie must come from our own origin.

use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::secret::{new_secret, secrets_equal};

pub const SESSION_COOKIE: &str = "mixplay_session";
pub const CSRF_COOKIE: &str = "mixplay_csrf";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
/// The header that carries the CSRF token on cookie-authenticated API requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name`, if the request has it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The CSRF token that goes with a browser secret (a session token or the CSRF cookie).
pub fn csrf_token(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"mixplay csrf token\0");
    h.update(secret.as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

/// A `Set-Cookie` value: `HttpOnly; SameSite=Lax; Path=/`, `Secure` when asked, `Max-Age` when
/// given (else a cookie for the browser's session).
pub fn set_cookie(name: &str, value: &str, max_age: Option<Duration>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={}", age.as_secs()));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie names and values are header-safe")
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(name: &str, secure: bool) -> HeaderValue {
    set_cookie(name, "", Some(Duration::ZERO), secure)
}

/// The browser secret CSRF tokens of this request derive from.
fn csrf_secret(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE).or_else(|| cookie(headers, CSRF_COOKIE))
}

/// The CSRF token for the forms of a page answering `headers`, and the cookie to set when the
/// browser has no secret yet.
pub fn form_token(headers: &HeaderMap, secure: bool) -> (String, Option<HeaderValue>) {
    match csrf_secret(headers) {
        Some(secret) => (csrf_token(&secret), None),
        None => {
            let secret = new_secret();
            (csrf_token(&secret), Some(set_cookie(CSRF_COOKIE, &secret, None, secure)))
        }
    }
}

/// Whether `presented` is the CSRF token of this request's browser.
pub fn csrf_valid(headers: &HeaderMap, presented: &str) -> bool {
    match csrf_secret(headers) {
        Some(secret) => !presented.is_empty() && secrets_equal(&csrf_token(&secret), presented),
        None => false,
    }
}

/// `host[:port]` of an origin or URL, lower-case.
fn authority(url: &str) -> Option<String> {
    let rest = url.trim().split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Whether the request's `Origin` is this mediator: the `Host` it was sent to, or the public URL.
/// A request without `Origin` is same-origin unless `Sec-Fetch-Site` says otherwise (browsers
/// send one of the two on every request that matters here; other clients send neither).
pub fn same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    match text(header::ORIGIN) {
        Some(origin) => {
            let Some(origin) = authority(origin) else { return false };
            let host = text(header::HOST).map(str::to_ascii_lowercase);
            host.as_deref() == Some(origin.as_str())
                || public_url.and_then(authority).as_deref() == Some(origin.as_str())
        }
        None => {
            !matches!(headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()), Some("cross-site" | "same-site"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn cookies_and_csrf_tokens() {
        let h = headers(&[("cookie", "a=1; mixplay_session=abc"), ("cookie", "mixplay_csrf=def")]);
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, CSRF_COOKIE).as_deref(), Some("def"));
        assert!(csrf_valid(&h, &csrf_token("abc")), "the session cookie comes first");
        assert!(!csrf_valid(&h, &csrf_token("def")) && !csrf_valid(&h, ""));
        let (token, set) = form_token(&HeaderMap::new(), true);
        let set = set.unwrap().to_str().unwrap().to_owned();
        assert!(set.starts_with("mixplay_csrf=") && set.contains("HttpOnly") && set.contains("SameSite=Lax"));
        assert!(set.ends_with("; Secure"));
        let secret = set.split(';').next().unwrap().split_once('=').unwrap().1;
        assert_eq!(token, csrf_token(secret));
    }

    #[test]
    fn origins() {
        let public = Some("https://play.example.com");
        assert!(same_origin(&headers(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")]), None));
        assert!(same_origin(&headers(&[("host", "10.0.0.2:80"), ("origin", "https://play.example.com")]), public));
        assert!(!same_origin(&headers(&[("host", "127.0.0.1:8080"), ("origin", "http://evil.example")]), public));
        assert!(!same_origin(&headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]), None));
        assert!(same_origin(&headers(&[("host", "127.0.0.1:8080")]), None), "no Origin: not a browser");
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")]), None));
    }
}
