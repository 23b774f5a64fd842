//! The chat socket: its packet parser and every method behind it (`auth`, `msg`, `whisper`,
//! `timeout`, `purge`, `optOutEvents`, polls, …), driven through the socket's own frame handler
//! on a mediator hub with an in-memory store (`mixplay::server::ChatHarness`), in the demo
//! world's channel 1: its owner (user 1), and viewers 2–4.
//!
//! Input (see `mixplay_fuzz::Reader`): byte 0 says who connects: bits 0–1 + 1 connections, each
//! taking the next byte as its identity (0: not in a room yet, 1–4: that user, signed in with a
//! fresh authkey; the owner moderates). Then up to 32 frames, each a byte (low bits: the
//! connection; bit 7: raw or built) and a chunk. A raw frame is the chunk's text as it is; a built
//! one is a method packet whose name byte 6..0 of the next byte picks from the known methods (or
//! an unknown one) and whose `arguments` are the chunk's JSON (or the chunk as one string).
//!
//! Checked: nothing panics; every frame the mediator sends is a JSON object; every reply's error
//! is short (peer text in it is cut); what one connection is sent stays within its queue.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mixplay::server::{ChatHarness, MediatorConfig, Rate, World};
use mixplay_fuzz::{Reader, CHAT_METHODS};
use serde_json::{json, Value};

/// The longest error a reply may carry: sentences that quote at most a few dozen characters of
/// the peer's text.
const ERROR_BOUND: usize = 400;

struct Harness {
    runtime: tokio::runtime::Runtime,
    chat: ChatHarness,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // No rate limits: a run is a few milliseconds, and later runs must not be refused for
        // what earlier ones sent.
        let config = MediatorConfig {
            chat_rate: Rate::OFF,
            failed_credentials_per_address: Rate::OFF,
            failed_credentials_per_target: Rate::OFF,
            ..MediatorConfig::default()
        };
        let chat = runtime.block_on(ChatHarness::new(World::demo(), config)).expect("the harness starts");
        Harness { runtime, chat }
    })
}

fuzz_target!(|data: &[u8]| {
    let mut input = Reader::new(data);
    let count = usize::from(input.u8() & 3) + 1;
    let users: Vec<Option<u32>> = (0..count).map(|_| Some(u32::from(input.u8() % 5)).filter(|u| *u > 0)).collect();
    let mut texts = Vec::new();
    for id in 0..32u32 {
        if input.is_empty() {
            break;
        }
        let head = input.u8();
        let conn = usize::from(head & 3);
        let text = if head & 0x80 == 0 {
            String::from_utf8_lossy(input.chunk()).into_owned()
        } else {
            let method = CHAT_METHODS[usize::from(input.u8() & 0x7f) % CHAT_METHODS.len()];
            let chunk = input.chunk();
            let arguments =
                serde_json::from_slice::<Value>(chunk).unwrap_or_else(|_| json!([String::from_utf8_lossy(chunk)]));
            json!({ "type": "method", "method": method, "arguments": arguments, "id": id }).to_string()
        };
        texts.push((conn, text));
    }
    let frames: Vec<(usize, &str)> = texts.iter().map(|(c, t)| (*c, t.as_str())).collect();
    let h = harness();
    let received = h.runtime.block_on(h.chat.run(1, &users, &frames));
    for r in received {
        for frame in &r.frames {
            let packet: Value = serde_json::from_str(frame).expect("the mediator sends JSON");
            assert!(packet.is_object(), "{frame}");
            if let Some(error) = packet.get("error").and_then(Value::as_str) {
                let shown: String = error.chars().take(300).collect();
                assert!(error.chars().count() <= ERROR_BOUND, "a {}-character error: {shown}…", error.chars().count());
            }
        }
    }
});
