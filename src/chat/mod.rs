//! The chat client: one channel's chat over the chat websocket, on the library's internal
//! runtime, handed to the game through [`Chat::poll`] like a session's events.
//!
//! Connecting asks the REST API for the chat's details (`GET /api/v1/chats/{channelId}`: an
//! `authkey` when signed in, the chat `endpoints`, the user's `permissions`), and with a token
//! also for the user's id and channel (`GET /api/v1/users/current`; channel 0 means the user's
//! own); then opens the first endpoint that works (sending the app's `Client-ID`), waits for the
//! `WelcomeEvent` and calls `auth` (anonymously without a token). A lost connection is
//! re-established with backoff, with a fresh authkey each time, and with the newest token: the
//! game can swap it ([`Chat::set_token`]), and automatic refresh ([`ChatConfig::refresh`])
//! renews it.
//!
//! Calls never block: each returns a request id, and its answer arrives later through `poll` as
//! a [`ChatEvent::Reply`] with that id.

mod net;

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

use crate::auth::credentials::Credentials;
use crate::auth::keeper::Published;
use crate::auth::{TokenRefresh, Tokens};
use crate::client::tokens_changed;
use crate::net::{ConnectionState, LocalError, ReconnectPolicy, RuntimeGuard, TlsRoots};

/// A chat connection's settings. Build it with [`ChatConfig::new`] and adjust the fields.
#[derive(Clone, PartialEq)]
pub struct ChatConfig {
    /// The service's address, e.g. `https://mixer.com` (REST under `/api/v1`).
    pub base_url: String,
    /// The channel whose chat to join; 0 joins the signed-in user's own channel (from
    /// `GET /api/v1/users/current` at the first connection; needs a token). The chat stays in
    /// that channel when its token is swapped.
    pub channel_id: u32,
    /// The user's OAuth token; `None` reads the chat anonymously (no sending).
    pub token: Option<String>,
    /// Refresh the token by itself, as a session does (`client::Config::refresh`); new tokens
    /// arrive as [`ChatEvent::Tokens`]. A session and a chat given the same refresh token share
    /// one refresh.
    pub refresh: Option<TokenRefresh>,
    /// The OAuth application's client id, sent as `Client-ID`.
    pub client_id: Option<String>,
    /// Chat sockets to use instead of the `endpoints` the REST details list (tried in order).
    pub endpoints: Option<Vec<String>>,
    pub tls: TlsRoots,
    pub reconnect: ReconnectPolicy,
    /// Bound on the REST calls, on opening one endpoint, and on the welcome and `auth` reply.
    pub connect_timeout: Duration,
    /// How long a request waits for its reply before it fails with a timeout.
    pub request_timeout: Duration,
    /// After this long without data from the service, a websocket ping is sent…
    pub ping_interval: Duration,
    /// …and the connection is given up when nothing arrives within this much more.
    pub ping_timeout: Duration,
}

impl ChatConfig {
    pub fn new(base_url: impl Into<String>, channel_id: u32, token: Option<String>) -> ChatConfig {
        ChatConfig {
            base_url: base_url.into(),
            channel_id,
            token,
            refresh: None,
            client_id: None,
            endpoints: None,
            tls: TlsRoots::System,
            reconnect: ReconnectPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(15),
            ping_interval: Duration::from_secs(15),
            ping_timeout: Duration::from_secs(5),
        }
    }
}

impl fmt::Debug for ChatConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the token.
        f.debug_struct("ChatConfig")
            .field("base_url", &self.base_url)
            .field("channel_id", &self.channel_id)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("client_id", &self.client_id)
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

/// One chat message.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub id: String,
    pub user_id: u32,
    pub user_name: String,
    pub roles: Vec<String>,
    /// The message's text (the `text` of its parts, joined).
    pub text: String,
    /// A whisper to `target` (only the recipient gets it as an event).
    pub whisper: bool,
    /// A `/me` action.
    pub action: bool,
    pub target: Option<String>,
    /// The event's whole `data` as JSON (parts: text, emoticon, link, tag).
    pub raw: String,
}

impl ChatMessage {
    /// Reads a ChatMessage's `data`.
    pub fn parse(data: &Value) -> ChatMessage {
        let s = |k: &str| data.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let meta = &data["message"]["meta"];
        ChatMessage {
            id: s("id"),
            user_id: data.get("user_id").and_then(Value::as_u64).unwrap_or(0) as u32,
            user_name: s("user_name"),
            roles: data
                .get("user_roles")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
            text: data["message"]["message"]
                .as_array()
                .map(|parts| parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect())
                .unwrap_or_default(),
            whisper: meta.get("whisper").and_then(Value::as_bool).unwrap_or(false),
            action: meta.get("me").and_then(Value::as_bool).unwrap_or(false),
            target: data.get("target").and_then(Value::as_str).map(str::to_owned),
            raw: data.to_string(),
        }
    }
}

/// A failed chat request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatReplyError {
    /// 0 when the service refused the call (its error is `message`, e.g. `UACCESS`), or a
    /// [`LocalError`] code (1 timed out, 2 not connected, 3 connection lost).
    pub code: u32,
    pub message: String,
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatReply {
    pub request_id: u64,
    /// The reply's `data` as JSON, or the error.
    pub result: Result<String, ChatReplyError>,
}

/// Everything [`Chat::poll`] hands out.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatEvent {
    /// The connection changed state; `message` says why on a loss or a stop.
    Connection {
        state: ConnectionState,
        message: String,
    },
    /// `auth` succeeded: whether as a user (else anonymously), with which roles, in which
    /// channel, and what the chat details said the user may do (`permissions`, e.g. `chat`,
    /// `whisper`, `poll_start`, `remove_message`). Follows every (re)connection's `Connected`.
    Joined {
        authenticated: bool,
        user_id: u32,
        roles: Vec<String>,
        channel_id: u32,
        permissions: Vec<String>,
    },
    Message(ChatMessage),
    /// Any other event of the service (`UserJoin`, `UserLeave`, `UserUpdate`, `UserTimeout`,
    /// `PollStart`, `PollEnd`, `DeleteMessage`, `PurgeMessage`, `ClearMessages`, …): its name and
    /// `data` as JSON.
    Event {
        name: String,
        data: String,
    },
    Reply(ChatReply),
    /// Automatic refresh got new tokens (store them), or `Err`: the refresh token was refused
    /// and refreshing stopped; as `client::Event::Tokens`.
    Tokens(Result<Tokens, String>),
}

/// Why a call was refused before it reached the network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    #[error("too many requests are waiting to be sent")]
    QueueFull,
    #[error("the chat is closed")]
    Closed,
    #[error("{0}")]
    InvalidArgument(String),
}

pub(crate) enum Command {
    Call { request_id: u64, method: String, args: Vec<Value> },
}

const COMMAND_QUEUE: usize = 1024;
const EVENT_QUEUE: usize = 65_536;

/// A channel's chat, seen from the game's thread.
pub struct Chat {
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<ChatEvent>,
    closing: watch::Sender<bool>,
    local: VecDeque<ChatEvent>,
    state: ConnectionState,
    next_request: u64,
    /// The token the network task connects with ("" reads anonymously).
    credentials: Arc<Credentials>,
    token_events: Option<watch::Receiver<Published>>,
    finished: Option<std::sync::mpsc::Receiver<()>>,
    // Dropped last: the runtime must outlive the network task's shutdown.
    runtime: RuntimeGuard,
}

impl Chat {
    /// Starts connecting in the background and returns at once; progress arrives through `poll`.
    pub fn connect(config: ChatConfig) -> std::io::Result<Chat> {
        let runtime = RuntimeGuard::acquire()?;
        let token = config.token.as_deref().unwrap_or("");
        let refresh = config.refresh.as_ref().filter(|_| !token.is_empty());
        let credentials = Arc::new(Credentials::new(token, refresh, &config.tls, config.request_timeout)?);
        let token_events = credentials.subscribe();
        let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
        let (event_tx, event_rx) = mpsc::channel(EVENT_QUEUE);
        let (closing_tx, closing_rx) = watch::channel(false);
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let net_credentials = credentials.clone();
        runtime.handle().spawn(async move {
            net::run(config, net_credentials, command_rx, event_tx, closing_rx).await;
            let _ = done_tx.send(());
        });
        Ok(Chat {
            commands: command_tx,
            events: event_rx,
            closing: closing_tx,
            local: VecDeque::new(),
            state: ConnectionState::Connecting,
            next_request: 1,
            credentials,
            token_events,
            finished: Some(done_rx),
            runtime,
        })
    }

    /// The next event, or `None` when there is nothing more now.
    pub fn poll(&mut self) -> Option<ChatEvent> {
        if let Some(rx) = self.token_events.as_mut() {
            if rx.has_changed().unwrap_or(false) {
                self.local.push_back(ChatEvent::Tokens(rx.borrow_and_update().outcome()));
            }
        }
        let event = match self.local.pop_front() {
            Some(e) => e,
            None => self.events.try_recv().ok()?,
        };
        self.observe(&event);
        Some(event)
    }

    /// Waits up to `timeout` for the next event (for tools and tests; games call `poll`).
    pub fn wait(&mut self, timeout: Duration) -> Option<ChatEvent> {
        if let Some(e) = self.poll() {
            return Some(e);
        }
        let handle = self.runtime.handle().clone();
        let (events, token_events) = (&mut self.events, &mut self.token_events);
        let event = handle.block_on(async {
            tokio::select! {
                event = tokio::time::timeout(timeout, events.recv()) => event.ok().flatten(),
                Some(tokens) = tokens_changed(token_events) => Some(ChatEvent::Tokens(tokens)),
            }
        })?;
        self.observe(&event);
        Some(event)
    }

    fn observe(&mut self, event: &ChatEvent) {
        if let ChatEvent::Connection { state, .. } = event {
            self.state = *state;
        }
    }

    /// The connection state as of the events polled so far.
    pub fn connection_state(&self) -> ConnectionState {
        self.state
    }

    /// Joins with `token` from the next (re)connection on (an anonymous chat then signs in);
    /// the connection up now is kept. With automatic refresh on, a later refresh replaces it.
    pub fn set_token(&mut self, token: &str) -> Result<(), ChatError> {
        self.credentials.swap_token(token).map_err(ChatError::InvalidArgument)
    }

    /// Turns automatic refresh on with `refresh` (replacing what was set before), or off with
    /// `None`; as `client::Session::set_token_refresh`. An anonymous chat has nothing to refresh.
    pub fn set_token_refresh(&mut self, refresh: Option<TokenRefresh>) -> Result<(), ChatError> {
        self.token_events = self.credentials.swap_refresh(refresh.as_ref()).map_err(ChatError::InvalidArgument)?;
        Ok(())
    }

    /// Calls any chat method with positional arguments; returns the request id.
    pub fn call(&mut self, method: &str, args: Vec<Value>) -> Result<u64, ChatError> {
        if method.is_empty() {
            return Err(ChatError::InvalidArgument("the method name is empty".into()));
        }
        if method == "auth" {
            return Err(ChatError::InvalidArgument("auth is made by the library on every connection".into()));
        }
        let request_id = self.next_request;
        self.next_request += 1;
        let cmd = Command::Call { request_id, method: method.to_owned(), args };
        self.commands.try_send(cmd).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => ChatError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => ChatError::Closed,
        })?;
        Ok(request_id)
    }

    /// Sends a message to the channel (`/me text` sends an action).
    pub fn send_message(&mut self, text: &str) -> Result<u64, ChatError> {
        self.call("msg", vec![json!(text)])
    }

    /// Whispers to one user in the chat.
    pub fn whisper(&mut self, username: &str, text: &str) -> Result<u64, ChatError> {
        self.call("whisper", vec![json!(username), json!(text)])
    }

    /// Times a user out (`30s`, `1m15s`, bare seconds) or clears their timeout (`clear`).
    pub fn timeout(&mut self, username: &str, duration: &str) -> Result<u64, ChatError> {
        self.call("timeout", vec![json!(username), json!(duration)])
    }

    /// Removes every message of a user.
    pub fn purge(&mut self, username: &str) -> Result<u64, ChatError> {
        self.call("purge", vec![json!(username)])
    }

    pub fn delete_message(&mut self, message_id: &str) -> Result<u64, ChatError> {
        self.call("deleteMessage", vec![json!(message_id)])
    }

    pub fn clear_messages(&mut self) -> Result<u64, ChatError> {
        self.call("clearMessages", Vec::new())
    }

    /// The last `count` (at most 100) messages; the reply's JSON is an array of ChatMessage data.
    pub fn history(&mut self, count: u32) -> Result<u64, ChatError> {
        self.call("history", vec![json!(count)])
    }

    /// Starts a poll lasting `seconds`.
    pub fn start_poll(&mut self, question: &str, answers: &[&str], seconds: u32) -> Result<u64, ChatError> {
        self.call("vote:start", vec![json!(question), json!(answers), json!(seconds)])
    }

    /// Votes for answer `index` of the running poll.
    pub fn vote(&mut self, index: u32) -> Result<u64, ChatError> {
        self.call("vote:choose", vec![json!(index)])
    }

    /// Closes the connection and stops the network task. Events already queued can still be
    /// polled; new calls fail with `Closed`.
    pub fn close(&mut self) {
        self.closing.send_replace(true);
        let (dead, _) = mpsc::channel(1);
        self.commands = dead;
        if let Some(done) = self.finished.take() {
            let _ = done.recv_timeout(Duration::from_secs(5));
        }
    }
}

impl Drop for Chat {
    fn drop(&mut self) {
        self.close();
    }
}

/// A reply error for a request that never reached the service.
pub(crate) fn local_error(kind: LocalError, message: impl Into<String>) -> ChatReplyError {
    ChatReplyError { code: kind as u32, message: message.into() }
}
