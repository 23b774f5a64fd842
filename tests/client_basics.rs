//! The session engine against the real mediator over real sockets.
#![cfg(feature = "server")]
mod common;

use common::client::*;
use mixplay::client::{ButtonAction, ConnectionState, Event, InputKind, Session};
use serde_json::json;

#[test]
fn connects_plays_and_captures() {
    let s = serve();
    let mut game = Session::connect(config(&s)).unwrap();
    wait_for(&mut game, "connected", |e| matches!(e, Event::Connection { state: ConnectionState::Connected, .. }));
    assert!(game.state().scenes.contains_key("default"));
    let id = game
        .create_controls(
            "default",
            json!([{"controlID": "jump", "kind": "button", "text": "Jump"}, {"controlID": "buy", "kind": "button", "cost": 10}]),
        )
        .unwrap();
    reply_for(&mut game, id).unwrap();
    assert!(
        game.state().control("default", "jump").is_some(),
        "the cache holds the new control once the reply is seen"
    );
    let id = game.ready(true).unwrap();
    wait_for(&mut game, "ready", |e| matches!(e, Event::Ready(true)));
    reply_for(&mut game, id).unwrap();

    let mut viewer = s.rt.block_on(common::participant(&s.m, Some("demo-viewer-1"))).open();
    let joined = wait_for(&mut game, "join", |e| matches!(e, Event::ParticipantJoined(_)));
    let Event::ParticipantJoined(who) = joined else { unreachable!() };
    assert_eq!(game.state().participants.get(&who).unwrap().username, "viewer1");

    s.rt.block_on(viewer.ok("giveInput", json!({"controlID": "jump", "event": "mousedown", "button": 0})));
    let input = wait_for(&mut game, "input", |e| matches!(e, Event::Input(_)));
    let Event::Input(input) = input else { unreachable!() };
    assert_eq!(&*input.control, "jump");
    assert_eq!(input.kind, InputKind::Button { action: ButtonAction::MouseDown, button: 0 });
    assert_eq!(input.participant, who);
    assert_eq!(game.frame().presses("jump"), 1);

    s.rt.block_on(viewer.ok("giveInput", json!({"controlID": "buy", "event": "mousedown", "button": 0})));
    let Event::Input(buy) = wait_for(&mut game, "costed input", |e| matches!(e, Event::Input(_))) else {
        unreachable!()
    };
    let txn = buy.transaction.expect("a costed press carries a transaction");
    let id = game.capture(&txn).unwrap();
    reply_for(&mut game, id).unwrap();
    assert_eq!(s.m.sparks_of(2), 990);

    let id = game.set_text("jump", "Jump!").unwrap();
    game.end_frame();
    reply_for(&mut game, id).unwrap();
    assert_eq!(game.state().control("default", "jump").unwrap()["text"], json!("Jump!"));
}

#[test]
fn removed_properties_leave_the_cache() {
    let s = serve();
    let mut game = connected(&s);
    let id = game.create_controls("default", json!([{"controlID": "b", "kind": "button", "tooltip": "tip"}])).unwrap();
    reply_for(&mut game, id).unwrap();
    let id = game.update_controls("default", json!([{"controlID": "b", "tooltip": null}]), 0).unwrap();
    reply_for(&mut game, id).unwrap();
    assert!(game.state().control("default", "b").unwrap().get("tooltip").is_none());
    let id = game.update_world(json!({"round": 1, "mode": "duel"}), 0).unwrap();
    reply_for(&mut game, id).unwrap();
    let id = game.update_world(json!({"mode": null}), 0).unwrap();
    reply_for(&mut game, id).unwrap();
    assert_eq!(game.state().world.get("round"), Some(&json!(1)));
    assert!(game.state().world.get("mode").is_none());
}
