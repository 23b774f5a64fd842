#![cfg(feature = "server")]
//! Viewer accounts over real sockets: sign-up, login, lockout, logout, the tokens working on every
//! socket, one channel per user; and the browser side: the sign-up and login forms, session
//! cookies, CSRF refusals, cross-site refusals, `Origin` checks on cookie-signed websockets, and
//! `/go` never showing a token.
mod common;

use std::time::Duration;

use mixplay::server::world::WorldFile;
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};

use common::client::{serve_with, Served};
use common::connect;
use common::oauth::{field_value, get, post_form, post_json, Browser, Http};

/// The demo world plus a published project (version 2) anyone may run.
fn world() -> World {
    let file: WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "streamer", "token": "demo-streamer", "level": 50 },
            { "id": 2, "username": "viewer1", "token": "demo-viewer-1", "sparks": 1000 }
        ],
        "channels": [ { "id": 1, "owner": 1 } ],
        "projects": [ { "versionId": 1, "owner": 1 }, { "versionId": 2, "owner": 1, "published": true } ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

fn serve() -> Served {
    serve_with(world(), MediatorConfig { signup_sparks: 50, ..MediatorConfig::default() })
}

fn api(s: &Served, path: &str) -> String {
    format!("{}/api/v1{path}", s.m.base_url())
}

fn sign_up(s: &Served, username: &str, password: &str) -> Http {
    post_json(&api(s, "/users"), &json!({ "username": username, "password": password }))
}

fn log_in(s: &Served, username: &str, password: &str) -> Http {
    post_json(&api(s, "/users/login"), &json!({ "username": username, "password": password }))
}

/// `POST url` with a bearer token and no body.
fn post_bearer(url: &str, token: &str) -> Http {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent.post(url).header("Authorization", &format!("Bearer {token}")).send_empty().unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    Http { status, body: serde_json::from_str(&text).unwrap_or(Value::Null), text, headers: Vec::new() }
}

#[test]
fn sign_up_log_in_use_the_token_everywhere_and_log_out() {
    let s = serve();
    let created = sign_up(&s, "New_Viewer", "correct horse");
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["username"], "New_Viewer");
    let id = created.body["id"].as_u64().unwrap();
    // Form bodies work too.
    let form = post_form(&api(&s, "/users"), &[("username", "formed"), ("password", "12345678")]);
    assert_eq!(form.status, 201, "{}", form.text);

    // Taken names (whatever their case) and broken rules, each said in words.
    let taken = sign_up(&s, "new_viewer", "another password");
    assert_eq!(taken.status, 409);
    assert!(taken.body["message"].as_str().unwrap().contains("taken"), "{}", taken.text);
    for (name, password, rule) in
        [("ab", "12345678", "3 to 20"), ("no spaces", "12345678", "3 to 20"), ("shorty", "1234567", "at least 8")]
    {
        let r = sign_up(&s, name, password);
        assert_eq!(r.status, 400, "{name}");
        assert!(r.body["message"].as_str().unwrap().contains(rule), "{}", r.text);
    }

    let login = log_in(&s, "new_viewer", "correct horse");
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!((login.body["id"].as_u64(), login.body["username"].as_str()), (Some(id), Some("New_Viewer")));
    let token = login.body["token"].as_str().unwrap().to_owned();
    assert_eq!(log_in(&s, "new_viewer", "wrong horse!").status, 401);
    assert_eq!(log_in(&s, "nobody_here", "correct horse").status, 401);

    // The account has its own channel and its sign-up sparks.
    let me = get(&api(&s, "/users/current"), Some(&token));
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["sparks"], 50);
    let channel = me.body["channel"]["id"].as_u64().expect("every user owns a channel");
    assert_eq!(me.body["channel"]["userId"].as_u64(), Some(id));

    // The token works on the game-client socket (a published version, on the user's channel),
    // the participant socket, and chat.
    let mut game = s.rt.block_on(common::game_as(&s.m, &token, "2")).open();
    s.rt.block_on(game.event("hello"));
    s.rt.block_on(game.ok("ready", json!({ "isReady": true })));
    let url = format!("ws://{}/participant?channel={channel}&x-protocol-version=2.0&key={token}", s.m.local_addr());
    let mut p = s.rt.block_on(connect(&url, &[])).open();
    let joined = s.rt.block_on(p.event("onParticipantJoin"));
    assert_eq!(joined["participants"][0]["username"], "New_Viewer");
    let chat = get(&api(&s, "/chats/1"), Some(&token));
    assert!(chat.body["authkey"].is_string(), "{}", chat.text);

    // Logging out revokes exactly that token.
    let out = post_bearer(&api(&s, "/users/logout"), &token);
    assert_eq!(out.status, 204, "{}", out.text);
    assert_eq!(get(&api(&s, "/users/current"), Some(&token)).status, 401);
    let url = format!("ws://{}/participant?channel=1&x-protocol-version=2.0&key={token}", s.m.local_addr());
    assert_eq!(common::closed_with(s.rt.block_on(connect(&url, &[]))), 4019);
}

#[test]
fn ten_failed_logins_lock_the_name_out_whatever_the_password() {
    let s = serve_with(
        world(),
        MediatorConfig { login_lockout_window: Duration::from_secs(60), ..MediatorConfig::default() },
    );
    assert_eq!(sign_up(&s, "target", "the real password").status, 201);
    for i in 0..10 {
        assert_eq!(log_in(&s, "target", &format!("guess {i}")).status, 401, "failure {i}");
    }
    let locked = log_in(&s, "TARGET", "the real password");
    assert_eq!(locked.status, 429, "{}", locked.text);
    let wait: u64 = locked.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Other names are not affected.
    assert_eq!(sign_up(&s, "bystander", "a password").status, 201);
    assert_eq!(log_in(&s, "bystander", "a password").status, 200);
}

#[test]
fn sign_up_in_a_browser_then_play_signed_in_by_the_cookie() {
    let s = serve();
    let base = s.m.base_url();
    let mut b = Browser::new(&base);
    let page = b.get("/signup?next=/channel/1");
    assert_eq!(page.status, 200);
    let csrf = field_value(&page.text, "csrf").expect("the form carries a CSRF token");
    assert!(b.cookie("mixplay_csrf").is_some(), "a signed-out browser gets a CSRF cookie");
    assert_eq!(page.header("x-frame-options"), Some("DENY"), "account pages are never framed");

    // Without the token, or from another site, the form is refused.
    let fields = [("username", "cookie_fan"), ("password", "12345678"), ("next", "/channel/1")];
    let refused = b.post_form("/signup", &fields);
    assert_eq!(refused.status, 403, "no CSRF token");
    let mut with_csrf = fields.to_vec();
    with_csrf.push(("csrf", &csrf));
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let cross = agent
        .post(&format!("{base}/signup"))
        .header("Origin", "http://evil.example")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", &format!("mixplay_csrf={}", b.cookie("mixplay_csrf").unwrap()))
        .send(format!("username=cookie_fan&password=12345678&csrf={csrf}"))
        .unwrap();
    assert_eq!(cross.status().as_u16(), 403, "a cross-site POST is refused");
    assert_eq!(log_in(&s, "cookie_fan", "12345678").status, 401, "nothing was created");

    let done = b.post_form("/signup", &with_csrf);
    assert_eq!(done.status, 303, "{}", done.text);
    assert_eq!(done.header("location"), Some("/channel/1"));
    let set = done.headers.iter().find(|(k, v)| k == "set-cookie" && v.starts_with("mixplay_session=")).unwrap();
    assert!(set.1.contains("HttpOnly") && set.1.contains("SameSite=Lax"), "{}", set.1);
    let session = b.cookie("mixplay_session").unwrap().to_owned();

    // The channel page knows who is signed in; REST takes the cookie.
    let channel_page = b.get("/channel/1");
    assert!(channel_page.text.contains("data-username=\"cookie_fan\""), "the page joins as the session's user");
    assert!(!channel_page.text.contains(&session), "the session never appears in a page");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let cookie = format!("mixplay_session={session}");
    let me = agent.get(&api(&s, "/users/current")).header("Cookie", &cookie).call().unwrap();
    assert_eq!(me.status().as_u16(), 200);

    // A participant socket signed in by the cookie: from our own origin only.
    let mut game = s.rt.block_on(common::game_as(&s.m, "demo-streamer", "1")).open();
    s.rt.block_on(game.event("hello"));
    s.rt.block_on(game.ok("ready", json!({ "isReady": true })));
    let url = format!("ws://{}/participant?channel=1&x-protocol-version=2.0", s.m.local_addr());
    let own = format!("http://{}", s.m.local_addr());
    let mut p = s.rt.block_on(connect(&url, &[("Cookie", &cookie), ("Origin", &own)])).open();
    let joined = s.rt.block_on(p.event("onParticipantJoin"));
    assert_eq!(joined["participants"][0]["username"], "cookie_fan");
    let foreign = s.rt.block_on(connect(&url, &[("Cookie", &cookie), ("Origin", "http://evil.example")]));
    assert_eq!(common::http_status(foreign), 403, "a cookie-signed socket from another site is refused");
    // Asking to be anonymous, the cookie is ignored.
    let anon_url = format!("{url}&anonymous=1");
    let mut anon = s.rt.block_on(connect(&anon_url, &[("Cookie", &cookie), ("Origin", &own)])).open();
    assert_eq!(s.rt.block_on(anon.event("onParticipantJoin"))["participants"][0]["anonymous"], true);

    // A cookie-signed API call that changes something needs the page's CSRF token.
    let csrf = field_value(&channel_page.text, "csrf").unwrap();
    let out = agent.post(&api(&s, "/users/logout")).header("Cookie", &cookie).send_empty().unwrap();
    assert_eq!(out.status().as_u16(), 403, "no X-CSRF-Token");
    let out = agent
        .post(&api(&s, "/users/logout"))
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", &csrf)
        .send_empty()
        .unwrap();
    assert_eq!(out.status().as_u16(), 204);
    let me = agent.get(&api(&s, "/users/current")).header("Cookie", &cookie).call().unwrap();
    assert_eq!(me.status().as_u16(), 401, "the session ended");
}

#[test]
fn log_in_and_out_with_the_forms() {
    let s = serve();
    assert_eq!(sign_up(&s, "returning", "my password").status, 201);
    let mut b = Browser::new(&s.m.base_url());
    let page = b.get("/login?next=/channel/1");
    let csrf = field_value(&page.text, "csrf").unwrap();
    let wrong = b.post_form("/login", &[("username", "returning"), ("password", "nope nope"), ("csrf", &csrf)]);
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("Wrong username or password"), "{}", wrong.text);
    assert!(wrong.text.contains("value=\"returning\""), "the name stays filled in");
    let ok = b.post_form(
        "/login",
        &[("username", "returning"), ("password", "my password"), ("csrf", &csrf), ("next", "//evil.example")],
    );
    assert_eq!((ok.status, ok.header("location")), (303, Some("/")), "only local paths are followed");
    let page = b.get("/channel/1");
    assert!(page.text.contains("data-username=\"returning\""));
    // Logging out needs the session's CSRF token (the one the signed-in page carries).
    let stale = b.post_form("/logout", &[("csrf", &csrf)]);
    assert_eq!(stale.status, 403, "the signed-out token does not fit the session");
    let csrf = field_value(&page.text, "csrf").unwrap();
    let out = b.post_form("/logout", &[("csrf", &csrf), ("next", "/channel/1")]);
    assert_eq!((out.status, out.header("location")), (303, Some("/channel/1")));
    assert!(b.cookie("mixplay_session").is_none(), "the cookie is removed");
    assert!(b.get("/channel/1").text.contains("data-username=\"\""));
}

#[test]
fn the_go_page_signs_in_by_password_and_never_shows_a_token() {
    let s = serve();
    assert_eq!(sign_up(&s, "approver", "approve it").status, 201);
    let sc = post_json(&api(&s, "/oauth/shortcode"), &json!({ "client_id": "game", "scope": "chat:chat" }));
    let (code, handle) = (sc.body["code"].as_str().unwrap().to_owned(), sc.body["handle"].as_str().unwrap().to_owned());

    let mut b = Browser::new(&s.m.base_url());
    let page = b.get(&format!("/go?code={code}"));
    let csrf = field_value(&page.text, "csrf").unwrap();
    // Posting without the CSRF token is refused.
    let refused = b.post_form("/go", &[("code", &code), ("username", "approver"), ("password", "approve it")]);
    assert_eq!(refused.status, 403);
    let confirm =
        b.post_form("/go", &[("code", &code), ("username", "approver"), ("password", "approve it"), ("csrf", &csrf)]);
    assert!(confirm.text.contains("<strong id=\"user\">approver</strong>"), "{}", confirm.text);
    let session = b.cookie("mixplay_session").expect("signing in on /go starts a session").to_owned();
    for secret in [session.as_str(), "approve it"] {
        assert!(!confirm.text.contains(secret), "no secret in the page");
    }
    assert!(!confirm.text.contains("name=\"token\""), "no token field on the confirmation");
    // Signed in, /go shows the confirmation straight away.
    let again = b.get(&format!("/go?code={code}"));
    assert!(again.text.contains("name=\"decision\" value=\"approve\""), "{}", again.text);
    // An answer needs the session's token, not the signed-out one.
    let stale = b.post_form("/go", &[("code", &code), ("decision", "approve"), ("csrf", &csrf)]);
    assert_eq!(stale.status, 403);
    let csrf = field_value(&again.text, "csrf").unwrap();
    let done = b.post_form("/go", &[("code", &code), ("decision", "approve"), ("csrf", &csrf)]);
    assert!(done.text.contains("data-result=\"approved\""), "{}", done.text);
    let check = get(&api(&s, &format!("/oauth/shortcode/check/{handle}")), None);
    assert_eq!(check.status, 200);

    // An access key signs in too, and is not written back into the page.
    let sc = post_json(&api(&s, "/oauth/shortcode"), &json!({ "client_id": "game", "scope": "" }));
    let code = sc.body["code"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&s.m.base_url());
    let page = b.get("/go");
    let csrf = field_value(&page.text, "csrf").unwrap();
    let confirm = b.post_form("/go", &[("code", &code), ("token", "demo-viewer-1"), ("csrf", &csrf)]);
    assert!(confirm.text.contains("<strong id=\"user\">viewer1</strong>"), "{}", confirm.text);
    assert!(!confirm.text.contains("demo-viewer-1"), "the key is not in the page: {}", confirm.text);
}
