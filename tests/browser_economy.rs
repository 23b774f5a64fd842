//! Sparks earned by watching, through the participant page in headless Chromium
//! (`tests/browser/economy.js`), with the spark interval at one second. This side plays the games
//! (channel 1 through `mixplay::client::Session`, channel 2 on a raw socket) and checks every
//! claim against the ledger: rows, never sleeps.
#![cfg(feature = "server")]
mod common;

use std::time::Duration;

use common::client::{connected, reply_for, serve_with, wait_for, Served};
use common::game_as;
use common::script::{artifacts, Script};
use common::viewer::{earned, earned_at_least, earned_until, economy_world};
use mixplay::client::{Event, Input};
use mixplay::server::store::LedgerEntry;
use mixplay::server::MediatorConfig;
use serde_json::json;

/// The streamer (user 1) earns for streaming every interval channel 1 is live: a clock of
/// intervals paid. Waits until it has been paid for the interval ending at `end` (or later).
fn paid_through(s: &Served, end: i64) -> Vec<LedgerEntry> {
    s.rt.block_on(earned_until(&s.m, 1, |rows| rows.first().and_then(|e| e.interval_end) >= Some(end)))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn ends_in(rows: &[LedgerEntry], from: i64, to: i64) -> Vec<&LedgerEntry> {
    rows.iter().filter(|e| e.interval_end.is_some_and(|end| end >= from && end <= to)).collect()
}

#[test]
fn the_page_earns_sparks_while_visible_and_shows_the_balance_live_in_headless_chromium() {
    let config =
        MediatorConfig { spark_interval: Duration::from_secs(1), signup_sparks: 50, ..MediatorConfig::default() };
    let s = serve_with(economy_world(), config);
    let mut game = connected(&s);
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).unwrap();
    let _channel_2 = s.rt.block_on(async {
        let mut g = game_as(&s.m, "streamer-2", "2").await.open();
        g.event("hello").await;
        g.ok("ready", json!({ "isReady": true })).await;
        g
    });
    let mut script = Script::start("economy.js", &s.m.base_url(), &artifacts());

    // Visible for five intervals: 10 sparks (±2 for where the page started).
    script.expect("watching");
    let first = s.rt.block_on(earned_at_least(&s.m, 2, 1));
    let from = first.last().unwrap().interval_end.unwrap();
    paid_through(&s, from + 4000);
    let rows = s.rt.block_on(earned(&s.m, 2));
    let five = ends_in(&rows, from, from + 4000);
    let sum: i64 = five.iter().map(|e| e.delta).sum();
    assert!((8..=12).contains(&sum), "five intervals watched earned {sum}: {five:?}");
    assert!(five.iter().all(|e| e.delta == 2 && e.channel == Some(1)), "{five:?}");
    script.ok();

    // Hidden at `at` (the mediator had heard it by then): no interval ending later is paid.
    let hidden = script.expect("hidden");
    let at = hidden["at"].as_i64().unwrap();
    paid_through(&s, at + 3000);
    let rows = s.rt.block_on(earned(&s.m, 2));
    assert!(ends_in(&rows, at + 1, i64::MAX).is_empty(), "paid while hidden: {rows:?}");
    script.ok();

    // Three pages (two channels): each interval pays once, 2 sparks.
    script.expect("three-pages");
    // The next three intervals that start after now (all three pages open, the first visible).
    let from = (now_ms() / 1000 + 2) * 1000;
    let streamer = paid_through(&s, from + 2000);
    let viewer = s.rt.block_on(earned(&s.m, 2));
    let intervals = ends_in(&streamer, from, from + 2000).len();
    let paid = ends_in(&viewer, from, from + 2000);
    assert_eq!(paid.len(), intervals, "one payment an interval: {paid:?}");
    assert!(paid.iter().all(|e| e.delta == 2), "not one per page: {paid:?}");
    script.ok();

    // Subscribed: every payment written afterwards is 4.
    script.expect("subscribed");
    assert!(s.rt.block_on(s.m.store().is_subscribed(2, 1)).unwrap());
    let mark = s.rt.block_on(s.m.store().ledger(2, None, 1)).unwrap()[0].id;
    let rows = s.rt.block_on(earned_until(&s.m, 2, |rows| rows.iter().filter(|e| e.id > mark).count() >= 2));
    assert!(rows.iter().filter(|e| e.id > mark).all(|e| e.delta == 4), "{rows:?}");
    script.ok();

    // The page's press: the game captures it; the page shows the balance drop by itself.
    script.expect("pressed");
    let Event::Input(Input { transaction, .. }) =
        wait_for(&mut game, "the costed press", |e| matches!(e, Event::Input(i) if &*i.control == "buy"))
    else {
        unreachable!()
    };
    let id = game.capture(&transaction.expect("a costed press has a transaction")).unwrap();
    reply_for(&mut game, id).expect("the capture succeeds");
    script.ok();

    // A new account earns too (its /account page is read next).
    script.expect("signed-up");
    let fan = s.rt.block_on(s.m.store().user_by_name("econ_fan")).unwrap().expect("the account exists");
    s.rt.block_on(earned_at_least(&s.m, fan.id, 3));
    script.ok();

    script.expect("done");
    script.ok();
    script.finish();
    for name in ["economy-earning", "account"] {
        assert!(artifacts().join(format!("{name}.png")).is_file(), "{name}.png was saved");
    }
    s.rt.block_on(async { assert!(s.m.store().ledger_mismatches().await.unwrap().is_empty()) });
}
