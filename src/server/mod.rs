//! The mediator: a self-hostable MixPlay (Interactive 2.0) service on one port, with a durable
//! store.
//!
//! | module | what |
//! |---|---|
//! | `store/` | the only code that talks to the database (SQLite): users, tokens, channels, projects, sparks, chat history, OAuth |
//! | `accounts/` | sign-up, login and lockout, tokens and browser sessions, the one auth extractor (`Caller`), CSRF and origin checks |
//! | `live/` | the in-memory hot path: game-client and participant sockets, channel sessions, throttles |
//! | `sparks.rs` | spark balances for the hot path, captures and expiry through the store |
//! | `channel/` | a channel's public settings, its owner's changes (title, stream source, live switch, slow chat, roles), subscriptions |
//! | `economy/` | sparks earned by watching: who watches, the accrual, the viewer socket (also the channel-status push), ledger history |
//! | `chat/` | the chat socket and its rooms (settings and history in the store) |
//! | `oauth.rs` | the short-code flow and the token endpoint |
//! | `web/` | the browser pages: channels, participant page, dashboard, sign-up and login, `/go`, `/account` |
//! | `studio/` | the Studio: the projects REST API and the `/studio` web app |
//! | `rest.rs` | endpoint discovery and channel lookup |
//! | `conn/` | the accept loop: per-address connection limit, header-read timeout, client addresses |
//! | `rate.rs` | rate limits (token buckets per key) |
//! | `config.rs` | every setting and limit, with its flag |
//! | `controls/` | checking a version's controls (the Studio's REST and world files) |
//! | `files/` | file storage: `uploadFile`'s upload endpoint and the files' addresses |
//! | `world.rs` | world files, imported into the store |
//!
//! | path | what |
//! |---|---|
//! | `GET /api/v1/interactive/hosts` | endpoint discovery for game clients |
//! | `GET /api/v1/interactive/{channelId}` | the participant socket address of a channel |
//! | `POST /api/v1/users`, `POST /api/v1/users/login`, `POST /api/v1/users/logout`, `GET /api/v1/users/current` | accounts (see `accounts/`) |
//! | `PATCH /api/v1/users/{id}` | an admin makes a user Pro (see `accounts/admin.rs`) |
//! | `GET /api/v1/users/current/sparks/history` | the caller's spark ledger, paged (see `economy/`) |
//! | `/api/v1/channels/{id}/viewer` | the viewer socket of a participant page: visibility up, balance and channel status down (see `economy/viewer.rs`) |
//! | `/gameClient` | the game-client websocket |
//! | `/participant?channel=ID` | the participant websocket (`key`, bearer or session cookie for identity; anonymous allowed) |
//! | `GET /`, `GET /channel/{id}`, `/dashboard`, `/account`, `/signup`, `/login`, `POST /logout`, `/go` | the browser pages (see `web/`) |
//! | `GET /api/v1/chats/{channelId}`, `/chat`, `PATCH /api/v1/channels/{channelId}/users/{userId}` | chat (see `chat/`) |
//! | `GET`/`PATCH /api/v1/channels/{id}`, `…/manage`, `PATCH …/roles`, `POST`/`DELETE …/subscribe` | a channel's settings, subscriptions (see `channel/`) |
//! | `/api/v1/oauth/…` | OAuth short-code sign-in (see `oauth.rs`) |
//! | `/api/v1/interactive/games…`, `/api/v1/interactive/versions/…`, `/api/v1/interactive/reviews`, `/studio` | the Studio (see `studio/`) |
//! | `GET`, `POST /files/{channelId}/{path}` | uploaded files and the upload endpoint (see `files/`) |
//! | `DELETE /api/v1/interactive/{channelId}/session` | an admin ends a game session, 4027 (see `live/bans.rs`) |
//!
//! Every request that changes something and says (by `Origin` or `Sec-Fetch-Site`) that it comes
//! from another site is refused with 403. Every request is answered within `request_timeout`
//! (408 otherwise); sign-in, account and OAuth bodies are at most `form_body_bytes`.

mod accounts;
mod channel;
mod chat;
pub mod config;
mod conn;
pub mod controls;
mod economy;
mod files;
mod hub;
mod live;
mod oauth;
mod rate;
mod reply;
mod request;
mod rest;
mod sparks;
pub mod store;
mod studio;
mod web;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::Router;
pub use economy::accrual::Paid;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[doc(hidden)]
pub use chat::harness::{ChatHarness, Received as ChatReceived};
pub use config::{MediatorConfig, Rate};
pub use conn::raise_open_files_limit;
/// The participant socket's frame reader (for the `websocket_frames` fuzz target).
pub use live::socket::frames::{Broken as BrokenFrame, FrameReader};
pub use store::{ImportSummary, Location, Store, StoreError};
pub use world::{World, WorldError};

use hub::Hub;

/// How often expired spark transactions are closed (each with its ledger row).
const EXPIRY_INTERVAL: Duration = Duration::from_secs(1);

/// How often expired tokens and OAuth codes are cleaned up.
const PRUNE_INTERVAL: Duration = Duration::from_secs(60);

/// How long an expired token is remembered, to answer "expired" rather than "unknown".
const EXPIRED_TOKEN_MEMORY: Duration = Duration::from_secs(24 * 60 * 60);

/// How to start a mediator.
#[derive(Debug, Clone)]
pub struct MediatorOptions {
    /// The address to listen on (port 0 picks a free port).
    pub listen: String,
    /// Where the store lives.
    pub storage: Location,
    /// A world to import at start (idempotent). Without one, a new, empty store is seeded with
    /// the demo world.
    pub world: Option<World>,
    pub config: MediatorConfig,
}

/// Why a mediator did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A running mediator.
pub struct Mediator {
    addr: SocketAddr,
    hub: Arc<Hub>,
    imported: Option<ImportSummary>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    upkeep: JoinHandle<()>,
}

fn router(hub: Arc<Hub>) -> Router {
    // Small bodies only where people and apps sign in or change an account: nothing there needs
    // more.
    let sign_in = Router::new()
        .route("/api/v1/users", post(accounts::sign_up))
        .route("/api/v1/users/{id}", patch(accounts::admin::update_user))
        .route("/api/v1/users/login", post(accounts::log_in))
        .route("/api/v1/users/logout", post(accounts::log_out))
        .route("/api/v1/oauth/shortcode", post(oauth::shortcode))
        .route("/api/v1/oauth/token", post(oauth::token))
        .merge(web::sign_in_routes())
        .layer(DefaultBodyLimit::max(hub.config.form_body_bytes));
    Router::new()
        .route("/api/v1/interactive/hosts", get(rest::hosts))
        .route("/api/v1/interactive/{channel}", get(rest::channel))
        .route("/api/v1/users/current", get(accounts::current))
        .route("/api/v1/users/current/sparks/history", get(economy::history::history))
        .route("/api/v1/channels/{channel}/viewer", get(economy::viewer::socket))
        .route("/gameClient", get(live::sockets::game_client))
        .route("/participant", get(live::sockets::participant))
        .merge(web::routes())
        .merge(channel::routes())
        .merge(studio::routes(hub.config.studio.body_bytes, hub.config.files.bundle_bytes))
        .merge(files::routes())
        .merge(live::bans::routes())
        .merge(sign_in)
        .route("/api/v1/chats/{channel}", get(chat::details))
        .route("/api/v1/channels/{channel}/users/{user}", patch(chat::update_user))
        .route("/chat", get(chat::socket))
        .route("/api/v1/oauth/shortcode/check/{handle}", get(oauth::check))
        .layer(axum::middleware::from_fn_with_state(hub.clone(), refuse_cross_site))
        .layer(axum::middleware::from_fn_with_state(hub.clone(), deadline))
        .with_state(hub)
}

/// Answers 408 when a request (reading its body included) takes longer than `request_timeout`:
/// a client that sends a body a byte at a time holds nothing for long. A websocket's handshake
/// is a request too; its life after the upgrade is not.
async fn deadline(State(hub): State<Arc<Hub>>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(config::effective(hub.config.request_timeout), next.run(request)).await {
        Ok(response) => response,
        Err(_) => reply::api_error(
            StatusCode::REQUEST_TIMEOUT,
            format!("the request took longer than {} s", hub.config.request_timeout.as_secs_f64()),
        ),
    }
}

/// Refuses requests that change something when a browser says they come from another site.
async fn refuse_cross_site(State(hub): State<Arc<Hub>>, request: Request, next: Next) -> Response {
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes && !accounts::browser::same_origin(request.headers(), hub.config.public_url.as_deref()) {
        return reply::forbidden("requests from other sites that change something are refused");
    }
    next.run(request).await
}

/// Closes expired spark transactions every second and forgets expired tokens and codes every
/// minute, until aborted. (The accrual runs beside it, in the same task.)
async fn upkeep(hub: Arc<Hub>) {
    let mut ticks = 0u64;
    let per_prune = (PRUNE_INTERVAL.as_secs() / EXPIRY_INTERVAL.as_secs()).max(1);
    loop {
        tokio::time::sleep(EXPIRY_INTERVAL).await;
        if let Err(e) = hub.sparks.expire_due().await {
            eprintln!("mixplay-server: expiring spark transactions: {e}");
        }
        ticks += 1;
        if ticks % per_prune == 0 {
            let now = store::now();
            let forget_before = now - EXPIRED_TOKEN_MEMORY.as_millis() as i64;
            if let Err(e) = hub.store.prune_tokens(forget_before).await {
                eprintln!("mixplay-server: pruning tokens: {e}");
            }
            if let Err(e) = hub.store.prune_oauth(now).await {
                eprintln!("mixplay-server: pruning OAuth codes: {e}");
            }
        }
    }
}

impl Mediator {
    /// Binds `addr` (port 0 picks a free port) and serves on the current tokio runtime, on an
    /// in-memory store holding `world`.
    pub async fn start(addr: &str, world: World, config: MediatorConfig) -> std::io::Result<Mediator> {
        let options =
            MediatorOptions { listen: addr.to_owned(), storage: Location::Memory, world: Some(world), config };
        Mediator::launch(options).await.map_err(|e| match e {
            StartError::Listen { source, .. } => source,
            other => std::io::Error::other(other),
        })
    }

    /// Opens the store (creating and migrating it as needed), imports the world (or seeds a new
    /// store with the demo world), binds and serves on the current tokio runtime.
    pub async fn launch(options: MediatorOptions) -> Result<Mediator, StartError> {
        let store = Store::open(options.storage).await?;
        let world = match options.world {
            Some(world) => Some(world),
            None if store.was_empty() => Some(World::demo()),
            None => None,
        };
        let imported = match world {
            Some(world) => Some(store.import_world(world).await?),
            None => None,
        };
        let listener = TcpListener::bind(&options.listen)
            .await
            .map_err(|source| StartError::Listen { addr: options.listen.clone(), source })?;
        let addr = listener.local_addr().map_err(|source| StartError::Listen { addr: options.listen, source })?;
        let hub = Arc::new(Hub::new(store, options.config).await?);
        // Transactions that expired while the mediator was down are closed before anything else.
        hub.sparks.expire_due().await?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(hub.clone());
        let config = hub.config.clone();
        let task = tokio::spawn(async move {
            conn::serve(listener, app, &config, async move {
                let _ = stopped.await;
            })
            .await;
        });
        let upkeep = {
            let (hub, accrual) = (hub.clone(), economy::accrual::run(hub.clone()));
            tokio::spawn(async move {
                tokio::join!(upkeep(hub), accrual);
            })
        };
        Ok(Mediator { addr, hub, imported, stop: Some(stop), task: Some(task), upkeep })
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

    /// What importing the world at start added (`None` when nothing was imported).
    pub fn imported(&self) -> Option<&ImportSummary> {
        self.imported.as_ref()
    }

    /// The store (for tools and tests: backups, ledger checks).
    pub fn store(&self) -> &Store {
        &self.hub.store
    }

    /// Closes every game client with `code` (1012 tells them the service is restarting).
    pub fn close_game_clients(&self, code: u16, reason: &str) {
        for session in self.hub.sessions() {
            session.game.close(code, reason);
        }
    }

    /// A viewer's current spark balance.
    pub fn sparks_of(&self, user: u32) -> u64 {
        self.hub.sparks.balance(user)
    }

    /// Stops accepting connections and closes game clients, chat and viewer sockets with 1012
    /// (service restarting).
    pub async fn shutdown(mut self) {
        self.close_game_clients(1012, "the service is restarting");
        self.hub.chat.close_all(1012, "the service is restarting");
        self.hub.watching.close_all();
        self.upkeep.abort();
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
        self.upkeep.abort();
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
