//! A socket's writer task: drains its peer's queue, numbering packets (`seq`), compressing them
//! with the negotiated scheme and writing them in batches; pings the client now and then. Every
//! write has a timeout: a socket that takes no data for `write_timeout` is closed (1008). A
//! close is a close frame (given `write_timeout` to go out), then the socket is dropped.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::SinkExt;

use super::peer::{
    close_message, stalled_reason, CloseWatch, Outgoing, PeerShared, Queued, Shared, Timing, POLICY_CLOSE,
};
use super::queue;
use crate::protocol::{Encoder, Scheme, WireFrame};

/// How many frames are fed to the socket before a flush, so that a burst costs one write.
const FRAMES_PER_FLUSH: usize = 256;

type Sink = SplitSink<WebSocket, Message>;

/// Why the writer stopped writing.
enum Stop {
    /// A close was requested: send the close frame.
    Close,
    /// A write took longer than the write timeout.
    Stalled,
    /// The connection failed, or every handle to the peer is gone.
    Gone,
}

/// Runs `write` unless a close is requested first or it takes longer than `timeout`.
async fn guarded<E>(
    write: impl Future<Output = Result<(), E>>,
    close: &CloseWatch,
    timeout: Duration,
) -> Result<(), Stop> {
    if close.is_requested() {
        return Err(Stop::Close);
    }
    tokio::select! {
        biased;
        _ = close.asked() => Err(Stop::Close),
        written = tokio::time::timeout(timeout, write) => match written {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Stop::Gone),
            Err(_) => Err(Stop::Stalled),
        },
    }
}

/// A packet's JSON with `,"seq":N` spliced in before its closing brace: the one per-socket copy
/// of a shared body, made only as it is written.
pub(super) fn with_seq(json: &Shared, seq: i32) -> String {
    let body = json.as_str();
    let Some(open) = body.strip_suffix('}') else { return body.to_owned() };
    let mut out = String::with_capacity(body.len() + 20);
    out.push_str(open);
    out.push_str(",\"seq\":");
    out.push_str(&seq.to_string());
    out.push('}');
    out
}

/// The frame for one queued item (`None` for a scheme switch, which happens here).
fn frame(item: Outgoing, shared: &PeerShared, encoder: &mut Encoder) -> Result<Option<Message>, Stop> {
    match item {
        Outgoing::SetScheme(scheme) => {
            *encoder = Encoder::new(scheme);
            Ok(None)
        }
        Outgoing::Text(text) => Ok(Some(Message::Text(text.text()))),
        Outgoing::Close(code, reason) => {
            shared.close(code, &reason);
            Err(Stop::Close)
        }
        Outgoing::Packet(json) => {
            let seq = shared.seq.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
            match encoder.encode(with_seq(&json, seq)) {
                Ok(WireFrame::Text(t)) => Ok(Some(Message::Text(Utf8Bytes::from(t)))),
                Ok(WireFrame::Binary(b)) => Ok(Some(Message::Binary(b.into()))),
                Err(_) => {
                    shared.close(1011, "compression failed");
                    Err(Stop::Close)
                }
            }
        }
    }
}

/// Writes what is queued until a close, a stall or the end.
async fn pump(
    sink: &mut Sink,
    rx: &mut queue::Receiver<Queued>,
    shared: &PeerShared,
    close: &CloseWatch,
    timing: &Timing,
) -> Stop {
    let mut encoder = Encoder::new(Scheme::None);
    let start = tokio::time::Instant::now() + timing.ping_every;
    let mut ping = tokio::time::interval_at(start, timing.ping_every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let first = tokio::select! {
            biased;
            _ = close.asked() => return Stop::Close,
            item = rx.recv() => match item {
                Some(item) => item,
                None => return Stop::Gone,
            },
            _ = ping.tick() => {
                if let Err(stop) = guarded(sink.send(Message::Ping(Default::default())), close, timing.write_timeout).await {
                    return stop;
                }
                continue;
            }
        };
        let mut next = Some(first);
        let mut fed = 0;
        while let Some(Queued { item, charge }) = next.take() {
            // The frame (this socket's copy of the text) is made only once the socket can take
            // it, so a stalled socket holds no copy of its own.
            let ready = std::future::poll_fn(|cx| sink.poll_ready_unpin(cx));
            if let Err(stop) = guarded(ready, close, timing.write_timeout).await {
                return stop;
            }
            let message = match frame(item, shared, &mut encoder) {
                Ok(message) => message,
                Err(stop) => return stop,
            };
            if let Some(message) = message {
                if sink.start_send_unpin(message).is_err() {
                    return Stop::Gone;
                }
                fed += 1;
            }
            shared.room.add_permits(charge as usize);
            if fed < FRAMES_PER_FLUSH {
                next = rx.try_recv();
            }
        }
        if let Err(stop) = guarded(sink.flush(), close, timing.write_timeout).await {
            return stop;
        }
    }
}

pub(super) async fn run_writer(
    mut sink: Sink,
    mut rx: queue::Receiver<Queued>,
    shared: Arc<PeerShared>,
    close: CloseWatch,
    timing: Timing,
) {
    match pump(&mut sink, &mut rx, &shared, &close, &timing).await {
        Stop::Gone => return shared.failed(),
        Stop::Stalled => shared.close(POLICY_CLOSE, &stalled_reason(timing.write_timeout)),
        Stop::Close => {}
    }
    // Nothing queued is sent any more: only the close frame, then the socket is dropped.
    drop(rx);
    let request = close.requested();
    if let Some((code, reason)) = request {
        let _ = tokio::time::timeout(timing.write_timeout, sink.send(close_message(code, &reason))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_is_spliced_into_the_object() {
        assert_eq!(with_seq(&Shared::from("{\"a\":1}".to_owned()), 7), "{\"a\":1,\"seq\":7}");
    }
}
