//! One connected socket's outgoing side: a bounded queue drained by a writer task that numbers
//! packets (`seq`), compresses them with the negotiated scheme and writes them to the websocket.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::SinkExt;
use tokio::sync::{mpsc, watch};

use crate::protocol::{Encoder, Packet, Scheme, WireFrame};

/// What a writer task is asked to do, in order.
#[derive(Debug)]
pub enum Outgoing {
    /// A packet's JSON without its `seq`; the writer adds the next sequence number.
    Packet(String),
    /// Switch the sending scheme; everything queued before goes out in the old one.
    SetScheme(Scheme),
}

/// A handle to a connection's outgoing side. Cheap to clone.
#[derive(Clone)]
pub struct Peer {
    tx: mpsc::Sender<Outgoing>,
    shared: Arc<PeerShared>,
}

struct PeerShared {
    seq: AtomicI32,
    close: watch::Sender<Option<(u16, String)>>,
}

/// The receiving end of a close request, watched by the connection's reader.
pub type CloseWatch = watch::Receiver<Option<(u16, String)>>;

/// Serializes a packet without `seq`, ready for [`Peer::send`].
pub fn unsequenced(packet: &Packet) -> String {
    debug_assert!(packet.seq().is_none());
    packet.to_json()
}

fn with_seq(mut json: String, seq: i32) -> String {
    if json.ends_with('}') {
        json.pop();
        json.push_str(",\"seq\":");
        json.push_str(&seq.to_string());
        json.push('}');
    }
    json
}

impl Peer {
    /// Creates the peer and spawns its writer on `sink`. `capacity` bounds the queue.
    pub fn spawn(sink: SplitSink<WebSocket, Message>, capacity: usize) -> (Peer, CloseWatch) {
        let (tx, rx) = mpsc::channel(capacity);
        let (close_tx, close_rx) = watch::channel(None);
        let shared = Arc::new(PeerShared { seq: AtomicI32::new(0), close: close_tx });
        let peer = Peer { tx, shared: shared.clone() };
        tokio::spawn(run_writer(sink, rx, shared, close_rx.clone()));
        (peer, close_rx)
    }

    /// The last `seq` handed out on this connection.
    pub fn last_seq(&self) -> i32 {
        self.shared.seq.load(Ordering::Relaxed)
    }

    /// Queues a packet, waiting for room (back-pressure on the producer).
    pub async fn send(&self, json: String) -> bool {
        self.tx.send(Outgoing::Packet(json)).await.is_ok()
    }

    /// Queues a packet without waiting; a full queue closes the connection (the peer is not
    /// keeping up, and silently dropping state updates would desynchronise it).
    pub fn try_send(&self, json: String) -> bool {
        match self.tx.try_send(Outgoing::Packet(json)) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.close(1011, "too far behind: outgoing queue is full");
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Switches the outgoing scheme after everything already queued.
    pub async fn set_scheme(&self, scheme: Scheme) {
        let _ = self.tx.send(Outgoing::SetScheme(scheme)).await;
    }

    /// Asks the writer to send a close frame with `code` and stop. The first request wins.
    pub fn close(&self, code: u16, reason: &str) {
        self.shared.close.send_if_modified(|slot| {
            if slot.is_none() {
                *slot = Some((code, reason.to_owned()));
                true
            } else {
                false
            }
        });
    }
}

/// How many frames are fed to the socket before a flush, so that a burst costs one write.
const FRAMES_PER_FLUSH: usize = 256;

async fn run_writer(
    mut sink: SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Outgoing>,
    shared: Arc<PeerShared>,
    mut close_rx: CloseWatch,
) {
    let mut encoder = Encoder::new(Scheme::None);
    loop {
        let first = tokio::select! {
            biased;
            _ = close_rx.changed() => break,
            item = rx.recv() => match item {
                Some(item) => item,
                None => return,
            },
        };
        let mut next = Some(first);
        let mut fed = 0;
        while let Some(item) = next.take() {
            match item {
                Outgoing::SetScheme(scheme) => encoder = Encoder::new(scheme),
                Outgoing::Packet(json) => {
                    let seq = shared.seq.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
                    let message = match encoder.encode(with_seq(json, seq)) {
                        Ok(WireFrame::Text(t)) => Message::Text(Utf8Bytes::from(t)),
                        Ok(WireFrame::Binary(b)) => Message::Binary(b.into()),
                        Err(_) => {
                            let _ = sink.send(close_message(1011, "compression failed")).await;
                            return;
                        }
                    };
                    if sink.feed(message).await.is_err() {
                        return;
                    }
                    fed += 1;
                }
            }
            if fed < FRAMES_PER_FLUSH {
                next = rx.try_recv().ok();
            }
        }
        if sink.flush().await.is_err() {
            return;
        }
    }
    let request = close_rx.borrow().clone();
    if let Some((code, reason)) = request {
        let _ = sink.send(close_message(code, &reason)).await;
    }
}

pub fn close_message(code: u16, reason: &str) -> Message {
    // Close reasons are limited to 123 bytes by the websocket protocol.
    let mut reason = reason.to_owned();
    while reason.len() > 123 {
        reason.pop();
    }
    Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from(reason) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_is_spliced_into_the_object() {
        assert_eq!(with_seq("{\"a\":1}".into(), 7), "{\"a\":1,\"seq\":7}");
    }
}
