//! `/go`: where a person answers an app's short code. Signed in (by the session cookie), they see
//! which app asks for what and approve or deny; otherwise they sign in first, with their
//! username and password or an access key, which starts a browser session. No token is ever
//! written into the page: who answers is the session's user. Every form carries a CSRF token.
//!
//! | request | what |
//! |---|---|
//! | `GET /go[?code=ABC123]` | the code (and sign-in) form, or the confirmation when signed in |
//! | `POST /go` `code`, `username`+`password` or `token` | signs in, then the confirmation |
//! | `POST /go` `code`, `decision=approve|deny` | the answer (signed in only) |

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use super::signin::{expired_form, start_session};
use super::{card_page, csrf_field, escape, session_user};
use crate::protocol::echo::quoted;
use crate::server::accounts::browser::{csrf_token, csrf_valid, form_token, CSRF_FIELD};
use crate::server::accounts::guard::Throttled;
use crate::server::accounts::{CheckError, LoginError};
use crate::server::conn::addr::ClientAddr;
use crate::server::hub::Hub;
use crate::server::oauth::normalize_code;
use crate::server::reply::store_failed;
use crate::server::request::{body_fields, url_pairs};
use crate::server::store::{PendingCode, StoreError, TokenLookup, User};

const TITLE: &str = "Connect an app";

fn error_note(message: Option<&str>) -> String {
    message.map(|m| format!("<p class=\"error\" id=\"error\" role=\"alert\">{}</p>", escape(m))).unwrap_or_default()
}

/// The first form: the code, and (signed out) how to sign in.
fn code_form(hub: &Hub, headers: &HeaderMap, signed_in: bool, code: &str, message: Option<&str>) -> Response {
    let (csrf, set_cookie) = form_token(headers, hub.secure_cookies());
    let sign_in = if signed_in {
        String::new()
    } else {
        "<p>Sign in with your username and password, or with an access key.</p>\n\
         <label for=\"username\">Username</label>\
         <input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" spellcheck=\"false\" maxlength=\"64\">\n\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">\n\
         <label for=\"token\">or an access key</label>\
         <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\">\n"
            .to_owned()
    };
    let body = format!(
        "{error}<p>Enter the code the app shows you.</p>\n\
         <form method=\"post\" action=\"/go\">\n{csrf}\n\
         <label for=\"code\">Code</label><input id=\"code\" name=\"code\" value=\"{code}\" maxlength=\"6\" \
         autocomplete=\"off\" autocapitalize=\"characters\" required>\n{sign_in}\
         <div class=\"actions\"><button type=\"submit\" class=\"primary\">Continue</button></div>\n</form>",
        error = error_note(message),
        csrf = csrf_field(&csrf),
        code = escape(code),
    );
    card_page(StatusCode::OK, TITLE, &body, set_cookie.as_slice())
}

/// The confirmation: who is signed in, which app asks for what, Approve and Deny. `session` is
/// the browser's session token (just started, or from its cookie).
fn confirmation(user: &User, session: &str, code: &str, p: &PendingCode, cookies: &[HeaderValue]) -> Response {
    let scopes: String = p.scope.split_whitespace().map(|s| format!("<li><code>{}</code></li>", escape(s))).collect();
    let scopes = if scopes.is_empty() { "<li>no scopes</li>".to_owned() } else { scopes };
    let csrf = csrf_field(&csrf_token(session));
    let next = form_urlencoded::Serializer::new(String::new()).append_pair("code", code).finish();
    let body = format!(
        "<p>Signed in as <strong id=\"user\">{user}</strong>.</p>\n\
         <p>The app <strong id=\"client\">{client}</strong> asks to act for you with:</p>\n\
         <ul id=\"scopes\">{scopes}</ul>\n\
         <form method=\"post\" action=\"/go\">\n{csrf}\n\
         <input type=\"hidden\" name=\"code\" value=\"{code}\">\n\
         <div class=\"actions\">\
         <button type=\"submit\" name=\"decision\" value=\"approve\" class=\"primary\">Approve</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></div>\n</form>\n\
         <form method=\"post\" action=\"/logout\" class=\"or\">{csrf}\
         <input type=\"hidden\" name=\"next\" value=\"/go?{next}\">\
         Not you? <button type=\"submit\" class=\"link\">Sign out</button></form>",
        user = escape(&user.username),
        client = escape(&p.client_id),
        code = escape(code),
        next = escape(&next),
    );
    card_page(StatusCode::OK, "Approve this app?", &body, cookies)
}

/// The code form saying the address must wait (429 with `Retry-After`).
fn throttled_form(hub: &Hub, headers: &HeaderMap, signed_in: bool, code: &str, t: Throttled) -> Response {
    let m = format!("Too many wrong codes or sign-ins from your address. Try again in {} seconds.", t.retry_after());
    let mut r = code_form(hub, headers, signed_in, code, Some(&m));
    *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    t.mark(r)
}

/// A live, unanswered code, looked up for someone at `from`: an unknown code counts as a failed
/// guess.
async fn pending(hub: &Hub, from: ClientAddr, code: &str) -> Result<Result<PendingCode, String>, StoreError> {
    let found = hub.store.pending_code(code).await?;
    if found.is_err() {
        hub.accounts.guard.failed(from, None);
    }
    Ok(found)
}

/// `GET /go[?code=ABC123]`.
pub async fn page(
    State(hub): State<Arc<Hub>>,
    from: ClientAddr,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let code = query
        .as_deref()
        .and_then(|q| url_pairs(q).find(|(k, _)| k == "code").map(|(_, v)| normalize_code(&v)))
        .unwrap_or_default();
    let signed_in = match session_user(&hub, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let is_signed_in = signed_in.is_some();
    let Some((user, session)) = signed_in.filter(|_| !code.is_empty()) else {
        return code_form(&hub, &headers, is_signed_in, &code, None);
    };
    if let Err(t) = hub.accounts.guard.admit(from, None) {
        return throttled_form(&hub, &headers, true, &code, t);
    }
    match pending(&hub, from, &code).await {
        Ok(Ok(p)) => confirmation(&user, &session, &code, &p, &[]),
        Ok(Err(e)) => code_form(&hub, &headers, true, &code, Some(&e)),
        Err(e) => store_failed(e),
    }
}

/// `POST /go`: sign in (when needed) and confirm, or answer.
pub async fn submit(State(hub): State<Arc<Hub>>, from: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    let fields = match body_fields(&headers, &body) {
        Ok(f) => f,
        Err(_) => return expired_form(),
    };
    if !csrf_valid(&headers, fields.get(CSRF_FIELD).map(String::as_str).unwrap_or("")) {
        return expired_form();
    }
    let field = |k: &str| fields.get(k).map(|v| v.trim()).unwrap_or("");
    let code = normalize_code(field("code"));
    let signed_in = match session_user(&hub, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if code.is_empty() {
        return code_form(&hub, &headers, signed_in.is_some(), "", Some("Enter the code the app shows you."));
    }
    // Every post checks a code, and maybe a password or key: all guesses, within the limit.
    if let Err(t) = hub.accounts.guard.admit(from, None) {
        return throttled_form(&hub, &headers, signed_in.is_some(), &code, t);
    }
    let decision = field("decision");
    if !decision.is_empty() {
        let Some((user, _)) = signed_in else {
            return code_form(&hub, &headers, false, &code, Some("Sign in to answer the code."));
        };
        let approve = match decision {
            "approve" => true,
            "deny" => false,
            other => {
                return code_form(&hub, &headers, true, &code, Some(&format!("unknown decision {}", quoted(other))))
            }
        };
        return match hub.store.answer_code(&code, user.id, approve).await {
            Ok(Ok(p)) => answered(&p, approve),
            Ok(Err(e)) => {
                hub.accounts.guard.failed(from, None);
                code_form(&hub, &headers, true, &code, Some(&e))
            }
            Err(e) => store_failed(e),
        };
    }
    // Who is answering: the session's user, or whoever signs in now.
    let (user, session, cookies) = match signed_in {
        Some((user, session)) => (user, session, Vec::new()),
        None => {
            let user = match sign_in(&hub, from, field("token"), field("username"), fields.get("password")).await {
                Ok(user) => user,
                Err(SignInError::Throttled(t)) => return throttled_form(&hub, &headers, false, &code, t),
                Err(SignInError::Refused(message)) => return code_form(&hub, &headers, false, &code, Some(&message)),
            };
            match start_session(&hub, user.id).await {
                Ok((session, cookie)) => (user, session, vec![cookie]),
                Err(e) => return store_failed(e),
            }
        }
    };
    match pending(&hub, from, &code).await {
        Ok(Ok(p)) => confirmation(&user, &session, &code, &p, &cookies),
        Ok(Err(e)) => {
            let mut r = code_form(&hub, &headers, true, &code, Some(&e));
            for c in cookies {
                r.headers_mut().append(axum::http::header::SET_COOKIE, c);
            }
            r
        }
        Err(e) => store_failed(e),
    }
}

/// Why signing in on `/go` failed.
enum SignInError {
    /// Too many failures from this address: 429.
    Throttled(Throttled),
    /// Anything else, in a sentence for the form.
    Refused(String),
}

fn store_trouble(e: StoreError) -> SignInError {
    eprintln!("mixplay-server: {e}");
    SignInError::Refused("The mediator's store failed; try again.".into())
}

/// Signs in with an access key (personal keys and login tokens; not tokens from this very flow),
/// or a username and password (with the login lockout), for someone at `from`.
async fn sign_in(
    hub: &Hub,
    from: ClientAddr,
    token: &str,
    username: &str,
    password: Option<&String>,
) -> Result<User, SignInError> {
    if !token.is_empty() {
        return match hub.accounts.go_token(from, token).await {
            Ok(TokenLookup::Valid { user, .. }) => Ok(user),
            Ok(_) => Err(SignInError::Refused("That token does not sign anyone in.".into())),
            Err(CheckError::Throttled(t)) => Err(SignInError::Throttled(t)),
            Err(CheckError::Failed(e)) => Err(store_trouble(e)),
        };
    }
    if username.is_empty() {
        return Err(SignInError::Refused("Sign in with your username and password, or an access key.".into()));
    }
    match hub.accounts.log_in(from, username, password.map(String::as_str).unwrap_or("")).await {
        Ok(user) => Ok(user),
        Err(LoginError::Wrong) => Err(SignInError::Refused("Wrong username or password.".into())),
        Err(LoginError::Throttled(t)) => Err(SignInError::Throttled(t)),
        Err(LoginError::Failed(e)) => Err(store_trouble(e)),
        Err(locked) => Err(SignInError::Refused(locked.waiting_sentence().unwrap_or_default())),
    }
}

fn answered(p: &PendingCode, approved: bool) -> Response {
    let (title, body) = if approved {
        (
            "App connected",
            format!(
                "<p class=\"note\" id=\"result\" data-result=\"approved\">{} may now act for you. You can return to it.</p>",
                escape(&p.client_id)
            ),
        )
    } else {
        (
            "App denied",
            format!(
                "<p class=\"note\" id=\"result\" data-result=\"denied\">{} was not given access.</p>",
                escape(&p.client_id)
            ),
        )
    };
    card_page(StatusCode::OK, title, &body, &[])
}
