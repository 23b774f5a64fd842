//! Helpers for driving the session engine (`mixplay::client`) in tests: a mediator on its own
//! runtime (the test thread plays the game), and waits with timeouts.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mixplay::client::{Config, ConnectionState, Endpoints, Event, Input, ReplyError, Session};
use mixplay::server::{Mediator, MediatorConfig, World};

/// A mediator on its own runtime. Participants (raw `Conn`s) are driven with `s.rt.block_on`.
pub struct Served {
    pub rt: tokio::runtime::Runtime,
    pub m: Mediator,
    world: World,
    config: MediatorConfig,
}

/// A mediator that [`Served::stop`] shut down; [`Stopped::restart`] starts a new one (same world
/// and settings, fresh state) at the same address.
pub struct Stopped {
    pub rt: tokio::runtime::Runtime,
    pub addr: SocketAddr,
    world: World,
    config: MediatorConfig,
}

impl Served {
    /// Shuts the mediator down as a service restart does: game clients are closed with 1012.
    pub fn stop(self) -> Stopped {
        let Served { rt, m, world, config } = self;
        let addr = m.local_addr();
        rt.block_on(m.shutdown());
        Stopped { rt, addr, world, config }
    }
}

impl Stopped {
    /// Starts a new mediator at the old address.
    pub fn restart(self) -> Served {
        let Stopped { rt, addr, world, config } = self;
        let m = rt.block_on(Mediator::start(&addr.to_string(), world.clone(), config.clone())).unwrap();
        Served { rt, m, world, config }
    }
}

pub fn serve() -> Served {
    serve_with(World::demo(), MediatorConfig::default())
}

pub fn serve_with(world: World, config: MediatorConfig) -> Served {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let m = rt.block_on(Mediator::start("127.0.0.1:0", world.clone(), config.clone())).unwrap();
    Served { rt, m, world, config }
}

/// A session config that discovers `s` and runs demo version 1 as the demo streamer.
pub fn config(s: &Served) -> Config {
    Config::new(Endpoints::Discover(s.m.hosts_url()), "demo-streamer", 1)
}

/// Polls (waiting) until an event matches, failing the test after 10 s.
pub fn wait_for(session: &mut Session, what: &str, mut pred: impl FnMut(&Event) -> bool) -> Event {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for {what}");
        if let Some(e) = session.wait(left) {
            if pred(&e) {
                return e;
            }
        }
    }
}

/// Waits for the reply to request `id`.
pub fn reply_for(session: &mut Session, id: u64) -> Result<String, ReplyError> {
    match wait_for(session, "a reply", |e| matches!(e, Event::Reply(r) if r.request_id == id)) {
        Event::Reply(r) => r.result,
        _ => unreachable!(),
    }
}

/// Waits until the session reports `state`.
pub fn wait_state(session: &mut Session, state: ConnectionState) -> Event {
    wait_for(session, &format!("{state:?}"), |e| matches!(e, Event::Connection { state: s, .. } if *s == state))
}

/// Connects a session to `s` and waits until it is synchronised.
pub fn connected(s: &Served) -> Session {
    let mut session = Session::connect(config(s)).unwrap();
    wait_state(&mut session, ConnectionState::Connected);
    session
}

/// All events up to and including the first one that matches `pred`.
pub fn until(session: &mut Session, what: &str, mut pred: impl FnMut(&Event) -> bool) -> Vec<Event> {
    let mut seen = Vec::new();
    wait_for(session, what, |e| {
        seen.push(e.clone());
        pred(e)
    });
    seen
}

/// The next input on `control` (other events are skipped).
pub fn input_on(game: &mut Session, control: &str) -> Input {
    match wait_for(game, &format!("input on {control}"), |e| matches!(e, Event::Input(i) if &*i.control == control)) {
        Event::Input(i) => i,
        _ => unreachable!(),
    }
}
