#![cfg(feature = "server")]
//! What a hostile or careless client sends, refused over real sockets: a short-code flood (per
//! address, per client_id, in all, oversized fields and bodies), an `optOutEvents` flood, a chat
//! flood without slow chat, a moderator timeout of 2⁶⁴−1 seconds, control costs that are not
//! whole numbers; and costed input that stays fast with 60,000 spark transactions open.
mod common;

use std::time::{Duration, Instant};

use mixplay::server::store::DATABASE_FILE;
use mixplay::server::{Location, Mediator, MediatorConfig, MediatorOptions, Rate, World};
use serde_json::{json, Value};

use common::client::serve_with;
use common::durable::ChatSocket;
use common::oauth::{get, Http};
use common::{join, ready_game};

/// `POST url` with a JSON body, as the client at `client` (a trusted proxy's `X-Forwarded-For`).
fn post_from(url: &str, client: &str, body: &str) -> Http {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let r = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-Forwarded-For", client)
        .send(body.to_owned());
    let mut r = r.expect("the request reaches the mediator");
    let status = r.status().as_u16();
    let headers =
        r.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    Http { status, body: serde_json::from_str(&text).unwrap_or(Value::Null), text, headers }
}

#[test]
fn short_code_floods_are_refused_per_address_per_client_and_in_all() {
    let config = MediatorConfig {
        shortcode_rate: Rate::new(5, 60),
        shortcode_pending_per_client: 2,
        shortcode_pending_total: 8,
        ..MediatorConfig::default()
    };
    let s = serve_with(World::demo(), config);
    let url = format!("{}/api/v1/oauth/shortcode", s.m.base_url());
    let ask = |from: &str, client_id: &str| post_from(&url, from, &json!({ "client_id": client_id }).to_string());
    // One address: five codes, then 429 with Retry-After.
    for i in 0..5 {
        assert_eq!(ask("10.1.0.1", &format!("app{i}")).status, 200);
    }
    let flood = ask("10.1.0.1", "app9");
    assert_eq!((flood.status, flood.body["error"].as_str()), (429, Some("slow_down")), "{}", flood.text);
    assert!(flood.header("retry-after").is_some_and(|s| s.parse::<u64>().unwrap() >= 1));
    assert!(flood.body["error_description"].as_str().unwrap().contains("from your address"));
    // One client_id from many addresses: two waiting codes, then 429.
    assert_eq!(ask("10.1.0.2", "game").status, 200);
    assert_eq!(ask("10.1.0.3", "game").status, 200);
    let third = ask("10.1.0.4", "game");
    assert_eq!(third.status, 429, "{}", third.text);
    assert!(third.body["error_description"].as_str().unwrap().contains("already has 2"), "{}", third.text);
    // In all: eight waiting codes, then 503 with Retry-After.
    assert_eq!(ask("10.1.0.5", "z").status, 200);
    let full = ask("10.1.0.6", "y");
    assert_eq!((full.status, full.body["error"].as_str()), (503, Some("temporarily_unavailable")), "{}", full.text);
    assert!(full.header("retry-after").is_some());
    // Field sizes, then the body's.
    let long_id = ask("10.1.0.7", &"x".repeat(257));
    assert_eq!(long_id.status, 400);
    assert!(long_id.text.contains("at most 256 bytes"), "{}", long_id.text);
    let long_scope = post_from(&url, "10.1.0.8", &json!({ "client_id": "a", "scope": "s".repeat(2049) }).to_string());
    assert_eq!(long_scope.status, 400);
    let huge = post_from(&url, "10.1.0.9", &json!({ "client_id": "a", "pad": "p".repeat(20_000) }).to_string());
    assert_eq!(huge.status, 413, "bodies are limited before they are read: {}", huge.text);
}

/// The demo streamer's chat in channel 1 and a viewer's, both signed in.
async fn chat_pair(m: &Mediator) -> (ChatSocket, ChatSocket) {
    let base = format!("ws://{}", m.local_addr());
    let mut sockets = Vec::new();
    for (token, user) in [("demo-streamer", 1), ("demo-viewer-1", 2)] {
        let url = format!("{}/api/v1/chats/1", m.base_url());
        let key = tokio::task::spawn_blocking(move || get(&url, Some(token))).await.unwrap();
        let mut chat = ChatSocket::open(&base).await;
        chat.call("auth", json!([1, user, key.body["authkey"]])).await.expect("auth");
        sockets.push(chat);
    }
    let viewer = sockets.pop().unwrap();
    (sockets.pop().unwrap(), viewer)
}

#[tokio::test]
async fn opt_out_floods_chat_floods_and_endless_timeouts_are_refused() {
    let config = MediatorConfig { chat_rate: Rate::new(3, 60), ..MediatorConfig::default() };
    let m = Mediator::start("127.0.0.1:0", World::demo(), config).await.unwrap();
    let base = format!("ws://{}", m.local_addr());

    // optOutEvents: never before joining a room, only known names, any number of times.
    let mut stranger = ChatSocket::open(&base).await;
    for _ in 0..100 {
        let e = stranger.call("optOutEvents", json!(["UserJoin", "x".repeat(1000)])).await.unwrap_err();
        assert!(e.contains("call auth first"), "{e}");
    }
    let (mut owner, mut viewer) = chat_pair(&m).await;
    let e = viewer.call("optOutEvents", json!(["UserJoin", "NoSuchEvent"])).await.unwrap_err();
    assert!(e.contains("argument 2") && e.contains("not a chat event") && e.contains("PurgeMessage"), "{e}");
    let many: Vec<&str> = std::iter::repeat(["UserJoin", "UserLeave", "PollStart"]).take(1500).flatten().collect();
    for _ in 0..50 {
        assert_eq!(viewer.call("optOutEvents", json!(many)).await, Ok(json!({})));
    }
    for i in 0..500 {
        assert!(viewer.call("optOutEvents", json!([format!("Event{i}")])).await.is_err());
    }
    // A frame over the chat's limit (64 KiB) is not read: the socket is closed with 1009.
    let mut flooder = ChatSocket::open(&base).await;
    let (code, reason) = flooder.send_and_close(&"x".repeat(70_000)).await;
    assert_eq!(code, 1009, "{reason}");
    assert!(reason.contains("larger than 65536 bytes"), "{reason}");

    // A moderator timeout of 2^64 - 1 seconds (or any past the limit) is an error reply.
    for spec in
        [json!("18446744073709551615"), json!(18446744073709551615u64), json!("99999999999999999999s"), json!("15d")]
    {
        let e = owner.call("timeout", json!(["viewer1", spec])).await.unwrap_err();
        assert!(e.contains("too long") && e.contains("at most 1209600 seconds"), "{spec}: {e}");
    }
    assert_eq!(owner.call("ping", json!([])).await, Ok(Value::Null), "the moderator's socket is alive");
    assert!(owner.call("timeout", json!(["viewer1", "14d"])).await.is_ok());
    assert!(owner.call("timeout", json!(["viewer1", "clear"])).await.is_ok());

    // Without slow chat, a viewer still chats at most at the chat rate; whispers count too.
    assert!(viewer.call("msg", json!(["one"])).await.is_ok());
    assert!(viewer.call("whisper", json!(["streamer", "two"])).await.is_ok());
    assert!(viewer.call("msg", json!(["three"])).await.is_ok());
    let e = viewer.call("msg", json!(["four"])).await.unwrap_err();
    assert!(e.contains("chatting too fast") && e.contains("at most 3"), "{e}");
    let e = viewer.call("whisper", json!(["streamer", "five"])).await.unwrap_err();
    assert!(e.contains("chatting too fast"), "{e}");
    assert!(owner.call("msg", json!(["the owner has a bucket of their own"])).await.is_ok());
}

#[tokio::test]
async fn control_costs_must_be_whole_numbers_of_sparks() {
    let m = Mediator::start("127.0.0.1:0", World::demo(), MediatorConfig::default()).await.unwrap();
    let mut g = ready_game(&m).await;
    let control = |id: &str, cost: Value| json!({ "controlID": id, "kind": "button", "cost": cost });
    for (i, cost) in [json!(10.0), json!("10"), json!(-1), json!(1.5), json!(9007199254740992u64), json!([10])]
        .into_iter()
        .enumerate()
    {
        let id = format!("b{i}");
        let created = json!({ "sceneID": "default", "controls": [control(&id, cost.clone())] });
        assert_eq!(g.err("createControls", created).await, (4004, Some("controls.0.cost".into())), "{cost}");
        let scene = json!({ "scenes": [{ "sceneID": format!("s{i}"), "controls": [control(&id, cost.clone())] }] });
        assert_eq!(g.err("createScenes", scene).await, (4004, Some("scenes.0.controls.0.cost".into())), "{cost}");
    }
    let ok = json!({ "sceneID": "default", "controls": [control("buy", json!(10)), control("free", Value::Null)] });
    g.ok("createControls", ok).await;
    let bad =
        json!({ "sceneID": "default", "controls": [{ "controlID": "free" }, { "controlID": "buy", "cost": "10" }] });
    assert_eq!(g.err("updateControls", bad).await, (4004, Some("controls.1.cost".into())));
    g.ok("updateControls", json!({ "sceneID": "default", "controls": [{ "controlID": "free", "cost": 0 }] })).await;

    // An anonymous press on the costed button is still refused (it is not free).
    let (mut anon, _) = join(&m, &mut g, None).await;
    let r = anon.call("giveInput", json!({ "controlID": "buy", "event": "mousedown" })).await;
    assert_eq!(r.error.expect("refused").code, 4026);
}

/// Sends `n` costed presses from `p` back to back and waits until the game has them all.
async fn costed_presses(p: &mut common::Conn, g: &mut common::Conn, n: usize) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        p.send_text(r#"{"type":"method","id":0,"method":"giveInput","discard":true,"params":{"controlID":"buy","event":"mousedown"}}"#).await;
    }
    for _ in 0..n {
        let input = g.event("giveInput").await;
        assert!(input["transactionID"].is_string(), "{input}");
    }
    started.elapsed()
}

/// A game with a button costing one spark, and viewer `demo-viewer-1` (1000 sparks) in it.
async fn costed_button(m: &Mediator) -> (common::Conn, common::Conn) {
    let mut g = ready_game(m).await;
    g.ok("setBandwidthThrottle", json!({ "*": null })).await;
    let buy = json!({ "sceneID": "default", "controls": [{ "controlID": "buy", "kind": "button", "cost": 1 }] });
    g.ok("createControls", buy).await;
    let (p, _) = join(m, &mut g, Some("demo-viewer-1")).await;
    (g, p)
}

/// The best of three batches of costed presses.
async fn best_of_three(m: &Mediator) -> Duration {
    let (mut g, mut p) = costed_button(m).await;
    costed_presses(&mut p, &mut g, BATCH).await; // warm-up
    let mut best = Duration::MAX;
    for _ in 0..3 {
        best = best.min(costed_presses(&mut p, &mut g, BATCH).await);
    }
    best
}

const BATCH: usize = 1000;
const HELD_OPEN: usize = 60_000;

#[tokio::test]
async fn costed_input_stays_fast_with_60000_spark_transactions_open() {
    let dir = common::durable::TempDir::new("open-transactions");
    let options = || MediatorOptions {
        listen: "127.0.0.1:0".into(),
        storage: Location::Folder(dir.path().to_owned()),
        world: Some(World::demo()),
        config: MediatorConfig::default(),
    };
    let m = Mediator::launch(options()).await.unwrap();
    let before = best_of_three(&m).await;
    let open_before = m.store().open_transaction_count().await.unwrap();
    m.shutdown().await;

    // 60,000 more transactions, open for an hour, written straight into the database.
    let mut db = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let tx = db.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO spark_transactions (id, user_id, channel_id, control_id, cost, created_at, expires_at) \
                      VALUES (?1, 3, 1, 'buy', 1, ?2, ?3)",
            )
            .unwrap();
        for i in 0..HELD_OPEN {
            insert.execute(rusqlite::params![format!("held-{i}"), now, now + 3_600_000]).unwrap();
        }
    }
    tx.commit().unwrap();
    drop(db);

    let m = Mediator::launch(options()).await.unwrap();
    let open = m.store().open_transaction_count().await.unwrap();
    assert!(open >= HELD_OPEN as u64, "{open} open");
    let after = best_of_three(&m).await;
    let ratio = after.as_secs_f64() / before.as_secs_f64();
    eprintln!(
        "{BATCH} costed inputs: {before:?} with at most {open_before} transactions open, {after:?} with {open} (x{ratio:.2})"
    );
    // Scanning the open transactions per input made this about 11 times slower at 60,000.
    assert!(ratio < 4.0, "costed input slowed by {ratio:.1}x with {open} transactions open");
    m.shutdown().await;
}
