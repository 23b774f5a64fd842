//! Signing in with a browser: `/signup` and `/login` (plain HTML forms that work without
//! JavaScript) start a session, kept in an `HttpOnly`, `SameSite=Lax` cookie; `POST /logout`
//! ends it. Every form carries a CSRF token and is refused without it.
//!
//! | path | what |
//! |---|---|
//! | `GET /signup?next=PATH`, `POST /signup` | create an account (and its channel), signed in at once |
//! | `GET /login?next=PATH`, `POST /login` | sign in; 429 with `Retry-After` while the name is locked out |
//! | `POST /logout` | sign out (the session stops working everywhere) |
//!
//! After signing in (or out) the browser goes to `next` when it is a path of this mediator.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::{card_page, csrf_field, escape, local_path};
use crate::server::accounts::browser::{
    clear_cookie, cookie, csrf_valid, form_token, set_cookie, CSRF_FIELD, SESSION_COOKIE,
};
use crate::server::accounts::{signup_throttled, LoginError, SignUpError};
use crate::server::conn::addr::ClientAddr;
use crate::server::hub::Hub;
use crate::server::reply::store_failed;
use crate::server::request::{body_fields, url_pairs};
use crate::server::store::{StoreError, TokenKind};

pub fn routes() -> Router<Arc<Hub>> {
    Router::new()
        .route("/signup", get(signup_page).post(signup))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

/// Starts a browser session for `user`: the session token and its `Set-Cookie`.
pub(super) async fn start_session(hub: &Hub, user: u32) -> Result<(String, HeaderValue), StoreError> {
    let token = hub.accounts.issue(user, TokenKind::Session).await?;
    let cookie = set_cookie(SESSION_COOKIE, &token, Some(hub.config.session_ttl), hub.secure_cookies());
    Ok((token, cookie))
}

/// The page shown for a form without a valid CSRF token.
pub(super) fn expired_form() -> Response {
    card_page(
        StatusCode::FORBIDDEN,
        "Please try again",
        "<p class=\"error\" id=\"error\">This form is out of date or was sent from another site. \
         <a href=\"javascript:history.back()\">Go back</a>, reload the page and send it again.</p>",
        &[],
    )
}

fn query_next(query: Option<&str>) -> String {
    local_path(query.and_then(|q| url_pairs(q).find(|(k, _)| k == "next").map(|(_, v)| v)).as_deref())
}

/// Which form: its title, path, button and the other form's link.
struct Form {
    title: &'static str,
    action: &'static str,
    button: &'static str,
    password_autocomplete: &'static str,
    other: (&'static str, &'static str, &'static str),
}

const SIGNUP: Form = Form {
    title: "Create your account",
    action: "/signup",
    button: "Sign up",
    password_autocomplete: "new-password",
    other: ("Already have an account?", "/login", "Sign in"),
};

const LOGIN: Form = Form {
    title: "Sign in",
    action: "/login",
    button: "Sign in",
    password_autocomplete: "current-password",
    other: ("New here?", "/signup", "Create an account"),
};

/// A form page: `username` filled in, `error` shown above the form.
fn form_page(
    hub: &Hub,
    headers: &HeaderMap,
    form: &Form,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<&str>,
) -> Response {
    let (csrf, cookie) = form_token(headers, hub.secure_cookies());
    let error =
        error.map(|e| format!("<p class=\"error\" id=\"error\" role=\"alert\">{}</p>", escape(e))).unwrap_or_default();
    let hint = if form.action == "/signup" {
        "<p class=\"muted small\">3 to 20 letters, digits or _; a password of 8 characters or more.</p>"
    } else {
        ""
    };
    let next_query = form_urlencoded::Serializer::new(String::new()).append_pair("next", next).finish();
    let body = format!(
        "{error}<form method=\"post\" action=\"{action}\" id=\"account-form\">\n{csrf}\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\n\
         <label for=\"username\">Username</label>\
         <input id=\"username\" name=\"username\" type=\"text\" value=\"{username}\" autocomplete=\"username\" \
         spellcheck=\"false\" required maxlength=\"64\">\n\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"{complete}\" required>\n{hint}\
         <div class=\"actions\"><button type=\"submit\" class=\"primary\">{button}</button></div>\n</form>\n\
         <p class=\"or\">{other_text} <a href=\"{other_path}?{next_query}\">{other_label}</a></p>",
        action = form.action,
        csrf = csrf_field(&csrf),
        next = escape(next),
        username = escape(username),
        complete = form.password_autocomplete,
        button = form.button,
        other_text = form.other.0,
        other_path = form.other.1,
        next_query = escape(&next_query),
        other_label = form.other.2,
    );
    card_page(status, form.title, &body, cookie.as_slice())
}

/// Signed in: to `next`, with the session cookie.
fn signed_in(next: &str, cookie: HeaderValue) -> Response {
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, next.to_owned())]).into_response();
    r.headers_mut().insert(header::SET_COOKIE, cookie);
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The fields of a posted form, with its `next`, once its CSRF token checks out.
fn posted(headers: &HeaderMap, body: &[u8]) -> Option<(HashMap<String, String>, String)> {
    let fields = body_fields(headers, body).ok()?;
    if !csrf_valid(headers, fields.get(CSRF_FIELD).map(String::as_str).unwrap_or("")) {
        return None;
    }
    let next = local_path(fields.get("next").map(String::as_str));
    Some((fields, next))
}

async fn signup_page(State(hub): State<Arc<Hub>>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    form_page(&hub, &headers, &SIGNUP, StatusCode::OK, &query_next(q.as_deref()), "", None)
}

async fn login_page(State(hub): State<Arc<Hub>>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    form_page(&hub, &headers, &LOGIN, StatusCode::OK, &query_next(q.as_deref()), "", None)
}

async fn signup(State(hub): State<Arc<Hub>>, from: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    let Some((fields, next)) = posted(&headers, &body) else { return expired_form() };
    let username = fields.get("username").map(|u| u.trim()).unwrap_or("").to_owned();
    let password = fields.get("password").cloned().unwrap_or_default();
    let refused = |status, message: &str| form_page(&hub, &headers, &SIGNUP, status, &next, &username, Some(message));
    let user = match hub.accounts.sign_up(from, &username, &password).await {
        Ok(user) => user,
        Err(SignUpError::Invalid(m)) => return refused(StatusCode::BAD_REQUEST, &capitalized(&m)),
        Err(SignUpError::Taken(m)) => return refused(StatusCode::CONFLICT, &capitalized(&m)),
        Err(SignUpError::Throttled(t)) => {
            return t.mark(refused(StatusCode::TOO_MANY_REQUESTS, &capitalized(&signup_throttled(&t))))
        }
        Err(SignUpError::Failed(e)) => return store_failed(e),
    };
    hub.sparks.reload(user.id).await;
    match start_session(&hub, user.id).await {
        Ok((_, cookie)) => signed_in(&next, cookie),
        Err(e) => store_failed(e),
    }
}

async fn login(State(hub): State<Arc<Hub>>, from: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    let Some((fields, next)) = posted(&headers, &body) else { return expired_form() };
    let username = fields.get("username").map(|u| u.trim()).unwrap_or("").to_owned();
    let password = fields.get("password").cloned().unwrap_or_default();
    let user = match hub.accounts.log_in(from, &username, &password).await {
        Ok(user) => user,
        Err(LoginError::Wrong) => {
            let m = "Wrong username or password.";
            return form_page(&hub, &headers, &LOGIN, StatusCode::UNAUTHORIZED, &next, &username, Some(m));
        }
        Err(LoginError::Failed(e)) => return store_failed(e),
        Err(waiting) => {
            let m = waiting.waiting_sentence().unwrap_or_default();
            let mut r = form_page(&hub, &headers, &LOGIN, StatusCode::TOO_MANY_REQUESTS, &next, &username, Some(&m));
            if let Some(secs) = waiting.wait() {
                r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            return r;
        }
    };
    match start_session(&hub, user.id).await {
        Ok((_, cookie)) => signed_in(&next, cookie),
        Err(e) => store_failed(e),
    }
}

async fn logout(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some((_, next)) = posted(&headers, &body) else { return expired_form() };
    if let Some(session) = cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = hub.accounts.revoke(&session).await {
            return store_failed(e);
        }
    }
    signed_in(&next, clear_cookie(SESSION_COOKIE, hub.secure_cookies()))
}

fn capitalized(sentence: &str) -> String {
    let mut chars = sentence.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    let rest: String = chars.collect();
    if rest.ends_with('.') {
        format!("{first}{rest}")
    } else {
        format!("{first}{rest}.")
    }
}
