//! One channel's interactive session: the state a game client builds (scenes, controls, groups,
//! world), the participants connected to it and throttles, and every method the game client and
//! participants may call.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the session, joining and leaving, sending to participants |
//! | `game.rs` | the game client's methods except scenes and sparks |
//! | `scenes.rs` | groups, scenes and controls |
//! | `input.rs` | participant input, spark transactions and `capture` |
//! | `files.rs` | `uploadFile` and `deleteFile` (the storage is `server::files`) |
//!
//! Handlers run under the session lock and never await: they change the state and collect what
//! must be sent in [`Effects`], which the socket tasks deliver after the lock is released. The two
//! that need the store (a costed input, a capture) hand back a future instead ([`Handled`]).

mod files;
mod game;
mod input;
mod scenes;

use std::sync::Arc;

use futures_util::future::BoxFuture;
use indexmap::IndexMap;
use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use super::peer::{unsequenced, Peer, Shared};
use super::throttle::Throttles;
use crate::protocol::echo::{clipped, quoted};
use crate::protocol::{ErrorBody, ErrorCode, Method, Packet, Tag, TaggedObject};
use crate::server::controls;
use crate::server::hub::Hub;
use crate::server::store::{User, Version};

pub(crate) use crate::clock::now_ms;

pub const DEFAULT_ID: &str = "default";

/// Participant properties the game may not change.
const FIXED_PARTICIPANT_KEYS: [&str; 8] =
    ["sessionID", "userID", "username", "level", "lastInputAt", "connectedAt", "anonymous", "channelGroups"];

/// The largest page of `getAllParticipants` / `getActiveParticipants`.
const PAGE_SIZE: usize = 100;

/// Packets to send once the session lock is released.
#[derive(Default)]
pub struct Effects {
    /// Server-to-game method packets (already admitted by the throttles).
    pub to_game: Vec<Shared>,
    /// Packets to participants (a broadcast's text is shared by all of them).
    pub to_participants: Vec<(Peer, Shared)>,
    /// Close the game connection with this code after the reply (memory limit).
    pub close_game: Option<(u16, String)>,
}

fn event_json(method: &str, params: Value) -> Shared {
    unsequenced(&Packet::Method(Method::discarded(0, method, params)))
}

struct SceneState {
    /// The scene's own properties (`sceneID` and custom ones), without controls.
    props: TaggedObject,
    controls: IndexMap<String, TaggedObject>,
}

struct ParticipantState {
    props: TaggedObject,
    user_id: Option<u32>,
    peer: Peer,
    /// Scenes this participant has been sent, so control events reach only those who have them.
    /// A list, not a set: a viewer has seen one scene or a few, and a broadcast checks every
    /// viewer, so a short compare beats hashing the scene id once per viewer (and a set's table).
    known_scenes: Vec<String>,
}

impl ParticipantState {
    fn knows_scene(&self, scene_id: &str) -> bool {
        self.known_scenes.iter().any(|s| s == scene_id)
    }

    fn group(&self) -> &str {
        self.props.get("groupID").and_then(Value::as_str).unwrap_or(DEFAULT_ID)
    }

    fn disabled(&self) -> bool {
        self.props.get("disabled").and_then(Value::as_bool).unwrap_or(false)
    }

    fn connected_at(&self) -> i64 {
        self.props.get("connectedAt").and_then(Value::as_i64).unwrap_or(0)
    }

    fn last_input_at(&self) -> i64 {
        self.props.get("lastInputAt").and_then(Value::as_i64).unwrap_or(0)
    }

    fn json(&self) -> Value {
        Value::Object(self.props.value().clone())
    }
}

struct SessionState {
    ready: bool,
    scenes: IndexMap<String, SceneState>,
    groups: IndexMap<String, TaggedObject>,
    participants: IndexMap<String, ParticipantState>,
    world: TaggedObject,
    throttles: Throttles,
    /// connectedAt of the newest participant; kept strictly increasing so that paging
    /// `getAllParticipants` by `from` never skips anyone who joined in the same millisecond.
    last_connected_at: i64,
    memory_warned: bool,
}

/// A channel's session, alive while its game client is connected.
pub struct ChannelSession {
    pub channel_id: u32,
    pub version_id: u32,
    pub game: Peer,
    /// `http(s)://host[:port]` as the game reached the mediator: the base of file addresses.
    pub base_url: String,
    state: Mutex<SessionState>,
}

type MethodResult = Result<Value, ErrorBody>;

/// What running a method gave: its result at once, or a future that needs the store first.
pub enum Handled {
    /// The result; the effects are in the `Effects` the caller passed.
    Now(MethodResult),
    /// Await this before the socket's next method, then deliver its effects and reply (keeps one
    /// participant's inputs in order).
    After(BoxFuture<'static, (MethodResult, Effects)>),
    /// Reply when this resolves, without holding up the socket's next methods (a capture).
    Detached(BoxFuture<'static, MethodResult>),
}

fn invalid(message: impl Into<String>, path: impl Into<String>) -> ErrorBody {
    ErrorBody::with_message(ErrorCode::InvalidParams, message).at(path)
}

/// The params as an object; `null` or absent reads as `{}`.
fn params_object(m: &Method) -> Result<Map<String, Value>, ErrorBody> {
    match &m.params {
        Value::Null => Ok(Map::new()),
        Value::Object(o) => Ok(o.clone()),
        _ => Err(invalid("params must be an object", "")),
    }
}

fn req_str<'a>(o: &'a Map<String, Value>, key: &str, path: &str) -> Result<&'a str, ErrorBody> {
    o.get(key).and_then(Value::as_str).ok_or_else(|| invalid(format!("{key} must be a string"), path))
}

fn req_array<'a>(o: &'a Map<String, Value>, key: &str) -> Result<&'a Vec<Value>, ErrorBody> {
    o.get(key).and_then(Value::as_array).ok_or_else(|| invalid(format!("{key} must be an array"), key))
}

fn req_object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ErrorBody> {
    v.as_object().ok_or_else(|| invalid("must be an object", path))
}

fn priority_of(o: &Map<String, Value>) -> i64 {
    o.get("priority").and_then(Value::as_i64).unwrap_or(0)
}

/// The largest spark cost: the largest whole number the participant page's JavaScript holds
/// exactly.
pub const MAX_COST: u64 = (1 << 53) - 1;

/// Checks a control's (or a control patch's) `cost`: absent, `null`, or a whole number of sparks.
/// `10.0` and `"10"` are refused rather than read as free.
fn check_cost(control: &Map<String, Value>, path: &str) -> Result<(), ErrorBody> {
    match control.get("cost") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Number(n)) if n.as_u64().is_some_and(|c| c <= MAX_COST) => Ok(()),
        Some(other) => Err(invalid(
            format!("cost must be a whole number of sparks from 0 to {MAX_COST}, not {}", clipped(&other.to_string())),
            format!("{path}.cost"),
        )),
    }
}

/// Checks a fully-qualified control for creation.
fn check_new_control(c: &Value, path: &str) -> Result<(String, Map<String, Value>), ErrorBody> {
    let obj = req_object(c, path)?;
    let id = req_str(obj, "controlID", &format!("{path}.controlID"))?.to_owned();
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    if !controls::is_kind(kind) {
        return Err(ErrorBody::with_message(
            ErrorCode::UnknownControlKind,
            format!("Unknown control type {}.", quoted(kind)),
        )
        .at(format!("{path}.kind")));
    }
    check_cost(obj, path)?;
    Ok((id, obj.clone()))
}

/// A patch with the keys that may not change removed.
fn settable(patch: &Map<String, Value>, fixed: &[&str]) -> Map<String, Value> {
    patch.iter().filter(|(k, _)| !fixed.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
}

impl ChannelSession {
    /// A new session for `version` on `channel_id`, with the version's scenes and groups;
    /// `base_url` is where the game reached the mediator (`http(s)://host[:port]`).
    pub fn new(channel_id: u32, project: &Version, game: Peer, base_url: String) -> ChannelSession {
        let tag = Tag::default();
        let mut scenes = IndexMap::new();
        let mut groups = IndexMap::new();
        for scene in &project.scenes {
            let mut props = scene.clone();
            let controls = props.remove("controls").and_then(|c| match c {
                Value::Array(a) => Some(a),
                _ => None,
            });
            props.remove("groups");
            let id = props.get("sceneID").and_then(Value::as_str).unwrap_or(DEFAULT_ID).to_owned();
            let controls = controls
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| match c {
                    Value::Object(o) => {
                        let cid = o.get("controlID")?.as_str()?.to_owned();
                        Some((cid, TaggedObject::new(o, tag)))
                    }
                    _ => None,
                })
                .collect();
            scenes.insert(id, SceneState { props: TaggedObject::new(props, tag), controls });
        }
        scenes.entry(DEFAULT_ID.to_owned()).or_insert_with(|| SceneState {
            props: TaggedObject::new(obj_of(json!({ "sceneID": DEFAULT_ID })), tag),
            controls: IndexMap::new(),
        });
        for group in &project.groups {
            if let Some(id) = group.get("groupID").and_then(Value::as_str) {
                let mut g = group.clone();
                let scene_ok = g.get("sceneID").and_then(Value::as_str).is_some_and(|s| scenes.contains_key(s));
                if !scene_ok {
                    g.insert("sceneID".into(), json!(DEFAULT_ID));
                }
                groups.insert(id.to_owned(), TaggedObject::new(g, tag));
            }
        }
        groups
            .entry(DEFAULT_ID.to_owned())
            .or_insert_with(|| TaggedObject::new(obj_of(json!({ "groupID": DEFAULT_ID, "sceneID": DEFAULT_ID })), tag));
        ChannelSession {
            channel_id,
            version_id: project.id,
            game,
            base_url,
            state: Mutex::new(SessionState {
                ready: false,
                scenes,
                groups,
                participants: IndexMap::new(),
                world: TaggedObject::default(),
                throttles: Throttles::default(),
                last_connected_at: 0,
                memory_warned: false,
            }),
        }
    }

    pub fn is_ready(&self) -> bool {
        self.state.lock().ready
    }

    /// Closes every participant socket (the session is over).
    pub fn close_participants(&self, code: ErrorCode, reason: &str) {
        let st = self.state.lock();
        for p in st.participants.values() {
            p.peer.close(code.code(), reason);
        }
    }

    /// Closes the participant sockets of `user` (banned from the channel: 4025).
    pub fn close_user(&self, user: u32, code: ErrorCode, reason: &str) -> usize {
        let st = self.state.lock();
        let theirs: Vec<&ParticipantState> = st.participants.values().filter(|p| p.user_id == Some(user)).collect();
        for p in &theirs {
            p.peer.close(code.code(), reason);
        }
        theirs.len()
    }

    // ----- game-client methods -----

    /// Runs one game-client method. `client_seq` is the `seq` the client sent (the last one it
    /// saw from us), used to tag property changes.
    pub fn game_method(&self, hub: &Arc<Hub>, m: &Method, fx: &mut Effects) -> Handled {
        if m.method == "capture" {
            return self.capture(hub, m);
        }
        if let Some(handled) = self.file_method(hub, m) {
            return handled;
        }
        let result = {
            let mut st = self.state.lock();
            let seq = i64::from(m.seq.unwrap_or_else(|| self.game.last_seq()));
            let result = st.game_method(hub, m, seq, fx);
            if result.is_ok() && hub.config.memory_limit_bytes > 0 && mutates(&m.method) {
                st.check_memory(hub.config.memory_limit_bytes, fx);
            }
            result
        };
        if m.method == "ready" && result.is_ok() {
            hub.channel_status_changed(self.channel_id);
        }
        Handled::Now(result)
    }

    // ----- participants -----

    /// Adds a participant: `user` is `None` for an anonymous viewer. Fails with 4022 while the
    /// game client is not ready.
    pub fn join(&self, user: Option<&User>, peer: Peer) -> Result<(String, Effects), ErrorCode> {
        let mut st = self.state.lock();
        if !st.ready {
            return Err(ErrorCode::ChannelNotOnline);
        }
        let session_id = uuid::Uuid::new_v4().to_string();
        let connected_at = now_ms().max(st.last_connected_at + 1);
        st.last_connected_at = connected_at;
        let props = obj_of(json!({
            "sessionID": session_id,
            "userID": user.map(|u| u.id).unwrap_or(0),
            "username": user.map(|u| u.username.as_str()).unwrap_or(""),
            "level": user.map(|u| u.level).unwrap_or(0),
            "lastInputAt": 0,
            "connectedAt": connected_at,
            "disabled": false,
            "groupID": DEFAULT_ID,
            "anonymous": user.is_none(),
            "channelGroups": [],
        }));
        let tag = Tag::new(0, i64::from(self.game.last_seq()));
        let participant = ParticipantState {
            props: TaggedObject::new(props, tag),
            user_id: user.map(|u| u.id),
            peer: peer.clone(),
            known_scenes: Vec::new(),
        };
        let me = participant.json();
        st.participants.insert(session_id.clone(), participant);

        let mut fx = Effects::default();
        let hello = unsequenced(&Packet::Method(Method::discarded(0, "hello", Value::Null)));
        fx.to_participants.push((peer.clone(), hello));
        fx.to_participants
            .push((peer.clone(), event_json("onParticipantJoin", json!({ "participants": [me.clone()] }))));
        let groups: Vec<Value> = st.groups.values().map(|g| Value::Object(g.value().clone())).collect();
        fx.to_participants.push((peer.clone(), event_json("onGroupCreate", json!({ "groups": groups }))));
        st.send_scene_if_new(&session_id, &mut fx);
        fx.to_participants.push((peer, event_json("onReady", json!({ "isReady": true }))));
        st.notify_game(&mut fx, "onParticipantJoin", json!({ "participants": [me] }));
        Ok((session_id, fx))
    }

    /// Removes a participant who disconnected.
    pub fn leave(&self, session_id: &str) -> Effects {
        let mut st = self.state.lock();
        let mut fx = Effects::default();
        // O(1): nothing depends on the map's order (pages of participants are sorted when made).
        if let Some(p) = st.participants.swap_remove(session_id) {
            st.notify_game(&mut fx, "onParticipantLeave", json!({ "participants": [p.json()] }));
        }
        fx
    }

    /// Runs a method a participant called.
    pub fn participant_method(
        self: &Arc<Self>,
        hub: &Arc<Hub>,
        session_id: &str,
        m: &Method,
        fx: &mut Effects,
    ) -> Handled {
        match m.method.as_str() {
            "giveInput" => self.give_input(hub, session_id, m, fx),
            "getTime" => Handled::Now(Ok(json!({ "time": now_ms() }))),
            other => Handled::Now(Err(ErrorBody::with_message(
                ErrorCode::UnknownMethod,
                format!("Unknown method {}.", quoted(other)),
            ))),
        }
    }

    /// The session's participant count (for REST and tests).
    pub fn participant_count(&self) -> usize {
        self.state.lock().participants.len()
    }
}

fn obj_of(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(o) => o,
        _ => Map::new(),
    }
}

/// Whether a method can grow the session's state (worth a memory check).
fn mutates(method: &str) -> bool {
    method.starts_with("create") || method.starts_with("update")
}

impl SessionState {
    /// Queues a server-to-game method if the throttles admit it.
    fn notify_game(&mut self, fx: &mut Effects, method: &str, params: Value) {
        let json = event_json(method, params);
        if self.throttles.admit(method, json.len()) {
            fx.to_game.push(json);
        }
    }

    fn scene_json(&self, id: &str, with_groups: bool) -> Option<Value> {
        let scene = self.scenes.get(id)?;
        let mut out = scene.props.value().clone();
        let controls: Vec<Value> = scene.controls.values().map(|c| Value::Object(c.value().clone())).collect();
        out.insert("controls".into(), Value::Array(controls));
        if with_groups {
            let groups: Vec<Value> = self
                .groups
                .values()
                .filter(|g| g.get("sceneID").and_then(Value::as_str) == Some(id))
                .map(|g| Value::Object(g.value().clone()))
                .collect();
            out.insert("groups".into(), Value::Array(groups));
        }
        Some(Value::Object(out))
    }

    fn scene_of_group(&self, group: &str) -> String {
        self.groups.get(group).and_then(|g| g.get("sceneID")).and_then(Value::as_str).unwrap_or(DEFAULT_ID).to_owned()
    }

    /// Sends a participant the scene of its group, if it has not had it yet.
    fn send_scene_if_new(&mut self, session_id: &str, fx: &mut Effects) {
        let Some(p) = self.participants.get(session_id) else { return };
        let scene_id = self.scene_of_group(p.group());
        if p.knows_scene(&scene_id) {
            return;
        }
        let Some(scene) = self.scene_json(&scene_id, false) else { return };
        let p = self.participants.get_mut(session_id).expect("checked above");
        p.known_scenes.push(scene_id);
        fx.to_participants.push((p.peer.clone(), event_json("onSceneCreate", json!({ "scenes": [scene] }))));
    }

    /// Sends `method` to every participant that has `scene_id`.
    fn to_scene_viewers(&self, fx: &mut Effects, scene_id: &str, method: &str, params: &Value) {
        let mut json = None;
        for p in self.participants.values().filter(|p| p.knows_scene(scene_id)) {
            let j = json.get_or_insert_with(|| event_json(method, params.clone()));
            fx.to_participants.push((p.peer.clone(), j.clone()));
        }
    }

    fn to_all_participants(&self, fx: &mut Effects, method: &str, params: &Value) {
        if self.participants.is_empty() {
            return;
        }
        let json = event_json(method, params.clone());
        for p in self.participants.values() {
            fx.to_participants.push((p.peer.clone(), json.clone()));
        }
    }

    /// After group or scene changes: participants whose scene changed get it.
    fn resend_scenes(&mut self, fx: &mut Effects) {
        let ids: Vec<String> = self.participants.keys().cloned().collect();
        for id in ids {
            self.send_scene_if_new(&id, fx);
        }
    }
}
