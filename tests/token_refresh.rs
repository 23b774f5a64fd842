#![cfg(feature = "server")]
//! Tokens that outlive a stream, from Rust: a session and a chat signed in by short code refresh
//! their token by themselves (sharing one refresh), keep playing across a mediator restart after
//! the token expired, refresh a token the service refuses at a reconnection, stop with 4019 and
//! say why when the refresh token itself is refused, and use a token the game swapped in.
mod common;

use std::time::{Duration, Instant};

use common::client::{reply_for, serve_with, wait_for, wait_state, Served};
use common::oauth::answer_code;
use common::WAIT;
use mixplay::auth::{unix_now, AuthConfig, AuthStatus, ShortCodeAuth, TokenRefresh, Tokens, UserStatus};
use mixplay::chat::{Chat, ChatConfig, ChatEvent};
use mixplay::client::{Config, ConnectionState, Endpoints, Event, ReconnectPolicy, Session};
use mixplay::server::{MediatorConfig, World};
use serde_json::json;

const CLIENT_ID: &str = "refresh-tests";

fn serve_ttl(ttl: Duration) -> Served {
    serve_with(World::demo(), MediatorConfig { access_token_ttl: ttl, ..MediatorConfig::default() })
}

/// Quick retries, so a restart costs the test little time.
fn quick() -> ReconnectPolicy {
    ReconnectPolicy {
        initial_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(500),
        ..ReconnectPolicy::default()
    }
}

/// The streamer signs in by short code, approved through `/go`.
fn sign_in(s: &Served) -> Tokens {
    let mut config = AuthConfig::new(s.m.base_url(), CLIENT_ID, "interactive:robot:self chat:connect chat:chat");
    config.check_interval = Duration::from_millis(20);
    let mut auth = ShortCodeAuth::new(config).unwrap();
    auth.start();
    let deadline = Instant::now() + WAIT;
    let mut answered = false;
    loop {
        assert!(Instant::now() < deadline, "the sign-in did not end: {:?}", auth.status());
        match auth.status() {
            AuthStatus::Waiting { code, .. } if !answered => {
                answer_code(&s.m.base_url(), &code, "demo-streamer", true);
                answered = true;
            }
            AuthStatus::Approved(tokens) => return tokens,
            AuthStatus::Waiting { .. } => {}
            AuthStatus::Idle | AuthStatus::Starting => {}
            other => panic!("the sign-in failed: {other:?}"),
        }
        std::thread::sleep(Duration::from_millis(5)); // one frame
    }
}

fn refresh_of(s: &Served, tokens: &Tokens) -> TokenRefresh {
    TokenRefresh {
        base_url: s.m.base_url(),
        client_id: CLIENT_ID.into(),
        client_secret: None,
        refresh_token: tokens.refresh_token.clone(),
        expires_in: tokens.expires_in,
        granted_at: tokens.granted_at,
    }
}

fn session_config(s: &Served, token: &str) -> Config {
    let mut c = Config::new(Endpoints::Discover(s.m.hosts_url()), token, 1);
    c.reconnect = quick();
    c
}

fn chat_wait(chat: &mut Chat, what: &str, mut pred: impl FnMut(&ChatEvent) -> bool) -> ChatEvent {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for {what}");
        if let Some(e) = chat.wait(left) {
            if pred(&e) {
                return e;
            }
        }
    }
}

fn new_tokens(session: &mut Session) -> Tokens {
    match wait_for(session, "new tokens", |e| matches!(e, Event::Tokens(_))) {
        Event::Tokens(Ok(t)) => t,
        other => panic!("expected new tokens, got {other:?}"),
    }
}

/// Makes the `jump` button, says ready, joins a viewer who presses it, and checks the press.
fn play(s: &Served, game: &mut Session) {
    let id = game.create_controls("default", json!([{"controlID": "jump", "kind": "button"}])).unwrap();
    reply_for(game, id).unwrap();
    let id = game.ready(true).unwrap();
    reply_for(game, id).unwrap();
    let mut viewer = s.rt.block_on(common::participant(&s.m, Some("demo-viewer-1"))).open();
    s.rt.block_on(viewer.ok("giveInput", json!({"controlID": "jump", "event": "mousedown", "button": 0})));
    match wait_for(game, "the press", |e| matches!(e, Event::Input(_))) {
        Event::Input(input) => assert_eq!(&*input.control, "jump"),
        _ => unreachable!(),
    }
    s.rt.block_on(viewer.close());
}

/// Waits until the token granted at `granted_at` for `expires_in` seconds has expired.
fn outlive(granted_at: i64, expires_in: u64) {
    let expired_at = granted_at + expires_in as i64 + 1;
    while unix_now() < expired_at {
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn session_and_chat_keep_going_across_a_restart_after_the_token_expired() {
    let s = serve_ttl(Duration::from_secs(3));
    let tokens = sign_in(&s);
    assert_eq!(tokens.expires_in, 3);

    // Who signed in, and which channel is theirs.
    let mut auth = ShortCodeAuth::new(AuthConfig::new(s.m.base_url(), CLIENT_ID, "")).unwrap();
    auth.fetch_user(&tokens.access_token);
    let deadline = Instant::now() + WAIT;
    let me = loop {
        match auth.user() {
            UserStatus::Found(u) => break u,
            UserStatus::Failed(m) => panic!("{m}"),
            _ => assert!(Instant::now() < deadline, "no user"),
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!((me.id, me.username.as_str(), me.channel_id), (1, "streamer", Some(1)));
    auth.fetch_user("not-a-token");
    let deadline = Instant::now() + WAIT;
    while !matches!(auth.user(), UserStatus::Failed(_)) {
        assert!(Instant::now() < deadline, "a bad token was not refused: {:?}", auth.user());
        std::thread::sleep(Duration::from_millis(5));
    }

    let mut config = session_config(&s, &tokens.access_token);
    config.refresh = Some(refresh_of(&s, &tokens));
    let mut game = Session::connect(config).unwrap();
    let early = common::client::until(&mut game, "connected", |e| {
        matches!(e, Event::Connection { state: ConnectionState::Connected, .. })
    });
    // The chat of the user's own channel, with the same refresh token: one refresh serves both.
    let mut chat_config = ChatConfig::new(s.m.base_url(), 0, Some(tokens.access_token.clone()));
    chat_config.refresh = Some(refresh_of(&s, &tokens));
    chat_config.reconnect = quick();
    let mut chat = Chat::connect(chat_config).unwrap();
    chat_wait(&mut chat, "joined", |e| matches!(e, ChatEvent::Joined { channel_id: 1, .. }));

    // Half the lifetime in, the tokens are refreshed, and both hear of the same new pair.
    let refreshed = match early.into_iter().find(|e| matches!(e, Event::Tokens(_))) {
        Some(Event::Tokens(Ok(t))) => t,
        _ => new_tokens(&mut game),
    };
    assert_ne!(refreshed.access_token, tokens.access_token);
    assert_ne!(refreshed.refresh_token, tokens.refresh_token);
    match chat_wait(&mut chat, "new tokens", |e| matches!(e, ChatEvent::Tokens(_))) {
        ChatEvent::Tokens(Ok(t)) => assert_eq!(t, refreshed, "one refresh for both"),
        other => panic!("{other:?}"),
    }
    assert!(!format!("{refreshed:?}").contains(&refreshed.access_token));

    // The service goes away until every token it issued so far has expired, then comes back
    // (keeping its token store).
    let stopped = s.stop();
    wait_state(&mut game, ConnectionState::Reconnecting);
    chat_wait(&mut chat, "reconnecting", |e| {
        matches!(e, ChatEvent::Connection { state: ConnectionState::Reconnecting, .. })
    });
    outlive(unix_now(), 3);
    let s = stopped.restart();

    // Both come back with a fresh token instead of stopping with 4019.
    let events = common::client::until(&mut game, "connected again", |e| {
        matches!(e, Event::Connection { state: ConnectionState::Connected | ConnectionState::Disconnected, .. })
    });
    assert!(
        matches!(events.last(), Some(Event::Connection { state: ConnectionState::Connected, .. })),
        "the session stopped: {events:?}"
    );
    play(&s, &mut game);
    chat_wait(&mut chat, "joined again", |e| matches!(e, ChatEvent::Joined { authenticated: true, user_id: 1, .. }));
    let id = chat.send_message("still streaming").unwrap();
    match chat_wait(&mut chat, "the reply", |e| matches!(e, ChatEvent::Reply(r) if r.request_id == id)) {
        ChatEvent::Reply(r) => assert!(r.result.is_ok(), "{r:?}"),
        _ => unreachable!(),
    }
}

/// The service refuses a token the game thought still good (its lifetime was given longer than
/// the service's): the reconnection refreshes it and carries on.
#[test]
fn a_token_refused_at_a_reconnection_is_refreshed() {
    let s = serve_ttl(Duration::from_secs(2));
    let tokens = sign_in(&s);
    let mut refresh = refresh_of(&s, &tokens);
    refresh.expires_in = 3600;
    let mut config = session_config(&s, &tokens.access_token);
    config.refresh = Some(refresh);
    let mut game = Session::connect(config).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    outlive(tokens.granted_at, 2);
    s.m.close_game_clients(1012, "restarting");
    let events = common::client::until(&mut game, "connected again", |e| {
        matches!(e, Event::Connection { state: ConnectionState::Connected | ConnectionState::Disconnected, .. })
    });
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Connection { code: Some(4019), state: ConnectionState::Reconnecting, .. })),
        "the refusal is reported: {events:?}"
    );
    assert!(events.iter().any(|e| matches!(e, Event::Tokens(Ok(_)))), "new tokens: {events:?}");
    assert!(matches!(events.last(), Some(Event::Connection { state: ConnectionState::Connected, .. })), "{events:?}");
    play(&s, &mut game);
}

/// A refresh token the service refuses: the game hears why, and the next reconnection after
/// expiry stops with 4019 instead of retrying forever.
#[test]
fn a_refused_refresh_token_stops_with_4019() {
    // Four seconds: the session counts a token as expired a quarter of its lifetime early, from
    // the whole second it was granted in, so a shorter one could count as expired before the
    // first connection (which then stops at once, refused, and is never up).
    let s = serve_ttl(Duration::from_secs(4));
    let tokens = sign_in(&s);
    let mut refresh = refresh_of(&s, &tokens);
    refresh.refresh_token = "spent-or-forged".into();
    let mut config = session_config(&s, &tokens.access_token);
    config.refresh = Some(refresh);
    let mut game = Session::connect(config).unwrap();
    // The refresh may be refused before or after the connection is up.
    let mut seen = common::client::until(&mut game, "connected", |e| {
        matches!(e, Event::Connection { state: ConnectionState::Connected, .. })
    });
    if !seen.iter().any(|e| matches!(e, Event::Tokens(_))) {
        seen.push(wait_for(&mut game, "the refusal", |e| matches!(e, Event::Tokens(_))));
    }
    match seen.into_iter().find(|e| matches!(e, Event::Tokens(_))).unwrap() {
        Event::Tokens(Err(why)) => {
            assert!(why.contains("refreshing the token failed"), "{why}");
            assert!(!why.contains("spent-or-forged"), "no secrets in messages");
        }
        other => panic!("{other:?}"),
    }
    outlive(tokens.granted_at, 4);
    s.m.close_game_clients(1012, "restarting");
    match wait_for(&mut game, "the stop", |e| {
        matches!(e, Event::Connection { state: ConnectionState::Disconnected, .. })
    }) {
        Event::Connection { code, message, .. } => {
            assert_eq!(code, Some(4019), "{message}");
            assert!(message.contains("expired"), "{message}");
        }
        _ => unreachable!(),
    }
}

/// `set_token` takes effect at the next reconnection, for a session and a chat.
#[test]
fn swapped_tokens_are_used_at_the_next_reconnection() {
    let s = serve_ttl(Duration::from_secs(2));
    let tokens = sign_in(&s);
    let mut game = Session::connect(session_config(&s, &tokens.access_token)).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    assert!(game.set_token("").is_err(), "an empty token is refused");
    // The signed-in token has expired, but the game swapped in one that works.
    outlive(tokens.granted_at, 2);
    game.set_token("demo-streamer").unwrap();
    s.m.close_game_clients(1012, "restarting");
    wait_state(&mut game, ConnectionState::Reconnecting);
    wait_state(&mut game, ConnectionState::Connected);
    play(&s, &mut game);
    // A token that does not work stops the next reconnection with 4019 (nothing to refresh).
    game.set_token("nobody").unwrap();
    s.m.close_game_clients(1012, "restarting");
    match wait_for(&mut game, "the stop", |e| {
        matches!(e, Event::Connection { state: ConnectionState::Disconnected, .. })
    }) {
        Event::Connection { code, .. } => assert_eq!(code, Some(4019)),
        _ => unreachable!(),
    }

    // A viewer's chat becomes the streamer's at its next connection.
    let mut c = ChatConfig::new(s.m.base_url(), 1, Some("demo-viewer-1".into()));
    c.reconnect = quick();
    let mut chat = Chat::connect(c).unwrap();
    chat_wait(&mut chat, "joined", |e| matches!(e, ChatEvent::Joined { user_id: 2, .. }));
    chat.set_token("demo-streamer").unwrap();
    let stopped = s.stop();
    chat_wait(&mut chat, "reconnecting", |e| {
        matches!(e, ChatEvent::Connection { state: ConnectionState::Reconnecting, .. })
    });
    let _s = stopped.restart();
    chat_wait(&mut chat, "joined as the streamer", |e| matches!(e, ChatEvent::Joined { user_id: 1, .. }));
}
