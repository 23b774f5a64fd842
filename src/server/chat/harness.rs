//! The chat socket's packet handling driven without a network, for the chat fuzz target
//! (`fuzz/fuzz_targets/chat_packet.rs`): connections whose frames go through the same
//! `handle_frame` as a real socket's, on a mediator's hub with an in-memory store, and whose
//! replies and events are read back from their queues.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::json;

use super::events::EventSet;
use super::methods::leave_into;
use super::socket::{handle_frame, Conn};
use super::{send, Outgoing};
use crate::server::config::MediatorConfig;
use crate::server::conn::addr::ClientAddr;
use crate::server::hub::Hub;
use crate::server::live::peer::{Kind, Peer, Unwritten};
use crate::server::store::{Location, Store, StoreError};
use crate::server::world::World;

/// A hub for chat connections without sockets.
pub struct ChatHarness {
    hub: Arc<Hub>,
}

/// What one connection of [`ChatHarness::run`] was sent.
#[derive(Debug, Default)]
pub struct Received {
    /// Every text frame, in order: replies and events.
    pub frames: Vec<String>,
    /// The close the mediator asked for, if any (code, reason).
    pub closed: Option<(u16, String)>,
}

impl ChatHarness {
    /// A hub on an in-memory store holding `world`, with `config`.
    pub async fn new(world: World, config: MediatorConfig) -> Result<ChatHarness, StoreError> {
        let store = Store::open(Location::Memory).await?;
        store.import_world(world).await?;
        Ok(ChatHarness { hub: Arc::new(Hub::new(store, config).await?) })
    }

    /// Opens one connection per entry of `users` to `channel`'s chat (`Some(id)`: signed in as
    /// that user with a fresh authkey through `auth`; `None`: not in a room yet), then feeds each
    /// `(connection, frame)` to its connection as a socket's text frame would be, and closes
    /// them all. A connection the mediator closes reads nothing more. Afterwards the room forgets
    /// its history, poll, timeouts and rate bookkeeping, so that one run does not change the next.
    pub async fn run(&self, channel: u32, users: &[Option<u32>], frames: &[(usize, &str)]) -> Vec<Received> {
        let hub = &self.hub;
        let mut conns: Vec<(Conn, Unwritten, Received)> = Vec::new();
        for user in users {
            let (out, unwritten) = Peer::unwritten(Kind::Chat, &hub.config);
            let mut conn = Conn {
                id: hub.chat.next_conn.fetch_add(1, Ordering::Relaxed),
                out,
                from: ClientAddr(IpAddr::V4(Ipv4Addr::LOCALHOST)),
                room: None,
                user: None,
                opted_out: EventSet::default(),
                closing: None,
            };
            if let Some(id) = user {
                let key = hub.chat.new_authkey(*id, channel, hub.config.chat_authkey_ttl);
                let auth = json!({ "type": "method", "method": "auth", "arguments": [channel, id, key], "id": 0 });
                handle_frame(hub, &mut conn, &auth.to_string()).await;
            }
            conns.push((conn, unwritten, Received::default()));
        }
        for (i, text) in frames {
            let Some((conn, unwritten, received)) = conns.get_mut(*i) else { continue };
            if received.closed.is_some() {
                continue;
            }
            handle_frame(hub, conn, text).await;
            collect(unwritten, received);
        }
        let mut out = Outgoing::default();
        for (conn, _, _) in &mut conns {
            leave_into(conn, &mut out);
        }
        send(out);
        if let Some(room) = hub.chat.rooms.lock().get(&channel) {
            let mut st = room.state.lock();
            st.history.clear();
            st.poll = None;
            st.timeouts.clear();
            st.last_message.clear();
        }
        conns
            .into_iter()
            .map(|(_, mut unwritten, mut received)| {
                collect(&mut unwritten, &mut received);
                received
            })
            .collect()
    }
}

fn collect(unwritten: &mut Unwritten, received: &mut Received) {
    let (frames, closed) = unwritten.take();
    received.frames.extend(frames);
    received.closed = received.closed.take().or(closed);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::config::Rate;
    use serde_json::Value;

    #[tokio::test]
    async fn frames_go_through_the_socket_code() {
        let config = MediatorConfig { chat_rate: Rate::OFF, ..MediatorConfig::default() };
        let harness = ChatHarness::new(World::demo(), config).await.unwrap();
        let msg = r#"{"type":"method","method":"msg","arguments":["hi"],"id":1}"#;
        let got = harness.run(1, &[Some(2), None], &[(0, msg), (1, "not json"), (1, msg)]).await;
        let replies = |r: &Received| -> Vec<Value> {
            r.frames
                .iter()
                .map(|f| serde_json::from_str::<Value>(f).unwrap())
                .filter(|v| v["type"] == "reply")
                .collect()
        };
        let viewer = replies(&got[0]);
        assert_eq!(viewer[0]["data"]["authenticated"], json!(true), "{viewer:?}");
        assert_eq!(viewer[1]["data"]["message"]["message"][0]["text"], json!("hi"), "{viewer:?}");
        let stranger = replies(&got[1]);
        assert_eq!(stranger[0]["error"], json!("UNOTJSON"));
        assert_eq!(stranger[1]["error"], json!("not in a chat yet: call auth first"));
        assert!(got.iter().all(|r| r.closed.is_none()));
    }
}
