//! The watching economy over real sockets, with the spark interval at one second: who earns how
//! much (and who nothing), once per interval however many sockets, subscriptions and Pro over
//! REST, the ledger history, the viewer socket's messages and limits, and a restart on a data
//! folder that keeps what was earned and never pays an interval twice. Every wait is on ledger
//! rows or socket messages, with a deadline.
#![cfg(feature = "server")]
mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::client::{serve_with, Served};
use common::durable::{Durable, TempDir};
use common::oauth::{get, patch_json, Http};
use common::viewer::{earned, earned_at_least, earned_until, economy_world, open_viewer, watching, Opened};
use common::{game_as, participant, Conn};
use mixplay::server::store::{LedgerKind, Payee, Rates};
use mixplay::server::{Mediator, MediatorConfig, Rate};
use serde_json::{json, Value};

fn config() -> MediatorConfig {
    MediatorConfig { spark_interval: Duration::from_secs(1), ..MediatorConfig::default() }
}

fn serve() -> Served {
    serve_with(economy_world(), config())
}

/// A game client on a channel (by its streamer's token and version), ready.
async fn live(m: &Mediator, token: &str, version: &str) -> Conn {
    let mut g = game_as(m, token, version).await.open();
    g.event("hello").await;
    g.ok("ready", json!({ "isReady": true })).await;
    g
}

fn api(s: &Served, path: &str) -> String {
    format!("{}/api/v1{path}", s.m.base_url())
}

/// `method url` with a bearer token (when given).
fn call(method: &str, url: &str, bearer: Option<&str>) -> Http {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    if let Some(t) = bearer {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let mut r = agent.run(req.body(()).unwrap()).expect("the request reaches the mediator");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Http { status, body, text, headers: Vec::new() }
}

fn amounts(rows: &[mixplay::server::store::LedgerEntry]) -> Vec<i64> {
    rows.iter().map(|e| e.delta).collect()
}

/// No two earn rows of a user pay the same interval.
fn distinct_intervals(rows: &[mixplay::server::store::LedgerEntry]) {
    let ends: HashSet<i64> = rows.iter().map(|e| e.interval_end.expect("an earn row names its interval")).collect();
    assert_eq!(ends.len(), rows.len(), "an interval was paid twice: {rows:?}");
}

#[test]
fn one_person_earns_once_per_interval_however_many_tabs_and_channels() {
    let s = serve();
    s.rt.block_on(async {
        let mut g1 = live(&s.m, "demo-streamer", "1").await;
        let _g2 = live(&s.m, "streamer-2", "2").await;
        // Two tabs of channel 1 and one of channel 2, all visible.
        let mut tabs = vec![
            watching(&s.m, 1, "demo-viewer-1").await,
            watching(&s.m, 1, "demo-viewer-1").await,
            watching(&s.m, 2, "demo-viewer-1").await,
        ];
        let hello = tabs[0].event("hello", |_| true).await;
        assert_eq!(hello["user"], json!({ "id": 2, "username": "viewer1" }));
        assert_eq!(hello["interval"], 1.0);
        let first = tabs[0].event("balance", |_| true).await;
        assert_eq!((first["sparks"].as_u64(), first["reason"].as_str()), (Some(1000), Some("current")));
        assert_eq!(tabs[2].event("channel", |_| true).await["online"], true);
        tabs[0].event("earning", |m| m["earning"] == true).await;

        let rows = earned_at_least(&s.m, 2, 4).await;
        assert!(amounts(&rows).iter().all(|&a| a == 2), "2 sparks an interval, not 2 per tab: {rows:?}");
        distinct_intervals(&rows);
        assert!(rows.iter().all(|e| e.reason == "watching" && e.channel.is_some()));
        // Every tab hears every change.
        let balance = 1000 + 2 * rows.len() as u64;
        for tab in &mut tabs {
            let m = tab.event("balance", |m| m["sparks"].as_u64() >= Some(balance)).await;
            assert_eq!((m["change"].as_i64(), m["reason"].as_str()), (Some(2), Some("earned")), "{m}");
        }
        // Both broadcasters earn for streaming.
        for (streamer, channel) in [(1, 1), (5, 2)] {
            let rows = earned_at_least(&s.m, streamer, 2).await;
            assert!(rows.iter().all(|e| e.delta == 2 && e.reason == "streaming" && e.channel == Some(channel)));
        }

        // A capture reaches the tabs at once, with what was bought where.
        let mut p = participant(&s.m, Some("demo-viewer-1")).await.open();
        p.event("onReady").await;
        p.call_async("giveInput", json!({ "controlID": "buy", "event": "mousedown", "button": 0 })).await;
        let input = g1.event("giveInput").await;
        let txn = input["transactionID"].as_str().expect("a costed press has a transaction").to_owned();
        g1.ok("capture", json!({ "transactionID": txn })).await;
        let spent = tabs[1].event("balance", |m| m["reason"] == "spent").await;
        assert_eq!((spent["change"].as_i64(), spent["channel"].as_u64()), (Some(-5), Some(1)), "{spent}");
        assert_eq!(spent["control"], "buy");
        // The balance it carries is the ledger's as of the capture's row.
        let ledger = s.m.store().ledger(2, None, 1000).await.unwrap();
        let capture = ledger.iter().find(|e| e.kind == LedgerKind::Capture).expect("the capture's row");
        let as_of: i64 = ledger.iter().filter(|e| e.id <= capture.id).map(|e| e.delta).sum();
        assert_eq!(spent["sparks"].as_i64(), Some(as_of));
        assert!(s.m.store().ledger_mismatches().await.unwrap().is_empty());
    });
}

#[test]
fn subscribers_and_pro_viewers_earn_double() {
    let s = serve();
    // Subscriptions over REST.
    let channel = api(&s, "/channels/1");
    let anonymous = get(&channel, None);
    assert_eq!(anonymous.status, 200, "{}", anonymous.text);
    assert_eq!(
        (anonymous.body["subscribed"].clone(), anonymous.body["username"].clone()),
        (Value::Null, json!("streamer"))
    );
    assert_eq!(get(&channel, Some("demo-viewer-2")).body["subscribed"], false);
    let sub = call("POST", &format!("{channel}/subscribe"), Some("demo-viewer-2"));
    assert_eq!((sub.status, sub.body["subscribed"].clone()), (200, json!(true)), "{}", sub.text);
    let again = call("POST", &format!("{channel}/subscribe"), Some("demo-viewer-2"));
    assert_eq!(again.status, 200, "subscribing twice is fine");
    let seen = get(&channel, Some("demo-viewer-2"));
    assert_eq!((seen.body["subscribed"].clone(), seen.body["subscribers"].clone()), (json!(true), json!(1)));
    assert_eq!(get(&channel, Some("demo-streamer")).body["subscribed"], Value::Null, "nobody subscribes to themselves");
    assert_eq!(call("POST", &format!("{channel}/subscribe"), Some("demo-streamer")).status, 400);
    assert_eq!(call("POST", &format!("{channel}/subscribe"), None).status, 401);
    assert_eq!(call("POST", &api(&s, "/channels/99/subscribe"), Some("demo-viewer-2")).status, 404);
    assert_eq!(get(&api(&s, "/channels/nope"), None).status, 404);

    // Pro, by an admin only.
    let pro = api(&s, "/users/4");
    assert_eq!(patch_json(&pro, "demo-viewer-1", &json!({ "pro": true })).status, 403, "not an admin");
    assert_eq!(patch_json(&pro, "demo-streamer", &json!({ "admin": true })).status, 400);
    assert_eq!(patch_json(&api(&s, "/users/99"), "demo-streamer", &json!({ "pro": true })).status, 404);
    let made = patch_json(&pro, "demo-streamer", &json!({ "pro": true }));
    assert_eq!((made.status, made.body["pro"].clone()), (200, json!(true)), "{}", made.text);
    assert_eq!(get(&api(&s, "/users/current"), Some("demo-viewer-3")).body["pro"], true);

    // The game and the three viewers stay connected until the end of the test.
    let _connected = s.rt.block_on(async {
        let g = live(&s.m, "demo-streamer", "1").await;
        let plain = watching(&s.m, 1, "demo-viewer-1").await;
        let subscriber = watching(&s.m, 1, "demo-viewer-2").await;
        let pro = watching(&s.m, 1, "demo-viewer-3").await;
        assert!(amounts(&earned_at_least(&s.m, 2, 3).await).iter().all(|&a| a == 2));
        assert!(amounts(&earned_at_least(&s.m, 3, 3).await).iter().all(|&a| a == 4), "a subscriber earns 4");
        assert!(amounts(&earned_at_least(&s.m, 4, 3).await).iter().all(|&a| a == 4), "a Pro viewer earns 4");
        (g, [plain, subscriber, pro])
    });

    // Unsubscribed, the next payments are 2 again: every row written after the answer.
    let off = call("DELETE", &format!("{channel}/subscribe"), Some("demo-viewer-2"));
    assert_eq!((off.status, off.body["subscribed"].clone()), (200, json!(false)), "{}", off.text);
    let mark = s.rt.block_on(earned(&s.m, 3))[0].id;
    let rows = s.rt.block_on(earned_until(&s.m, 3, |rows| rows.iter().filter(|e| e.id > mark).count() >= 2));
    assert!(rows.iter().filter(|e| e.id > mark).all(|e| e.delta == 2), "{rows:?}");

    // The history pages through the whole ledger, newest first.
    let history = api(&s, "/users/current/sparks/history");
    assert_eq!(get(&history, None).status, 401);
    assert_eq!(get(&format!("{history}?limit=0"), Some("demo-viewer-2")).status, 400);
    let mut url = format!("{history}?limit=2");
    let mut entries: Vec<Value> = Vec::new();
    loop {
        let page = get(&url, Some("demo-viewer-2"));
        assert_eq!(page.status, 200, "{}", page.text);
        let got = page.body["entries"].as_array().unwrap().clone();
        assert!(got.len() <= 2);
        entries.extend(got);
        match page.body["next"].as_i64() {
            Some(next) => url = format!("{history}?limit=2&before={next}"),
            None => break,
        }
    }
    let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats: {ids:?}");
    let last = entries.last().unwrap();
    assert_eq!(
        (last["type"].as_str(), last["sparks"].as_i64(), last["reason"].as_str()),
        (Some("granted"), Some(1000), Some("world file"))
    );
    assert!(entries[..entries.len() - 1].iter().all(|e| e["type"] == "earned" && e["channelId"] == 1));
    let total: i64 = entries.iter().map(|e| e["sparks"].as_i64().unwrap()).sum();
    let now = get(&history, Some("demo-viewer-2"));
    assert!(now.body["sparks"].as_i64() >= Some(total), "the balance is the ledger (and maybe one more row)");
}

#[test]
fn hidden_anonymous_and_offline_viewers_earn_nothing() {
    let s = serve();
    s.rt.block_on(async {
        let _g1 = live(&s.m, "demo-streamer", "1").await;
        let _control = watching(&s.m, 1, "demo-viewer-1").await;
        // Anonymous, visible: no identity, no balance, nothing earned.
        let mut anonymous = open_viewer(&s.m, 1, "", &[]).await.open();
        anonymous.visible(true).await;
        assert_eq!(anonymous.event("hello", |_| true).await["user"], Value::Null);
        // Signed in, hidden.
        let mut hidden = open_viewer(&s.m, 1, "key=demo-viewer-2", &[]).await.open();
        hidden.visible(false).await;
        // Signed in, visible, on channel 2 (offline).
        let mut offline = watching(&s.m, 2, "demo-viewer-3").await;
        assert_eq!(offline.event("channel", |_| true).await["online"], false);

        earned_at_least(&s.m, 2, 3).await;
        for user in [3, 4, 5] {
            assert!(earned(&s.m, user).await.is_empty(), "user {user} earned while hidden or offline");
        }
        assert!(!earned(&s.m, 1).await.is_empty(), "the live broadcaster earns");
        assert!(anonymous.backlog.iter().all(|m| m["event"] != "balance"));

        // Channel 2 goes live: its viewer hears it and earns; offline again: hears it and stops.
        let g2 = live(&s.m, "streamer-2", "2").await;
        assert_eq!(offline.event("channel", |m| m["online"] == true).await["channel"], 2);
        offline.event("earning", |m| m["earning"] == true).await;
        earned_at_least(&s.m, 4, 1).await;
        g2.close().await;
        offline.event("channel", |m| m["online"] == false).await;
        offline.event("earning", |m| m["earning"] == false).await;
        let stopped = now_ms();
        earned_at_least(&s.m, 2, earned(&s.m, 2).await.len() + 2).await;
        let rows = earned(&s.m, 4).await;
        assert!(
            rows.iter().all(|e| e.interval_end.unwrap() <= stopped),
            "paid for an interval that ended after the channel went offline at {stopped}: {rows:?}"
        );
        assert!(s.m.store().ledger_mismatches().await.unwrap().is_empty());
    });
}

#[test]
fn the_viewer_socket_is_bounded_and_checks_who_it_is() {
    let config = MediatorConfig {
        viewer_sockets_per_user: 3,
        viewer_message_bytes: 64,
        viewer_message_rate: Rate::new(5, 5),
        ..config()
    };
    let s = serve_with(economy_world(), config);
    s.rt.block_on(async {
        let m = &s.m;
        // Sockets per account: the fourth is closed with a sentence; anonymous ones are not counted.
        let mut three = Vec::new();
        for _ in 0..3 {
            three.push(open_viewer(m, 1, "key=demo-viewer-1", &[]).await.open());
        }
        match open_viewer(m, 2, "key=demo-viewer-1", &[]).await {
            Opened::Closed(1008, reason) => assert!(reason.contains("too many viewer sockets"), "{reason}"),
            other => panic!("a fourth socket of one account must be refused, got {other:?}"),
        }
        for _ in 0..4 {
            open_viewer(m, 1, "", &[]).await.open();
        }
        drop(three.pop());

        // Who: a bad key, an unknown channel, a cookie from another site.
        assert!(matches!(open_viewer(m, 1, "key=nope", &[]).await, Opened::Closed(4019, _)));
        assert!(matches!(open_viewer(m, 99, "", &[]).await, Opened::Http(404)));
        let login = common::oauth::post_json(
            &format!("{}/api/v1/users", m.base_url()),
            &json!({ "username": "cookie_fan", "password": "12345678" }),
        );
        assert_eq!(login.status, 201, "{}", login.text);
        let mut b = common::oauth::Browser::new(&m.base_url());
        let form = b.get("/login");
        let csrf = common::oauth::field_value(&form.text, "csrf").unwrap();
        b.post_form("/login", &[("username", "cookie_fan"), ("password", "12345678"), ("csrf", &csrf), ("next", "/")]);
        let cookie = format!("mixplay_session={}", b.cookie("mixplay_session").expect("signed in"));
        let own = m.base_url();
        assert!(matches!(
            open_viewer(m, 1, "", &[("Cookie", &cookie), ("Origin", "http://evil.example")]).await,
            Opened::Http(403)
        ));
        let mut by_cookie = open_viewer(m, 1, "", &[("Cookie", &cookie), ("Origin", &own)]).await.open();
        assert_eq!(by_cookie.event("hello", |_| true).await["user"]["username"], "cookie_fan");
        let mut anon = open_viewer(m, 1, "anonymous=1", &[("Cookie", &cookie), ("Origin", &own)]).await.open();
        assert_eq!(anon.event("hello", |_| true).await["user"], Value::Null, "anonymous=1 ignores the cookie");
        // Subscribing by cookie (as the page does) needs the page's CSRF token.
        let csrf = common::oauth::field_value(&b.get("/channel/1").text, "csrf").expect("the page's token");
        let subscribe = format!("{}/api/v1/channels/1/subscribe", m.base_url());
        let by_cookie = |token: Option<&str>| {
            let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
            let mut req = agent.post(&subscribe).header("Cookie", &cookie);
            if let Some(t) = token {
                req = req.header("X-CSRF-Token", t);
            }
            req.send_empty().unwrap().status().as_u16()
        };
        assert_eq!(by_cookie(None), 403, "no CSRF token");
        assert_eq!(by_cookie(Some(&csrf)), 200, "the page's token");

        // A message that is not understood gets an error and the socket stays.
        let mut v = open_viewer(m, 1, "key=demo-viewer-2", &[]).await.open();
        v.send("hello?").await;
        assert!(v.event("error", |_| true).await["message"].as_str().unwrap().contains("visible"));
        v.send(r#"{"visible": "yes"}"#).await;
        v.event("error", |_| true).await;
        v.visible(true).await;
        // Too large: closed with 1009.
        let mut big = open_viewer(m, 1, "", &[]).await.open();
        big.send(&format!(r#"{{"visible": true, "pad": "{}"}}"#, "x".repeat(100))).await;
        let (code, reason) = big.closed().await;
        assert_eq!(code, 1009, "{reason}");
        assert!(reason.contains("64 bytes"), "{reason}");
        // Past what the websocket layer buffers at all: the same answer.
        let mut huge = open_viewer(m, 1, "", &[]).await.open();
        huge.send(&"x".repeat(20 * 1024)).await;
        assert_eq!(huge.closed().await.0, 1009);
        // Too fast: closed with 1008 after the burst.
        let mut fast = open_viewer(m, 1, "", &[]).await.open();
        for _ in 0..10 {
            fast.visible(true).await;
        }
        let (code, reason) = fast.closed().await;
        assert_eq!(code, 1008, "{reason}");
        assert!(reason.contains("too many messages"), "{reason}");
    });
}

#[test]
fn a_restart_keeps_earned_sparks_and_never_pays_an_interval_twice() {
    let folder = TempDir::new("economy");
    let d = Durable::start(folder.path(), Some(economy_world()), config());
    let before = d.rt.block_on(async {
        let _g = live(&d.m, "demo-streamer", "1").await;
        let mut v = watching(&d.m, 1, "demo-viewer-1").await;
        let rows = earned_at_least(&d.m, 2, 2).await;
        v.event("balance", |m| m["reason"] == "earned").await;
        (rows, v)
    });
    let (rows_before, mut old_socket) = before;
    let d = d.restart(None);
    d.rt.block_on(async {
        assert_eq!(old_socket.closed().await.0, 1012, "viewer sockets are told the service restarts");
        let kept = earned(&d.m, 2).await;
        assert!(kept.len() >= rows_before.len(), "earned rows survive the restart");
        assert_eq!(d.m.sparks_of(2), 1000 + 2 * kept.len() as u64, "and so does the balance");
        let _g = live(&d.m, "demo-streamer", "1").await;
        let _v = watching(&d.m, 1, "demo-viewer-1").await;
        let rows = earned_at_least(&d.m, 2, kept.len() + 2).await;
        distinct_intervals(&rows);
        assert_eq!(d.m.sparks_of(2), 1000 + 2 * rows.len() as u64);
        // Paying an interval already paid (or one overlapping it) again pays nothing.
        let end = rows[0].interval_end.unwrap();
        let payee = Payee { user: 2, watching: vec![1], streaming: None };
        let rates = Rates { base: 2, boosted: 4 };
        for (start, end) in [(end - 1000, end), (end - 500, end + 500)] {
            let paid = d.m.store().pay_for_watching(start, end, rates, vec![payee.clone()]).await.unwrap();
            assert!(paid.is_empty(), "interval [{start}, {end}) paid twice: {paid:?}");
        }
    });
    d.assert_ledgers_balance();
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}
