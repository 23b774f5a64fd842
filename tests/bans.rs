//! Interactive bans and termination over real sockets: a channel ban closes the viewer's
//! participant socket with 4025 and refuses them with 4025 until it is lifted; an admin ends a
//! game session with 4027 (game and viewers), and nobody else can.

mod common;

use common::oauth::{agent, finish, patch_json, Http};
use common::{connect, Connected};
use mixplay::server::{Mediator, MediatorConfig};
use serde_json::{json, Value};

struct Setup {
    rt: tokio::runtime::Runtime,
    m: Mediator,
}

impl Setup {
    fn new() -> Setup {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let m = rt.block_on(common::mediator_with(common::demo_with_admin(), MediatorConfig::default()));
        Setup { rt, m }
    }

    fn viewer(&self, key: &str) -> Connected {
        let url = format!("ws://{}/participant?channel=1&x-protocol-version=2.0&key={key}", self.m.local_addr());
        self.rt.block_on(connect(&url, &[]))
    }

    fn joined(&self, key: &str) -> common::Conn {
        let mut p = self.viewer(key).open();
        self.rt.block_on(p.event("onReady"));
        p
    }

    fn ban(&self, user: u32, on: bool) -> Http {
        let body = if on { json!({ "add": ["Banned"] }) } else { json!({ "remove": ["Banned"] }) };
        patch_json(&format!("{}/api/v1/channels/1/users/{user}", self.m.base_url()), "demo-streamer", &body)
    }

    fn end_session(&self, channel: &str, token: &str) -> Http {
        let url = format!("{}/api/v1/interactive/{channel}/session", self.m.base_url());
        finish(agent().delete(&url).header("Authorization", &format!("Bearer {token}")).call())
    }
}

fn ready_game(s: &Setup) -> common::Conn {
    s.rt.block_on(common::ready_game(&s.m))
}

#[test]
fn a_channel_ban_closes_the_viewer_with_4025_and_refuses_them_until_lifted() {
    let s = Setup::new();
    let mut game = ready_game(&s);
    let mut banned = s.joined("demo-viewer-1");
    let mut other = s.joined("demo-viewer-2");

    let answer = s.ban(2, true);
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(s.rt.block_on(banned.closed()), 4025);
    // The game hears that they left; the other viewer plays on.
    let left = s
        .rt
        .block_on(game.event_matching("onParticipantLeave", |p: &Value| p["participants"][0]["username"] == "viewer1"));
    assert_eq!(left["participants"][0]["userID"], 2);
    s.rt.block_on(game.ok("broadcastEvent", json!({ "scope": ["everyone"], "data": { "still": "here" } })));
    assert_eq!(s.rt.block_on(other.event("event"))["still"], "here");

    // Refused while banned, with words that say why.
    match s.viewer("demo-viewer-1") {
        Connected::Closed(code, reason) => {
            assert_eq!(code, 4025);
            assert!(reason.contains("banned"), "{reason}");
        }
        other => panic!("a banned viewer got in: {other:?}"),
    }
    // Lifted: they join again.
    assert_eq!(s.ban(2, false).status, 200);
    let mut back = s.joined("demo-viewer-1");
    s.rt.block_on(back.ok("getTime", json!({})));
}

#[test]
fn an_admin_ends_a_session_with_4027_and_no_one_else_can() {
    let s = Setup::new();
    // Nothing to end yet.
    assert_eq!(s.end_session("1", "tok-admin").status, 404);
    let mut game = ready_game(&s);
    let mut viewer = s.joined("demo-viewer-1");

    // The streamer, a viewer and an anonymous caller are not admins.
    let refused = s.end_session("1", "demo-streamer");
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(s.end_session("1", "demo-viewer-2").status, 403);
    let anonymous = finish(agent().delete(&format!("{}/api/v1/interactive/1/session", s.m.base_url())).call());
    assert_eq!(anonymous.status, 401);
    assert_eq!(s.end_session("7", "tok-admin").status, 404);
    assert_eq!(s.end_session("x", "tok-admin").status, 404);

    let ended = s.end_session("1", "tok-admin");
    assert_eq!(ended.status, 204, "{}", ended.text);
    assert_eq!(s.rt.block_on(viewer.closed()), 4027);
    assert_eq!(s.rt.block_on(game.closed()), 4027);
    // The channel is free for the game to start again.
    let mut again = ready_game(&s);
    s.rt.block_on(again.ok("getTime", json!({})));
}
