#![cfg(feature = "server")]
//! Guessing credentials, over real sockets: past a few failures from one address (or at one
//! target from anywhere), every check is refused for a while, whatever the secret: REST answers
//! 429 with `Retry-After`, a websocket handshake too (before the upgrade), the chat's `auth`
//! replies why and closes with 1008. Clients are told apart by `X-Forwarded-For` (loopback is a
//! trusted proxy).
mod common;

use futures_util::{SinkExt, StreamExt};
use mixplay::server::world::WorldFile;
use mixplay::server::{Mediator, MediatorConfig, Rate, World};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use common::client::serve_with;
use common::oauth::{field_value, Http};
use common::WAIT;

/// Three failures per address, four per target, then nothing for a minute.
fn config() -> MediatorConfig {
    MediatorConfig {
        failed_credentials_per_address: Rate::new(3, 60),
        failed_credentials_per_target: Rate::new(4, 60),
        ..MediatorConfig::default()
    }
}

/// User 1 owns version 10 (share code `abc`); users 2 and 3 are others.
fn world() -> World {
    let file: WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "owner", "token": "tok-owner" },
            { "id": 2, "username": "viewer", "token": "tok-viewer" },
            { "id": 3, "username": "stranger", "token": "tok-stranger" }
        ],
        "channels": [ { "id": 1, "owner": 1 }, { "id": 2, "owner": 2 }, { "id": 3, "owner": 3 } ],
        "projects": [ { "versionId": 10, "owner": 1, "shareCode": "abc" } ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

/// A request as the client at `from`, with optional bearer token, cookie and form or JSON body.
fn request(
    method: &str,
    url: &str,
    from: &str,
    bearer: Option<&str>,
    cookie: Option<&str>,
    body: Option<&str>,
) -> Http {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let mut req = ureq::http::Request::builder().method(method).uri(url).header("X-Forwarded-For", from);
    if let Some(t) = bearer {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    if let Some(c) = cookie {
        let origin = url.split("/go").next().unwrap_or_default().to_owned();
        req = req.header("Cookie", c).header("Origin", origin);
    }
    let form = body.is_some_and(|b| !b.starts_with('{'));
    req = req.header("Content-Type", if form { "application/x-www-form-urlencoded" } else { "application/json" });
    let mut r = agent.run(req.body(body.unwrap_or_default().to_owned()).unwrap()).expect("answered");
    let status = r.status().as_u16();
    let headers =
        r.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    Http { status, body: serde_json::from_str(&text).unwrap_or(Value::Null), text, headers }
}

fn retry_after(r: &Http) -> u64 {
    r.header("retry-after").and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("Retry-After: {:?}", r.headers))
}

#[test]
fn rest_credentials_are_limited_per_address() {
    let s = serve_with(world(), config());
    let api = format!("{}/api/v1", s.m.base_url());
    // Bearer tokens.
    let me = format!("{api}/users/current");
    for _ in 0..3 {
        assert_eq!(request("GET", &me, "10.2.0.1", Some("guess"), None, None).status, 401);
    }
    let refused = request("GET", &me, "10.2.0.1", Some("tok-viewer"), None, None);
    assert_eq!(refused.status, 429, "refused whatever the token: {}", refused.text);
    assert!((1..=60).contains(&retry_after(&refused)));
    assert!(refused.body["message"].as_str().unwrap().contains("too many failed sign-in attempts"));
    assert_eq!(request("GET", &me, "10.2.0.2", Some("tok-viewer"), None, None).status, 200, "another address");
    // Passwords, whichever the name.
    let login = format!("{api}/users/login");
    for name in ["owner", "viewer", "nobody"] {
        let body = json!({ "username": name, "password": "wrong password" }).to_string();
        assert_eq!(request("POST", &login, "10.2.1.1", None, None, Some(&body)).status, 401);
    }
    let body = json!({ "username": "someone", "password": "wrong password" }).to_string();
    let refused = request("POST", &login, "10.2.1.1", None, None, Some(&body));
    assert_eq!(refused.status, 429);
    retry_after(&refused);
    // OAuth grants and short-code handles.
    let token = format!("{api}/oauth/token");
    let grant = json!({ "client_id": "app", "grant_type": "authorization_code", "code": "guess" }).to_string();
    for _ in 0..3 {
        assert_eq!(request("POST", &token, "10.2.2.1", None, None, Some(&grant)).status, 400);
    }
    let refused = request("POST", &token, "10.2.2.1", None, None, Some(&grant));
    assert_eq!((refused.status, refused.body["error"].as_str()), (429, Some("slow_down")));
    retry_after(&refused);
    let check = format!("{api}/oauth/shortcode/check/guess");
    for _ in 0..3 {
        assert_eq!(request("GET", &check, "10.2.3.1", None, None, None).status, 404);
    }
    retry_after(&request("GET", &check, "10.2.3.1", None, None, None));
}

#[test]
fn go_posts_are_limited_per_address() {
    let s = serve_with(world(), config());
    let go = format!("{}/go", s.m.base_url());
    let page = request("GET", &go, "10.5.0.1", None, None, None);
    let cookie = page.header("set-cookie").expect("a CSRF cookie").split(';').next().unwrap().to_owned();
    let csrf = field_value(&page.text, "csrf").expect("a CSRF field");
    let post = |fields: &str| request("POST", &go, "10.5.0.1", None, Some(&cookie), Some(fields));
    for _ in 0..3 {
        let r = post(&format!("csrf={csrf}&code=ABCDEF&token=guess"));
        assert_eq!(r.status, 200);
        assert!(r.text.contains("does not sign anyone in"), "{}", r.text);
    }
    let r = post(&format!("csrf={csrf}&code=ABCDEF&token=tok-viewer"));
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.text.contains("Too many wrong codes or sign-ins from your address"), "{}", r.text);
    retry_after(&r);
}

/// How a websocket handshake went.
#[derive(Debug, PartialEq)]
enum Handshake {
    Opened,
    /// Accepted, then closed at once with this code.
    Closed(u16),
    /// Refused before the upgrade: the status and `Retry-After`.
    Refused(u16, Option<String>),
}

/// A websocket handshake as the client at `from`.
async fn handshake(url: &str, from: &str, headers: &[(&str, &str)]) -> Handshake {
    let mut req = url.into_client_request().unwrap();
    for (k, v) in [("X-Forwarded-For", from)].iter().chain(headers) {
        req.headers_mut().insert(
            tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((mut ws, _)) => match tokio::time::timeout(WAIT, ws.next()).await.expect("a first frame") {
            Some(Ok(Message::Close(Some(f)))) => Handshake::Closed(u16::from(f.code)),
            _ => Handshake::Opened,
        },
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Handshake::Refused(
            r.status().as_u16(),
            r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()),
        ),
        Err(e) => panic!("handshake failed: {e}"),
    }
}

fn throttled(h: Handshake) {
    match h {
        Handshake::Refused(429, Some(after)) => assert!(after.parse::<u64>().unwrap() >= 1),
        other => panic!("expected 429 with Retry-After, got {other:?}"),
    }
}

#[tokio::test]
async fn socket_credentials_are_limited_per_address_and_share_codes_per_version() {
    let m = Mediator::start("127.0.0.1:0", world(), config()).await.unwrap();
    let game = format!("ws://{}/gameClient", m.local_addr());
    let version = [("X-Interactive-Version", "10"), ("X-Protocol-Version", "2.0")];
    let game_as = |token: &'static str, share: Option<&'static str>| {
        let mut h = version.to_vec();
        h.push(("Authorization", token));
        if let Some(code) = share {
            h.push(("X-Interactive-Sharecode", code));
        }
        h
    };
    // Game-client tokens.
    for _ in 0..3 {
        assert_eq!(handshake(&game, "10.3.0.1", &game_as("Bearer guess", None)).await, Handshake::Closed(4019));
    }
    throttled(handshake(&game, "10.3.0.1", &game_as("Bearer tok-owner", None)).await);
    // Participant keys.
    let viewer = format!("ws://{}/participant?channel=1&key=guess", m.local_addr());
    for _ in 0..3 {
        assert_eq!(handshake(&viewer, "10.3.1.1", &[]).await, Handshake::Closed(4019));
    }
    throttled(handshake(&viewer, "10.3.1.1", &[]).await);
    // Share codes: four wrong guesses at version 10 from four addresses, then nobody may try,
    // not even with the right code, while its owner (who needs none) still may run it.
    for i in 1..=4 {
        let from = format!("10.3.2.{i}");
        let guess = handshake(&game, &from, &game_as("Bearer tok-stranger", Some("guess"))).await;
        assert_eq!(guess, Handshake::Closed(4020));
    }
    throttled(handshake(&game, "10.3.2.9", &game_as("Bearer tok-stranger", Some("abc"))).await);
    let owner = handshake(&game, "10.3.2.10", &game_as("Bearer tok-owner", None)).await;
    assert_eq!(owner, Handshake::Opened, "the owner's game opens");
}

/// A raw chat socket as the client at `from`, after its welcome.
async fn chat_from(
    m: &Mediator,
    from: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut req = format!("ws://{}/chat", m.local_addr()).into_client_request().unwrap();
    req.headers_mut().insert("X-Forwarded-For", from.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    ws.next().await.unwrap().unwrap(); // the welcome
    ws
}

/// The reply to `auth [1, user, key]`, or the close code if the socket closed instead.
async fn auth(
    ws: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    user: u32,
) -> Value {
    let packet = json!({ "type": "method", "method": "auth", "arguments": [1, user, "guess"], "id": 7 });
    ws.send(Message::text(packet.to_string())).await.unwrap();
    match tokio::time::timeout(WAIT, ws.next()).await.expect("an answer") {
        Some(Ok(Message::Text(t))) => serde_json::from_str(t.as_str()).unwrap(),
        other => panic!("expected the reply, got {other:?}"),
    }
}

#[tokio::test]
async fn chat_authkeys_are_limited_per_address_and_per_user() {
    let m = Mediator::start("127.0.0.1:0", world(), config()).await.unwrap();
    let mut ws = chat_from(&m, "10.4.0.1").await;
    for _ in 0..3 {
        assert_eq!(auth(&mut ws, 2).await["error"], "UNOTFOUND");
    }
    let refused = auth(&mut ws, 2).await;
    assert!(refused["error"].as_str().unwrap().contains("too many failed sign-in attempts"), "{refused}");
    match tokio::time::timeout(WAIT, ws.next()).await.expect("closed") {
        Some(Ok(Message::Close(Some(f)))) => {
            assert_eq!(u16::from(f.code), 1008);
            assert!(f.reason.contains("try again in"), "{}", f.reason);
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    // User 2 has had three wrong guesses; one more from elsewhere, then nobody may guess at them.
    let mut other = chat_from(&m, "10.4.1.1").await;
    assert_eq!(auth(&mut other, 2).await["error"], "UNOTFOUND");
    let mut third = chat_from(&m, "10.4.1.2").await;
    assert!(auth(&mut third, 2).await["error"].as_str().unwrap().contains("too many"));
    let mut fourth = chat_from(&m, "10.4.1.3").await;
    assert_eq!(auth(&mut fourth, 3).await["error"], "UNOTFOUND", "another user's keys are a separate target");
}
