//! Accepting connections: the mediator's own accept loop (HTTP/1.1 with upgrades, on hyper), so
//! that what a connection may cost is bounded before any handler runs.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the accept loop: per-address connection limit, header-read timeout, request-head size, graceful stop; the open-files limit |
//! | `addr.rs` | the client address of a request (behind a trusted proxy: `X-Forwarded-For`), and the per-address key |
//! | `count.rs` | open connections per address |
//!
//! A connection must send each request's head within `header_read_timeout` (which also ends a
//! kept-alive connection idle that long); the router then answers each request within
//! `request_timeout` (`deadline` in `server/mod.rs`). After a websocket upgrade, the socket's own
//! timeouts take over (`live/peer.rs`).

pub mod addr;
mod count;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use self::addr::AddrKey;
pub use self::count::Counted;
use self::count::Counts;
use super::config::MediatorConfig;

/// The smallest read buffer hyper accepts (its floor for `max_buf_size`).
const MIN_HEAD_BUFFER: usize = 8192;

/// How long a refused connection is given to read its 429.
const REFUSAL_GRACE: Duration = Duration::from_secs(1);

/// Serves `app` on `listener` until `stop` resolves; then stops accepting, lets requests in
/// flight finish, and returns when every HTTP connection has ended (upgraded sockets live on in
/// their own tasks).
pub async fn serve(listener: TcpListener, app: Router, config: &MediatorConfig, stop: impl Future<Output = ()>) {
    let counts = Arc::new(Counts::default());
    // Every connection task holds a receiver: `closing.closed()` resolves when all have ended.
    let (closing, closing_rx) = watch::channel(false);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Some(config.header_read_timeout).filter(|t| !t.is_zero()))
        .max_buf_size(config.max_header_bytes.max(MIN_HEAD_BUFFER));
    tokio::pin!(stop);
    loop {
        let (socket, peer) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, most likely: give connections a moment to end
                    // instead of spinning.
                    eprintln!("mixplay-server: accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let counted = !config.trusted_proxies.iter().any(|t| t.to_canonical() == peer.ip().to_canonical());
        let key = counted.then(|| AddrKey::of(peer.ip()));
        let Some(slot) = counts.open(key, config.connections_per_address) else {
            tokio::spawn(refuse(socket, config.connections_per_address));
            continue;
        };
        let _ = socket.set_nodelay(true);
        let handle = SocketHandle::of(&socket);
        let io = TokioIo::new(Counted::new(socket, slot));
        // Every request carries its peer's address (as axum's `ConnectInfo`) and its socket.
        let router = TowerToHyperService::new(app.clone());
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(handle);
            router.call(request)
        });
        let connection = builder.serve_connection(io, service).with_upgrades();
        let mut closing_rx = closing_rx.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            loop {
                tokio::select! {
                    _ = connection.as_mut() => break,
                    _ = closing_rx.changed() => connection.as_mut().graceful_shutdown(),
                }
            }
        });
    }
    drop(closing_rx);
    let _ = closing.send(true);
    closing.closed().await;
}

/// The socket a request came on, for setting its options from a handler (while the request is
/// being answered, its connection, and so the socket, is alive).
#[derive(Debug, Clone, Copy)]
pub struct SocketHandle(#[cfg(unix)] std::os::fd::RawFd);

impl SocketHandle {
    fn of(socket: &TcpStream) -> SocketHandle {
        #[cfg(unix)]
        return SocketHandle(std::os::fd::AsRawFd::as_raw_fd(socket));
        #[cfg(not(unix))]
        return SocketHandle();
    }

    /// Fixes the kernel's send buffer of this socket at `bytes` (0: leave it to the kernel's
    /// autotuning), so that a client that stops reading holds at most that much kernel memory.
    pub fn limit_send_buffer(&self, bytes: usize) {
        #[cfg(unix)]
        if bytes > 0 {
            let size = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
            // SAFETY: the descriptor is the request's own socket, open while it is answered; the
            // option's value is a c_int passed by pointer with its size.
            unsafe {
                libc::setsockopt(
                    self.0,
                    libc::SOL_SOCKET,
                    libc::SO_SNDBUF,
                    (&size as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                );
            }
        }
    }
}

/// Answers a connection over its address's limit with 429 and closes it.
async fn refuse(mut socket: TcpStream, limit: usize) {
    let body = format!("too many connections from your address (at most {limit}); close some and try again\n");
    let answer = format!(
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 10\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(REFUSAL_GRACE, async {
        socket.write_all(answer.as_bytes()).await?;
        socket.shutdown().await?;
        // Read what the client sent, so that closing does not reset the connection before it
        // has read the answer.
        let mut sink = [0u8; 4096];
        while socket.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}

/// Raises this process's open-files limit (`RLIMIT_NOFILE`) to its hard limit, so that the
/// number of sockets is bounded by the per-address limit and the machine rather than by a
/// conservative default; returns `(before, now)`.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // rlim_t is not u64 everywhere
pub fn raise_open_files_limit() -> std::io::Result<(u64, u64)> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed by pointer.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let before = limit.rlim_cur as u64;
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            limit = raised;
        }
        Ok((before, limit.rlim_cur as u64))
    }
}

/// Not available here: the limit is left as it is.
#[cfg(not(unix))]
pub fn raise_open_files_limit() -> std::io::Result<(u64, u64)> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "no open-files limit to raise on this system"))
}
