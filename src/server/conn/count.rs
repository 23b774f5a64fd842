//! Open connections per address: a connection holds a [`Slot`] for as long as its socket lives
//! (a websocket's too, after the upgrade), so no one address can use up the process's sockets.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::addr::AddrKey;

/// How many connections each address has open.
#[derive(Default)]
pub struct Counts {
    open: Mutex<HashMap<AddrKey, usize>>,
}

/// One open connection of an address; dropping it frees its place.
pub struct Slot {
    counts: Arc<Counts>,
    key: Option<AddrKey>,
}

impl Counts {
    /// A place for one more connection from `key`, unless it already has `limit` (0: no limit;
    /// `None` for an address that is not counted, a trusted proxy).
    pub fn open(self: &Arc<Self>, key: Option<AddrKey>, limit: usize) -> Option<Slot> {
        let Some(key) = key.filter(|_| limit > 0) else {
            return Some(Slot { counts: self.clone(), key: None });
        };
        let mut open = self.open.lock();
        let n = open.entry(key).or_insert(0);
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(Slot { counts: self.clone(), key: Some(key) })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut open = self.counts.open.lock();
        if let Some(n) = open.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&key);
            }
        }
    }
}

/// A socket that keeps its address's [`Slot`] until it is dropped.
pub struct Counted<S> {
    pub socket: S,
    _slot: Slot,
}

impl<S> Counted<S> {
    pub fn new(socket: S, slot: Slot) -> Counted<S> {
        Counted { socket, _slot: slot }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.socket).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.socket).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.socket.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_per_address_and_freed_on_drop() {
        let counts = Arc::new(Counts::default());
        let a = Some(AddrKey::of("10.0.0.1".parse().unwrap()));
        let b = Some(AddrKey::of("10.0.0.2".parse().unwrap()));
        let first = counts.open(a, 2).unwrap();
        let _second = counts.open(a, 2).unwrap();
        assert!(counts.open(a, 2).is_none());
        assert!(counts.open(b, 2).is_some(), "another address");
        assert!(counts.open(None, 2).is_some(), "uncounted");
        assert!(counts.open(a, 0).is_some(), "no limit");
        drop(first);
        assert!(counts.open(a, 2).is_some());
        assert_eq!(counts.open.lock().len(), 1, "a freed address is forgotten");
    }
}
