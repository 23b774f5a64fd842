#![cfg(feature = "server")]
//! Connections that would hold the mediator's sockets forever, over real sockets: clients that
//! never finish a request (slow loris), kept-alive connections left idle, too many connections
//! from one address, chat sockets that never `auth`, and websockets that go silent. Each is
//! closed after its (short, for the test) limit while a normal client is served. And the
//! participant socket's own websocket layer (`live/socket/`) at the byte level: pings, fragments,
//! close handshakes, unmasked frames.
mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use mixplay::server::{Mediator, MediatorConfig, World};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;

use common::{first_session_id, join, participant, ready_game, WAIT};

async fn mediator(config: MediatorConfig) -> Mediator {
    Mediator::start("127.0.0.1:0", World::demo(), config).await.expect("the mediator starts")
}

/// A TCP connection to `to` from the loopback address `from` (Linux routes all of 127/8 to lo).
async fn tcp_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.expect("the mediator accepts the connection")
}

/// Reads until the mediator closes the connection; returns what it said.
async fn read_to_close(socket: &mut TcpStream) -> String {
    let mut said = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(WAIT, socket.read(&mut buf)).await.expect("closed in time") {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&said).into_owned(),
            Ok(n) => said.extend_from_slice(&buf[..n]),
        }
    }
}

/// One plain HTTP/1.1 request on a fresh connection from `from`; the answer's status line.
async fn status_line(from: &str, to: SocketAddr, path: &str) -> String {
    let mut s = tcp_from(from, to).await;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {to}\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes()).await.unwrap();
    read_to_close(&mut s).await.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn slow_loris_connections_are_closed_after_the_timeouts_while_others_are_served() {
    let header_timeout = Duration::from_millis(500);
    let request_timeout = Duration::from_millis(800);
    let m =
        mediator(MediatorConfig { header_read_timeout: header_timeout, request_timeout, ..MediatorConfig::default() })
            .await;
    let addr = m.local_addr();
    let started = Instant::now();
    // Never a byte; half a request line; complete headers and then a body that never ends.
    let mut silent = Vec::new();
    let mut partial = Vec::new();
    let mut slow_body = Vec::new();
    for _ in 0..40 {
        silent.push(tcp_from("127.0.0.1", addr).await);
        let mut p = tcp_from("127.0.0.1", addr).await;
        p.write_all(b"GET /api/v1/interactive/hosts HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
        partial.push(p);
    }
    for _ in 0..5 {
        let mut b = tcp_from("127.0.0.1", addr).await;
        let head = "POST /api/v1/oauth/shortcode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                    Content-Length: 100\r\n\r\n{\"client_id\":";
        b.write_all(head.as_bytes()).await.unwrap();
        slow_body.push(b);
    }
    // Meanwhile a normal client is served, over HTTP and over a websocket.
    assert_eq!(status_line("127.0.0.1", addr, "/api/v1/interactive/hosts").await, "HTTP/1.1 200 OK");
    let mut g = ready_game(&m).await;
    assert!(g.ok("getTime", json!({})).await["time"].is_number());

    for mut s in silent.into_iter().chain(partial) {
        read_to_close(&mut s).await;
    }
    assert!(started.elapsed() >= header_timeout, "closed only after the header-read timeout");
    for mut s in slow_body {
        let answer = read_to_close(&mut s).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "a body that never ends gets 408: {answer:?}");
    }
    assert!(started.elapsed() >= request_timeout);

    // A kept-alive connection left idle after its answer is closed too.
    let mut kept = tcp_from("127.0.0.1", addr).await;
    kept.write_all(b"GET /api/v1/interactive/hosts HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let idle_from = Instant::now();
    let answer = read_to_close(&mut kept).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(idle_from.elapsed() >= header_timeout);
    // And the service is still there for everyone else.
    assert_eq!(status_line("127.0.0.1", addr, "/api/v1/interactive/hosts").await, "HTTP/1.1 200 OK");
    assert!(g.ok("getTime", json!({})).await["time"].is_number());
}

#[tokio::test]
async fn one_address_cannot_hold_more_connections_than_its_limit() {
    let limit = 4;
    let m = mediator(MediatorConfig { connections_per_address: limit, ..MediatorConfig::default() }).await;
    let addr = m.local_addr();
    // 127.0.0.2 is not a trusted proxy: its connections count.
    let mut held = Vec::new();
    for _ in 0..limit {
        held.push(tcp_from("127.0.0.2", addr).await);
    }
    let mut over = tcp_from("127.0.0.2", addr).await;
    let answer = read_to_close(&mut over).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer:?}");
    assert!(answer.contains("Retry-After:") && answer.contains("too many connections"), "{answer:?}");
    // Another address is served, and so is the trusted proxy (loopback), however many it holds.
    assert_eq!(status_line("127.0.0.3", addr, "/api/v1/interactive/hosts").await, "HTTP/1.1 200 OK");
    let mut proxied = Vec::new();
    for _ in 0..limit * 3 {
        proxied.push(tcp_from("127.0.0.1", addr).await);
    }
    assert_eq!(status_line("127.0.0.1", addr, "/api/v1/interactive/hosts").await, "HTTP/1.1 200 OK");
    // A websocket holds its place too: upgraded, it still counts.
    drop(held.pop());
    let deadline = Instant::now() + WAIT;
    let ws = loop {
        let stream = tcp_from("127.0.0.2", addr).await;
        let url = format!("ws://{addr}/chat");
        match tokio_tungstenite::client_async(url, stream).await {
            Ok((ws, _)) => break ws,
            // The dropped connection's place frees once the mediator has seen it close.
            Err(_) if Instant::now() < deadline => tokio::task::yield_now().await,
            Err(e) => panic!("the freed place is never given back: {e}"),
        }
    };
    let mut again = tcp_from("127.0.0.2", addr).await;
    assert!(read_to_close(&mut again).await.starts_with("HTTP/1.1 429"));
    drop(ws);
}

#[tokio::test]
async fn chat_sockets_must_auth_in_time_and_silent_websockets_are_closed() {
    let auth_timeout = Duration::from_millis(400);
    let idle_timeout = Duration::from_millis(700);
    let m = mediator(MediatorConfig { auth_timeout, idle_timeout, ..MediatorConfig::default() }).await;
    let base = format!("ws://{}", m.local_addr());

    // A chat socket that never says `auth` is closed with 1008; one that joins stays.
    let opened = Instant::now();
    let (mut lurker, _) = tokio_tungstenite::connect_async(format!("{base}/chat")).await.unwrap();
    let mut reader = common::durable::ChatSocket::open(&base).await;
    reader.call("auth", json!([1])).await.expect("reads anonymously");
    let close = loop {
        match tokio::time::timeout(WAIT, lurker.next()).await.expect("closed in time") {
            Some(Ok(Message::Close(frame))) => break frame.expect("a close frame with a code"),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(u16::from(close.code), 1008);
    assert!(close.reason.contains("no auth"), "{}", close.reason);
    assert!(opened.elapsed() >= auth_timeout);
    assert_eq!(reader.call("ping", json!([])).await, Ok(serde_json::Value::Null), "the joined chat socket stays");
    drop(reader);

    // A participant that reads nothing (so answers no ping) is closed after the idle timeout; the
    // game sees it leave. A participant that keeps reading, and the game, stay.
    let mut g = ready_game(&m).await;
    let (mut listening, _) = join(&m, &mut g, None).await;
    let silent = participant(&m, None).await.open();
    let silent_id = first_session_id(&g.event("onParticipantJoin").await);
    let left = tokio::select! {
        left = g.event_matching("onParticipantLeave", |v| first_session_id(v) == silent_id) => left,
        // Reading is what answers the mediator's pings.
        _ = async { loop { listening.next_packet().await; } } => unreachable!(),
    };
    assert_eq!(first_session_id(&left), silent_id);
    assert!(listening.ok("getTime", json!({})).await["time"].is_number(), "the reading viewer is still served");
    assert!(g.ok("getTime", json!({})).await["time"].is_number());
    drop(silent);
}

/// The next control frame (pong or close) on a participant socket, skipping its packets.
async fn next_control(ws: &mut Ws) -> Message {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.expect("a frame in time") {
            Some(Ok(Message::Text(_))) => continue,
            Some(Ok(m)) => return m,
            other => panic!("the socket ended: {other:?}"),
        }
    }
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

#[tokio::test]
async fn participant_sockets_answer_pings_join_fragments_and_echo_closes() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
    use tokio_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame};

    let m = mediator(MediatorConfig::default()).await;
    let mut g = ready_game(&m).await;
    let url = format!("ws://{}/participant?channel=1&x-protocol-version=2.0", m.local_addr());
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("the participant connects");
    let sid = first_session_id(&g.event("onParticipantJoin").await);

    ws.send(Message::Ping(b"are you there".to_vec().into())).await.unwrap();
    assert_eq!(next_control(&mut ws).await, Message::Pong(b"are you there".to_vec().into()));

    // One method split over three frames (a fragmented message) is read as one.
    let method = br#"{"type":"method","id":7,"method":"getTime","params":{}}"#;
    let (a, rest) = method.split_at(10);
    let (b, c) = rest.split_at(20);
    ws.send(Message::Frame(Frame::message(a.to_vec(), OpCode::Data(Data::Text), false))).await.unwrap();
    ws.send(Message::Frame(Frame::message(b.to_vec(), OpCode::Data(Data::Continue), false))).await.unwrap();
    ws.send(Message::Frame(Frame::message(c.to_vec(), OpCode::Data(Data::Continue), true))).await.unwrap();
    let reply = loop {
        match tokio::time::timeout(WAIT, ws.next()).await.expect("the reply in time") {
            Some(Ok(Message::Text(t))) if t.contains("\"reply\"") => break t,
            Some(Ok(_)) => continue,
            other => panic!("the socket ended: {other:?}"),
        }
    };
    let reply: serde_json::Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(reply["id"], 7);
    assert!(reply["result"]["time"].is_number(), "{reply}");

    // A close from the viewer is answered with its own code; the game sees the viewer leave.
    ws.send(Message::Close(Some(CloseFrame { code: CloseCode::Away, reason: "bye".into() }))).await.unwrap();
    match next_control(&mut ws).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("expected the close answered, got {other:?}"),
    }
    let left = g.event("onParticipantLeave").await;
    assert_eq!(first_session_id(&left), sid);
}

#[tokio::test]
async fn a_participant_socket_sending_an_unmasked_frame_is_closed_with_1002() {
    let m = mediator(MediatorConfig::default()).await;
    let _g = ready_game(&m).await;
    let mut socket = TcpStream::connect(m.local_addr()).await.unwrap();
    let handshake = "GET /participant?channel=1&x-protocol-version=2.0 HTTP/1.1\r\nHost: localhost\r\n\
                     Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
                     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    socket.write_all(handshake.as_bytes()).await.unwrap();
    // Clients must mask what they send (RFC 6455 §5.1): this text frame is not masked.
    socket.write_all(&[0x81, 0x02, b'h', b'i']).await.unwrap();
    let mut said = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(WAIT, socket.read(&mut buf)).await.expect("closed in time") {
            Ok(0) | Err(_) => break,
            Ok(n) => said.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&said);
    assert!(text.starts_with("HTTP/1.1 101"), "{text}");
    assert!(text.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "the accept key of RFC 6455's example: {text}");
    // A close frame (0x88) whose payload starts with 1002 (0x03ea).
    let close = said.windows(4).position(|w| w[0] == 0x88 && w[2] == 0x03 && w[3] == 0xea);
    assert!(close.is_some(), "no 1002 close frame in {text}");
}
