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
use super::{card_page, csrf_field, escape};
use crate::server::accounts::browser::{cookie, csrf_token, csrf_valid, form_token, CSRF_FIELD, SESSION_COOKIE};
use crate::server::accounts::LoginError;
use crate::server::hub::Hub;
use crate::server::oauth::normalize_code;
use crate::server::reply::store_failed;
use crate::server::request::{body_fields, url_pairs};
use crate::server::store::{PendingCode, TokenLookup, User};

const TITLE: &str = "Connect an app";

/// The signed-in user of this browser, with their session token.
pub(super) async fn session_user(hub: &Hub, headers: &HeaderMap) -> Result<Option<(User, String)>, Response> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    match hub.accounts.session(&token).await {
        Ok(TokenLookup::Valid { user, .. }) => Ok(Some((user, token))),
        Ok(_) => Ok(None),
        Err(e) => Err(store_failed(e)),
    }
}

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

/// `GET /go[?code=ABC123]`.
pub async fn page(State(hub): State<Arc<Hub>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let code = query
        .as_deref()
        .and_then(|q| url_pairs(q).find(|(k, _)| k == "code").map(|(_, v)| normalize_code(&v)))
        .unwrap_or_default();
    let signed_in = match session_user(&hub, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match signed_in {
        Some((user, session)) if !code.is_empty() => match hub.store.pending_code(&code).await {
            Ok(Ok(p)) => confirmation(&user, &session, &code, &p, &[]),
            Ok(Err(e)) => code_form(&hub, &headers, true, &code, Some(&e)),
            Err(e) => store_failed(e),
        },
        signed_in => code_form(&hub, &headers, signed_in.is_some(), &code, None),
    }
}

/// `POST /go`: sign in (when needed) and confirm, or answer.
pub async fn submit(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: Bytes) -> Response {
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
    let decision = field("decision");
    if !decision.is_empty() {
        let Some((user, _)) = signed_in else {
            return code_form(&hub, &headers, false, &code, Some("Sign in to answer the code."));
        };
        let approve = match decision {
            "approve" => true,
            "deny" => false,
            other => return code_form(&hub, &headers, true, &code, Some(&format!("unknown decision {other:?}"))),
        };
        return match hub.store.answer_code(&code, user.id, approve).await {
            Ok(Ok(p)) => answered(&p, approve),
            Ok(Err(e)) => code_form(&hub, &headers, true, &code, Some(&e)),
            Err(e) => store_failed(e),
        };
    }
    // Who is answering: the session's user, or whoever signs in now.
    let (user, session, cookies) = match signed_in {
        Some((user, session)) => (user, session, Vec::new()),
        None => {
            let user = match sign_in(&hub, field("token"), field("username"), fields.get("password")).await {
                Ok(user) => user,
                Err(message) => return code_form(&hub, &headers, false, &code, Some(&message)),
            };
            match start_session(&hub, user.id).await {
                Ok((session, cookie)) => (user, session, vec![cookie]),
                Err(e) => return store_failed(e),
            }
        }
    };
    match hub.store.pending_code(&code).await {
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

/// Signs in with an access key (personal keys and login tokens; not tokens from this very flow),
/// or a username and password (with the login lockout).
async fn sign_in(hub: &Hub, token: &str, username: &str, password: Option<&String>) -> Result<User, String> {
    if !token.is_empty() {
        return match hub.accounts.go_token(token).await {
            Ok(TokenLookup::Valid { user, .. }) => Ok(user),
            Ok(_) => Err("That token does not sign anyone in.".into()),
            Err(e) => {
                eprintln!("mixplay-server: {e}");
                Err("The mediator's store failed; try again.".into())
            }
        };
    }
    if username.is_empty() {
        return Err("Sign in with your username and password, or an access key.".into());
    }
    match hub.accounts.log_in(username, password.map(String::as_str).unwrap_or("")).await {
        Ok(user) => Ok(user),
        Err(LoginError::Wrong) => Err("Wrong username or password.".into()),
        Err(LoginError::LockedOut(wait)) => Err(format!(
            "Too many failed sign-ins for this name. Try again in {} minutes.",
            wait.as_secs().max(1).div_ceil(60)
        )),
        Err(LoginError::Failed(e)) => {
            eprintln!("mixplay-server: {e}");
            Err("The mediator's store failed; try again.".into())
        }
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
