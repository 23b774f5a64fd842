//! The game client of `mediator_fanout`: it sends methods (numbering its `updateControls`), and
//! its reader task counts the joins and leaves it is told of and times every reply.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

use super::{setup_game, Res, Ws, STALL_LIMIT};

/// The game client: sends methods, and its reader task counts joins and leaves and times replies.
pub struct Game {
    sink: SplitSink<Ws, Message>,
    next_id: u64,
    /// `updateControls` sent so far: the next one's number in the round.
    pub updates: usize,
    pub shared: Arc<GameShared>,
}

type Awaited = (Instant, Option<oneshot::Sender<Value>>);

#[derive(Default)]
pub struct GameShared {
    pub joins: AtomicU64,
    pub leaves: AtomicU64,
    pub closed: AtomicBool,
    /// Replies awaited: when the method was sent, and who wants the result.
    pub waiting: Mutex<HashMap<u64, Awaited>>,
    /// Reply times in microseconds since the last `take_reply_times`.
    reply_us: Mutex<Vec<u32>>,
}

impl Game {
    pub async fn connect(addr: &str) -> Res<Game> {
        let ws = setup_game(addr).await?;
        let (sink, stream) = ws.split();
        let shared = Arc::new(GameShared::default());
        tokio::spawn(game_reader(stream, shared.clone()));
        // setup_game used ids 1 to 3.
        Ok(Game { sink, next_id: 100, updates: 0, shared })
    }

    /// Sends a method; its reply is timed, and handed over if `want` is given.
    pub async fn send(&mut self, method: &str, params: Value, want: Option<oneshot::Sender<Value>>) -> Res<()> {
        self.next_id += 1;
        let id = self.next_id;
        self.shared.waiting.lock().unwrap().insert(id, (Instant::now(), want));
        let packet = json!({ "type": "method", "id": id, "method": method, "params": params, "discard": false });
        self.sink.send(Message::Text(packet.to_string().into())).await.map_err(|e| format!("sending {method}: {e}"))
    }

    pub async fn call(&mut self, method: &str, params: Value) -> Res<Value> {
        let (tx, rx) = oneshot::channel();
        self.send(method, params, Some(tx)).await?;
        let reply = tokio::time::timeout(STALL_LIMIT, rx)
            .await
            .map_err(|_| format!("no reply to {method} within {} s", STALL_LIMIT.as_secs()))?
            .map_err(|_| format!("the game socket closed during {method}"))?;
        if !reply["error"].is_null() {
            return Err(format!("{method} failed: {}", reply["error"]));
        }
        Ok(reply["result"].clone())
    }

    /// Changes button `b0`'s text (to `text` and the update's number): every participant gets an
    /// `onControlUpdate`. Returns the update's number in the round.
    pub async fn update(&mut self, text: &str) -> Res<usize> {
        let k = self.updates;
        self.updates += 1;
        let params = json!({ "sceneID": "default", "controls": [{ "controlID": "b0", "text": format!("{text}{k}") }] });
        self.send("updateControls", params, None).await?;
        Ok(k)
    }

    pub fn take_reply_times(&self) -> Vec<u32> {
        std::mem::take(&mut *self.shared.reply_us.lock().unwrap())
    }
}

async fn game_reader(mut stream: SplitStream<Ws>, shared: Arc<GameShared>) {
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else { continue };
        let text = text.as_str();
        if text.contains("\"type\":\"reply\"") {
            let Ok(packet) = serde_json::from_str::<Value>(text) else { continue };
            let Some(id) = packet["id"].as_u64() else { continue };
            let Some((sent, want)) = shared.waiting.lock().unwrap().remove(&id) else { continue };
            let us = sent.elapsed().as_micros().min(u32::MAX as u128) as u32;
            shared.reply_us.lock().unwrap().push(us);
            if let Some(want) = want {
                let _ = want.send(packet);
            }
        } else if text.contains("\"onParticipantJoin\"") || text.contains("\"onParticipantLeave\"") {
            let n = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|p| p["params"]["participants"].as_array().map(|a| a.len() as u64))
                .unwrap_or(1);
            let counter = if text.contains("\"onParticipantJoin\"") { &shared.joins } else { &shared.leaves };
            counter.fetch_add(n, Ordering::Release);
        }
    }
    shared.closed.store(true, Ordering::Release);
}
