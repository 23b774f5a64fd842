//! The mediator: a self-hostable MixPlay (Interactive 2.0) service on one port.
//!
//! | path | what |
//! |---|---|
//! | `GET /api/v1/interactive/hosts` | endpoint discovery for game clients |
//! | `GET /api/v1/interactive/{channelId}` | the participant socket address of a channel |
//! | `GET /api/v1/users/current` | the user of a bearer token |
//! | `/gameClient` | the game-client websocket |
//! | `/participant?channel=ID` | the participant websocket (`key` for identity; anonymous allowed) |
//! | `GET /`, `GET /channel/{id}` | the participant page (see `page.rs`) |
//! | `GET /api/v1/chats/{channelId}`, `/chat`, `PATCH /api/v1/channels/{channelId}/users/{userId}` | chat (see `chat.rs`) |
//! | `/api/v1/oauth/…`, `GET`/`POST /go` | OAuth short-code sign-in (see `oauth.rs`) |

mod chat;
mod handshake;
mod hub;
mod inbound;
mod oauth;
mod page;
mod peer;
mod rest;
mod session;
mod sockets;
mod throttle;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::{get, patch, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use hub::MediatorConfig;
pub use world::{World, WorldError};

use hub::Hub;

/// The sign-ins a mediator issued (OAuth codes and tokens), to hand to the next mediator when
/// restarting in-process, as a service keeps its token store across restarts.
#[derive(Clone)]
pub struct SignIns(Arc<oauth::OAuth>);

/// A running mediator.
pub struct Mediator {
    addr: SocketAddr,
    hub: Arc<Hub>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/api/v1/interactive/hosts", get(rest::hosts))
        .route("/api/v1/interactive/{channel}", get(rest::channel))
        .route("/api/v1/users/current", get(rest::current_user))
        .route("/gameClient", get(sockets::game_client))
        .route("/participant", get(sockets::participant))
        .merge(page::routes())
        .route("/api/v1/chats/{channel}", get(chat::details))
        .route("/api/v1/channels/{channel}/users/{user}", patch(chat::update_user))
        .route("/chat", get(chat::socket))
        .route("/api/v1/oauth/shortcode", post(oauth::shortcode))
        .route("/api/v1/oauth/shortcode/check/{handle}", get(oauth::check))
        .route("/api/v1/oauth/token", post(oauth::token))
        .route("/go", get(oauth::go_page).post(oauth::go_submit))
        .with_state(hub)
}

impl Mediator {
    /// Binds `addr` (port 0 picks a free port) and serves on the current tokio runtime.
    pub async fn start(addr: &str, world: World, config: MediatorConfig) -> std::io::Result<Mediator> {
        Mediator::start_with_sign_ins(addr, world, config, SignIns(Arc::default())).await
    }

    /// As [`start`](Self::start), honouring the tokens another mediator issued.
    pub async fn start_with_sign_ins(
        addr: &str,
        world: World,
        config: MediatorConfig,
        sign_ins: SignIns,
    ) -> std::io::Result<Mediator> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let hub = Arc::new(Hub::with_oauth(world, config, sign_ins.0));
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(hub.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Mediator { addr, hub, stop: Some(stop), task: Some(task) })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port`, the base of every REST path.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The game-client discovery URL.
    pub fn hosts_url(&self) -> String {
        format!("{}/api/v1/interactive/hosts", self.base_url())
    }

    /// Closes every game client with `code` (1012 tells them the service is restarting).
    pub fn close_game_clients(&self, code: u16, reason: &str) {
        for session in self.hub.sessions() {
            session.game.close(code, reason);
        }
    }

    /// The sign-ins this mediator issued (see [`SignIns`]).
    pub fn sign_ins(&self) -> SignIns {
        SignIns(self.hub.oauth.clone())
    }

    /// A viewer's current spark balance.
    pub fn sparks_of(&self, user: u32) -> u64 {
        self.hub.sparks_of(user)
    }

    /// Stops accepting connections and closes game clients and chat sockets with 1012 (service
    /// restarting).
    pub async fn shutdown(mut self) {
        self.close_game_clients(1012, "the service is restarting");
        self.hub.chat.close_all(1012, "the service is restarting");
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Upgraded sockets live in their own tasks; do not wait on them forever.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for Mediator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
