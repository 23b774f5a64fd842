#![cfg(feature = "server")]
//! Network chaos between the SDK and the mediator: a TCP proxy written here (tokio, loopback)
//! carries the game client's connection and, on command, delays its traffic, holds it (a stall,
//! or a link that silently stops carrying packets), resets it, or corrupts a frame. The SDK
//! (`mixplay::client::Session`) must survive slowness and short stalls without losing anything,
//! notice a dead link, reconnect, re-synchronise, and report exactly what changed while it was
//! away. Viewers connect to the mediator directly. Every wait is on an event, with a timeout.
mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::client::{reply_for, serve_with, wait_for, Served};
use common::Conn;
use mixplay::client::{Config, ConnectionState, Endpoints, Event, Session, SessionId};
use mixplay::server::world::WorldFile;
use mixplay::server::{MediatorConfig, World};
use parking_lot::Mutex;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

// ----- the proxy -----

/// One proxied connection's controls.
struct Link {
    /// While set, bytes read from either side are kept, not forwarded.
    held: watch::Sender<bool>,
    /// Set once: both sockets are reset and the pumps stop.
    cut: watch::Sender<bool>,
    /// The next chunk from the mediator gets a reserved websocket opcode in its first byte.
    corrupt_next_down: AtomicBool,
}

#[derive(Default)]
struct ProxyShared {
    links: Mutex<Vec<Arc<Link>>>,
    accepted: AtomicUsize,
    /// Added before every forwarded chunk, both ways.
    delay: Mutex<Duration>,
}

/// A TCP proxy to the mediator with faults on command.
struct Proxy {
    addr: SocketAddr,
    shared: Arc<ProxyShared>,
    /// While closed, a new connection waits before it is joined to the mediator.
    gate: watch::Sender<bool>,
}

impl Proxy {
    fn start(rt: &tokio::runtime::Runtime, upstream: SocketAddr) -> Proxy {
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(ProxyShared::default());
        let (gate, _) = watch::channel(true);
        let (accept_shared, accept_gate) = (shared.clone(), gate.clone());
        rt.spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                accept_shared.accepted.fetch_add(1, Ordering::SeqCst);
                let (shared, mut gate) = (accept_shared.clone(), accept_gate.subscribe());
                tokio::spawn(async move {
                    if gate.wait_for(|open| *open).await.is_err() {
                        return;
                    }
                    let Ok(outbound) = TcpStream::connect(upstream).await else { return };
                    link(inbound, outbound, &shared).await;
                });
            }
        });
        Proxy { addr, shared, gate }
    }

    fn accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    fn set_delay(&self, delay: Duration) {
        *self.shared.delay.lock() = delay;
    }

    fn links(&self) -> Vec<Arc<Link>> {
        self.shared.links.lock().clone()
    }

    /// Holds (or releases) every connection open now; later ones pass.
    fn hold(&self, held: bool) {
        for l in self.links() {
            l.held.send_replace(held);
        }
    }

    /// Resets every connection open now.
    fn cut(&self) {
        for l in self.shared.links.lock().drain(..) {
            l.cut.send_replace(true);
        }
    }

    fn corrupt_next_frame_to_the_game(&self) {
        for l in self.links() {
            l.corrupt_next_down.store(true, Ordering::SeqCst);
        }
    }

    fn set_gate(&self, open: bool) {
        self.gate.send_replace(open);
    }
}

async fn link(inbound: TcpStream, outbound: TcpStream, shared: &ProxyShared) {
    // A cut is a reset, as when a middlebox drops the connection, not a polite close. (A zero
    // linger never blocks on drop, which is why tokio deprecates the setter in general.)
    #[allow(deprecated)]
    {
        let _ = inbound.set_linger(Some(Duration::ZERO));
        let _ = outbound.set_linger(Some(Duration::ZERO));
    }
    let link = Arc::new(Link {
        held: watch::channel(false).0,
        cut: watch::channel(false).0,
        corrupt_next_down: AtomicBool::new(false),
    });
    shared.links.lock().push(link.clone());
    let (client_read, client_write) = inbound.into_split();
    let (server_read, server_write) = outbound.into_split();
    let up = pump(client_read, server_write, &link, shared, false);
    let down = pump(server_read, client_write, &link, shared, true);
    // Either side ending ends the link: the halves drop together, with a reset.
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}

/// Forwards `from` to `to` until either ends or the link is cut, honouring hold, delay and
/// corruption.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, link: &Link, shared: &ProxyShared, down: bool) {
    let mut cut = link.cut.subscribe();
    let mut held = link.held.subscribe();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = tokio::select! {
            _ = cut.wait_for(|c| *c) => return,
            read = from.read(&mut buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            },
        };
        if down && link.corrupt_next_down.swap(false, Ordering::SeqCst) {
            // The first byte after a quiet moment starts a frame: FIN plus opcode. Opcode 3 is
            // reserved, so the game's websocket must refuse it.
            buf[0] = (buf[0] & 0xF0) | 0x3;
        }
        tokio::select! {
            _ = cut.wait_for(|c| *c) => return,
            released = held.wait_for(|h| !*h) => if released.is_err() { return },
        }
        let delay = *shared.delay.lock();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

// ----- the game and its viewers -----

/// The demo users; project 1's default scene has a button `jump` ("Jump").
fn world() -> World {
    let file: WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "streamer", "token": "demo-streamer", "level": 50 },
            { "id": 2, "username": "viewer1", "token": "demo-viewer-1", "level": 1 },
            { "id": 3, "username": "viewer2", "token": "demo-viewer-2", "level": 2 },
            { "id": 4, "username": "viewer3", "token": "demo-viewer-3", "level": 3 }
        ],
        "channels": [ { "id": 1, "owner": 1 } ],
        "projects": [ {
            "versionId": 1, "owner": 1,
            "scenes": [ { "sceneID": "default", "controls": [
                { "controlID": "jump", "kind": "button", "text": "Jump" }
            ] } ],
            "groups": [ { "groupID": "default", "sceneID": "default" } ]
        } ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

struct Chaos {
    s: Served,
    proxy: Proxy,
    game: Session,
}

/// A game connected through the proxy: it renames `jump`, adds a button `boost`, goes ready,
/// and sees viewers 1 and 2 join.
fn setup(keepalive: Duration) -> (Chaos, Vec<(Conn, SessionId)>) {
    let s = serve_with(world(), MediatorConfig::default());
    let proxy = Proxy::start(&s.rt, s.m.local_addr());
    let mut config = Config::new(Endpoints::Fixed(vec![format!("ws://{}/gameClient", proxy.addr)]), "demo-streamer", 1);
    config.reconnect.initial_delay = Duration::from_millis(50);
    config.reconnect.max_delay = Duration::from_millis(200);
    config.keepalive = keepalive;
    let mut game = Session::connect(config).unwrap();
    wait_for(&mut game, "connected", |e| is_state(e, ConnectionState::Connected));
    let id = game.create_controls("default", json!([{ "controlID": "boost", "kind": "button" }])).unwrap();
    reply_for(&mut game, id).expect("boost is created");
    game.set_text("jump", "Jump!").unwrap();
    game.flush_writes();
    wait_for(&mut game, "jump renamed", |e| is_control_update(e, "jump"));
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).expect("ready");
    let mut c = Chaos { s, proxy, game };
    let viewers = vec![c.join("demo-viewer-1"), c.join("demo-viewer-2")];
    (c, viewers)
}

fn is_state(e: &Event, state: ConnectionState) -> bool {
    matches!(e, Event::Connection { state: s, .. } if *s == state)
}

fn is_control_update(e: &Event, control: &str) -> bool {
    matches!(e, Event::ControlUpdated { control: c, .. } if c == control)
}

/// The state changes among `events`, comparable as a set: connection statuses, replies and
/// errors left out.
fn changes(events: &[Event]) -> BTreeSet<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Connection { .. } | Event::Reply(_) | Event::Error { .. } => None,
            Event::Input(i) => Some(format!("input {} {}", i.participant, i.control)),
            Event::ParticipantLeft { participant, .. } => Some(format!("left {participant}")),
            Event::ParticipantJoined(p) => Some(format!("joined {p}")),
            other => Some(format!("{other:?}")),
        })
        .collect()
}

impl Chaos {
    /// Joins a viewer directly to the mediator; returns once the game has seen the join.
    fn join(&mut self, key: &str) -> (Conn, SessionId) {
        let viewer = self.s.rt.block_on(common::participant(&self.s.m, Some(key))).open();
        match wait_for(&mut self.game, "a join", |e| matches!(e, Event::ParticipantJoined(_))) {
            Event::ParticipantJoined(who) => (viewer, who),
            _ => unreachable!(),
        }
    }

    /// Every event until (and including) the reply to a `getTime` asked now: everything the
    /// service sent before it has been read by then.
    fn barrier(&mut self) -> Vec<Event> {
        let id = self.game.get_time().unwrap();
        let mut seen = Vec::new();
        wait_for(&mut self.game, "the barrier", |e| {
            seen.push(e.clone());
            matches!(e, Event::Reply(r) if r.request_id == id)
        });
        seen
    }

    /// Every event until the session is connected again (and a barrier after it).
    fn reconnection(&mut self) -> Vec<Event> {
        let mut seen = Vec::new();
        wait_for(&mut self.game, "connected again", |e| {
            seen.push(e.clone());
            is_state(e, ConnectionState::Connected)
        });
        seen.extend(self.barrier());
        seen
    }

    /// Lets the mediator end the old session before the game's next connection reaches it: a
    /// second game client on a channel is refused with 4021 while the first is still there.
    /// The viewers are closed with 4016 when the mediator has ended it.
    fn wait_for_the_session_to_end(&mut self, viewers: &mut [(Conn, SessionId)]) {
        for (v, _) in viewers.iter_mut() {
            assert_eq!(self.s.rt.block_on(v.closed()), 4016, "viewers are closed when the game leaves");
        }
    }

    /// Resets the game's dead link, lets the mediator end the session, lets the game's next
    /// connection through, and returns what the game saw until it was connected again; checks
    /// that it was told exactly what it lost.
    fn recover(&mut self, viewers: &mut [(Conn, SessionId)]) -> Vec<Event> {
        self.proxy.cut();
        self.wait_for_the_session_to_end(viewers);
        self.proxy.set_gate(true);
        let seen = self.reconnection();
        assert_eq!(changes(&seen), Chaos::lost_everything(viewers), "{seen:?}");
        seen
    }

    /// What the game is told after it lost `viewers` and its own changes to the scene.
    fn lost_everything(viewers: &[(Conn, SessionId)]) -> BTreeSet<String> {
        let mut expected: BTreeSet<String> = viewers.iter().map(|(_, id)| format!("left {id}")).collect();
        expected.insert(format!("{:?}", Event::ControlUpdated { scene: "default".into(), control: "jump".into() }));
        expected.insert(format!("{:?}", Event::ControlDeleted { scene: "default".into(), control: "boost".into() }));
        expected
    }

    /// After a reconnection: the cache holds what the service holds, and the game plays on.
    fn plays_on(&mut self) {
        assert!(self.game.state().participants.is_empty());
        assert_eq!(self.game.state().control("default", "jump").and_then(|c| c.get("text")), Some(&json!("Jump")));
        assert!(self.game.state().control("default", "boost").is_none());
        let id = self.game.ready(true).unwrap();
        reply_for(&mut self.game, id).expect("ready again");
        let (mut viewer, who) = self.join("demo-viewer-3");
        self.s.rt.block_on(viewer.ok("giveInput", json!({ "controlID": "jump", "event": "mousedown", "button": 0 })));
        let input = wait_for(&mut self.game, "the new viewer's press", |e| matches!(e, Event::Input(_)));
        assert!(matches!(&input, Event::Input(i) if i.participant == who && &*i.control == "jump"), "{input:?}");
        let ids: Vec<SessionId> = self.game.state().participants.ids().collect();
        assert_eq!(ids, vec![who.clone()]);
    }
}

fn press(viewer: &mut Conn, s: &Served) {
    s.rt.block_on(viewer.ok("giveInput", json!({ "controlID": "jump", "event": "mousedown", "button": 0 })));
}

// ----- the tests -----

#[test]
fn a_slow_then_stalled_link_loses_nothing() {
    // A stall shorter than the keepalive's two intervals is waited out.
    let (mut c, mut viewers) = setup(Duration::from_secs(3));

    // Slow: every chunk waits 100 ms each way. A round trip takes at least 200 ms, and
    // everything still arrives, in order, on the same connection.
    c.proxy.set_delay(Duration::from_millis(100));
    let started = Instant::now();
    c.barrier();
    assert!(started.elapsed() >= Duration::from_millis(200), "the proxy delays traffic");
    press(&mut viewers[0].0, &c.s);
    c.game.set_text("jump", "Slow").unwrap();
    c.game.flush_writes();
    let mut seen = Vec::new();
    wait_for(&mut c.game, "the press and the rename", |e| {
        seen.push(e.clone());
        let changes = changes(&seen);
        changes.len() == 2
    });
    let expected: BTreeSet<String> = [
        format!("input {} jump", viewers[0].1),
        format!("{:?}", Event::ControlUpdated { scene: "default".into(), control: "jump".into() }),
    ]
    .into();
    assert_eq!(changes(&seen), expected);
    c.proxy.set_delay(Duration::ZERO);

    // Stalled: nothing crosses while viewer 2 leaves, viewer 3 joins, viewer 1 presses and the
    // game renames `jump`; once traffic flows again the game hears of exactly those.
    c.proxy.hold(true);
    let (v2, v2_id) = viewers.remove(1);
    c.s.rt.block_on(v2.close());
    let mut v3 = c.s.rt.block_on(common::participant(&c.s.m, Some("demo-viewer-3"))).open();
    c.s.rt.block_on(v3.event("onReady"));
    press(&mut viewers[0].0, &c.s);
    c.game.set_text("jump", "Held").unwrap();
    c.game.flush_writes();
    c.proxy.hold(false);
    let mut seen = Vec::new();
    wait_for(&mut c.game, "everything from the stall", |e| {
        seen.push(e.clone());
        changes(&seen).len() == 4
    });
    seen.extend(c.barrier());
    let changes = changes(&seen);
    let v3_id = c.game.state().participants.ids().find(|id| *id != viewers[0].1).expect("viewer 3");
    let expected: BTreeSet<String> = [
        format!("left {v2_id}"),
        format!("joined {v3_id}"),
        format!("input {} jump", viewers[0].1),
        format!("{:?}", Event::ControlUpdated { scene: "default".into(), control: "jump".into() }),
    ]
    .into();
    assert_eq!(changes, expected);
    assert!(!seen.iter().any(|e| matches!(e, Event::Connection { .. })), "no reconnection: {seen:?}");
    assert_eq!(c.proxy.accepted(), 1);
    assert_eq!(c.game.state().control("default", "jump").and_then(|j| j.get("text")), Some(&json!("Held")));
}

#[test]
fn a_reset_link_reconnects_and_reports_what_the_game_lost() {
    let (mut c, mut viewers) = setup(Duration::from_secs(15));
    c.proxy.set_gate(false);
    let seen = c.recover(&mut viewers);
    let states: Vec<_> = seen.iter().filter(|e| matches!(e, Event::Connection { .. })).collect();
    assert!(
        matches!(states.first(), Some(Event::Connection { state: ConnectionState::Reconnecting, code: None, .. })),
        "{states:?}"
    );
    c.plays_on();
}

#[test]
fn a_link_that_goes_silent_is_noticed_and_replaced() {
    // The keepalive pings after 500 ms of silence and gives up after a second.
    let (mut c, mut viewers) = setup(Duration::from_millis(500));
    c.proxy.set_gate(false);
    c.proxy.hold(true);
    let lost = wait_for(&mut c.game, "the verdict", |e| is_state(e, ConnectionState::Reconnecting));
    let Event::Connection { message, .. } = &lost else { unreachable!() };
    assert!(message.contains("nothing heard from the service"), "{message}");
    // The game's side is gone; the mediator learns of it when the dead link is finally reset.
    c.recover(&mut viewers);
    c.plays_on();
}

#[test]
fn a_corrupted_frame_reconnects() {
    let (mut c, mut viewers) = setup(Duration::from_secs(15));
    c.barrier();
    c.proxy.set_gate(false);
    c.proxy.corrupt_next_frame_to_the_game();
    let id = c.game.get_time().unwrap();
    let reply = wait_for(&mut c.game, "the request's fate", |e| matches!(e, Event::Reply(r) if r.request_id == id));
    let Event::Reply(reply) = reply else { unreachable!() };
    assert!(reply.result.is_err(), "the corrupted reply is not delivered: {reply:?}");
    c.recover(&mut viewers);
    c.plays_on();
}
