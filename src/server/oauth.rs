//! OAuth for apps that cannot show a browser: the short-code flow, the token endpoint, and the
//! `/go` page where a viewer signs in and approves or denies a code.
//!
//! | path | what |
//! |---|---|
//! | `POST /api/v1/oauth/shortcode` | `{client_id, client_secret?, scope}` → `{code, expires_in, handle}` |
//! | `GET /api/v1/oauth/shortcode/check/{handle}` | 204 waiting, 403 denied, 404 unknown or expired, 200 `{code}` |
//! | `POST /api/v1/oauth/token` | `authorization_code` and `refresh_token` grants → `{access_token, refresh_token, expires_in, token_type}` |
//! | `GET /go[?code=ABC123]`, `POST /go` | the approval page (an HTML form) |
//!
//! Bodies may be JSON or form-encoded, with a `Content-Length` or chunked. Access tokens expire
//! after `MediatorConfig::access_token_ttl`; refresh tokens work once. Issued access tokens are
//! accepted wherever a world token is (game client, participant socket, REST, chat).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use parking_lot::Mutex;
use serde_json::{json, Value};

use super::handshake::url_pairs;
use super::hub::Hub;
use super::page::escape;

/// How long an approved short code's authorization code can be exchanged.
const GRANT_TTL: Duration = Duration::from_secs(10 * 60);

/// How long an expired access token is remembered (to say "expired" rather than "unknown").
const EXPIRED_MEMORY: Duration = Duration::from_secs(24 * 60 * 60);

/// The characters of a short code: no 0/O, 1/I to misread.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// What an access token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Valid(u32),
    Expired,
    Unknown,
}

enum Decision {
    Pending,
    Approved { grant: String },
    Denied,
}

struct ShortCode {
    code: String,
    client_id: String,
    scope: String,
    expires: Instant,
    decision: Decision,
}

struct Grant {
    user: u32,
    client_id: String,
    scope: String,
    expires: Instant,
}

struct Access {
    user: u32,
    expires: Instant,
}

struct Refresh {
    user: u32,
    client_id: String,
    scope: String,
}

#[derive(Default)]
struct Store {
    /// Short codes by handle.
    codes: HashMap<String, ShortCode>,
    /// Handles by code.
    by_code: HashMap<String, String>,
    /// Authorization codes of approved short codes.
    grants: HashMap<String, Grant>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
}

impl Store {
    fn prune(&mut self, now: Instant) {
        let by_code = &mut self.by_code;
        self.codes.retain(|_, c| {
            let live = c.expires > now;
            if !live {
                by_code.remove(&c.code);
            }
            live
        });
        self.grants.retain(|_, g| g.expires > now);
        self.access.retain(|_, a| a.expires + EXPIRED_MEMORY > now);
    }
}

/// The mediator's OAuth state.
#[derive(Default)]
pub struct OAuth {
    state: Mutex<Store>,
}

/// A random hex string (128 bits from the OS generator).
fn secret() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn short_code() -> String {
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    bytes[..6].iter().map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char).collect()
}

/// What the `/go` page shows about a pending code.
pub struct PendingCode {
    pub client_id: String,
    pub scope: String,
}

/// The tokens one grant produced.
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub scope: String,
}

impl OAuth {
    /// Whether `token` is an issued access token, and whether it still works.
    pub fn access_token(&self, token: &str) -> TokenState {
        let state = self.state.lock();
        match state.access.get(token) {
            Some(a) if a.expires > Instant::now() => TokenState::Valid(a.user),
            Some(_) => TokenState::Expired,
            None => TokenState::Unknown,
        }
    }

    /// Makes a short code; returns `(code, handle)`.
    pub fn new_short_code(&self, client_id: &str, scope: &str, ttl: Duration) -> (String, String) {
        let now = Instant::now();
        let mut state = self.state.lock();
        state.prune(now);
        let code = loop {
            let c = short_code();
            if !state.by_code.contains_key(&c) {
                break c;
            }
        };
        let handle = secret();
        state.by_code.insert(code.clone(), handle.clone());
        state.codes.insert(
            handle.clone(),
            ShortCode {
                code: code.clone(),
                client_id: client_id.to_owned(),
                scope: scope.to_owned(),
                expires: now + ttl,
                decision: Decision::Pending,
            },
        );
        (code, handle)
    }

    /// The check endpoint's answer for `handle`.
    fn check(&self, handle: &str) -> (StatusCode, Option<String>) {
        let now = Instant::now();
        let mut state = self.state.lock();
        state.prune(now);
        match state.codes.get(handle) {
            None => (StatusCode::NOT_FOUND, None),
            Some(c) => match &c.decision {
                Decision::Pending => (StatusCode::NO_CONTENT, None),
                Decision::Denied => (StatusCode::FORBIDDEN, None),
                Decision::Approved { grant } => (StatusCode::OK, Some(grant.clone())),
            },
        }
    }

    /// The app and scopes a live, undecided code asks for.
    pub fn pending(&self, code: &str) -> Result<PendingCode, String> {
        let now = Instant::now();
        let mut state = self.state.lock();
        state.prune(now);
        let c = state
            .by_code
            .get(code)
            .and_then(|h| state.codes.get(h))
            .ok_or_else(|| format!("the code {code} is unknown or has expired; ask the app for a new one"))?;
        match c.decision {
            Decision::Pending => Ok(PendingCode { client_id: c.client_id.clone(), scope: c.scope.clone() }),
            _ => Err(format!("the code {code} has already been answered")),
        }
    }

    /// Approves or denies a live, undecided code as `user`.
    pub fn decide(&self, code: &str, user: u32, approve: bool) -> Result<PendingCode, String> {
        let now = Instant::now();
        let pending = self.pending(code)?;
        let mut state = self.state.lock();
        let handle = state.by_code.get(code).cloned().ok_or_else(|| format!("the code {code} has expired"))?;
        let Some(c) = state.codes.get_mut(&handle) else {
            return Err(format!("the code {code} has expired"));
        };
        if approve {
            let grant = secret();
            c.decision = Decision::Approved { grant: grant.clone() };
            let (client_id, scope) = (c.client_id.clone(), c.scope.clone());
            state.grants.insert(grant, Grant { user, client_id, scope, expires: now + GRANT_TTL });
        } else {
            c.decision = Decision::Denied;
        }
        Ok(pending)
    }

    fn issue(state: &mut Store, user: u32, client_id: String, scope: String, ttl: Duration) -> Issued {
        let access_token = secret();
        let refresh_token = secret();
        state.access.insert(access_token.clone(), Access { user, expires: Instant::now() + ttl });
        state.refresh.insert(refresh_token.clone(), Refresh { user, client_id, scope: scope.clone() });
        Issued { access_token, refresh_token, expires_in: ttl.as_secs(), scope }
    }

    /// Exchanges an authorization code (once).
    pub fn exchange_code(&self, code: &str, client_id: &str, ttl: Duration) -> Result<Issued, String> {
        let now = Instant::now();
        let mut state = self.state.lock();
        state.prune(now);
        match state.grants.get(code) {
            None => return Err("the authorization code is unknown, used or expired".into()),
            Some(g) if g.client_id != client_id => {
                return Err("the authorization code was issued to another client_id".into())
            }
            Some(_) => {}
        }
        let g = state.grants.remove(code).expect("checked above");
        Ok(Self::issue(&mut state, g.user, g.client_id, g.scope, ttl))
    }

    /// Exchanges a refresh token (once) for a new pair.
    pub fn refresh(&self, token: &str, client_id: &str, ttl: Duration) -> Result<Issued, String> {
        let mut state = self.state.lock();
        state.prune(Instant::now());
        match state.refresh.get(token) {
            None => return Err("the refresh token is unknown or was already used".into()),
            Some(r) if r.client_id != client_id => {
                return Err("the refresh token was issued to another client_id".into())
            }
            Some(_) => {}
        }
        let r = state.refresh.remove(token).expect("checked above");
        Ok(Self::issue(&mut state, r.user, r.client_id, r.scope, ttl))
    }
}

/// Reads a request body as JSON or as form fields (by content type, else whichever parses).
/// Values that are not strings are kept as their JSON text.
pub fn body_fields(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, String> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.to_ascii_lowercase().contains("x-www-form-urlencoded"));
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
    if !form {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => {
                return Ok(map
                    .into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| match v {
                        Value::String(s) => (k, s),
                        other => (k, other.to_string()),
                    })
                    .collect())
            }
            Ok(_) => return Err("the body must be a JSON object".into()),
            Err(_) if text.trim_start().starts_with('{') => return Err("the body is not valid JSON".into()),
            Err(_) => {}
        }
    }
    Ok(url_pairs(text).collect())
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({ "error": error, "error_description": description }))).into_response()
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `POST /api/v1/oauth/shortcode`.
pub async fn shortcode(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = match body_fields(&headers, &body) {
        Ok(f) => f,
        Err(e) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &e),
    };
    let Some(client_id) = fields.get("client_id").filter(|c| !c.trim().is_empty()) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "client_id is required");
    };
    let scope = fields.get("scope").map(String::as_str).unwrap_or("");
    let ttl = hub.config.shortcode_ttl;
    let (code, handle) = hub.oauth.new_short_code(client_id, scope, ttl);
    no_store(Json(json!({ "code": code, "expires_in": ttl.as_secs(), "handle": handle })).into_response())
}

/// `GET /api/v1/oauth/shortcode/check/{handle}`.
pub async fn check(State(hub): State<Arc<Hub>>, Path(handle): Path<String>) -> Response {
    match hub.oauth.check(&handle) {
        (StatusCode::OK, Some(code)) => no_store(Json(json!({ "code": code })).into_response()),
        (status, _) => no_store(status.into_response()),
    }
}

/// `POST /api/v1/oauth/token`.
pub async fn token(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = match body_fields(&headers, &body) {
        Ok(f) => f,
        Err(e) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &e),
    };
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    let client_id = field("client_id");
    if client_id.is_empty() {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "client_id is required");
    }
    let ttl = hub.config.access_token_ttl;
    let issued = match field("grant_type") {
        "authorization_code" if field("code").is_empty() => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "code is required")
        }
        "authorization_code" => hub.oauth.exchange_code(field("code"), client_id, ttl),
        "refresh_token" if field("refresh_token").is_empty() => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "refresh_token is required")
        }
        "refresh_token" => hub.oauth.refresh(field("refresh_token"), client_id, ttl),
        "" => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is required"),
        other => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant_type {other:?} is not supported (authorization_code, refresh_token)"),
            )
        }
    };
    match issued {
        Ok(t) => no_store(
            Json(json!({
                "access_token": t.access_token,
                "refresh_token": t.refresh_token,
                "expires_in": t.expires_in,
                "token_type": "Bearer",
                "scope": t.scope,
            }))
            .into_response(),
        ),
        Err(e) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &e),
    }
}

// ----- the /go page -----

const GO_STYLE: &str = "body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;\
color:#222}label{display:block;margin:.8rem 0}input{font:inherit;padding:.3rem;width:100%;box-sizing:border-box}\
button{font:inherit;padding:.4rem 1.2rem;margin:.8rem .6rem 0 0}.note{padding:.6rem;background:#f3f3f3}\
.error{padding:.6rem;background:#fde8e8}";

fn go_html(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · MixPlay</title><style>{GO_STYLE}</style></head>\
         <body><main id=\"go\"><h1>{title}</h1>\n{body}\n</main></body></html>\n",
        title = escape(title),
    );
    no_store(Html(html).into_response())
}

/// The first form: the code and the viewer's sign-in.
fn code_form(code: &str, message: Option<&str>) -> Response {
    let message = message.map(|m| format!("<p class=\"error\">{}</p>", escape(m))).unwrap_or_default();
    go_html(
        "Connect an app",
        &format!(
            "{message}<p>Enter the code the app shows you, and sign in with your token.</p>\n\
             <form method=\"post\" action=\"/go\">\n\
             <label>Code <input name=\"code\" value=\"{code}\" maxlength=\"6\" autocomplete=\"off\" \
             autocapitalize=\"characters\" required></label>\n\
             <label>Your token <input name=\"token\" type=\"password\" autocomplete=\"current-password\" required></label>\n\
             <button type=\"submit\">Continue</button>\n</form>",
            code = escape(code),
        ),
    )
}

fn normalize_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

/// `GET /go[?code=ABC123]`.
pub async fn go_page(RawQuery(query): RawQuery) -> Response {
    let code = query
        .as_deref()
        .and_then(|q| url_pairs(q).find(|(k, _)| k == "code").map(|(_, v)| normalize_code(&v)))
        .unwrap_or_default();
    code_form(&code, None)
}

/// `POST /go`: without `decision`, the confirmation (who is signed in, which app asks for what);
/// with `decision=approve` or `decision=deny`, the answer.
pub async fn go_submit(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = match body_fields(&headers, &body) {
        Ok(f) => f,
        Err(e) => return code_form("", Some(&e)),
    };
    let code = normalize_code(fields.get("code").map(String::as_str).unwrap_or(""));
    let token = fields.get("token").map(String::as_str).unwrap_or("").trim();
    if code.is_empty() {
        return code_form("", Some("Enter the code the app shows you."));
    }
    // Only world tokens sign in here: a token from this very flow cannot approve more codes.
    let Some(user) = hub.world.user_by_token(token).cloned() else {
        return code_form(&code, Some("That token does not sign anyone in."));
    };
    let decision = fields.get("decision").map(String::as_str).unwrap_or("");
    match decision {
        "" => match hub.oauth.pending(&code) {
            Err(e) => code_form(&code, Some(&e)),
            Ok(p) => {
                let scopes: String = p
                    .scope
                    .split_whitespace()
                    .map(|s| format!("<li><code>{}</code></li>", escape(s)))
                    .collect::<Vec<_>>()
                    .join("");
                let scopes = if scopes.is_empty() { "<li>no scopes</li>".to_owned() } else { scopes };
                go_html(
                    "Approve this app?",
                    &format!(
                        "<p>Signed in as <strong id=\"user\">{user}</strong>.</p>\n\
                         <p>The app <strong id=\"client\">{client}</strong> asks to act for you with:</p>\n\
                         <ul id=\"scopes\">{scopes}</ul>\n\
                         <form method=\"post\" action=\"/go\">\n\
                         <input type=\"hidden\" name=\"code\" value=\"{code}\">\n\
                         <input type=\"hidden\" name=\"token\" value=\"{token}\">\n\
                         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n\
                         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n</form>",
                        user = escape(&user.username),
                        client = escape(&p.client_id),
                        code = escape(&code),
                        token = escape(token),
                    ),
                )
            }
        },
        "approve" | "deny" => {
            let approve = decision == "approve";
            match hub.oauth.decide(&code, user.id, approve) {
                Err(e) => code_form(&code, Some(&e)),
                Ok(p) if approve => go_html(
                    "App connected",
                    &format!(
                        "<p class=\"note\" id=\"result\" data-result=\"approved\">{} may now act for you. \
                         You can return to it.</p>",
                        escape(&p.client_id)
                    ),
                ),
                Ok(p) => go_html(
                    "App denied",
                    &format!(
                        "<p class=\"note\" id=\"result\" data-result=\"denied\">{} was not given access.</p>",
                        escape(&p.client_id)
                    ),
                ),
            }
        }
        other => code_form(&code, Some(&format!("unknown decision {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_unambiguous_characters() {
        for _ in 0..100 {
            let c = short_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{c}");
        }
    }

    #[test]
    fn the_flow_and_single_use_tokens() {
        let o = OAuth::default();
        let ttl = Duration::from_secs(60);
        let (code, handle) = o.new_short_code("app", "chat:chat", ttl);
        assert_eq!(o.check(&handle).0, StatusCode::NO_CONTENT);
        assert_eq!(o.check("nope").0, StatusCode::NOT_FOUND);
        o.decide(&code, 7, true).unwrap();
        assert!(o.decide(&code, 7, true).is_err(), "answered once");
        let (status, grant) = o.check(&handle);
        assert_eq!(status, StatusCode::OK);
        let grant = grant.unwrap();
        assert!(o.exchange_code(&grant, "other", ttl).is_err(), "bound to the client");
        let t = o.exchange_code(&grant, "app", ttl).unwrap();
        assert!(o.exchange_code(&grant, "app", ttl).is_err(), "single use");
        assert_eq!(o.access_token(&t.access_token), TokenState::Valid(7));
        let t2 = o.refresh(&t.refresh_token, "app", Duration::ZERO).unwrap();
        assert!(o.refresh(&t.refresh_token, "app", ttl).is_err(), "refresh tokens are single use");
        assert_eq!(o.access_token(&t2.access_token), TokenState::Expired);
        assert_eq!(o.access_token("x"), TokenState::Unknown);
    }

    #[test]
    fn bodies_as_json_or_form() {
        let mut h = HeaderMap::new();
        let f = body_fields(&h, br#"{"client_id":"a","n":3,"s":null}"#).unwrap();
        assert_eq!((f["client_id"].as_str(), f["n"].as_str(), f.get("s")), ("a", "3", None));
        h.insert(header::CONTENT_TYPE, "application/x-www-form-urlencoded".parse().unwrap());
        let f = body_fields(&h, b"code=abc&token=t%20x").unwrap();
        assert_eq!(f["token"], "t x");
        assert!(body_fields(&HeaderMap::new(), b"{bad").is_err());
    }
}
