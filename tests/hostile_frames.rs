#![cfg(feature = "server")]
//! Frames from a hostile peer, over real sockets: decompression bombs (a frame whose bytes
//! inflate far past the length it declares) sent by viewers to the mediator and by a service to
//! the SDK, and megabyte-long names that error replies must not echo back whole.
//!
//! Memory is read from `/proc/self/status` of this test process, which runs the mediator (or
//! the fake service and the SDK session) in-process; nextest runs each test in its own process.
mod common;

use std::io::Write;

use common::client::{reply_for, until, wait_state};
use common::fake::{Fake, Script};
use common::*;
use futures_util::{SinkExt, StreamExt};
use mixplay::client::{ConnectionState, ErrorKind, Event, Session};
use mixplay::protocol::compression::write_varint;
use mixplay::protocol::{Encoder, Scheme, WireFrame};
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// How far the process's peak resident memory may rise while bombs are refused. An honest frame
/// may declare up to 4 MiB; each bomb below would inflate to 512 MiB–1 GiB if inflated whole.
const BOMB_GROWTH_BOUND_MIB: u64 = 48;

/// Bytes each bomb would inflate to: gzip 1 GiB (about 1 MB on the wire), lz4 512 MiB (about
/// 2.2 MB: LZ4 cannot compress better than about 255:1).
fn bomb_size(scheme: Scheme) -> usize {
    match scheme {
        Scheme::Gzip => 1 << 30,
        _ => 512 << 20,
    }
}

/// Where a bomb goes in its compressed stream.
#[derive(Clone, Copy)]
enum Stream {
    /// It is the stream's first frame, and picks the stream's parameters: for lz4 the largest
    /// block size (4 MiB), which a decoder must be ready for.
    Fresh,
    /// It continues a stream our encoder opened (both schemes end each frame on a block
    /// boundary, with 64 KiB lz4 blocks).
    Continued,
}

/// A frame of blocks of spaces that inflate to `inflated` bytes, while its length prefix
/// declares 100.
fn bomb(scheme: Scheme, stream: Stream, inflated: usize) -> Vec<u8> {
    let chunk = match (scheme, stream) {
        (Scheme::Lz4, Stream::Fresh) => 4 << 20,
        (Scheme::Lz4, Stream::Continued) => 64 << 10,
        _ => 1 << 20,
    };
    let spaces = vec![b' '; chunk];
    // The first chunk refers only to itself; the second refers back into a window of spaces,
    // so repeating it is a valid continuation that adds another chunk of spaces each time.
    let (first, repeat) = match scheme {
        Scheme::Gzip => {
            let mut first = match stream {
                Stream::Fresh => flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best()),
                Stream::Continued => {
                    // Raw deflate blocks: the receiver is past the gzip header.
                    let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
                    raw.write_all(&spaces).unwrap();
                    raw.flush().unwrap();
                    let first = std::mem::take(raw.get_mut());
                    raw.write_all(&spaces).unwrap();
                    raw.flush().unwrap();
                    return repeat_into_frame(first, std::mem::take(raw.get_mut()), inflated / chunk);
                }
            };
            first.write_all(&spaces).unwrap();
            first.flush().unwrap();
            let head = std::mem::take(first.get_mut());
            first.write_all(&spaces).unwrap();
            first.flush().unwrap();
            (head, std::mem::take(first.get_mut()))
        }
        _ => {
            let size = match stream {
                Stream::Fresh => lz4_flex::frame::BlockSize::Max4MB,
                Stream::Continued => lz4_flex::frame::BlockSize::Max64KB,
            };
            let info =
                lz4_flex::frame::FrameInfo::new().block_mode(lz4_flex::frame::BlockMode::Linked).block_size(size);
            let mut enc = lz4_flex::frame::FrameEncoder::with_frame_info(info, Vec::new());
            enc.write_all(&spaces).unwrap();
            enc.flush().unwrap();
            let mut head = std::mem::take(enc.get_mut());
            if let Stream::Continued = stream {
                // Drop the 7-byte frame header: the receiver is already inside a frame.
                head.drain(..7);
            }
            enc.write_all(&spaces).unwrap();
            enc.flush().unwrap();
            (head, std::mem::take(enc.get_mut()))
        }
    };
    repeat_into_frame(first, repeat, inflated / chunk)
}

/// `first`, then `repeat` until there are `chunks` chunks, after a length prefix of 100.
fn repeat_into_frame(first: Vec<u8>, repeat: Vec<u8>, chunks: usize) -> Vec<u8> {
    let mut frame = Vec::new();
    write_varint(&mut frame, 100);
    frame.extend_from_slice(&first);
    for _ in 1..chunks {
        frame.extend_from_slice(&repeat);
    }
    frame
}

/// A `/proc/self/status` figure in KiB (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

/// Starts measuring: resets the peak (`VmHWM`) where the kernel allows it, and returns the
/// figure the peak is compared with afterwards.
fn start_measuring() -> u64 {
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    if reset {
        status_kib("VmRSS")
    } else {
        status_kib("VmHWM")
    }
}

/// How far the peak rose since [`start_measuring`], in MiB.
fn peak_growth_mib(baseline_kib: u64) -> u64 {
    status_kib("VmHWM").saturating_sub(baseline_kib) / 1024
}

async fn viewers_send_bombs(scheme: Scheme) {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok("createControls", json!({ "sceneID": "default", "controls": [{ "controlID": "b", "kind": "button" }] })).await;
    let one = bomb(scheme, Stream::Fresh, bomb_size(scheme));
    assert!(one.len() < 4 << 20, "the bomb fits under the frame cap: {} bytes", one.len());
    let bombs = vec![one.clone(), one.clone(), one];

    // Three anonymous viewers negotiate the scheme; each bomb opens its viewer's stream.
    let mut viewers = Vec::new();
    for _ in 0..3 {
        let (mut p, _) = join(&m, &mut g, None).await;
        assert_eq!(p.set_compression(&[scheme.name()]).await, scheme.name());
        viewers.push(p);
    }

    let baseline = start_measuring();
    let closes = futures_util::future::join_all(viewers.into_iter().zip(bombs).map(|(mut p, bomb)| async move {
        p.send_binary(bomb).await;
        p.closed().await
    }))
    .await;
    let growth = peak_growth_mib(baseline);
    assert_eq!(closes, vec![4001; 3], "each bomb is refused with 4001 (decompression failed)");
    assert!(
        growth < BOMB_GROWTH_BOUND_MIB,
        "{scheme:?}: peak memory rose by {growth} MiB refusing three bombs of {} MiB each",
        bomb_size(scheme) >> 20
    );
    println!("{scheme:?}: three bombs of {} MiB refused; peak memory rose {growth} MiB", bomb_size(scheme) >> 20);

    // An honest viewer on the same scheme is served as before.
    let (mut p, sid) = join(&m, &mut g, None).await;
    p.set_compression(&[scheme.name()]).await;
    p.ok("giveInput", json!({ "controlID": "b", "event": "mousedown", "button": 0 })).await;
    let input = g.event("giveInput").await;
    assert_eq!(input["participantID"], json!(sid));
}

/// `--max-inflated-bytes`: an honest compressed frame declaring more than the setting is refused
/// (4001) before it is inflated; one declaring exactly the setting is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_inflated_bytes_bounds_what_a_compressed_frame_may_declare() {
    const LIMIT: usize = 2048;
    let config = MediatorConfig { max_inflated_bytes: LIMIT, ..MediatorConfig::default() };
    let m = mediator_with(World::demo(), config).await;
    let mut g = ready_game(&m).await;
    g.ok("createControls", json!({ "sceneID": "default", "controls": [{ "controlID": "b", "kind": "button" }] })).await;
    for scheme in [Scheme::Gzip, Scheme::Lz4] {
        // A giveInput padded with spaces to `len` bytes, encoded honestly on a fresh stream.
        let frame = |len: usize| {
            let input = r#"{"type":"method","id":7,"method":"giveInput","params":{"controlID":"b","event":"mousedown","button":0}}"#;
            let padded = format!("{input}{}", " ".repeat(len - input.len()));
            match Encoder::new(scheme).encode(padded).unwrap() {
                WireFrame::Binary(b) => b,
                WireFrame::Text(_) => unreachable!("a compressed scheme sends binary frames"),
            }
        };
        let (mut p, sid) = join(&m, &mut g, None).await;
        p.set_compression(&[scheme.name()]).await;
        p.send_binary(frame(LIMIT)).await;
        assert_eq!(g.event("giveInput").await["participantID"], json!(sid), "{scheme:?}: a frame at the limit is read");
        let (mut p, _) = join(&m, &mut g, None).await;
        p.set_compression(&[scheme.name()]).await;
        p.send_binary(frame(LIMIT + 1)).await;
        assert_eq!(p.closed().await, 4001, "{scheme:?}: a frame declaring one byte more is refused");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb_from_viewers_is_refused_with_4001_in_bounded_memory() {
    viewers_send_bombs(Scheme::Gzip).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lz4_bomb_from_viewers_is_refused_with_4001_in_bounded_memory() {
    viewers_send_bombs(Scheme::Lz4).await;
}

/// A fake service negotiates `scheme`, answers one call compressed, then sends a bomb: the SDK
/// reports a 4001 protocol error, reconnects, and never inflates the bomb.
fn service_sends_a_bomb(scheme: Scheme) {
    let fake = Fake::with(Script { compression: scheme, ..Script::default() });
    let mut game = Session::connect(fake.config()).unwrap();
    wait_state(&mut game, ConnectionState::Connected);
    let id = game.get_time().unwrap();
    reply_for(&mut game, id).expect("getTime is answered, compressed");
    let bomb = bomb(scheme, Stream::Continued, bomb_size(scheme));

    let baseline = start_measuring();
    fake.send_binary(bomb);
    let seen = until(&mut game, "the reconnection", |e| {
        matches!(e, Event::Connection { state: ConnectionState::Connected, .. })
    });
    let growth = peak_growth_mib(baseline);
    assert!(
        seen.iter().any(|e| matches!(e, Event::Error { kind: ErrorKind::Protocol, code: Some(4001), .. })),
        "a 4001 protocol error: {seen:?}"
    );
    assert!(growth < BOMB_GROWTH_BOUND_MIB, "{scheme:?}: peak memory rose by {growth} MiB refusing the bomb");
    assert_eq!(fake.connections(), 2);
    let id = game.get_time().unwrap();
    reply_for(&mut game, id).expect("the new connection works");
}

#[test]
fn the_sdk_refuses_a_gzip_bomb_from_the_service_without_inflating_it() {
    service_sends_a_bomb(Scheme::Gzip);
}

#[test]
fn the_sdk_refuses_an_lz4_bomb_from_the_service_without_inflating_it() {
    service_sends_a_bomb(Scheme::Lz4);
}

/// The longest error message any reply below may carry.
const MESSAGE_BOUND: usize = 300;

fn assert_bounded(what: &str, message: &str) {
    assert!(
        message.len() <= MESSAGE_BOUND && message.contains('…'),
        "{what}: {} bytes: {}",
        message.len(),
        message.chars().take(120).collect::<String>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_megabyte_method_name_is_not_echoed_whole() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    let (mut p, _) = join(&m, &mut g, None).await;
    let name = "x".repeat(3 << 20);
    for conn in [&mut g, &mut p] {
        let reply = conn.call(&name, json!({})).await;
        let error = reply.error.expect("an unknown method is an error");
        assert_eq!(error.code, 4003, "unknown method");
        assert_bounded("unknown method", &error.message);
        assert!(error.message.starts_with("Unknown method"), "{}", error.message);
    }

    // Other places a peer's text ends up in an error (256 KiB of it is as telling as 3 MB): an
    // unknown packet type (4002), a field of the wrong type (serde quotes the value), a throttle
    // for a method name, a control kind.
    let huge = "y".repeat(256 << 10);
    p.send_text(&format!(r#"{{"type":"{huge}","id":7}}"#)).await;
    let error = p.reply(7).await.error.expect("an unknown type is an error");
    assert_eq!(error.code, 4002);
    assert_bounded("unknown packet type", &error.message);
    p.send_text(&format!(r#"{{"type":"method","id":8,"method":"getTime","discard":"{huge}"}}"#)).await;
    let error = p.reply(0).await.error.expect("a wrong-typed field is an error");
    assert_bounded("wrong-typed field", &error.message);
    let reply = g.call("setBandwidthThrottle", json!({ huge.clone(): { "capacity": -1 } })).await;
    let error = reply.error.expect("a bad throttle is an error");
    assert_bounded("throttle", &error.message);
    assert_bounded("throttle path", error.path.as_deref().unwrap_or_default());
    let controls = json!({ "sceneID": "default", "controls": [{ "controlID": "c", "kind": huge }] });
    let error = g.call("createControls", controls).await.error.expect("an unknown kind is an error");
    assert_bounded("control kind", &error.message);

    // Both sockets still work.
    p.ok("getTime", json!({})).await;
    g.ok("getTime", json!({})).await;
}

type ChatSocket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text packet on a raw chat socket.
async fn next_packet(ws: &mut ChatSocket) -> Value {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.expect("a packet in time") {
            Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("unexpected frame: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_errors_do_not_echo_long_names_whole() {
    let m = mediator().await;
    let url = format!("ws://{}/chat", m.local_addr());
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("the chat socket opens");
    assert_eq!(next_packet(&mut ws).await["event"], "WelcomeEvent");
    // Chat frames are capped at 64 KiB; a name just under it.
    let name = "z".repeat(60_000);
    let packet = json!({ "type": "method", "method": name, "arguments": [], "id": 1 });
    ws.send(Message::text(packet.to_string())).await.unwrap();
    let reply = next_packet(&mut ws).await;
    assert_eq!(reply["type"], "reply");
    let error = reply["error"].as_str().expect("an error string");
    assert_bounded("chat unknown method", error);
    assert!(error.starts_with("unknown method \"zzz"), "{error}");

    // In a room (anonymously), arguments that are not what a method takes are quoted cut too:
    // `history` once echoed its whole argument (found by the chat_packet fuzz target).
    let auth = json!({ "type": "method", "method": "auth", "arguments": [1], "id": 2 });
    ws.send(Message::text(auth.to_string())).await.unwrap();
    assert_eq!(next_packet(&mut ws).await["error"], Value::Null);
    for (id, method) in [(3, "history"), (4, "optOutEvents")] {
        let packet = json!({ "type": "method", "method": method, "arguments": [name], "id": id });
        ws.send(Message::text(packet.to_string())).await.unwrap();
        let reply = loop {
            let p = next_packet(&mut ws).await;
            if p["type"] == "reply" {
                break p;
            }
        };
        assert_eq!(reply["id"], id);
        assert_bounded(method, reply["error"].as_str().expect("an error string"));
    }
}
