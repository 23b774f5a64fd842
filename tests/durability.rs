#![cfg(feature = "server")]
//! The durable store, over real sockets on a real database in a temporary data folder: a restart
//! keeps balances, tokens, mods, bans, chat history and projects; importing a world twice changes
//! nothing; two captures racing for one balance; a capture after a restart; expiry's ledger rows;
//! a backup taken while the mediator runs.
mod common;

use std::time::{Duration, Instant};

use mixplay::server::store::LedgerKind;
use mixplay::server::world::WorldFile;
use mixplay::server::{Location, Mediator, MediatorConfig, MediatorOptions, World};
use serde_json::{json, Value};

use common::durable::{launch, ChatSocket, Durable, TempDir};
use common::oauth::{get, patch_json, post_json, sign_in};
use common::{connect, Conn, WAIT};

/// The streamer (1) with project version 1, three viewers; viewer 4 is poor.
fn world() -> World {
    let file: WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "streamer", "token": "demo-streamer", "level": 50 },
            { "id": 2, "username": "viewer1", "token": "demo-viewer-1", "sparks": 1000 },
            { "id": 3, "username": "viewer2", "token": "demo-viewer-2", "sparks": 1000 },
            { "id": 4, "username": "viewer3", "token": "demo-viewer-3", "sparks": 10 }
        ],
        "channels": [ { "id": 1, "owner": 1, "slowChat": 0 } ],
        "projects": [ { "versionId": 1, "owner": 1 } ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

/// The game of version 1 on `m`, ready, with a button costing `cost`.
async fn costed_game(m: &Mediator, cost: u64) -> Conn {
    let mut g = common::ready_game(m).await;
    let button = json!({ "controlID": "buy", "kind": "button", "cost": cost });
    g.ok("createControls", json!({ "sceneID": "default", "controls": [button] })).await;
    g
}

/// The viewer presses the costed button; the transaction id the game got.
async fn press(g: &mut Conn, p: &mut Conn) -> String {
    p.ok("giveInput", json!({ "controlID": "buy", "event": "mousedown", "button": 0 })).await;
    g.event("giveInput").await["transactionID"].as_str().expect("a transaction id").to_owned()
}

fn ws_base(m: &Mediator) -> String {
    format!("ws://{}", m.local_addr())
}

/// A chat socket in channel 1 as the user of `token` (or anonymous); the `auth` answer.
async fn chat_as(d: &Durable, token: Option<&str>) -> (ChatSocket, Result<Value, String>) {
    let mut c = ChatSocket::open(&ws_base(&d.m)).await;
    let auth = match token {
        None => c.call("auth", json!([1])).await,
        Some(t) => {
            let (url, t) = (d.api("/chats/1"), t.to_owned());
            let details = tokio::task::spawn_blocking(move || get(&url, Some(&t))).await.unwrap();
            let me_url = d.api("/users/current");
            let token = token.unwrap().to_owned();
            let me = tokio::task::spawn_blocking(move || get(&me_url, Some(&token))).await.unwrap();
            c.call("auth", json!([1, me.body["id"], details.body["authkey"]])).await
        }
    };
    (c, auth)
}

#[test]
fn a_restart_keeps_balances_tokens_roles_chat_history_and_projects() {
    let dir = TempDir::new("restart");
    let d = Durable::start(dir.path(), Some(world()), MediatorConfig::default());
    // Sparks: a captured press.
    d.rt.block_on(async {
        let mut g = costed_game(&d.m, 10).await;
        let (mut p, _) = common::join(&d.m, &mut g, Some("demo-viewer-1")).await;
        let txn = press(&mut g, &mut p).await;
        g.ok("capture", json!({ "transactionID": txn })).await;
    });
    assert_eq!(d.m.sparks_of(2), 990);
    // Tokens: an account's login token and an OAuth access token.
    let signed_up = post_json(&d.api("/users"), &json!({ "username": "keeper", "password": "keep it safe" }));
    assert_eq!(signed_up.status, 201);
    let login = post_json(&d.api("/users/login"), &json!({ "username": "keeper", "password": "keep it safe" }));
    let login_token = login.body["token"].as_str().unwrap().to_owned();
    let oauth = sign_in(&d.m.base_url(), "restart-app", "demo-viewer-2");
    let access = oauth["access_token"].as_str().unwrap().to_owned();
    // Roles: viewer2 (3) a mod, viewer3 (4) banned. Chat: a message.
    for (user, role) in [(3, "Mod"), (4, "Banned")] {
        let r = patch_json(&d.api(&format!("/channels/1/users/{user}")), "demo-streamer", &json!({ "add": [role] }));
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let said = d.rt.block_on(async {
        let (mut c, auth) = chat_as(&d, Some("demo-viewer-1")).await;
        auth.expect("viewer1 joins the chat");
        c.call("msg", json!(["remember me :)"])).await.expect("the message is sent")
    });

    let d = d.restart(None);
    assert_eq!(d.m.imported(), None, "an existing store is not seeded again");
    assert_eq!(d.m.sparks_of(2), 990, "the balance survived");
    d.assert_ledgers_balance();
    let ledger = d.rt.block_on(d.m.store().ledger(2, None, 10)).unwrap();
    let kinds: Vec<LedgerKind> = ledger.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [LedgerKind::Capture, LedgerKind::Grant], "newest first: {ledger:?}");
    assert_eq!(get(&d.api("/users/current"), Some(&login_token)).body["username"], "keeper");
    assert_eq!(get(&d.api("/users/current"), Some(&access)).body["username"], "viewer2");
    d.rt.block_on(async {
        let (_, banned) = chat_as(&d, Some("demo-viewer-3")).await;
        assert_eq!(banned, Err("UACCESS".into()), "the ban survived");
        let (mut c, modded) = chat_as(&d, Some("demo-viewer-2")).await;
        assert_eq!(modded.unwrap()["roles"][0], "Mod", "the mod survived");
        let history = c.call("history", json!([10])).await.unwrap();
        assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
        assert_eq!(history[0]["id"], said["id"], "the chat history survived");
        // The project survived too: the game runs version 1 again.
        let mut g = common::ready_game(&d.m).await;
        assert_eq!(g.ok("getScenes", json!({})).await["scenes"][0]["sceneID"], "default");
    });
}

#[test]
fn importing_the_same_world_twice_changes_nothing() {
    let dir = TempDir::new("import");
    let d = Durable::start(dir.path(), Some(world()), MediatorConfig::default());
    let first = d.m.imported().cloned().unwrap();
    assert_eq!((first.users_added, first.channels_added, first.projects_added), (4, 4, 1), "{first}");
    d.rt.block_on(async {
        let mut g = costed_game(&d.m, 25).await;
        let (mut p, _) = common::join(&d.m, &mut g, Some("demo-viewer-2")).await;
        let txn = press(&mut g, &mut p).await;
        g.ok("capture", json!({ "transactionID": txn })).await;
    });
    let d = d.restart(Some(world()));
    let second = d.m.imported().cloned().unwrap();
    assert_eq!((second.users_added, second.channels_added, second.projects_added), (0, 0, 0), "{second}");
    assert_eq!(second.already_there, 4 + 1 + 1);
    assert_eq!(d.m.sparks_of(3), 975, "a re-import does not reset balances");
    assert_eq!(d.rt.block_on(d.m.store().user_count()).unwrap(), 4);
    d.assert_ledgers_balance();

    // A world file that contradicts the store is refused whole.
    let renamed: WorldFile =
        serde_json::from_value(json!({ "users": [ { "id": 2, "username": "impostor" } ] })).unwrap();
    let addr = d.m.local_addr();
    d.rt.block_on(d.m.shutdown());
    let options = MediatorOptions {
        listen: addr.to_string(),
        storage: Location::Folder(dir.path().to_owned()),
        world: Some(World::new(renamed).unwrap()),
        config: MediatorConfig::default(),
    };
    let err = d.rt.block_on(Mediator::launch(options)).err().expect("a contradicting world is refused");
    assert!(err.to_string().contains("contradicts"), "{err}");
}

#[test]
fn two_captures_racing_for_one_balance_exactly_one_wins() {
    let dir = TempDir::new("race");
    let d = Durable::start(dir.path(), Some(world()), MediatorConfig::default());
    d.rt.block_on(async {
        // viewer3 has 10 sparks: enough for one press of 10, not two.
        let mut g = costed_game(&d.m, 10).await;
        let (mut p, _) = common::join(&d.m, &mut g, Some("demo-viewer-3")).await;
        let first = press(&mut g, &mut p).await;
        let second = press(&mut g, &mut p).await;
        let a = g.call_async("capture", json!({ "transactionID": first })).await;
        let b = g.call_async("capture", json!({ "transactionID": second })).await;
        let results = [g.reply(a).await, g.reply(b).await];
        let won = results.iter().filter(|r| r.error.is_none()).count();
        let refused: Vec<u32> = results.iter().filter_map(|r| r.error.as_ref().map(|e| e.code)).collect();
        assert_eq!((won, refused), (1, vec![4007]), "exactly one capture wins");
    });
    assert_eq!(d.m.sparks_of(4), 0);
    d.assert_ledgers_balance();
}

#[test]
fn a_transaction_opened_before_a_restart_is_captured_after_it() {
    let dir = TempDir::new("reopen");
    let d = Durable::start(dir.path(), Some(world()), MediatorConfig::default());
    let txn = d.rt.block_on(async {
        let mut g = costed_game(&d.m, 30).await;
        let (mut p, _) = common::join(&d.m, &mut g, Some("demo-viewer-1")).await;
        press(&mut g, &mut p).await
    });
    assert_eq!(d.rt.block_on(d.m.store().open_transaction_count()).unwrap(), 1);
    let d = d.restart(None);
    d.rt.block_on(async {
        let mut g = common::ready_game(&d.m).await;
        g.ok("capture", json!({ "transactionID": txn })).await;
        assert_eq!(g.err("capture", json!({ "transactionID": txn })).await.0, 4006, "captured once");
    });
    assert_eq!(d.m.sparks_of(2), 970);
    d.assert_ledgers_balance();
}

#[test]
fn expired_transactions_get_their_ledger_rows() {
    let dir = TempDir::new("expiry");
    let config = MediatorConfig { transaction_ttl: Duration::ZERO, ..MediatorConfig::default() };
    let d = Durable::start(dir.path(), Some(world()), config);
    d.rt.block_on(async {
        let mut g = costed_game(&d.m, 10).await;
        let (mut p, _) = common::join(&d.m, &mut g, Some("demo-viewer-2")).await;
        let txn = press(&mut g, &mut p).await;
        // The mediator closes expired transactions every second: wait for the row.
        let deadline = Instant::now() + WAIT;
        let row = loop {
            let ledger = d.m.store().ledger(3, None, 10).await.unwrap();
            if let Some(row) = ledger.into_iter().find(|e| e.kind == LedgerKind::Expire) {
                break row;
            }
            assert!(Instant::now() < deadline, "no expiry row in time");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(
            (row.delta, row.transaction.as_deref(), row.control.as_deref()),
            (0, Some(txn.as_str()), Some("buy"))
        );
        assert_eq!(d.m.store().open_transaction_count().await.unwrap(), 0);
        assert_eq!(g.err("capture", json!({ "transactionID": txn })).await.0, 4006);
    });
    assert_eq!(d.m.sparks_of(3), 1000);
    d.assert_ledgers_balance();
}

#[test]
fn a_backup_taken_while_running_is_a_working_store() {
    let dir = TempDir::new("backup");
    let d = Durable::start(dir.path(), Some(world()), MediatorConfig::default());
    assert_eq!(post_json(&d.api("/users"), &json!({ "username": "backed_up", "password": "12345678" })).status, 201);
    let copy = TempDir::new("backup-copy");
    let file = copy.path().join(mixplay::server::store::DATABASE_FILE);
    d.rt.block_on(d.m.store().backup_to(&file)).expect("the backup is written");
    assert!(d.rt.block_on(d.m.store().backup_to(&file)).is_err(), "an existing file is never overwritten");
    // The copy starts a mediator of its own, with everything in it.
    let other = launch(&d.rt, copy.path(), "127.0.0.1:0", None, &MediatorConfig::default());
    assert_eq!(other.imported(), None, "the copy is not an empty store");
    let login = post_json(
        &format!("{}/api/v1/users/login", other.base_url()),
        &json!({ "username": "backed_up", "password": "12345678" }),
    );
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(other.sparks_of(2), 1000);
    d.rt.block_on(other.shutdown());
}

#[test]
fn a_participant_key_still_works_after_a_restart() {
    let dir = TempDir::new("keys");
    let d = Durable::start(dir.path(), None, MediatorConfig::default());
    assert!(d.m.imported().is_some(), "a new store is seeded with the demo world");
    let d = d.restart(None);
    d.rt.block_on(async {
        let mut g = common::ready_game(&d.m).await;
        let url = format!("{}/participant?channel=1&x-protocol-version=2.0&key=demo-viewer-1", ws_base(&d.m));
        let mut p = connect(&url, &[]).await.open();
        assert_eq!(p.event("onParticipantJoin").await["participants"][0]["userID"], 2);
        g.event("onParticipantJoin").await;
    });
}
