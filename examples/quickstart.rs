//! The quickstart: the mediator with the demo world, a small demo game connected through the public
//! Rust API (`mixplay::client::Session`), and the participant page to play it from a browser.
//!
//! ```sh
//! cargo run --release --features server --example quickstart
//! cargo run --release --features server --example quickstart -- --listen 0.0.0.0:8080
//! cargo run --release --features server --example quickstart -- --data ./mixplay-data
//! cargo run --release --features server --example quickstart -- --no-mediator \
//!     --discovery http://127.0.0.1:8080/api/v1/interactive/hosts
//! ```
//!
//! The game: a hero `@` on an ASCII field, drawn in the terminal. Viewers steer it with the
//! joystick or the W/A/S/D buttons (their keys work too), collect gems `*`, drop gems by clicking
//! the stream video (a screen control), rename the hero (a textbox), fill the team meter
//! ("Charge", progress bar and cooldown set by the game) and buy a boost for 10 sparks (captured
//! before it is granted; its progress bar shows the boost running out). "Join the red team" moves
//! a viewer to the `red` group, whose scene steers a ghost `G` instead.

use std::collections::{HashMap, VecDeque};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mixplay::client::{ButtonAction, Config, ConnectionState, Endpoints, Event, InputKind, Session, SessionId};
use mixplay::server::{Location, Mediator, MediatorConfig, MediatorOptions};
use serde_json::{json, Value};

const USAGE: &str = "\
usage: quickstart [--listen ADDR] [--data DIR] [--no-mediator --discovery URL] [--token TOKEN]
                  [--version-id N] [--frames N] [--duration SECONDS]

  --listen ADDR       where the embedded mediator listens (default 127.0.0.1:8080; port 0 picks one)
  --data DIR          keep the embedded mediator's data (accounts, sparks, chat) in DIR, as
                      mixplay-server does (default: in memory, gone when the quickstart stops)
  --no-mediator       do not start a mediator; play on the one --discovery points at
  --discovery URL     the game-client discovery URL (default: the embedded mediator's)
  --token TOKEN       the streamer's token (default demo-streamer)
  --version-id N      the interactive project version (default 1)
  --frames N          stop after N game ticks (10 per second) once the game is ready
  --duration SECONDS  stop after this long
Without --frames or --duration it runs until Ctrl-C.";

const TICK: Duration = Duration::from_millis(100);
const FIELD_W: usize = 48;
const FIELD_H: usize = 12;
const BOOST_COST: u32 = 10;
const BOOST_MS: u64 = 5000;
/// Sparks a viewer who signs up on the page starts with: enough to try the boost a few times.
const SIGNUP_SPARKS: u64 = 100;

struct Options {
    listen: String,
    data: Option<std::path::PathBuf>,
    mediator: bool,
    discovery: Option<String>,
    token: String,
    version_id: u32,
    frames: Option<u64>,
    duration: Option<Duration>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        listen: "127.0.0.1:8080".into(),
        data: None,
        mediator: true,
        discovery: None,
        token: "demo-streamer".into(),
        version_id: 1,
        frames: None,
        duration: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--listen" => o.listen = value("--listen")?,
            "--data" => o.data = Some(value("--data")?.into()),
            "--no-mediator" => o.mediator = false,
            "--discovery" => o.discovery = Some(value("--discovery")?),
            "--token" => o.token = value("--token")?,
            "--version-id" => {
                o.version_id = value("--version-id")?.parse().map_err(|_| "--version-id takes a number")?
            }
            "--frames" => o.frames = Some(value("--frames")?.parse().map_err(|_| "--frames takes a number")?),
            "--duration" => {
                let secs: f64 = value("--duration")?.parse().map_err(|_| "--duration takes seconds")?;
                o.duration = Some(Duration::from_secs_f64(secs.max(0.0)));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !o.mediator && o.discovery.is_none() {
        return Err("--no-mediator needs --discovery URL".into());
    }
    Ok(o)
}

/// A control's grid placement for each size: `[x, y, width, height]` on large (80x20), medium
/// (45x25) and small (30x40) grids.
fn place(large: [u32; 4], medium: [u32; 4], small: [u32; 4]) -> Value {
    let one = |size: &str, [x, y, width, height]: [u32; 4]| json!({"size": size, "x": x, "y": y, "width": width, "height": height});
    json!([one("large", large), one("medium", medium), one("small", small)])
}

/// The default scene: everyone starts here.
fn default_controls() -> Value {
    json!([
        {"controlID": "title", "kind": "label", "text": "Steer the hero, grab the gems!", "textSize": "18px",
         "textColor": "#ffd54a", "bold": true, "position": place([0, 0, 44, 3], [0, 0, 30, 3], [0, 0, 30, 3])},
        {"controlID": "score", "kind": "label", "text": "Score: 0", "textSize": "18px", "underline": true,
         "position": place([44, 0, 20, 3], [30, 0, 15, 3], [0, 3, 30, 2])},
        {"controlID": "stick", "kind": "joystick", "sampleRate": 50,
         "position": place([0, 3, 14, 14], [0, 3, 14, 14], [0, 5, 14, 14])},
        {"controlID": "up", "kind": "button", "text": "Up", "keyCode": 87, "tooltip": "Move the hero up",
         "position": place([20, 3, 10, 5], [20, 3, 10, 5], [19, 5, 8, 5])},
        {"controlID": "left", "kind": "button", "text": "Left", "keyCode": 65, "tooltip": "Move the hero left",
         "position": place([15, 8, 10, 5], [15, 8, 10, 5], [15, 10, 8, 5])},
        {"controlID": "right", "kind": "button", "text": "Right", "keyCode": 68, "tooltip": "Move the hero right",
         "position": place([25, 8, 10, 5], [25, 8, 10, 5], [23, 10, 7, 5])},
        {"controlID": "down", "kind": "button", "text": "Down", "keyCode": 83, "tooltip": "Move the hero down",
         "position": place([20, 13, 10, 5], [20, 13, 10, 5], [19, 15, 8, 5])},
        {"controlID": "boost", "kind": "button", "text": "Boost", "cost": BOOST_COST, "keyCode": 66,
         "tooltip": "Double the hero's speed for 5 seconds", "backgroundColor": "#3b2a5a", "borderColor": "#a77bff",
         "accentColor": "#c9a7ff", "focusColor": "#ffffff", "textColor": "#f3ecff", "textSize": "18px",
         "position": place([37, 3, 14, 7], [35, 3, 10, 7], [0, 20, 15, 6])},
        {"controlID": "charge", "kind": "button", "text": "Charge", "progress": 0.0, "keyCode": 67,
         "tooltip": "Fill the meter together: a full meter rains gems", "backgroundColor": "#173a2b",
         "borderColor": "#3ecf8e", "accentColor": "#3ecf8e",
         "position": place([52, 3, 14, 7], [35, 10, 10, 7], [15, 20, 15, 6])},
        {"controlID": "red-team", "kind": "button", "text": "Join the red team", "backgroundColor": "#5a1f24",
         "borderColor": "#ff6b6b", "tooltip": "Switch to the red team and steer the ghost",
         "position": place([67, 3, 13, 7], [0, 18, 14, 6], [0, 26, 30, 4])},
        {"controlID": "name", "kind": "textbox", "placeholder": "Name the hero", "hasSubmit": true,
         "submitText": "Rename", "position": place([37, 11, 29, 5], [15, 18, 30, 5], [0, 30, 30, 5])},
        {"controlID": "hint", "kind": "label", "text": "Keys: W A S D move · B boost · C charge · click the video to drop a gem",
         "italic": true, "textColor": "#9aa3b2", "textSize": "14px",
         "position": place([37, 17, 43, 3], [15, 23, 30, 2], [0, 35, 30, 4])},
        {"controlID": "aim", "kind": "screen", "sendMoveEvents": "mousedown", "moveThrottle": 100}
    ])
}

/// The red team's scene.
fn red_controls() -> Value {
    json!([
        {"controlID": "red-title", "kind": "label", "text": "Red team: you steer the ghost G", "textSize": "18px",
         "textColor": "#ff8a8a", "bold": true, "position": place([0, 0, 44, 3], [0, 0, 45, 3], [0, 0, 30, 3])},
        {"controlID": "ghost-stick", "kind": "joystick", "sampleRate": 100,
         "position": place([0, 3, 14, 14], [0, 3, 14, 14], [0, 3, 14, 14])},
        {"controlID": "haunt", "kind": "button", "text": "Haunt!", "keyCode": 72, "backgroundColor": "#5a1f24",
         "borderColor": "#ff6b6b", "tooltip": "The ghost leaps toward the hero",
         "position": place([16, 3, 14, 7], [16, 3, 14, 7], [15, 3, 15, 7])},
        {"controlID": "leave-red", "kind": "button", "text": "Back to the hero",
         "position": place([16, 11, 14, 6], [16, 11, 14, 6], [15, 11, 15, 6])},
        {"controlID": "red-score", "kind": "label", "text": "Ghost catches: 0", "italic": true,
         "position": place([32, 3, 30, 3], [31, 3, 14, 3], [0, 18, 30, 3])}
    ])
}

struct Game {
    hero: (f64, f64),
    ghost: (f64, f64),
    hero_name: String,
    gems: Vec<(usize, usize)>,
    score: u32,
    catches: u32,
    sticks: HashMap<SessionId, (f64, f64)>,
    ghost_sticks: HashMap<SessionId, (f64, f64)>,
    boost_until: Option<Instant>,
    charge: f64,
    /// capture request id -> who bought the boost.
    captures: HashMap<u64, String>,
    /// The `ready` request in flight, and whether the game is ready (the channel is live).
    ready_request: Option<u64>,
    live: bool,
    log: VecDeque<String>,
    changed: bool,
    shown_progress: f64,
    shown_halo: (f64, f64),
    rng: fastrand::Rng,
}

impl Game {
    fn new() -> Game {
        let mut g = Game {
            hero: (FIELD_W as f64 / 2.0, FIELD_H as f64 / 2.0),
            ghost: (2.0, 1.0),
            hero_name: "Hero".into(),
            gems: Vec::new(),
            score: 0,
            catches: 0,
            sticks: HashMap::new(),
            ghost_sticks: HashMap::new(),
            boost_until: None,
            charge: 0.0,
            captures: HashMap::new(),
            ready_request: None,
            live: false,
            log: VecDeque::new(),
            changed: true,
            shown_progress: -1.0,
            shown_halo: (0.0, 0.0),
            rng: fastrand::Rng::with_seed(7),
        };
        for _ in 0..4 {
            g.spawn_gem();
        }
        g
    }

    fn say(&mut self, line: String) {
        self.log.push_front(line);
        self.log.truncate(5);
        self.changed = true;
    }

    fn spawn_gem(&mut self) {
        let gem = (self.rng.usize(0..FIELD_W), self.rng.usize(0..FIELD_H));
        if !self.gems.contains(&gem) {
            self.gems.push(gem);
        }
    }

    fn step_hero(&mut self, dx: f64, dy: f64) {
        self.hero.0 = (self.hero.0 + dx).clamp(0.0, FIELD_W as f64 - 1.0);
        self.hero.1 = (self.hero.1 + dy).clamp(0.0, FIELD_H as f64 - 1.0);
        self.changed = true;
    }

    fn cell(p: (f64, f64)) -> (usize, usize) {
        (p.0.round() as usize, p.1.round() as usize)
    }

    fn boosted(&self) -> bool {
        self.boost_until.is_some_and(|t| t > Instant::now())
    }

    fn draw(&self, url: &str, tty: bool) {
        let mut out = String::new();
        if tty {
            out.push_str("\x1b[H\x1b[2J");
        }
        out.push_str(&format!("MixPlay quickstart · play at {url} · Ctrl-C stops\n"));
        let boost = match self.boost_until {
            Some(t) if t > Instant::now() => format!("boost {:.1}s", (t - Instant::now()).as_secs_f64()),
            _ => "no boost".into(),
        };
        out.push_str(&format!(
            "{} (@) score {} · ghost (G) catches {} · {boost} · team meter {:>3.0}% · {} steering\n",
            self.hero_name,
            self.score,
            self.catches,
            self.charge * 100.0,
            self.sticks.len() + self.ghost_sticks.len()
        ));
        out.push('+');
        out.push_str(&"-".repeat(FIELD_W));
        out.push_str("+\n");
        let hero = Self::cell(self.hero);
        let ghost = Self::cell(self.ghost);
        for y in 0..FIELD_H {
            out.push('|');
            for x in 0..FIELD_W {
                out.push(if (x, y) == hero {
                    '@'
                } else if (x, y) == ghost {
                    'G'
                } else if self.gems.contains(&(x, y)) {
                    '*'
                } else {
                    ' '
                });
            }
            out.push_str("|\n");
        }
        out.push('+');
        out.push_str(&"-".repeat(FIELD_W));
        out.push_str("+\n");
        for line in &self.log {
            out.push_str(line);
            out.push('\n');
        }
        if !tty {
            out.push('\n');
        }
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(out.as_bytes());
        let _ = stdout.flush();
    }
}

fn name_of(session: &Session, id: &SessionId) -> String {
    match session.state().participants.get(id) {
        Some(p) if !p.anonymous && !p.username.is_empty() => p.username.to_string(),
        _ => "an anonymous viewer".into(),
    }
}

/// Creates what the game needs that the service does not have yet (after a reconnect to a fresh
/// session everything is missing; after a resumed one nothing is), then goes ready. Returns the
/// request id of `ready`.
fn set_up(session: &mut Session) -> Option<u64> {
    let state = session.state();
    let need_default = !state.scenes.get("default").is_some_and(|s| s.controls.contains_key("up"));
    let need_red_scene = !state.scenes.contains_key("red");
    let need_red_group = !state.groups.contains_key("red");
    let ready = state.ready;
    if need_default {
        let _ = session.create_controls("default", default_controls());
    }
    if need_red_scene {
        let _ = session.create_scenes(json!([{"sceneID": "red", "controls": red_controls()}]));
    }
    if need_red_group {
        let _ = session.create_groups(json!([{"groupID": "red", "sceneID": "red"}]));
    }
    if ready {
        None
    } else {
        session.ready(true).ok()
    }
}

/// The participant page of the streamer's channel: `GET /api/v1/users/current` names it.
fn page_url(discovery: &str, token: &str) -> String {
    let base = discovery.split("/api/v1/").next().unwrap_or(discovery).trim_end_matches('/').to_owned();
    let base = base.replacen("ws://", "http://", 1).replacen("wss://", "https://", 1);
    let channel = ureq::get(&format!("{base}/api/v1/users/current"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .ok()
        .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
        .and_then(|v| v["channel"]["id"].as_u64())
        .unwrap_or(1);
    format!("{base}/channel/{channel}")
}

fn handle(session: &mut Session, game: &mut Game, event: Event) {
    match event {
        Event::Connection { state: ConnectionState::Connected, .. } => {
            game.ready_request = set_up(session);
            game.live = game.ready_request.is_none();
            game.say("connected to the mediator".into());
        }
        Event::Connection { state: ConnectionState::Connecting, .. } => {}
        Event::Connection { state, code, message } => {
            game.live = false;
            let code = code.map(|c| format!(" ({c})")).unwrap_or_default();
            game.say(format!("connection {state:?}{code}: {message}"));
        }
        Event::ParticipantJoined(id) => {
            let who = name_of(session, &id);
            game.say(format!("{who} joined"));
        }
        Event::ParticipantLeft { participant, .. } => {
            game.sticks.remove(&participant);
            game.ghost_sticks.remove(&participant);
        }
        Event::Input(input) => {
            let who = name_of(session, &input.participant);
            let pressed = |k: &InputKind| {
                matches!(k, InputKind::Button { action: ButtonAction::MouseDown | ButtonAction::KeyDown, .. })
            };
            match (&*input.control, &input.kind) {
                ("stick", InputKind::Move { x, y }) => {
                    if *x == 0.0 && *y == 0.0 {
                        game.sticks.remove(&input.participant);
                    } else {
                        game.sticks.insert(input.participant.clone(), (*x, *y));
                    }
                }
                ("ghost-stick", InputKind::Move { x, y }) => {
                    if *x == 0.0 && *y == 0.0 {
                        game.ghost_sticks.remove(&input.participant);
                    } else {
                        game.ghost_sticks.insert(input.participant.clone(), (*x, *y));
                    }
                }
                ("up", k) if pressed(k) => game.step_hero(0.0, -1.0),
                ("down", k) if pressed(k) => game.step_hero(0.0, 1.0),
                ("left", k) if pressed(k) => game.step_hero(-1.0, 0.0),
                ("right", k) if pressed(k) => game.step_hero(1.0, 0.0),
                ("boost", k) if pressed(k) => match &input.transaction {
                    // The sparks are spent only when the capture succeeds: reward on its reply.
                    Some(txn) => {
                        if let Ok(id) = session.capture(txn) {
                            game.captures.insert(id, who);
                        }
                    }
                    None => game.say(format!("{who} pressed boost without a transaction")),
                },
                ("charge", k) if pressed(k) => {
                    game.charge = (game.charge + 0.1).min(1.0);
                    if game.charge >= 0.999 {
                        game.charge = 0.0;
                        for _ in 0..5 {
                            game.spawn_gem();
                        }
                        let _ = session.set_cooldown("charge", 5000);
                        let _ = session.set_text("charge", "Charge (gem rain!)");
                        let _ =
                            session.broadcast_event(&["everyone"], json!({"message": "The meter is full: gem rain!"}));
                        game.say(format!("{who} filled the meter: gem rain!"));
                    } else {
                        let _ = session.set_text("charge", "Charge");
                    }
                    let _ = session.set_progress("charge", game.charge);
                    game.changed = true;
                }
                ("red-team", k) if pressed(k) => {
                    let _ = session.move_participant(&input.participant, "red");
                    game.say(format!("{who} joined the red team"));
                }
                ("leave-red", k) if pressed(k) => {
                    game.ghost_sticks.remove(&input.participant);
                    let _ = session.move_participant(&input.participant, "default");
                    game.say(format!("{who} went back to the hero"));
                }
                ("haunt", k) if pressed(k) => {
                    let (dx, dy) = (game.hero.0 - game.ghost.0, game.hero.1 - game.ghost.1);
                    let d = dx.hypot(dy).max(1.0);
                    let leap = 4.0_f64.min(d);
                    game.ghost.0 = (game.ghost.0 + dx / d * leap).clamp(0.0, FIELD_W as f64 - 1.0);
                    game.ghost.1 = (game.ghost.1 + dy / d * leap).clamp(0.0, FIELD_H as f64 - 1.0);
                    game.changed = true;
                }
                ("name", InputKind::Text { submit: true, text }) => {
                    let name: String = text.trim().chars().filter(|c| !c.is_control()).take(16).collect();
                    if !name.is_empty() {
                        game.hero_name = name.clone();
                        let _ = session.set_text("title", &format!("Steer {name}, grab the gems!"));
                        game.say(format!("{who} renamed the hero to {name}"));
                    }
                }
                ("aim", InputKind::ScreenButton { action: ButtonAction::MouseDown, x, y }) => {
                    let gem = (
                        ((x.clamp(0.0, 1.0)) * (FIELD_W - 1) as f64).round() as usize,
                        ((y.clamp(0.0, 1.0)) * (FIELD_H - 1) as f64).round() as usize,
                    );
                    if !game.gems.contains(&gem) {
                        game.gems.push(gem);
                    }
                    game.say(format!("{who} dropped a gem"));
                }
                _ => {}
            }
        }
        Event::Reply(reply) if Some(reply.request_id) == game.ready_request => {
            game.ready_request = None;
            match reply.result {
                Ok(_) => {
                    game.live = true;
                    game.say("the game is ready: viewers can play".into());
                    println!("ready: viewers can play");
                }
                Err(e) => game.say(format!("the game could not go ready: {} ({})", e.message, e.code)),
            }
        }
        Event::Reply(reply) => {
            if let Some(who) = game.captures.remove(&reply.request_id) {
                match reply.result {
                    Ok(_) => {
                        game.boost_until = Some(Instant::now() + Duration::from_millis(BOOST_MS));
                        let _ = session.set_cooldown("boost", BOOST_MS + 3000);
                        let _ = session.broadcast_event(
                            &["everyone"],
                            json!({"message": format!("{who} spent {BOOST_COST} sparks on a boost!")}),
                        );
                        game.say(format!("{who} spent {BOOST_COST} sparks: boost!"));
                    }
                    Err(e) => game.say(format!("{who}'s boost was not paid: {} ({})", e.message, e.code)),
                }
            } else if let Err(e) = reply.result {
                game.say(format!("request {} failed: {} ({})", reply.request_id, e.message, e.code));
            }
        }
        Event::Error { message, .. } => game.say(format!("error: {message}")),
        _ => {}
    }
}

/// One game tick: move the hero and the ghost, collect gems, update the progress bar and the halo.
fn tick(session: &mut Session, game: &mut Game) {
    let mean = |m: &HashMap<SessionId, (f64, f64)>| {
        if m.is_empty() {
            return (0.0, 0.0);
        }
        let (sx, sy) = m.values().fold((0.0, 0.0), |a, v| (a.0 + v.0, a.1 + v.1));
        (sx / m.len() as f64, sy / m.len() as f64)
    };
    let speed = if game.boosted() { 2.0 } else { 1.0 };
    let (hx, hy) = mean(&game.sticks);
    if hx != 0.0 || hy != 0.0 {
        game.step_hero(hx * 0.8 * speed, hy * 0.4 * speed);
    }
    let (gx, gy) = mean(&game.ghost_sticks);
    if gx != 0.0 || gy != 0.0 {
        game.ghost.0 = (game.ghost.0 + gx * 0.8).clamp(0.0, FIELD_W as f64 - 1.0);
        game.ghost.1 = (game.ghost.1 + gy * 0.4).clamp(0.0, FIELD_H as f64 - 1.0);
        game.changed = true;
    }
    let hero = Game::cell(game.hero);
    if let Some(i) = game.gems.iter().position(|g| *g == hero) {
        game.gems.swap_remove(i);
        game.score += 1;
        let _ = session.set_text("score", &format!("Score: {}", game.score));
        game.changed = true;
    }
    if Game::cell(game.ghost) == hero {
        game.catches += 1;
        game.ghost = (game.rng.usize(0..FIELD_W) as f64, 0.0);
        let _ = session.set_text("red-score", &format!("Ghost catches: {}", game.catches));
        game.say(format!("the ghost caught {}!", game.hero_name));
    }
    if game.gems.len() < 3 && game.rng.u8(0..30) == 0 {
        game.spawn_gem();
        game.changed = true;
    }
    // The boost's progress bar runs down while the boost lasts.
    let progress = match game.boost_until {
        Some(t) if t > Instant::now() => (t - Instant::now()).as_secs_f64() / (BOOST_MS as f64 / 1000.0),
        _ => 0.0,
    };
    let progress = (progress * 20.0).round() / 20.0;
    if progress != game.shown_progress {
        game.shown_progress = progress;
        let _ = session.set_progress("boost", progress);
    }
    // The joystick's halo shows where the crowd steers.
    let halo = ((hy.atan2(hx) * 10.0).round() / 10.0, (hx.hypot(hy).min(1.0) * 10.0).round() / 10.0);
    if halo != game.shown_halo {
        game.shown_halo = halo;
        let _ = session.set_control_property("stick", "angle", json!(halo.0.rem_euclid(std::f64::consts::TAU)));
        let _ = session.set_control_property("stick", "intensity", json!(halo.1));
    }
}

fn main() {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("quickstart: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime for the mediator");
    let mediator = if options.mediator {
        // A new store (in memory, or a new --data folder) starts with the demo world.
        let storage = options.data.clone().map(Location::Folder).unwrap_or(Location::Memory);
        let config = MediatorConfig { signup_sparks: SIGNUP_SPARKS, ..MediatorConfig::default() };
        let launch = MediatorOptions { listen: options.listen.clone(), storage, world: None, config };
        match runtime.block_on(Mediator::launch(launch)) {
            Ok(m) => {
                println!("listening on {}", m.base_url());
                Some(m)
            }
            Err(e) => {
                eprintln!("quickstart: {e}");
                std::process::exit(1);
            }
        }
    } else {
        None
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        runtime.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::SeqCst);
            }
        });
    }
    let discovery = match (&options.discovery, &mediator) {
        (Some(url), _) => url.clone(),
        (None, Some(m)) => m.hosts_url(),
        (None, None) => unreachable!("checked in parse_args"),
    };
    let url = page_url(&discovery, &options.token);
    println!("participant page: {url}");
    println!("viewer keys: demo-viewer-1, demo-viewer-2, demo-viewer-3 (1000 sparks each), or join anonymously");
    if mediator.is_some() {
        println!("or create an account on the page ({SIGNUP_SPARKS} sparks to start with)");
    }
    let _ = std::io::stdout().flush();

    let config = Config::new(Endpoints::Discover(discovery), options.token.clone(), options.version_id);
    let mut session = match Session::connect(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("quickstart: cannot start the session: {e}");
            std::process::exit(1);
        }
    };
    let tty = std::io::stdout().is_terminal();
    let mut game = Game::new();
    let started = Instant::now();
    let mut next_tick = Instant::now() + TICK;
    let mut last_draw = Instant::now() - Duration::from_secs(10);
    let mut ticks = 0u64;
    while !stop.load(Ordering::SeqCst) {
        // Handle events as they come until the next tick.
        loop {
            let left = next_tick.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match session.wait(left) {
                Some(event) => handle(&mut session, &mut game, event),
                None => continue,
            }
        }
        next_tick += TICK;
        tick(&mut session, &mut game);
        session.end_frame();
        if game.live {
            ticks += 1;
        }
        // Redraw on change (at most 5 times a second in a terminal) and at least once a second.
        let since = last_draw.elapsed();
        let due = if tty { since >= Duration::from_millis(200) } else { since >= Duration::from_secs(1) };
        if (game.changed && due) || since >= Duration::from_secs(1) {
            game.draw(&url, tty);
            game.changed = false;
            last_draw = Instant::now();
        }
        if options.frames.is_some_and(|n| ticks >= n) || options.duration.is_some_and(|d| started.elapsed() >= d) {
            break;
        }
    }
    println!("quickstart: stopping");
    session.close();
    if let Some(m) = mediator {
        runtime.block_on(m.shutdown());
    }
}
