#![cfg(feature = "server")]
//! OAuth short-code sign-in: the mediator's endpoints and `/go` page, tokens from the flow on
//! every socket, expiry and single-use refresh tokens, and the Rust client (`mixplay::auth`).
mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use mixplay::auth::{is_stale_at, AuthConfig, AuthStatus, ShortCodeAuth, Tokens};
use mixplay::chat::{Chat, ChatConfig, ChatEvent};
use mixplay::client::{ConnectionState, Session};
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};

use common::client::{config, serve, serve_with, wait_state, Served};
use common::oauth::{answer_code, field_value, get, post_json, sign_in, Browser, Http};
use common::{Connected, WAIT};

fn api(s: &Served) -> String {
    format!("{}/api/v1", s.m.base_url())
}

/// Opens `/go` in a fresh browser and posts its form with `fields` (and the page's CSRF token).
fn go_form(s: &Served, fields: &[(&str, &str)]) -> Http {
    let mut browser = Browser::new(&s.m.base_url());
    let page = browser.get("/go");
    let csrf = field_value(&page.text, "csrf").expect("a CSRF token");
    let mut all = fields.to_vec();
    all.push(("csrf", &csrf));
    browser.post_form("/go", &all)
}

fn short_code(s: &Served, client_id: &str) -> (String, String, u64) {
    let r = post_json(
        &format!("{}/oauth/shortcode", api(s)),
        &json!({ "client_id": client_id, "scope": "interactive:robot:self chat:connect chat:chat" }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let code = r.body["code"].as_str().unwrap().to_owned();
    (code, r.body["handle"].as_str().unwrap().to_owned(), r.body["expires_in"].as_u64().unwrap())
}

#[test]
fn the_short_code_flow_with_the_go_form_and_tokens_that_work_everywhere() {
    let s = serve();
    let (code, handle, expires_in) = short_code(&s, "my-game");
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()), "{code}");
    assert_eq!(expires_in, 120);
    let check = format!("{}/oauth/shortcode/check/{handle}", api(&s));
    assert_eq!(get(&check, None).status, 204, "waiting");

    // The confirmation page says who is signed in and what the app asks for.
    let confirm = go_form(&s, &[("code", &code.to_lowercase()), ("token", "demo-streamer")]);
    assert!(confirm.text.contains("<strong id=\"user\">streamer</strong>"), "{}", confirm.text);
    assert!(confirm.text.contains("<strong id=\"client\">my-game</strong>"));
    assert!(confirm.text.contains("<code>chat:chat</code>"));
    assert_eq!(get(&check, None).status, 204, "still waiting until approved");
    answer_code(&s.m.base_url(), &code, "demo-streamer", true);

    let approved = get(&check, None);
    assert_eq!(approved.status, 200);
    let grant = approved.body["code"].as_str().unwrap().to_owned();
    let token_url = format!("{}/oauth/token", api(&s));
    let wrong_client =
        post_json(&token_url, &json!({ "client_id": "other", "grant_type": "authorization_code", "code": grant }));
    assert_eq!((wrong_client.status, wrong_client.body["error"].as_str()), (400, Some("invalid_grant")));
    let t =
        post_json(&token_url, &json!({ "client_id": "my-game", "grant_type": "authorization_code", "code": grant }));
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["token_type"], "Bearer");
    assert_eq!(t.body["expires_in"], 6 * 60 * 60);
    let again =
        post_json(&token_url, &json!({ "client_id": "my-game", "grant_type": "authorization_code", "code": grant }));
    assert_eq!(again.status, 400, "authorization codes work once");
    let access = t.body["access_token"].as_str().unwrap().to_owned();

    // The token is the streamer's on REST, the game-client socket, the participant socket and chat.
    let me = get(&format!("{}/users/current", api(&s)), Some(&access));
    assert_eq!((me.status, me.body["id"].as_u64()), (200, Some(1)));
    let mut game = s.rt.block_on(common::game_as(&s.m, &access, "1")).open();
    s.rt.block_on(game.ok("ready", json!({ "isReady": true })));
    let viewer = sign_in(&s.m.base_url(), "viewer-app", "demo-viewer-1");
    let viewer_token = viewer["access_token"].as_str().unwrap();
    match s.rt.block_on(common::participant(&s.m, Some(viewer_token))) {
        Connected::Open(mut p) => {
            let me = s.rt.block_on(p.event("onParticipantJoin"));
            assert_eq!(me["participants"][0]["userID"], 2);
        }
        other => panic!("the participant socket refused the token: {other:?}"),
    }
    let chat = get(&format!("{}/chats/1", api(&s)), Some(&access));
    assert!(chat.body["authkey"].is_string(), "{}", chat.text);

    // Refresh tokens work once and give a new pair.
    let refresh = t.body["refresh_token"].as_str().unwrap();
    let r = post_json(
        &token_url,
        &json!({ "client_id": "my-game", "grant_type": "refresh_token", "refresh_token": refresh }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_ne!(r.body["access_token"], t.body["access_token"]);
    assert_ne!(r.body["refresh_token"], t.body["refresh_token"]);
    let reuse = post_json(
        &token_url,
        &json!({ "client_id": "my-game", "grant_type": "refresh_token", "refresh_token": refresh }),
    );
    assert_eq!((reuse.status, reuse.body["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(get(&format!("{}/users/current", api(&s)), Some(r.body["access_token"].as_str().unwrap())).status, 200);
}

#[test]
fn denied_expired_and_malformed_requests() {
    let s = serve();
    let (code, handle, _) = short_code(&s, "app");
    answer_code(&s.m.base_url(), &code, "demo-viewer-2", false);
    assert_eq!(get(&format!("{}/oauth/shortcode/check/{handle}", api(&s)), None).status, 403);
    let answered = go_form(&s, &[("code", &code), ("token", "demo-streamer")]);
    assert!(answered.text.contains("already been answered"), "{}", answered.text);
    assert_eq!(get(&format!("{}/oauth/shortcode/check/nope", api(&s)), None).status, 404);

    // Sign-in with a token that is not a user's is refused on the page.
    let (code, _, _) = short_code(&s, "app");
    let page = go_form(&s, &[("code", &code), ("token", "wrong")]);
    assert!(page.text.contains("does not sign anyone in"), "{}", page.text);
    let page = go_form(&s, &[("code", "ZZZZZZ"), ("token", "demo-streamer")]);
    assert!(page.text.contains("unknown or has expired"), "{}", page.text);

    let token_url = format!("{}/oauth/token", api(&s));
    let cases = [
        (json!({ "scope": "x" }), "/oauth/shortcode", "client_id is required"),
        (json!({ "client_id": "a", "grant_type": "password" }), "/oauth/token", "not supported"),
        (json!({ "client_id": "a" }), "/oauth/token", "grant_type is required"),
        (json!({ "client_id": "a", "grant_type": "authorization_code" }), "/oauth/token", "code is required"),
    ];
    for (body, path, want) in cases {
        let r = post_json(&format!("{}{path}", api(&s)), &body);
        assert_eq!(r.status, 400, "{body}");
        assert!(r.body["error_description"].as_str().unwrap().contains(want), "{}", r.text);
    }
    let r = post_json(&token_url, &json!({ "client_id": "a", "grant_type": "refresh_token", "refresh_token": "nope" }));
    assert_eq!(r.body["error"], "invalid_grant");

    // Codes that outlive their time are gone.
    let quick =
        serve_with(World::demo(), MediatorConfig { shortcode_ttl: Duration::ZERO, ..MediatorConfig::default() });
    let (code, handle, expires_in) = short_code(&quick, "app");
    assert_eq!(expires_in, 0);
    assert_eq!(get(&format!("{}/oauth/shortcode/check/{handle}", api(&quick)), None).status, 404);
    let page = go_form(&quick, &[("code", &code), ("token", "demo-streamer")]);
    assert!(page.text.contains("unknown or has expired"), "{}", page.text);
}

#[test]
fn expired_access_tokens_are_refused_everywhere() {
    let s = serve_with(World::demo(), MediatorConfig { access_token_ttl: Duration::ZERO, ..MediatorConfig::default() });
    let t = sign_in(&s.m.base_url(), "app", "demo-streamer");
    assert_eq!(t["expires_in"], 0);
    let access = t["access_token"].as_str().unwrap();
    let me = get(&format!("{}/users/current", api(&s)), Some(access));
    assert_eq!(me.status, 401);
    assert_eq!(me.body["message"], "the access token has expired");
    assert_eq!(get(&format!("{}/chats/1", api(&s)), Some(access)).status, 401);
    match s.rt.block_on(common::game_as(&s.m, access, "1")) {
        Connected::Closed(code, _) => assert_eq!(code, 4019),
        other => panic!("expected 4019, got {other:?}"),
    }
    match s.rt.block_on(common::participant(&s.m, Some(access))) {
        Connected::Closed(code, _) => assert_eq!(code, 4019),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A refresh still works (and gives another instantly expiring token here).
    let r = post_json(
        &format!("{}/oauth/token", api(&s)),
        &json!({ "client_id": "app", "grant_type": "refresh_token", "refresh_token": t["refresh_token"] }),
    );
    assert_eq!(r.status, 200);
}

/// Sends a request with a chunked body, as the official Node short-code client does.
fn post_chunked(s: &Served, path: &str, body: &str) -> (u16, Value) {
    let mut sock = std::net::TcpStream::connect(s.m.local_addr()).unwrap();
    sock.set_read_timeout(Some(WAIT)).unwrap();
    let (a, b) = body.split_at(body.len() / 2);
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        s.m.local_addr(),
        a.len(),
        b.len()
    );
    sock.write_all(req.as_bytes()).unwrap();
    let mut response = String::new();
    sock.read_to_string(&mut response).unwrap();
    let status: u16 = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    // The mediator answers small bodies with a Content-Length, in one piece.
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn chunked_json_bodies_are_accepted() {
    let s = serve();
    let (status, body) = post_chunked(&s, "/api/v1/oauth/shortcode", r#"{"client_id":"chunky","scope":"chat:chat"}"#);
    assert_eq!(status, 200);
    assert_eq!(body["code"].as_str().map(str::len), Some(6));
    answer_code(&s.m.base_url(), body["code"].as_str().unwrap(), "demo-streamer", true);
    let check = get(&format!("{}/oauth/shortcode/check/{}", api(&s), body["handle"].as_str().unwrap()), None);
    let grant = check.body["code"].as_str().unwrap();
    let (status, tokens) = post_chunked(
        &s,
        "/api/v1/oauth/token",
        &json!({ "client_id": "chunky", "grant_type": "authorization_code", "code": grant }).to_string(),
    );
    assert_eq!(status, 200);
    assert!(tokens["access_token"].is_string());
}

// ----- the Rust client -----

fn auth_config(s: &Served) -> AuthConfig {
    let mut c = AuthConfig::new(s.m.base_url(), "rust-game", "interactive:robot:self chat:connect chat:chat");
    // The official clients check every 2 s; the tests need not wait that long.
    c.check_interval = Duration::from_millis(20);
    c
}

/// Reads the status each "frame" until `pred` holds (failing after the test deadline).
fn status_until(auth: &ShortCodeAuth, what: &str, pred: impl Fn(&AuthStatus) -> bool) -> AuthStatus {
    let deadline = Instant::now() + WAIT;
    loop {
        let st = auth.status();
        if pred(&st) {
            return st;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}; last status {st:?}");
        std::thread::sleep(Duration::from_millis(2)); // one frame
    }
}

fn waiting_code(auth: &ShortCodeAuth) -> (String, String) {
    match status_until(auth, "a code", |s| !matches!(s, AuthStatus::Idle | AuthStatus::Starting)) {
        AuthStatus::Waiting { code, url, .. } => (code, url),
        other => panic!("expected a code, got {other:?}"),
    }
}

fn approved(auth: &ShortCodeAuth) -> Tokens {
    match status_until(auth, "the end of the sign-in", |s| {
        !matches!(s, AuthStatus::Waiting { .. } | AuthStatus::Starting | AuthStatus::Refreshing)
    }) {
        AuthStatus::Approved(t) => t,
        other => panic!("expected tokens, got {other:?}"),
    }
}

#[test]
fn rust_sign_in_approve_refresh_and_use_the_tokens() {
    let s = serve();
    let mut auth = ShortCodeAuth::new(auth_config(&s)).unwrap();
    assert_eq!(auth.status(), AuthStatus::Idle);
    auth.start();
    let (code, url) = waiting_code(&auth);
    assert_eq!(url, format!("{}/go?code={code}", s.m.base_url()));
    answer_code(&s.m.base_url(), &code, "demo-streamer", true);
    let tokens = approved(&auth);
    assert_eq!(tokens.expires_in, 6 * 60 * 60);
    assert!(!tokens.is_stale() && !tokens.is_expired());
    assert!(is_stale_at(tokens.granted_at, tokens.expires_in, tokens.granted_at + 3 * 60 * 60));
    assert!(!format!("{tokens:?}").contains(&tokens.access_token), "secrets stay out of Debug");

    // The game session and the chat connect with the token.
    let mut cfg = config(&s);
    cfg.token = tokens.access_token.clone();
    let mut session = Session::connect(cfg).unwrap();
    wait_state(&mut session, ConnectionState::Connected);
    let mut chat = Chat::connect(ChatConfig::new(s.m.base_url(), 1, Some(tokens.access_token.clone()))).unwrap();
    let deadline = Instant::now() + WAIT;
    let joined = loop {
        assert!(Instant::now() < deadline, "the chat did not join");
        if let Some(ChatEvent::Joined { authenticated, user_id, .. }) = chat.wait(WAIT) {
            break (authenticated, user_id);
        }
    };
    assert_eq!(joined, (true, 1));

    // Refreshing gives new tokens; the old refresh token is spent.
    auth.refresh(&tokens.refresh_token);
    let fresh = approved(&auth);
    assert_ne!(fresh.access_token, tokens.access_token);
    auth.refresh(&tokens.refresh_token);
    match status_until(&auth, "a refusal", |s| !matches!(s, AuthStatus::Refreshing)) {
        AuthStatus::Failed(m) => {
            assert!(m.contains("already used"), "{m}");
            assert!(!m.contains(&tokens.refresh_token), "no secrets in messages");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    auth.cancel();
    assert_eq!(auth.status(), AuthStatus::Idle);
}

#[test]
fn rust_sign_in_denied_expired_and_unreachable() {
    let s = serve();
    let mut auth = ShortCodeAuth::new(auth_config(&s)).unwrap();
    auth.start();
    let (code, _) = waiting_code(&auth);
    answer_code(&s.m.base_url(), &code, "demo-streamer", false);
    assert_eq!(status_until(&auth, "denied", |s| !matches!(s, AuthStatus::Waiting { .. })), AuthStatus::Denied);
    // Starting again gives a new code.
    auth.start();
    let (again, _) = waiting_code(&auth);
    assert_ne!(again, code);

    let quick =
        serve_with(World::demo(), MediatorConfig { shortcode_ttl: Duration::ZERO, ..MediatorConfig::default() });
    let mut auth = ShortCodeAuth::new(auth_config(&quick)).unwrap();
    auth.start();
    let st = status_until(&auth, "expired", |s| {
        !matches!(s, AuthStatus::Idle | AuthStatus::Starting | AuthStatus::Waiting { .. })
    });
    assert_eq!(st, AuthStatus::Expired);

    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let mut auth = ShortCodeAuth::new(AuthConfig::new(url, "x", "")).unwrap();
    auth.start();
    match status_until(&auth, "a failure", |s| !matches!(s, AuthStatus::Starting)) {
        AuthStatus::Failed(m) => assert!(m.starts_with("requesting a code failed"), "{m}"),
        other => panic!("expected a failure, got {other:?}"),
    }
}
