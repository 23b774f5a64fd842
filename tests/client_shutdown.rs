//! Dropping the last session stops the library's runtime and joins its threads. This checks
//! process-wide state, so it is the only test in its binary.
#![cfg(feature = "server")]
mod common;

use std::time::Duration;

use common::client::*;
use mixplay::client::{runtime_alive, Config, ConnectionState, Endpoints, Session};

/// The library's own threads (its runtime names them `mixplay-net`). Counting only these keeps
/// the mediator this test talks to out of the figure: its blocking pool grows and shrinks on its
/// own schedule.
fn threads() -> usize {
    names().iter().filter(|name| name.as_str() == "mixplay-net").count()
}

/// The library's threads once those already joined have left `/proc`: a joined thread can still
/// be listed for a moment while the kernel finishes its exit (joining waits for the thread to
/// clear its id, which happens before the kernel reaps it). Waits at most 5 s.
fn threads_after_join() -> usize {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let n = threads();
        if n == 0 || std::time::Instant::now() > deadline {
            return n;
        }
        std::thread::yield_now();
    }
}

/// The names of this process's threads.
fn names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path().join("comm")).unwrap_or_default().trim().to_owned())
        .collect()
}

/// A session against a port that refuses connections, retrying every 50 ms.
fn refused(port: std::net::SocketAddr) -> Session {
    let mut c = Config::new(Endpoints::Fixed(vec![format!("ws://{port}/gameClient")]), "demo-streamer", 1);
    c.reconnect.initial_delay = Duration::from_millis(50);
    c.reconnect.max_delay = Duration::from_millis(50);
    Session::connect(c).unwrap()
}

#[test]
fn dropping_the_last_session_stops_the_runtime_and_its_threads() {
    let s = serve();
    // Bound but not listening: connections are refused, and no other socket can take the port.
    let dead = tokio::net::TcpSocket::new_v4().unwrap();
    dead.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let dead = dead.local_addr().unwrap();
    assert!(!runtime_alive());
    assert_eq!(threads(), 0, "no library thread before the first session: {:?}", names());

    for round in 0..20 {
        // A synchronised session, found by discovery (over the blocking pool) or a fixed URL.
        let mut c = config(&s);
        if round % 2 == 1 {
            c.endpoints = Endpoints::Fixed(vec![format!("ws://{}/gameClient", s.m.local_addr())]);
        }
        let mut game = Session::connect(c).unwrap();
        wait_state(&mut game, ConnectionState::Connected);
        assert!(runtime_alive());
        assert!(threads() > 0, "the runtime has threads of its own");

        match round % 3 {
            // Alone.
            0 => drop(game),
            // With a second session that keeps the runtime alive until it is dropped too, while
            // it waits to retry.
            1 => {
                let mut other = refused(dead);
                wait_state(&mut other, ConnectionState::Reconnecting);
                drop(game);
                assert!(runtime_alive(), "round {round}: another session still uses the runtime");
                drop(other);
            }
            // With a second session that stopped for good (4021: the channel is busy).
            _ => {
                let mut other = Session::connect(config(&s)).unwrap();
                wait_state(&mut other, ConnectionState::Disconnected);
                drop(other);
                assert!(runtime_alive(), "round {round}: the first session still uses the runtime");
                drop(game);
            }
        }
        assert!(!runtime_alive(), "round {round}: the last drop stops the runtime");
        assert_eq!(threads_after_join(), 0, "round {round}: the runtime's threads are gone: {:?}", names());

        // The mediator frees the channel once it has read the close.
        wait_until_channel_free(&s);
    }
}

/// Waits until the channel accepts a new game client: the previous round's session may still be
/// registered for a moment after its close.
fn wait_until_channel_free(s: &Served) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let url = format!("{}/api/v1/interactive/1", s.m.base_url());
    loop {
        let channel: serde_json::Value = ureq::get(&url).call().unwrap().body_mut().read_json().unwrap();
        if channel["versionId"].is_null() {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the channel stays busy: {channel}");
        std::thread::yield_now();
    }
}
