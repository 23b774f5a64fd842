//! The cost of `mixplay_session_poll` through the C ABI: idle (connected, nothing queued) in
//! nanoseconds per call with the allocations it makes, and per event under a flood.
//!
//! Run with `cargo bench --bench ffi_poll`.
//!
//! The flood server (`benches/support/flood.rs`, on 127.0.0.1:0 in this process) sends N
//! realistic giveInput packets once the session calls `ready`. The game loop calls
//! `mixplay_session_poll_many` (up to 256 events a call) and, for comparison in the same run,
//! single-event `mixplay_session_poll`; only the time spent inside the calls that returned events
//! is counted, so the figure is the C API's per-event cost (conversion into `mixplay_event`,
//! string arena, cache application), not the network's. While the flood is still arriving, the
//! game often finds only a few events a call, so that figure also carries the per-call cost and
//! competes with the network thread for the two cores; the "filled queue" row waits until the
//! whole flood is queued (`queued_inputs_for_bench`), then drains it 256 a call. A call that fills
//! its batch is followed by `mixplay_session_end_frame` (timed with it), as in a game that takes
//! one batch a frame.
//!
//! The C# rows, in the same rounds against the same flood: the Unity package's
//! `MixPlaySession.Update` under Mono (`benches/unity/UpdateBench.cs`, built with `mcs` by
//! `support::mono`), with one `InputReceived` handler. They give its cost per input, its rate as
//! a share of `poll_many`'s, and the managed bytes it allocates per input (the input object the
//! handler receives included). Without mcs or mono the C# rows say why and stay empty.

#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::ffi::CString;
use std::hint::black_box;
use std::time::{Duration, Instant};

use mixplay::ffi::*;
use support::flood::{Flood, FloodServer};
use support::mono::Mono;
use support::packets;

#[global_allocator]
static ALLOC: support::alloc::ThreadCounting = support::alloc::ThreadCounting;

const IDLE_POLLS: u32 = 1_000_000;
const LIMIT: Duration = Duration::from_secs(30);
/// Each round's sessions, (events per call, whether the whole flood is queued first); odd rounds
/// run them in reverse.
const ORDER: [(usize, bool); 3] = [(256, false), (1, false), (256, true)];
const REVERSED: [(usize, bool); 3] = [(256, true), (1, false), (256, false)];

fn check(rc: mixplay_result, what: &str) {
    assert_eq!(rc, mixplay_result::Ok, "{what} failed");
}

unsafe fn connect(url: &str) -> *mut mixplay_session {
    let mut config = std::ptr::null_mut();
    check(unsafe { mixplay_config_new(&mut config) }, "config_new");
    let url = CString::new(url).unwrap();
    unsafe {
        check(mixplay_config_add_endpoint(config, url.as_ptr()), "add_endpoint");
        check(mixplay_config_set_token(config, c"bench-token".as_ptr()), "set_token");
        check(mixplay_config_set_version_id(config, 12345), "set_version_id");
        check(mixplay_config_set_compression(config, c"none".as_ptr()), "set_compression");
        check(mixplay_config_set_reconnect(config, false, 500, 500, 0), "set_reconnect");
        // Room for the whole flood: this bench times poll, not the overflow path.
        check(mixplay_config_set_event_queue_capacity(config, 1 << 20), "set_event_queue_capacity");
    }
    let mut session = std::ptr::null_mut();
    check(unsafe { mixplay_session_new(config, &mut session) }, "session_new");
    check(mixplay_config_free(config), "config_free");
    let deadline = Instant::now() + LIMIT;
    let mut event = mixplay_event::empty();
    let mut has = false;
    loop {
        check(unsafe { mixplay_session_poll(session, &mut event, &mut has) }, "poll");
        if has && event.kind == mixplay_event_kind::Connection as u32 {
            match event.connection_state {
                s if s == mixplay_connection_state::Connected as u32 => break,
                s if s == mixplay_connection_state::Disconnected as u32 => panic!("the session stopped"),
                _ => {}
            }
        }
        assert!(Instant::now() < deadline, "no connection in time");
        if !has {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    let mut request = 0;
    check(unsafe { mixplay_session_ready(session, true, &mut request) }, "ready");
    session
}

struct Round {
    per_event_ns: f64,
    events: u64,
}

/// Waits until all `n` inputs are queued, without polling.
fn wait_queued(session: *mut mixplay_session, n: u64) {
    let deadline = Instant::now() + LIMIT;
    while queued_inputs_for_bench(session).expect("a live session") < n as usize {
        assert!(Instant::now() < deadline, "the flood was not queued in time");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Drains `n` inputs, timing only the calls that returned events.
unsafe fn drain(session: *mut mixplay_session, n: u64, batch: usize) -> Round {
    let mut events = vec![mixplay_event::empty(); batch];
    let (mut inputs, mut handed, mut busy) = (0u64, 0u64, Duration::ZERO);
    let deadline = Instant::now() + LIMIT;
    while inputs < n {
        let mut count = 0;
        let t = Instant::now();
        let rc = if batch == 1 {
            let mut has = false;
            let rc = unsafe { mixplay_session_poll(session, &mut events[0], &mut has) };
            count = usize::from(has);
            rc
        } else {
            unsafe { mixplay_session_poll_many(session, events.as_mut_ptr(), batch, &mut count) }
        };
        check(rc, "poll");
        if count == batch && batch > 1 {
            // A full batch does not end the frame; a game that takes one batch a frame ends it
            // itself (or its per-frame input lists would span the whole flood).
            check(mixplay_session_end_frame(session), "end_frame");
        }
        if count == 0 {
            assert!(Instant::now() < deadline, "only {inputs} of {n} inputs arrived in time");
            std::hint::spin_loop();
            continue;
        }
        busy += t.elapsed();
        handed += count as u64;
        for e in &events[..count] {
            if e.kind == mixplay_event_kind::Input as u32 {
                inputs += 1;
                black_box(e.participant.len + e.control.len);
            }
            assert!(e.kind != mixplay_event_kind::Error as u32, "the session reported an error (code {})", e.code);
        }
    }
    Round { per_event_ns: busy.as_secs_f64() * 1e9 / handed as f64, events: handed }
}

unsafe fn idle(session: *mut mixplay_session) -> (f64, f64) {
    let mut event = mixplay_event::empty();
    let mut has = false;
    // Let anything still in flight arrive.
    let quiet = Instant::now();
    while quiet.elapsed() < Duration::from_millis(200) {
        check(unsafe { mixplay_session_poll(session, &mut event, &mut has) }, "poll");
    }
    let a0 = support::alloc::thread_allocations();
    let t = Instant::now();
    for _ in 0..IDLE_POLLS {
        black_box(unsafe { mixplay_session_poll(session, &mut event, &mut has) });
    }
    let ns = t.elapsed().as_secs_f64() * 1e9 / f64::from(IDLE_POLLS);
    let allocs = (support::alloc::thread_allocations() - a0) as f64 / f64::from(IDLE_POLLS);
    (ns, allocs)
}

/// One C# round: nanoseconds and managed bytes per input.
fn csharp(mono: &Mono, url: &str, n: usize) -> Result<(f64, f64), String> {
    let out = mono.run(&[url.to_owned(), n.to_string()], LIMIT * 3)?;
    let line = out.lines().find(|l| l.starts_with("csharp ")).ok_or_else(|| format!("no result in {out:?}"))?;
    let field = |name: &str| -> Result<f64, String> {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no {name} in {line:?}"))
    };
    let inputs = field("inputs")?;
    Ok((field("ns")? / inputs, field("bytes")? / inputs))
}

fn main() {
    let n = support::env_usize("MIXPLAY_BENCH_N", 200_000);
    let rounds = support::env_usize("MIXPLAY_BENCH_ROUNDS", 5);
    let (pids, inputs) = packets::input_packets(n);
    let join = packets::pool_join(&pids);
    let mut floods = HashMap::new();
    floods.insert("text", Flood::text(std::iter::once(join).chain(inputs)));
    let server = FloodServer::start(floods);
    println!("ffi_poll: mixplay_session_poll through the C ABI ({n} giveInput per round, {rounds} rounds)");
    let mono = Mono::build("UpdateBench").map_err(|why| println!("C# rows left empty: {why}")).ok();

    let (mut many, mut single, mut idle_ns, mut idle_allocs) = (Vec::new(), Vec::new(), Vec::new(), 0f64);
    let mut filled = Vec::new();
    let (mut cs_ns, mut cs_bytes, mut cs_share) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        for (batch, prefill) in if round % 2 == 0 { ORDER } else { REVERSED } {
            // SAFETY: the handles come from the library and are freed once.
            unsafe {
                let session = connect(&server.url("text"));
                if prefill {
                    wait_queued(session, n as u64);
                }
                let r = drain(session, n as u64, batch);
                if prefill {
                    filled.push(r.per_event_ns);
                } else if batch == 1 {
                    single.push(r.per_event_ns);
                    let (ns, allocs) = idle(session);
                    idle_ns.push(ns);
                    idle_allocs = idle_allocs.max(allocs);
                } else {
                    many.push(r.per_event_ns);
                }
                black_box(r.events);
                check(mixplay_session_free(session), "session_free");
            }
        }
        if let Some(mono) = &mono {
            let (ns, bytes) =
                csharp(mono, &server.url("text"), n).unwrap_or_else(|e| panic!("the C# round failed: {e}"));
            cs_ns.push(ns);
            cs_bytes.push(bytes);
            cs_share.push(many[round] / ns);
        }
    }
    println!("| measure | median | min–max |");
    println!("|---|---:|---:|");
    let row = |name: &str, v: &[f64], unit: &str, digits: usize| {
        if v.is_empty() {
            println!("| {name} | – | – |");
            return;
        }
        let (lo, hi) = support::min_max(v);
        println!("| {name} | {:.digits$}{unit} | {lo:.digits$}–{hi:.digits$}{unit} |", support::median(v));
    };
    row("per event, mixplay_session_poll_many (256 a call)", &many, " ns", 1);
    row("per event, mixplay_session_poll (one a call)", &single, " ns", 1);
    row("per event, mixplay_session_poll_many (256 a call), from a filled queue", &filled, " ns", 1);
    row("idle mixplay_session_poll, per call", &idle_ns, " ns", 1);
    row("per input, C# MixPlaySession.Update (Mono)", &cs_ns, " ns", 1);
    row("C# rate / poll_many rate (goal ≥ 0.5)", &cs_share, "", 2);
    row("C# managed bytes allocated per input", &cs_bytes, " B", 0);
    println!("idle poll allocations per call (max over rounds): {idle_allocs}");
}
