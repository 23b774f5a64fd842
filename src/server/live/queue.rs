//! The queue between a socket's producers and its writer task: many senders, one receiver, no
//! bound of its own (`peer.rs` bounds it in bytes before anything is sent).
//!
//! A `VecDeque` behind a short lock, and a `Notify` to wake the writer. tokio's unbounded channel
//! did the same job, but allocates a block of 32 slots for every channel at once (1.5 KiB per
//! connected viewer, most of whom are owed nothing most of the time); this one holds no memory
//! while empty and grows only as far as a socket falls behind.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::Notify;

struct State<T> {
    items: VecDeque<T>,
    senders: usize,
    receiver_gone: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    ready: Notify,
}

/// The sending side; clone it for more producers.
pub struct Sender<T>(Arc<Shared<T>>);

/// The receiving side: `recv` ends (`None`) once every sender is gone and the queue is empty.
pub struct Receiver<T>(Arc<Shared<T>>);

pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State { items: VecDeque::new(), senders: 1, receiver_gone: false }),
        ready: Notify::new(),
    });
    (Sender(shared.clone()), Receiver(shared))
}

impl<T> Sender<T> {
    /// Queues `item`; gives it back when the receiver is gone.
    pub fn send(&self, item: T) -> Result<(), T> {
        {
            let mut state = self.0.state.lock();
            if state.receiver_gone {
                return Err(item);
            }
            state.items.push_back(item);
        }
        // Wakes the receiver, or leaves it a permit if it is not waiting yet.
        self.0.ready.notify_one();
        Ok(())
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        self.0.state.lock().senders += 1;
        Sender(self.0.clone())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let last = {
            let mut state = self.0.state.lock();
            state.senders -= 1;
            state.senders == 0
        };
        if last {
            self.0.ready.notify_one();
        }
    }
}

impl<T> State<T> {
    fn pop(&mut self) -> Option<T> {
        let item = self.items.pop_front();
        if self.items.is_empty() && self.items.capacity() > 0 {
            // An emptied queue gives its memory back: most sockets are owed nothing most of the
            // time, and one burst (a viewer's join) must not cost it for as long as it is open.
            self.items = VecDeque::new();
        }
        item
    }
}

impl<T> Receiver<T> {
    /// The next item, waiting for one; `None` once every sender is gone and nothing is left.
    /// Cancel-safe: an item is taken only when this returns it.
    pub async fn recv(&mut self) -> Option<T> {
        loop {
            {
                let mut state = self.0.state.lock();
                if let Some(item) = state.pop() {
                    return Some(item);
                }
                if state.senders == 0 {
                    return None;
                }
            }
            self.0.ready.notified().await;
        }
    }

    /// The next item if one is queued.
    pub fn try_recv(&mut self) -> Option<T> {
        self.0.state.lock().pop()
    }

    /// Takes nothing more: senders get their items back from now on, and what is still queued
    /// is dropped now (not when the last sender goes).
    pub fn close(&mut self) {
        let mut state = self.0.state.lock();
        state.receiver_gone = true;
        state.items = VecDeque::new();
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::FutureExt;

    use super::*;

    #[tokio::test]
    async fn items_come_out_in_order_and_the_end_is_seen() {
        let (tx, mut rx) = channel();
        let tx2 = tx.clone();
        tx.send(1).unwrap();
        tx2.send(2).unwrap();
        assert_eq!(rx.try_recv(), Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.try_recv(), None);
        drop(tx);
        tx2.send(3).unwrap();
        drop(tx2);
        assert_eq!(rx.recv().await, Some(3), "what was queued before the last sender went still comes");
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn a_waiting_receiver_is_woken_by_a_send_and_by_the_last_sender_going() {
        let (tx, mut rx) = channel();
        let waiting = tokio::spawn(async move {
            let first = rx.recv().await;
            let end = rx.recv().await;
            (first, end)
        });
        tokio::task::yield_now().await;
        tx.send("hello").unwrap();
        let tx2 = tx.clone();
        drop(tx);
        drop(tx2);
        let got = tokio::time::timeout(Duration::from_secs(5), waiting).await.expect("the receiver was woken");
        assert_eq!(got.unwrap(), (Some("hello"), None));
    }

    #[tokio::test]
    async fn a_closed_queue_drops_what_it_held_and_takes_nothing_more() {
        let (tx, mut rx) = channel();
        tx.send(1).unwrap();
        rx.close();
        assert_eq!(rx.try_recv(), None);
        assert_eq!(tx.send(2), Err(2));
    }

    #[tokio::test]
    async fn an_emptied_queue_gives_its_memory_back() {
        let (tx, mut rx) = channel();
        for i in 0..100 {
            tx.send(i).unwrap();
        }
        while rx.try_recv().is_some() {}
        assert_eq!(rx.0.state.lock().items.capacity(), 0);
        tx.send(1).unwrap();
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.0.state.lock().items.capacity(), 0);
    }

    #[tokio::test]
    async fn sending_after_the_receiver_is_gone_gives_the_item_back() {
        let (tx, rx) = channel();
        tx.send(1).unwrap();
        drop(rx);
        assert_eq!(tx.send(2), Err(2));
    }

    #[tokio::test]
    async fn a_cancelled_recv_loses_nothing() {
        let (tx, mut rx) = channel();
        // A recv polled once while the queue is empty, then dropped: a `select!` branch that loses.
        assert!(rx.recv().now_or_never().is_none());
        tx.send(7).unwrap();
        assert_eq!(tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap(), Some(7));
    }
}
