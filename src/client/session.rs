//! The game-client session the game holds: it starts the network task, hands events out through
//! `poll` (applying each to the state cache on the caller's thread), and turns the game's calls
//! into requests that answer later with a reply event.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, watch};

use super::config::Config;
use super::events::{ErrorKind, Event, Input, SessionId};
use super::incoming::{Incoming, Object};
use super::input::FrameInput;
use super::state::StateCache;
use super::task::{Command, Net, Shared};
use crate::auth::credentials::Credentials;
use crate::auth::keeper::Published;
use crate::auth::{TokenRefresh, Tokens};
use crate::clock::now_ms;
use crate::net::{ConnectionState, LocalError, RuntimeGuard};

/// Why a call was refused before it reached the network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Too many requests are waiting to be sent; try again next frame.
    #[error("too many requests are waiting to be sent")]
    QueueFull,
    /// The session was closed.
    #[error("the session is closed")]
    Closed,
    /// No control with that id is in the cache (for the property setters).
    #[error("unknown control {0:?}")]
    UnknownControl(String),
    /// An argument is not what the method needs.
    #[error("{0}")]
    InvalidArgument(String),
}

/// How long `wait` keeps checking for an event before it parks the thread.
const WAIT_SPIN: Duration = Duration::from_micros(50);

/// How many requests may wait for the network task.
const COMMAND_QUEUE: usize = 4096;

/// Property writes of one scene waiting for the end of the frame.
struct PendingWrites {
    request_id: u64,
    controls: IndexMap<String, Object>,
}

/// A connection to a MixPlay service, seen from the game's thread.
pub struct Session {
    commands: mpsc::Sender<Command>,
    incoming: mpsc::Receiver<Incoming>,
    shared: Arc<Shared>,
    state: StateCache,
    ready_events: VecDeque<Event>,
    /// The input batch being handed out: read from in place rather than copied into
    /// `ready_events` (filled only when `ready_events` is empty, so the order holds).
    input_batch: std::vec::IntoIter<Input>,
    frame: FrameInput,
    frame_open: bool,
    /// Items taken from `incoming` so far (see `Shared::sent_items`).
    received_items: u64,
    next_request: u64,
    writes: IndexMap<String, PendingWrites>,
    /// The token the network task connects with.
    credentials: Arc<Credentials>,
    /// New tokens from automatic refresh, handed out as `Event::Tokens`.
    token_events: Option<watch::Receiver<Published>>,
    finished: Option<std::sync::mpsc::Receiver<()>>,
    // Dropped last: the runtime must outlive the network task's shutdown.
    runtime: RuntimeGuard,
}

impl Session {
    /// Starts connecting in the background and returns at once. Progress arrives through `poll`
    /// as `Event::Connection` events.
    pub fn connect(config: Config) -> std::io::Result<Session> {
        let runtime = RuntimeGuard::acquire()?;
        let credentials =
            Arc::new(Credentials::new(&config.token, config.refresh.as_ref(), &config.tls, config.request_timeout)?);
        let token_events = credentials.subscribe();
        let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
        let (incoming_tx, incoming_rx) = mpsc::channel(config.event_queue_capacity.max(16));
        let shared = Arc::new(Shared::default());
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let net = Net::new(config, credentials.clone(), command_rx, incoming_tx, shared.clone());
        runtime.handle().spawn(async move {
            net.run().await;
            let _ = done_tx.send(());
        });
        Ok(Session {
            commands: command_tx,
            incoming: incoming_rx,
            shared,
            state: StateCache::default(),
            ready_events: VecDeque::new(),
            input_batch: Vec::new().into_iter(),
            frame: FrameInput::default(),
            frame_open: false,
            received_items: 0,
            next_request: 1,
            writes: IndexMap::new(),
            credentials,
            token_events,
            finished: Some(done_rx),
            runtime,
        })
    }

    /// The next event, or `None` when there is nothing more this frame. The state cache already
    /// reflects the returned event. When `poll` returns `None`, the frame's control property
    /// writes are sent, and the next `poll` starts a new input frame.
    pub fn poll(&mut self) -> Option<Event> {
        if self.nothing_new() {
            // Most frames of a game: the frame opens and closes with nothing in it.
            if !self.frame_open {
                self.frame.new_frame();
            }
            self.end_frame();
            return None;
        }
        self.poll_busy()
    }

    /// Whether `poll` has nothing to hand out: nothing buffered, and nothing new from the network
    /// task or the token refresher. Plain loads only (the idle path of a game loop).
    fn nothing_new(&self) -> bool {
        self.input_batch.len() == 0
            && self.ready_events.is_empty()
            && self.shared.sent_items.load(Ordering::Acquire) == self.received_items
            && self.shared.dropped_inputs.load(Ordering::Relaxed) == 0
            && self.token_events.as_ref().map_or(true, |rx| !rx.has_changed().unwrap_or(false))
    }

    // Kept out of `poll`, so the idle path does not set up this one's stack frame.
    #[inline(never)]
    fn poll_busy(&mut self) -> Option<Event> {
        if !self.frame_open {
            self.frame.new_frame();
            self.frame_open = true;
        }
        if let Some(rx) = self.token_events.as_mut() {
            if rx.has_changed().unwrap_or(false) {
                let event = Event::Tokens(rx.borrow_and_update().outcome());
                self.ready_events.push_back(event);
            }
        }
        loop {
            if let Some(input) = self.input_batch.next() {
                self.frame.record(&input);
                return Some(Event::Input(input));
            }
            if let Some(event) = self.ready_events.pop_front() {
                self.frame.observe(&event);
                return Some(event);
            }
            if self.shared.dropped_inputs.load(Ordering::Relaxed) > 0 {
                let dropped = self.shared.dropped_inputs.swap(0, Ordering::Relaxed);
                self.ready_events.push_back(Event::Error {
                    kind: ErrorKind::QueueOverflow,
                    code: None,
                    message: format!("{dropped} inputs were dropped because the event queue was full"),
                });
                continue;
            }
            match self.try_next() {
                Ok(item) => self.receive(item),
                Err(_) => break,
            }
        }
        self.end_frame();
        None
    }

    /// Waits up to `timeout` for the next event (for tools and tests; games call `poll`).
    pub fn wait(&mut self, timeout: Duration) -> Option<Event> {
        if let Some(e) = self.poll() {
            return Some(e);
        }
        // Under load events arrive microseconds apart: check for a little while before parking
        // the thread, or the network task pays a futex wake-up for nearly every event.
        let start = Instant::now();
        let spin = timeout.min(WAIT_SPIN);
        for round in 0u32.. {
            match self.try_next() {
                Ok(item) => {
                    self.receive(item);
                    return self.poll();
                }
                Err(mpsc::error::TryRecvError::Disconnected) => return None,
                Err(mpsc::error::TryRecvError::Empty) if start.elapsed() >= spin => break,
                Err(mpsc::error::TryRecvError::Empty) if round < 64 => std::hint::spin_loop(),
                Err(mpsc::error::TryRecvError::Empty) => std::thread::yield_now(),
            }
        }
        let left = timeout.saturating_sub(start.elapsed());
        let handle = self.runtime.handle().clone();
        let (incoming, token_events) = (&mut self.incoming, &mut self.token_events);
        let woken = handle.block_on(async {
            tokio::select! {
                item = tokio::time::timeout(left, incoming.recv()) => item.ok().flatten().map(Ok),
                Some(tokens) = tokens_changed(token_events) => Some(Err(tokens)),
            }
        });
        match woken? {
            Ok(item) => {
                self.received_items += 1;
                self.receive(item)
            }
            Err(tokens) => self.ready_events.push_back(Event::Tokens(tokens)),
        }
        self.poll()
    }

    /// The next item from the network task, if one is queued. The idle case costs one load.
    fn try_next(&mut self) -> Result<Incoming, mpsc::error::TryRecvError> {
        if self.shared.sent_items.load(Ordering::Acquire) == self.received_items && !self.incoming.is_closed() {
            return Err(mpsc::error::TryRecvError::Empty);
        }
        let item = self.incoming.try_recv()?;
        self.received_items += 1;
        Ok(item)
    }

    /// Applies an item from the network task to the cache, queueing its events.
    fn receive(&mut self, item: Incoming) {
        let inputs = item.input_count();
        if inputs > 0 {
            self.shared.queued_inputs.fetch_sub(inputs, Ordering::Relaxed);
        }
        match item {
            // Input does not touch the cache; a batch arrives only when nothing else waits.
            Incoming::Inputs(list) if self.ready_events.is_empty() && self.input_batch.len() == 0 => {
                self.input_batch = list.into_iter();
            }
            item => self.state.apply(item, &mut self.ready_events),
        }
    }

    /// Ends the frame now: sends the frame's coalesced control writes; the next poll starts a new
    /// input frame. `poll` does this by itself when it runs out of events.
    pub fn end_frame(&mut self) {
        self.flush_writes();
        self.frame_open = false;
    }

    /// The state cache.
    pub fn state(&self) -> &StateCache {
        &self.state
    }

    /// This frame's input, per control.
    pub fn frame(&self) -> &FrameInput {
        &self.frame
    }

    pub fn connection_state(&self) -> ConnectionState {
        self.state.connection
    }

    /// Inputs waiting in the queue between the network task and `poll` (what
    /// `Config::event_queue_capacity` bounds); `poll` takes them a batch at a time.
    pub fn queued_inputs(&self) -> usize {
        self.shared.queued_inputs.load(Ordering::Relaxed)
    }

    /// The service's clock in unix milliseconds, from the `getTime` offset.
    pub fn server_time_ms(&self) -> i64 {
        now_ms() + self.shared.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// Connects with `token` from the next (re)connection on; the connection up now is kept.
    /// With automatic refresh on, a later refresh replaces it again.
    pub fn set_token(&mut self, token: &str) -> Result<(), SessionError> {
        self.credentials.swap_token(token).map_err(SessionError::InvalidArgument)
    }

    /// Turns automatic refresh on with `refresh` (replacing what was set before), or off with
    /// `None`. Give it with the access token that came with it (`set_token` first), for example
    /// after signing in again because a refresh was refused.
    pub fn set_token_refresh(&mut self, refresh: Option<TokenRefresh>) -> Result<(), SessionError> {
        self.token_events = self.credentials.swap_refresh(refresh.as_ref()).map_err(SessionError::InvalidArgument)?;
        Ok(())
    }

    fn next_id(&mut self) -> u64 {
        let id = self.next_request;
        self.next_request += 1;
        id
    }

    /// Sends any method with JSON params; returns the request id its reply will carry.
    pub fn call(&mut self, method: &str, params: Value) -> Result<u64, SessionError> {
        if method.is_empty() {
            return Err(SessionError::InvalidArgument("the method name is empty".into()));
        }
        let request_id = self.next_id();
        self.send(request_id, method, params)?;
        Ok(request_id)
    }

    fn send(&mut self, request_id: u64, method: &str, params: Value) -> Result<(), SessionError> {
        self.queue(Command::Call { request_id, method: method.to_owned(), params, upload: None })
    }

    fn queue(&mut self, cmd: Command) -> Result<(), SessionError> {
        self.commands.try_send(cmd).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => SessionError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => SessionError::Closed,
        })
    }

    // ----- the protocol's methods -----

    /// Stores `bytes` as the file `path` of the channel (`images/tile.png`: letters, digits, `.`,
    /// `_`, `-` and `/` between segments), replacing any file there: calls `uploadFile`, then
    /// sends the bytes where it says. The reply is the service's `{url, path, size, contentType}`
    /// (`url` is what a control's `backgroundImage` or a custom control loads), or an error: the
    /// method's (4004 for a bad path), the upload's HTTP status with the service's sentence (400,
    /// 403, 413 past the channel's quota, 429, 503), or a local code when the upload could not
    /// be sent or timed out.
    pub fn upload_file(&mut self, path: &str, bytes: Vec<u8>) -> Result<u64, SessionError> {
        if path.is_empty() {
            return Err(SessionError::InvalidArgument("the file path is empty".into()));
        }
        let request_id = self.next_id();
        let params = json!({ "path": path });
        let upload = Some(Arc::from(bytes));
        self.queue(Command::Call { request_id, method: "uploadFile".into(), params, upload })?;
        Ok(request_id)
    }

    /// Deletes the channel's file `path` (no error when there is none); the reply's result is
    /// `null`.
    pub fn delete_file(&mut self, path: &str) -> Result<u64, SessionError> {
        if path.is_empty() {
            return Err(SessionError::InvalidArgument("the file path is empty".into()));
        }
        self.call("deleteFile", json!({ "path": path }))
    }

    pub fn ready(&mut self, is_ready: bool) -> Result<u64, SessionError> {
        self.call("ready", json!({ "isReady": is_ready }))
    }

    /// `scenes`: an array of scene objects with fully qualified controls.
    pub fn create_scenes(&mut self, scenes: Value) -> Result<u64, SessionError> {
        self.call("createScenes", json!({ "scenes": scenes }))
    }

    pub fn update_scenes(&mut self, scenes: Value, priority: i64) -> Result<u64, SessionError> {
        self.call("updateScenes", json!({ "scenes": scenes, "priority": priority }))
    }

    pub fn delete_scene(&mut self, scene: &str, reassign_to: &str) -> Result<u64, SessionError> {
        self.call("deleteScene", json!({ "sceneID": scene, "reassignSceneID": reassign_to }))
    }

    pub fn create_controls(&mut self, scene: &str, controls: Value) -> Result<u64, SessionError> {
        self.call("createControls", json!({ "sceneID": scene, "controls": controls }))
    }

    pub fn update_controls(&mut self, scene: &str, controls: Value, priority: i64) -> Result<u64, SessionError> {
        self.call("updateControls", json!({ "sceneID": scene, "controls": controls, "priority": priority }))
    }

    pub fn delete_controls(&mut self, scene: &str, control_ids: &[&str]) -> Result<u64, SessionError> {
        self.call("deleteControls", json!({ "sceneID": scene, "controlIDs": control_ids }))
    }

    /// `groups`: an array of `{groupID, sceneID?}` objects.
    pub fn create_groups(&mut self, groups: Value) -> Result<u64, SessionError> {
        self.call("createGroups", json!({ "groups": groups }))
    }

    pub fn update_groups(&mut self, groups: Value, priority: i64) -> Result<u64, SessionError> {
        self.call("updateGroups", json!({ "groups": groups, "priority": priority }))
    }

    pub fn delete_group(&mut self, group: &str, reassign_to: &str) -> Result<u64, SessionError> {
        self.call("deleteGroup", json!({ "groupID": group, "reassignGroupID": reassign_to }))
    }

    /// `participants`: an array of `{sessionID, …changes}`.
    pub fn update_participants(&mut self, participants: Value, priority: i64) -> Result<u64, SessionError> {
        self.call("updateParticipants", json!({ "participants": participants, "priority": priority }))
    }

    /// Moves a participant to a group (and so to the group's scene).
    pub fn move_participant(&mut self, participant: &SessionId, group: &str) -> Result<u64, SessionError> {
        self.update_participants(json!([{ "sessionID": participant.to_string(), "groupID": group }]), 0)
    }

    /// Disables or re-enables a participant's input.
    pub fn set_participant_disabled(&mut self, participant: &SessionId, disabled: bool) -> Result<u64, SessionError> {
        self.update_participants(json!([{ "sessionID": participant.to_string(), "disabled": disabled }]), 0)
    }

    pub fn update_world(&mut self, world: Value, priority: i64) -> Result<u64, SessionError> {
        self.call("updateWorld", json!({ "world": world, "priority": priority }))
    }

    /// Charges a spark transaction; wait for the reply before rewarding the viewer.
    pub fn capture(&mut self, transaction: &str) -> Result<u64, SessionError> {
        self.call("capture", json!({ "transactionID": transaction }))
    }

    /// `scopes`: `everyone`, `group:ID`, `scene:ID`, `participant:SESSIONID`.
    pub fn broadcast_event(&mut self, scopes: &[&str], data: Value) -> Result<u64, SessionError> {
        self.call("broadcastEvent", json!({ "scope": scopes, "data": data }))
    }

    /// `rules`: `{method or "*": {capacity, drainRate} | null}`.
    pub fn set_bandwidth_throttle(&mut self, rules: Value) -> Result<u64, SessionError> {
        self.call("setBandwidthThrottle", rules)
    }

    pub fn get_throttle_state(&mut self) -> Result<u64, SessionError> {
        self.call("getThrottleState", Value::Null)
    }

    pub fn get_memory_stats(&mut self) -> Result<u64, SessionError> {
        self.call("getMemoryStats", json!({}))
    }

    pub fn get_time(&mut self) -> Result<u64, SessionError> {
        self.call("getTime", json!({}))
    }

    pub fn get_all_participants(&mut self, from: i64) -> Result<u64, SessionError> {
        self.call("getAllParticipants", json!({ "from": from }))
    }

    pub fn get_active_participants(&mut self, threshold: i64) -> Result<u64, SessionError> {
        self.call("getActiveParticipants", json!({ "threshold": threshold }))
    }

    pub fn get_participants_by_user_id(&mut self, user_ids: &[u32]) -> Result<u64, SessionError> {
        self.call("getParticipantsByMixerID", json!({ "userIDs": user_ids }))
    }

    pub fn get_participants_by_session_id(&mut self, ids: &[&str]) -> Result<u64, SessionError> {
        self.call("getParticipantsBySessionID", json!({ "sessionIDs": ids }))
    }

    // ----- control properties, coalesced per frame -----

    /// Sets a control property. Writes made during a frame are sent together, one
    /// `updateControls` per scene, when the frame ends; the returned request id is that batch's.
    pub fn set_control_property(&mut self, control: &str, key: &str, value: Value) -> Result<u64, SessionError> {
        if key == "controlID" || key == "kind" {
            return Err(SessionError::InvalidArgument(format!("{key} cannot be changed")));
        }
        let scene = self
            .state
            .scene_of_control(control)
            .ok_or_else(|| SessionError::UnknownControl(control.to_owned()))?
            .to_owned();
        if !self.writes.contains_key(&scene) {
            let request_id = self.next_id();
            self.writes.insert(scene.clone(), PendingWrites { request_id, controls: IndexMap::new() });
        }
        let batch = self.writes.get_mut(&scene).expect("inserted above");
        let entry = batch.controls.entry(control.to_owned()).or_insert_with(|| {
            let mut o = Map::new();
            o.insert("controlID".into(), Value::String(control.to_owned()));
            o
        });
        // Object values (such as `meta`) written twice in a frame merge rather than replace.
        match entry.get_mut(key) {
            Some(existing @ Value::Object(_)) if value.is_object() => crate::protocol::merge_patch(existing, &value),
            _ => {
                entry.insert(key.to_owned(), value);
            }
        }
        Ok(batch.request_id)
    }

    pub fn set_text(&mut self, control: &str, text: &str) -> Result<u64, SessionError> {
        self.set_control_property(control, "text", json!(text))
    }

    pub fn set_tooltip(&mut self, control: &str, tooltip: &str) -> Result<u64, SessionError> {
        self.set_control_property(control, "tooltip", json!(tooltip))
    }

    /// Progress in [0, 1].
    pub fn set_progress(&mut self, control: &str, progress: f64) -> Result<u64, SessionError> {
        if !progress.is_finite() {
            return Err(SessionError::InvalidArgument("progress must be a finite number".into()));
        }
        self.set_control_property(control, "progress", json!(progress.clamp(0.0, 1.0)))
    }

    /// Starts a cooldown lasting `ms` from now, in the service's time.
    pub fn set_cooldown(&mut self, control: &str, ms: u64) -> Result<u64, SessionError> {
        let until = self.server_time_ms().saturating_add(ms.min(i64::MAX as u64) as i64);
        self.set_control_property(control, "cooldown", json!(until))
    }

    pub fn set_disabled(&mut self, control: &str, disabled: bool) -> Result<u64, SessionError> {
        self.set_control_property(control, "disabled", json!(disabled))
    }

    pub fn set_cost(&mut self, control: &str, sparks: u32) -> Result<u64, SessionError> {
        self.set_control_property(control, "cost", json!(sparks))
    }

    pub fn set_key_code(&mut self, control: &str, key_code: u32) -> Result<u64, SessionError> {
        self.set_control_property(control, "keyCode", json!(key_code))
    }

    /// Sends the coalesced control writes now instead of at the end of the frame.
    #[inline]
    pub fn flush_writes(&mut self) {
        if !self.writes.is_empty() {
            self.send_writes();
        }
    }

    fn send_writes(&mut self) {
        for (scene, batch) in std::mem::take(&mut self.writes) {
            let controls: Vec<Value> = batch.controls.into_values().map(Value::Object).collect();
            let params = json!({ "sceneID": scene, "controls": controls, "priority": 0 });
            if let Err(e) = self.send(batch.request_id, "updateControls", params) {
                // The game holds a request id for this batch: answer it through poll.
                self.ready_events.push_back(Event::Reply(super::events::Reply {
                    request_id: batch.request_id,
                    result: Err(super::events::ReplyError::local(LocalError::NotConnected, e.to_string())),
                }));
            }
        }
    }

    /// Closes the connection (politely) and stops the network task. Events already queued can
    /// still be polled; new calls fail with `Closed`.
    pub fn close(&mut self) {
        self.shared.closing.send_replace(true);
        // Dropping our sender lets the network task see the session is gone.
        let (dead, _) = mpsc::channel(1);
        self.commands = dead;
        if let Some(done) = self.finished.take() {
            let _ = done.recv_timeout(Duration::from_secs(5));
        }
    }
}

/// The next publication of automatic refresh, as the event it makes (never without refresh).
pub(crate) async fn tokens_changed(rx: &mut Option<watch::Receiver<Published>>) -> Option<Result<Tokens, String>> {
    match rx {
        Some(rx) => match rx.changed().await {
            Ok(()) => Some(rx.borrow_and_update().outcome()),
            Err(_) => None,
        },
        None => std::future::pending().await,
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close();
    }
}
