//! Writes the seed corpus, `corpus/TARGET/seed-NAME`, for the wire decoder, websocket frames,
//! C ABI, chat packet and world loader targets: real frames, calls, chat sessions and world files, in each target's
//! input layout. The merge patch target's
//! seeds are inputs its own runs found (its input is built by `arbitrary`).
//!
//! `cargo run --manifest-path fuzz/Cargo.toml --example seeds` (from the repository root).

use std::io::Write;
use std::path::Path;

use lz4_flex::frame::{BlockMode, BlockSize, FrameEncoder, FrameInfo};
use mixplay::protocol::{Encoder, Scheme, WireFrame};
use mixplay_fuzz::{Writer, CHAT_METHODS};

const PACKETS: [&str; 5] = [
    r#"{"type":"method","id":0,"method":"hello","params":null,"discard":true,"seq":1}"#,
    r#"{"type":"method","id":7,"method":"giveInput","params":{"controlID":"b","event":"mousedown","button":0},"seq":3}"#,
    r#"{"type":"reply","id":7,"result":null,"error":{"code":4003,"message":"Unknown method name \"x\".","path":"a.b"},"seq":4}"#,
    r#"[{"type":"method","id":1,"method":"getTime","params":{}},{"type":"reply","id":"2","result":{"time":1},"error":null}]"#,
    r#"{"type":"method","id":9,"method":"setCompression","params":{"scheme":["lz4","gzip"]},"discard":false}"#,
];

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
}

/// The frames our encoder writes for `PACKETS` in `scheme`.
fn our_frames(scheme: Scheme) -> Vec<Vec<u8>> {
    let mut enc = Encoder::new(scheme);
    PACKETS
        .iter()
        .map(|p| match enc.encode((*p).to_owned()).unwrap() {
            WireFrame::Binary(b) => b,
            WireFrame::Text(_) => unreachable!("compressed schemes write binary frames"),
        })
        .collect()
}

/// An LZ4 stream with `info`, one flushed run of blocks per packet and the end mark after the
/// last, as frames with prefixes.
fn lz4_frames(info: FrameInfo) -> Vec<Vec<u8>> {
    let (last, rest) = PACKETS.split_last().unwrap();
    let mut enc = FrameEncoder::with_frame_info(info, Vec::new());
    let mut bodies = Vec::new();
    for p in rest {
        enc.write_all(p.as_bytes()).unwrap();
        enc.flush().unwrap();
        bodies.push(std::mem::take(enc.get_mut()));
    }
    enc.write_all(last.as_bytes()).unwrap();
    bodies.push(enc.finish().unwrap());
    PACKETS
        .iter()
        .zip(bodies)
        .map(|(p, body)| {
            let mut frame = Vec::new();
            mixplay::protocol::compression::write_varint(&mut frame, p.len() as u64);
            frame.extend_from_slice(&body);
            frame
        })
        .collect()
}

/// A frame of `chunks` blocks of spaces that declares 100 bytes (a small decompression bomb).
fn bomb(scheme: Scheme, chunks: usize) -> Vec<u8> {
    let mut frame = Vec::new();
    mixplay::protocol::compression::write_varint(&mut frame, 100);
    let spaces = vec![b' '; 64 * 1024];
    match scheme {
        Scheme::Gzip => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            for _ in 0..chunks {
                enc.write_all(&spaces).unwrap();
            }
            enc.flush().unwrap();
            frame.extend_from_slice(enc.get_ref());
        }
        _ => {
            let mut enc = FrameEncoder::new(Vec::new());
            for _ in 0..chunks {
                enc.write_all(&spaces).unwrap();
            }
            enc.flush().unwrap();
            frame.extend_from_slice(enc.get_ref());
        }
    }
    frame
}

fn raw(head: u8, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut w = Writer::default();
    w.u8(head);
    for f in frames {
        w.chunk(f);
    }
    w.bytes
}

fn wire_decoder() {
    const GZIP: u8 = 0;
    const LZ4: u8 = 1;
    const RAW: u8 = 0 << 1;
    const HONEST: u8 = 1 << 1;
    const TEXT: u8 = 2 << 1;
    write("wire_decoder", "gzip-stream", &raw(GZIP | RAW, &our_frames(Scheme::Gzip)));
    write("wire_decoder", "lz4-stream", &raw(LZ4 | RAW, &our_frames(Scheme::Lz4)));
    let total: usize = PACKETS.iter().map(|p| p.len()).sum();
    let checksummed = FrameInfo::new()
        .content_size(Some(total as u64))
        .block_checksums(true)
        .content_checksum(true)
        .block_size(BlockSize::Max256KB)
        .block_mode(BlockMode::Independent);
    write("wire_decoder", "lz4-checksums-independent", &raw(LZ4 | RAW, &lz4_frames(checksummed)));
    write("wire_decoder", "lz4-linked-finished", &raw(LZ4 | RAW, &lz4_frames(FrameInfo::new())));
    write("wire_decoder", "gzip-bomb", &raw(GZIP | RAW, &[bomb(Scheme::Gzip, 16)]));
    write("wire_decoder", "lz4-bomb", &raw(LZ4 | RAW, &[bomb(Scheme::Lz4, 16)]));
    for (scheme, head) in [("gzip", GZIP), ("lz4", LZ4)] {
        let mut w = Writer::default();
        w.u8(head | HONEST);
        for (p, lie) in PACKETS.iter().zip([0i8, 0, 0, 0, -3]) {
            w.u8(lie as u8).chunk(p.as_bytes());
        }
        write("wire_decoder", &format!("{scheme}-honest-then-short"), &w.bytes);
        let mut w = Writer::default();
        w.u8(head | HONEST).u8(0).chunk(PACKETS[0].as_bytes()).u8(5).chunk(PACKETS[1].as_bytes());
        write("wire_decoder", &format!("{scheme}-honest-then-long"), &w.bytes);
    }
    for (i, p) in PACKETS.iter().enumerate() {
        write("wire_decoder", &format!("text-{i}"), &[&[TEXT][..], p.as_bytes()].concat());
    }
}

fn c_abi() {
    // Selectors as in fuzz_targets/c_abi.rs.
    let controls = r#"[{"controlID":"b","kind":"button","text":"Jump","cost":5,"position":[{"size":"large","x":0,"y":0,"width":10,"height":5}]}]"#;
    let mut w = Writer::default();
    w.u8(0).chunk(b"http://127.0.0.1:1/api/v1/interactive/hosts");
    w.u8(1).chunk(b"ws://127.0.0.1:1/gameClient");
    w.u8(4).chunk(b"lz4, gzip");
    w.u8(6).u8(1).u32(100).u32(1000).u32(5);
    w.u8(12).chunk(b"default").chunk(controls.as_bytes());
    w.u8(13).chunk(b"default").chunk(br#"[{"controlID":"b","disabled":true}]"#).u64(3);
    w.u8(8).chunk(b"getTime").chunk(b"{}");
    w.u8(23).chunk(br#"["everyone","group:red"]"#).chunk(br#"{"boom":1}"#);
    w.u8(24).chunk(br#"{"giveInput":{"capacity":10,"drainRate":5},"*":null}"#);
    w.u8(27).chunk(b"b").chunk("héllo".as_bytes());
    w.u8(32).chunk(b"b").chunk(b"glow").chunk(br#"{"color":"red"}"#);
    w.u8(34).chunk(b"b").chunk(b"text").u8(0).u8(8);
    w.u8(36).chunk(b"msg").chunk(br#"["hi"]"#);
    w.u8(40).chunk(b"Which?").chunk(br#"["a","b"]"#).u32(30);
    w.u8(42);
    w.u8(43);
    write("c_abi", "real-calls", &w.bytes);
    let mut w = Writer::default();
    w.u8(2).chunk(&[0xFF]);
    w.u8(8).chunk(b"\xC3\x28").chunk(b"{\"a\":");
    w.u8(9).chunk(b"[]\0trailing").u8(43);
    write("c_abi", "null-and-bad-utf8", &w.bytes);
}

/// Chat sessions in `fuzz_targets/chat_packet.rs`'s layout: `who` are the connections' users
/// (0: not in a room), then `(connection, method, arguments)` as built frames, or raw frames
/// (`method` empty: `arguments` is the frame's text).
fn chat_session(name: &str, who: &[u8], frames: &[(u8, &str, &str)]) {
    let mut w = Writer::default();
    w.u8(who.len() as u8 - 1);
    for u in who {
        w.u8(*u);
    }
    for (conn, method, arguments) in frames {
        if method.is_empty() {
            w.u8(*conn).chunk(arguments.as_bytes());
        } else {
            let index = CHAT_METHODS.iter().position(|m| m == method).expect("a known method") as u8;
            w.u8(conn | 0x80).u8(index).chunk(arguments.as_bytes());
        }
    }
    write("chat_packet", name, &w.bytes);
}

fn chat_packet() {
    // The owner (1) and viewers 2 and 3 talk, whisper, vote and are moderated.
    chat_session(
        "moderated-room",
        &[1, 2, 3],
        &[
            (1, "msg", r#"["hello @viewer2, see you :)"]"#),
            (2, "whisper", r#"["viewer1", "psst"]"#),
            (0, "vote:start", r#"["Which map?", ["desert", "snow"], 30]"#),
            (1, "vote:choose", "[1]"),
            (2, "vote:choose", "[0]"),
            (0, "timeout", r#"["viewer2", "1m15s"]"#),
            (2, "msg", r#"["am I timed out?"]"#),
            (0, "timeout", r#"["viewer2", "clear"]"#),
            (0, "history", "[10]"),
            (0, "purge", r#"["viewer1"]"#),
            (1, "optOutEvents", r#"["ChatMessage", "UserJoin"]"#),
            (0, "deleteMessage", r#"["00000000-0000-0000-0000-000000000000"]"#),
            (0, "clearMessages", "[]"),
        ],
    );
    // Limits: a timeout too long for any clock, a method nobody knows, a viewer moderating.
    chat_session(
        "limits",
        &[1, 4],
        &[
            (0, "timeout", r#"["viewer3", "18446744073709551615"]"#),
            (0, "timeout", r#"["viewer3", 18446744073709551615]"#),
            (1, "timeout", r#"["streamer", "30s"]"#),
            (1, "no:such:method", r#"["x"]"#),
            (1, "optOutEvents", r#"["NoSuchEvent", "ChatMessage", "ChatMessage"]"#),
            (1, "vote:choose", "[4294967296]"),
        ],
    );
    // Raw frames from a socket that has not joined: not JSON, wrong shapes, an anonymous join.
    chat_session(
        "raw-frames",
        &[0, 3],
        &[
            (0, "", "not json"),
            (0, "", r#"{"type":"method","method":"msg","arguments":["before auth"],"id":1}"#),
            (0, "", r#"{"type":"method","method":"auth","arguments":[1],"id":2}"#),
            (0, "", r#"{"type":"method","method":"msg","arguments":{"not":"an array"},"id":3}"#),
            (0, "", r#"[{"type":"method","method":"ping","id":4}]"#),
            (1, "", r#"{"type":"reply","method":"ping","arguments":[],"id":"x"}"#),
            (1, "", r#"{"type":"method","method":"auth","arguments":[1, 3, "not-a-key"],"id":5}"#),
        ],
    );
}

/// A version's controls with every kind, placed on all three grids, and a group.
const CONTROLS: &str = r##"{"scenes":[{"sceneID":"default","controls":[
 {"controlID":"jump","kind":"button","text":"Jump","tooltip":"Jump!","cost":5,"keyCode":32,"progress":0.5,"cooldown":0,
  "position":[{"size":"large","x":0,"y":0,"width":10,"height":5},{"size":"medium","x":0,"y":0,"width":10,"height":5},
              {"size":"small","x":0,"y":0,"width":10,"height":5}]},
 {"controlID":"aim","kind":"joystick","sampleRate":50,"position":[{"size":"large","x":10,"y":0,"width":10,"height":10}]},
 {"controlID":"score","kind":"label","text":"0","textSize":"20px","textColor":"#fff"},
 {"controlID":"name","kind":"textbox","placeholder":"Your name","hasSubmit":true,"submitText":"Go","cost":0,"multiline":false},
 {"controlID":"video","kind":"screen","sendMoveEvents":"mousedown","moveThrottle":50,"sendMouseDownEvent":true}]},
 {"sceneID":"red","controls":[]}],
 "groups":[{"groupID":"default","sceneID":"default"},{"groupID":"red team","sceneID":"red"}]}"##;

fn world_loader() {
    let example = include_str!("../../examples/world.json");
    write("world_loader", "example-world", &[&[0u8][..], example.as_bytes()].concat());
    let small = r#"{"users":[{"id":1,"username":"a","token":"t","admin":true},{"id":2,"username":"b","sparks":5}],
        "channels":[{"id":7,"owner":1,"mods":[2],"slowChat":1000}],
        "projects":[{"versionId":3,"owner":2,"sharedWith":[1],"scenes":[{"sceneID":"default","controls":[]}]}]}"#;
    write("world_loader", "small-world", &[&[0u8][..], small.as_bytes()].concat());
    write("world_loader", "studio-controls", &[&[1u8][..], CONTROLS.as_bytes()].concat());
    // The version `controls::tests` keeps as good.
    let good = r#"{"scenes":[{"sceneID":"lobby","bg":"blue","controls":[
        {"controlID":"jump","kind":"button","text":"Jump","cost":5,
         "position":[{"size":"large","x":0,"y":0,"width":10,"height":5}],"custom":{"kept":true}},
        {"controlID":"aim","kind":"joystick","position":[{"size":"large","x":10,"y":0,"width":10,"height":10}]},
        {"controlID":"video","kind":"screen","sendMoveEvents":"always"}]}],
        "groups":[{"groupID":"lobbyists","sceneID":"lobby"}]}"#;
    write("world_loader", "good-version", &[&[1u8][..], good.as_bytes()].concat());
}

/// A client's frame (masked, as clients must): FIN, opcode, payload.
fn client_frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut out = vec![if fin { 0x80 } else { 0 } | opcode];
    match payload.len() {
        n if n < 126 => out.push(0x80 | n as u8),
        n => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    out.extend_from_slice(&mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    out
}

/// Participant streams: packets as text frames, fragments with a ping between them, a binary
/// frame, a close; the first byte is the size limit's (64 × (byte + 1) bytes).
fn websocket_frames() {
    let mut all = vec![15];
    for p in PACKETS {
        all.extend(client_frame(true, 1, p.as_bytes()));
    }
    write("websocket_frames", "packets", &all);
    let mut fragments = vec![3];
    let text = PACKETS[1].as_bytes();
    fragments.extend(client_frame(false, 1, &text[..20]));
    fragments.extend(client_frame(true, 9, b"ping"));
    fragments.extend(client_frame(false, 0, &text[20..40]));
    fragments.extend(client_frame(true, 0, &text[40..]));
    fragments.extend(client_frame(true, 2, &[0, 1, 2, 3, 255]));
    fragments.extend(client_frame(true, 10, b""));
    fragments.extend(client_frame(true, 8, &[0x03, 0xe8, b'o', b'k']));
    write("websocket_frames", "fragments-and-controls", &fragments);
}

fn main() {
    websocket_frames();
    wire_decoder();
    c_abi();
    chat_packet();
    world_loader();
    println!("seeds written under fuzz/corpus/");
}
