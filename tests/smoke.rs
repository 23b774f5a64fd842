#![cfg(feature = "server")]
mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn game_and_participant_exchange_input() {
    let m = mediator().await;
    let mut g = ready_game(&m).await;
    g.ok(
        "createControls",
        json!({"sceneID": "default", "controls": [{"controlID": "b", "kind": "button", "text": "B"}]}),
    )
    .await;
    let mut p = participant(&m, Some("demo-viewer-1")).await.open();
    p.event("onSceneCreate").await;
    let joined = g.event("onParticipantJoin").await;
    let sid = joined["participants"][0]["sessionID"].as_str().unwrap().to_owned();
    p.ok("giveInput", json!({"controlID": "b", "event": "mousedown", "button": 0})).await;
    let input = g.event("giveInput").await;
    assert_eq!(input["participantID"], json!(sid));
    assert_eq!(input["input"]["controlID"], json!("b"));
}
