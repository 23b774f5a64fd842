//! Helpers for driving the session engine (`mixplay::client`) in tests: a mediator on its own
//! runtime (the test thread plays the game), and waits with timeouts.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mixplay::client::{Config, ConnectionState, Endpoints, Event, Input, ReplyError, Session};
use mixplay::server::{Location, Mediator, MediatorConfig, MediatorOptions, World};

use super::durable::TempDir;

/// A mediator on its own runtime, on a real store in a temporary data folder, so that a restart
/// keeps what a service keeps (accounts, issued tokens, balances) and starts the live state
/// afresh. Participants (raw `Conn`s) are driven with `s.rt.block_on`.
pub struct Served {
    pub rt: tokio::runtime::Runtime,
    pub m: Mediator,
    world: World,
    config: MediatorConfig,
    data: TempDir,
}

/// A mediator that [`Served::stop`] shut down; [`Stopped::restart`] starts a new one at the same
/// address on the same data folder.
pub struct Stopped {
    pub rt: tokio::runtime::Runtime,
    pub addr: SocketAddr,
    world: World,
    config: MediatorConfig,
    data: TempDir,
}

async fn launch(addr: &str, world: &World, config: &MediatorConfig, data: &TempDir) -> Mediator {
    Mediator::launch(MediatorOptions {
        listen: addr.to_owned(),
        storage: Location::Folder(data.path().to_owned()),
        world: Some(world.clone()),
        config: config.clone(),
    })
    .await
    .expect("the mediator starts")
}

impl Served {
    /// Shuts the mediator down as a service restart does: game clients are closed with 1012.
    pub fn stop(self) -> Stopped {
        let Served { rt, m, world, config, data } = self;
        let addr = m.local_addr();
        rt.block_on(m.shutdown());
        Stopped { rt, addr, world, config, data }
    }

    /// Restarts the mediator at the same address after `down` (a deliberate outage, e.g. long
    /// enough for tokens to expire), for harnesses that hold the `Served` in place.
    pub fn restart_in_place(&mut self, down: Duration) {
        let addr = self.m.local_addr();
        // A stand-in holds the field while the old mediator shuts down and the address is free.
        let stand_in = self.rt.block_on(Mediator::start("127.0.0.1:0", self.world.clone(), self.config.clone()));
        let old = std::mem::replace(&mut self.m, stand_in.expect("start a stand-in mediator"));
        self.rt.block_on(old.shutdown());
        std::thread::sleep(down);
        let new = self.rt.block_on(launch(&addr.to_string(), &self.world, &self.config, &self.data));
        let stand_in = std::mem::replace(&mut self.m, new);
        self.rt.block_on(stand_in.shutdown());
    }
}

impl Stopped {
    /// Starts a new mediator at the old address, on the old data folder.
    pub fn restart(self) -> Served {
        let Stopped { rt, addr, world, config, data } = self;
        let m = rt.block_on(launch(&addr.to_string(), &world, &config, &data));
        Served { rt, m, world, config, data }
    }
}

pub fn serve() -> Served {
    serve_with(World::demo(), MediatorConfig::default())
}

pub fn serve_with(world: World, config: MediatorConfig) -> Served {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let data = TempDir::new("served");
    let m = rt.block_on(launch("127.0.0.1:0", &world, &config, &data));
    Served { rt, m, world, config, data }
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
