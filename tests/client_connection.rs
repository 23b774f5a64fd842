//! The connection side of the session engine against the real mediator over real sockets: TLS,
//! handshake failures, endpoint fallback, reconnection, compression and the service clock.
#![cfg(feature = "server")]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::client::*;
use mixplay::client::{Config, ConnectionState, Endpoints, Event, LocalError, Session, SessionId, TlsRoots};
use mixplay::protocol::{Decoder, Scheme};
use mixplay::server::{MediatorConfig, World};
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

// ----- helpers -----

/// Everything the server side of each proxied connection sent, one byte log per connection.
type Recording = Arc<Mutex<Vec<Vec<u8>>>>;

/// A listener on a free local port, for a proxy started later.
fn free_listener() -> std::net::TcpListener {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    listener
}

/// Accepts connections on `listener` and pipes each to `target`: through TLS when `tls` is
/// given; recording what the target sends when `record` is given.
fn spawn_proxy(
    rt: &tokio::runtime::Runtime,
    listener: std::net::TcpListener,
    target: SocketAddr,
    tls: Option<TlsAcceptor>,
    record: Option<Recording>,
) {
    let _entered = rt.enter();
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    rt.spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            let tls = tls.clone();
            let record = record.clone();
            tokio::spawn(async move {
                let Ok(outbound) = TcpStream::connect(target).await else { return };
                match tls {
                    Some(acceptor) => {
                        let Ok(stream) = acceptor.accept(inbound).await else { return };
                        pipe(stream, outbound, record).await;
                    }
                    None => pipe(inbound, outbound, record).await,
                }
            });
        }
    });
}

async fn pipe<C: AsyncRead + AsyncWrite + Unpin>(mut client: C, mut server: TcpStream, record: Option<Recording>) {
    let Some(log) = record else {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        return;
    };
    let index = {
        let mut l = log.lock();
        l.push(Vec::new());
        l.len() - 1
    };
    let (mut client_read, mut client_write) = tokio::io::split(client);
    let (mut server_read, mut server_write) = server.into_split();
    let up = async {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    };
    let down = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            // Recorded before it is forwarded: whatever the session has seen is in the log.
            log.lock()[index].extend_from_slice(&buf[..n]);
            if client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(up, down);
}

/// The websocket messages in a server's byte stream (after the HTTP upgrade response), as
/// (opcode, payload); fragments are joined into their message.
fn server_messages(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let start = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("an upgrade response") + 4;
    let mut rest = &bytes[start..];
    let mut messages: Vec<(u8, Vec<u8>)> = Vec::new();
    while rest.len() >= 2 {
        let opcode = rest[0] & 0x0f;
        assert_eq!(rest[1] & 0x80, 0, "server frames are not masked");
        let (len, header) = match rest[1] & 0x7f {
            126 if rest.len() >= 4 => (u16::from_be_bytes([rest[2], rest[3]]) as usize, 4),
            127 if rest.len() >= 10 => (u64::from_be_bytes(rest[2..10].try_into().unwrap()) as usize, 10),
            126 | 127 => break,
            n => (n as usize, 2),
        };
        if rest.len() < header + len {
            break;
        }
        let payload = rest[header..header + len].to_vec();
        match (opcode, messages.last_mut()) {
            (0, Some(last)) => last.1.extend_from_slice(&payload),
            _ => messages.push((opcode, payload)),
        }
        rest = &rest[header + len..];
    }
    messages
}

/// A self-signed certificate for `localhost` and 127.0.0.1: its PEM, and a TLS acceptor using it.
fn self_signed() -> (Vec<u8>, TlsAcceptor) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    let pem = certified.cert.pem().into_bytes();
    let cert: CertificateDer<'static> = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    (pem, TlsAcceptor::from(Arc::new(config)))
}

/// A mediator behind a local TLS terminator that it advertises as `https://localhost:PORT`.
struct TlsServed {
    s: Served,
    port: u16,
    cert_pem: Vec<u8>,
}

fn serve_tls() -> TlsServed {
    let listener = free_listener();
    let port = listener.local_addr().unwrap().port();
    let config = MediatorConfig { public_url: Some(format!("https://localhost:{port}")), ..Default::default() };
    let s = serve_with(World::demo(), config);
    let (cert_pem, acceptor) = self_signed();
    spawn_proxy(&s.rt, listener, s.m.local_addr(), Some(acceptor), None);
    TlsServed { s, port, cert_pem }
}

/// Settings that reconnect quickly, for tests that lose the connection.
fn fast_reconnect(mut c: Config) -> Config {
    c.reconnect.initial_delay = Duration::from_millis(50);
    c.reconnect.max_delay = Duration::from_millis(500);
    c
}

/// Every event until the session reports `state`, that one included.
fn events_until(session: &mut Session, state: ConnectionState) -> Vec<Event> {
    let mut seen = Vec::new();
    wait_for(session, &format!("{state:?}"), |e| {
        seen.push(e.clone());
        matches!(e, Event::Connection { state: s, .. } if *s == state)
    });
    seen
}

/// The connection states among `events`, in order, with their codes.
fn states(events: &[Event]) -> Vec<(ConnectionState, Option<u16>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Connection { state, code, .. } => Some((*state, *code)),
            _ => None,
        })
        .collect()
}

/// The `(code, message)` of the last connection event of `events`.
fn last_status(events: &[Event]) -> (Option<u16>, String) {
    match events.last() {
        Some(Event::Connection { code, message, .. }) => (*code, message.clone()),
        other => panic!("expected a connection event, got {other:?}"),
    }
}

/// Checks that a session stopped for good: calls are refused locally with `NotConnected`.
fn assert_stopped(game: &mut Session) {
    assert_eq!(game.connection_state(), ConnectionState::Disconnected);
    let id = game.get_time().unwrap();
    let e = reply_for(game, id).expect_err("a stopped session refuses requests");
    assert_eq!(e.code, LocalError::NotConnected as u32, "{e:?}");
}

/// Makes a button `jump` in the default scene and goes ready.
fn jump_and_ready(game: &mut Session) {
    let id = game.create_controls("default", json!([{"controlID": "jump", "kind": "button", "text": "Jump"}])).unwrap();
    reply_for(game, id).unwrap();
    let id = game.ready(true).unwrap();
    wait_for(game, "ready", |e| matches!(e, Event::Ready(true)));
    reply_for(game, id).unwrap();
}

/// Joins a viewer with `key` and waits until the game has seen it.
fn join_viewer(s: &Served, game: &mut Session, key: &str) -> (common::Conn, SessionId) {
    let viewer = s.rt.block_on(common::participant(&s.m, Some(key))).open();
    match wait_for(game, "a participant join", |e| matches!(e, Event::ParticipantJoined(_))) {
        Event::ParticipantJoined(who) => (viewer, who),
        _ => unreachable!(),
    }
}

/// The scenes (with their control ids) and group ids the service holds, asked through `game`.
fn service_state(game: &mut Session) -> (BTreeMap<String, Vec<String>>, BTreeSet<String>) {
    let id = game.call("getScenes", Value::Null).unwrap();
    let scenes: Value = serde_json::from_str(&reply_for(game, id).unwrap()).unwrap();
    let id = game.call("getGroups", Value::Null).unwrap();
    let groups: Value = serde_json::from_str(&reply_for(game, id).unwrap()).unwrap();
    let scenes = scenes["scenes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let controls = s["controls"]
                .as_array()
                .map(|c| c.iter().map(|c| c["controlID"].as_str().unwrap().to_owned()).collect());
            (s["sceneID"].as_str().unwrap().to_owned(), controls.unwrap_or_default())
        })
        .collect();
    let groups =
        groups["groups"].as_array().unwrap().iter().map(|g| g["groupID"].as_str().unwrap().to_owned()).collect();
    (scenes, groups)
}

/// The same, from the session's cache.
fn cached_state(game: &Session) -> (BTreeMap<String, Vec<String>>, BTreeSet<String>) {
    let scenes = game.state().scenes.iter().map(|(id, s)| (id.clone(), s.controls.keys().cloned().collect())).collect();
    (scenes, game.state().groups.keys().cloned().collect())
}

// ----- TLS -----

#[test]
fn https_discovery_and_wss_with_a_pinned_certificate() {
    let t = serve_tls();
    let hosts = format!("https://localhost:{}/api/v1/interactive/hosts", t.port);
    let mut c = Config::new(Endpoints::Discover(hosts), "demo-streamer", 1);
    c.tls = TlsRoots::Pem(t.cert_pem.clone());
    let mut game = Session::connect(c).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    assert!(game.state().scenes.contains_key("default"));
    assert!(game.state().groups.contains_key("default"));
    let id = game.get_time().unwrap();
    reply_for(&mut game, id).unwrap();

    // The channel endpoint advertises the participant socket behind TLS too.
    let url = format!("{}/api/v1/interactive/1", t.s.m.base_url());
    let channel: Value = ureq::get(&url).call().unwrap().body_mut().read_json().unwrap();
    assert_eq!(channel["address"], json!(format!("wss://localhost:{}/participant?channel=1", t.port)));
    let url = t.s.m.hosts_url();
    let hosts: Value = ureq::get(&url).call().unwrap().body_mut().read_json().unwrap();
    assert_eq!(hosts, json!([{ "address": format!("wss://localhost:{}/gameClient", t.port) }]));
}

#[test]
fn fixed_wss_endpoint_with_a_pinned_certificate() {
    let t = serve_tls();
    let url = format!("wss://localhost:{}/gameClient", t.port);
    let mut c = Config::new(Endpoints::Fixed(vec![url]), "demo-streamer", 1);
    c.tls = TlsRoots::SystemAndPem(t.cert_pem.clone());
    let mut game = Session::connect(c).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    let id = game.create_controls("default", json!([{"controlID": "a", "kind": "button"}])).unwrap();
    reply_for(&mut game, id).unwrap();
    assert!(game.state().control("default", "a").is_some());
}

#[test]
fn untrusted_certificates_are_refused() {
    let t = serve_tls();
    let discover = Endpoints::Discover(format!("https://localhost:{}/api/v1/interactive/hosts", t.port));
    let fixed = Endpoints::Fixed(vec![format!("wss://localhost:{}/gameClient", t.port)]);
    for endpoints in [discover, fixed] {
        let mut c = Config::new(endpoints.clone(), "demo-streamer", 1);
        c.tls = TlsRoots::System;
        c.reconnect.enabled = false;
        let mut game = Session::connect(c).unwrap();
        let events = events_until(&mut game, ConnectionState::Disconnected);
        assert_eq!(
            states(&events),
            vec![(ConnectionState::Connecting, None), (ConnectionState::Disconnected, None)],
            "{endpoints:?}"
        );
        let (_, message) = last_status(&events);
        let lower = message.to_lowercase();
        assert!(lower.contains("certificate") || lower.contains("tls"), "{endpoints:?}: {message}");
        assert_stopped(&mut game);
    }
}

// ----- handshake failures -----

#[test]
fn handshake_failures_are_fatal_and_carry_their_code() {
    let s = serve();
    for (token, version, code) in [("not-a-token", 1, 4019), ("demo-streamer", 999, 4020)] {
        let mut c = config(&s);
        c.token = token.into();
        c.version_id = version;
        let mut game = Session::connect(fast_reconnect(c)).unwrap();
        let events = events_until(&mut game, ConnectionState::Disconnected);
        assert_eq!(
            states(&events),
            vec![(ConnectionState::Connecting, None), (ConnectionState::Disconnected, Some(code))],
            "no retry after {code}"
        );
        assert!(last_status(&events).1.contains(&code.to_string()));
        assert_stopped(&mut game);
    }

    let mut first = connected(&s);
    let mut second = Session::connect(fast_reconnect(config(&s))).unwrap();
    let events = events_until(&mut second, ConnectionState::Disconnected);
    assert_eq!(
        states(&events),
        vec![(ConnectionState::Connecting, None), (ConnectionState::Disconnected, Some(4021))],
        "no retry after 4021"
    );
    assert_stopped(&mut second);
    // The first session is untouched.
    let id = first.get_time().unwrap();
    reply_for(&mut first, id).unwrap();
    assert_eq!(first.connection_state(), ConnectionState::Connected);
}

// ----- endpoints -----

#[test]
fn falls_back_to_the_next_fixed_endpoint() {
    let s = serve();
    // A port that is bound but not listening refuses connections, and nobody else can take it.
    let dead = tokio::net::TcpSocket::new_v4().unwrap();
    dead.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let dead_url = format!("ws://{}/gameClient", dead.local_addr().unwrap());
    let good_url = format!("ws://{}/gameClient", s.m.local_addr());
    let c = Config::new(Endpoints::Fixed(vec![dead_url, good_url]), "demo-streamer", 1);
    let mut game = Session::connect(c).unwrap();
    let events = events_until(&mut game, ConnectionState::Connected);
    assert_eq!(
        states(&events),
        vec![(ConnectionState::Connecting, None), (ConnectionState::Connected, None)],
        "the dead endpoint is skipped within one attempt"
    );
    jump_and_ready(&mut game);
}

#[test]
fn handshake_values_in_the_query() {
    let s = serve();
    let mut c = config(&s);
    c.handshake_in_query = true;
    let mut game = Session::connect(c).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    jump_and_ready(&mut game);

    // The query is checked like the headers: a bad token there is still 4019.
    let mut c = config(&s);
    c.handshake_in_query = true;
    c.token = "not-a-token".into();
    let mut bad = Session::connect(c).unwrap();
    let events = events_until(&mut bad, ConnectionState::Disconnected);
    assert_eq!(last_status(&events).0, Some(4019));
}

// ----- reconnection -----

#[test]
fn reconnects_after_1012_and_resynchronises() {
    let s = serve();
    let mut game = Session::connect(fast_reconnect(config(&s))).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    jump_and_ready(&mut game);
    let (_viewer, who) = join_viewer(&s, &mut game, "demo-viewer-1");

    s.m.close_game_clients(1012, "restart");
    // The viewer's leave may still reach the game before the close; either way the game hears
    // of it once.
    let mut events = events_until(&mut game, ConnectionState::Reconnecting);
    events.extend(events_until(&mut game, ConnectionState::Connected));
    let seen = states(&events);
    assert_eq!(seen[0], (ConnectionState::Reconnecting, Some(1012)), "{seen:?}");
    assert_eq!(&seen[seen.len() - 2..], [(ConnectionState::Connecting, None), (ConnectionState::Connected, None)]);
    assert!(!seen.contains(&(ConnectionState::Disconnected, None)));

    // The mediator started the channel afresh: the game is told what it lost.
    assert!(events.contains(&Event::ControlDeleted { scene: "default".into(), control: "jump".into() }), "{events:?}");
    let left = |e: &Event| matches!(e, Event::ParticipantLeft { participant, .. } if *participant == who);
    assert_eq!(events.iter().filter(|e| left(e)).count(), 1, "{events:?}");
    assert!(game.state().control("default", "jump").is_none());
    assert!(game.state().participants.is_empty());
    assert!(!game.state().ready);
    assert_eq!(cached_state(&game), service_state(&mut game), "the cache matches the service");

    // And the new connection works.
    jump_and_ready(&mut game);
    assert_eq!(cached_state(&game), service_state(&mut game));
}

#[test]
fn reconnects_to_a_restarted_mediator() {
    let s = serve();
    let mut game = Session::connect(fast_reconnect(config(&s))).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    jump_and_ready(&mut game);
    let (_old_viewer, old) = join_viewer(&s, &mut game, "demo-viewer-1");

    let stopped = s.stop();
    let mut events = events_until(&mut game, ConnectionState::Reconnecting);
    assert_eq!(last_status(&events).0, Some(1012));
    let s = stopped.restart();
    events.extend(events_until(&mut game, ConnectionState::Connected));
    // The viewer's leave may reach the game before the close, or else through the re-sync.
    let left = |e: &Event| matches!(e, Event::ParticipantLeft { participant, .. } if *participant == old);
    assert_eq!(events.iter().filter(|e| left(e)).count(), 1, "{events:?}");
    assert!(game.state().participants.is_empty());
    assert!(game.state().control("default", "jump").is_none());

    jump_and_ready(&mut game);
    let (_new_viewer, new) = join_viewer(&s, &mut game, "demo-viewer-2");
    let ids: Vec<SessionId> = game.state().participants.ids().collect();
    assert_eq!(ids, vec![new.clone()]);
    assert_eq!(game.state().participants.get(&new).unwrap().username, "viewer2");
    assert_eq!(cached_state(&game), service_state(&mut game));
}

#[test]
fn requests_while_reconnecting_fail_at_once() {
    let s = serve();
    let mut c = config(&s);
    // Long enough that the request below is answered while the session waits to retry.
    c.reconnect.initial_delay = Duration::from_secs(3);
    c.reconnect.max_delay = Duration::from_secs(3);
    let mut game = Session::connect(c).unwrap();
    wait_state(&mut game, ConnectionState::Connected);

    s.m.close_game_clients(1012, "restart");
    wait_state(&mut game, ConnectionState::Reconnecting);
    assert_eq!(game.connection_state(), ConnectionState::Reconnecting);
    let id = game.get_time().unwrap();
    let reply = wait_for(&mut game, "the refusal", |e| match e {
        Event::Reply(r) => r.request_id == id,
        Event::Connection { .. } => panic!("the request waited for the next attempt: {e:?}"),
        _ => false,
    });
    let Event::Reply(reply) = reply else { unreachable!() };
    let error = reply.result.expect_err("refused while reconnecting");
    assert_eq!(error.code, LocalError::NotConnected as u32, "{error:?}");

    wait_state(&mut game, ConnectionState::Connected);
    let id = game.get_time().unwrap();
    reply_for(&mut game, id).unwrap();
}

#[test]
fn gives_up_after_max_attempts() {
    let s = serve();
    let mut c = fast_reconnect(config(&s));
    c.reconnect.max_attempts = Some(2);
    let mut game = Session::connect(c).unwrap();
    wait_state(&mut game, ConnectionState::Connected);

    let _stopped = s.stop();
    let events = events_until(&mut game, ConnectionState::Disconnected);
    let seen = states(&events);
    assert_eq!(
        seen,
        vec![
            (ConnectionState::Reconnecting, Some(1012)),
            (ConnectionState::Connecting, None),
            (ConnectionState::Reconnecting, None),
            (ConnectionState::Connecting, None),
            (ConnectionState::Disconnected, None),
        ]
    );
    assert!(!last_status(&events).1.is_empty(), "the last failure is reported");
    assert_stopped(&mut game);
}

// ----- compression -----

/// Plays through a recording proxy with `schemes`, then checks what the mediator sent.
fn plays_with_compression(schemes: Vec<Scheme>, expected: Scheme) {
    let s = serve();
    let listener = free_listener();
    let url = format!("ws://{}/gameClient", listener.local_addr().unwrap());
    let record = Recording::default();
    spawn_proxy(&s.rt, listener, s.m.local_addr(), None, Some(record.clone()));
    let mut c = Config::new(Endpoints::Fixed(vec![url]), "demo-streamer", 1);
    c.compression = schemes;
    let mut game = Session::connect(c).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    jump_and_ready(&mut game);
    let (mut viewer, who) = join_viewer(&s, &mut game, "demo-viewer-1");
    s.rt.block_on(viewer.ok("giveInput", json!({"controlID": "jump", "event": "mousedown", "button": 0})));
    let Event::Input(input) = wait_for(&mut game, "input", |e| matches!(e, Event::Input(_))) else { unreachable!() };
    assert_eq!((&*input.control, &input.participant), ("jump", &who));
    let id = game.set_text("jump", "Jumped").unwrap();
    game.end_frame();
    reply_for(&mut game, id).unwrap();
    assert_eq!(game.state().control("default", "jump").unwrap()["text"], json!("Jumped"));

    let logs = record.lock().clone();
    assert_eq!(logs.len(), 1, "one connection");
    let messages = server_messages(&logs[0]);
    // The negotiation's reply is plain text; everything after it uses the chosen scheme.
    let negotiated = messages.iter().position(|(op, payload)| {
        *op == 1 && serde_json::from_slice::<Value>(payload).is_ok_and(|v| v["result"]["scheme"].is_string())
    });
    let binary: Vec<&Vec<u8>> = messages.iter().filter(|(op, _)| *op == 2).map(|(_, p)| p).collect();
    if expected == Scheme::None {
        assert!(negotiated.is_none(), "no setCompression without preferences");
        assert!(binary.is_empty());
        assert!(messages.iter().any(|(op, p)| *op == 1 && String::from_utf8_lossy(p).contains("giveInput")));
        return;
    }
    let at = negotiated.expect("a setCompression reply");
    let reply: Value = serde_json::from_slice(&messages[at].1).unwrap();
    assert_eq!(reply["result"]["scheme"], json!(expected.name()));
    let after = &messages[at + 1..];
    assert!(after.iter().all(|(op, _)| *op != 1), "no text frames after the switch");
    // Each compressed frame is a varint length, then the scheme's stream; it opens with its magic.
    let first = binary.first().expect("compressed frames");
    let skip = first.iter().position(|b| b & 0x80 == 0).unwrap() + 1;
    let magic: &[u8] = if expected == Scheme::Gzip { &[0x1f, 0x8b] } else { &[0x04, 0x22, 0x4d, 0x18] };
    assert!(first[skip..].starts_with(magic), "{expected:?} stream: {:02x?}", &first[..first.len().min(8)]);
    let mut decoder = Decoder::new(expected);
    let text: String = binary.iter().map(|b| decoder.decode_binary(b).unwrap()).collect();
    assert!(text.contains("giveInput") && text.contains("Jumped"));
}

#[test]
fn compression_lz4_by_default() {
    let schemes = Config::new(Endpoints::Fixed(vec![]), "", 1).compression;
    assert_eq!(schemes.first(), Some(&Scheme::Lz4));
    plays_with_compression(schemes, Scheme::Lz4);
}

#[test]
fn compression_gzip() {
    plays_with_compression(vec![Scheme::Gzip], Scheme::Gzip);
}

#[test]
fn compression_none() {
    plays_with_compression(vec![], Scheme::None);
}

// ----- the clock -----

#[test]
fn service_clock_and_cooldowns() {
    let s = serve();
    let mut game = connected(&s);
    let local = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    assert!((game.server_time_ms() - local).abs() < 5_000, "offset {}", game.server_time_ms() - local);
    jump_and_ready(&mut game);
    let (mut viewer, _) = join_viewer(&s, &mut game, "demo-viewer-1");

    let before = game.server_time_ms();
    let id = game.set_cooldown("jump", 60_000).unwrap();
    game.end_frame();
    reply_for(&mut game, id).unwrap();
    let after = game.server_time_ms();
    let cooldown = game.state().control("default", "jump").unwrap()["cooldown"].as_i64().expect("a cooldown");
    assert!((before + 60_000..=after + 60_000).contains(&cooldown), "{before} {cooldown} {after}");

    let (code, _) =
        s.rt.block_on(viewer.err("giveInput", json!({"controlID": "jump", "event": "mousedown", "button": 0})));
    assert_eq!(code, 4099, "the mediator refuses a press during the cooldown");
}
