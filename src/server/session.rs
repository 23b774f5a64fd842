//! One channel's interactive session: the state a game client builds (scenes, controls, groups,
//! world), the participants connected to it, spark transactions and throttles, and every method
//! the game client and participants may call.
//!
//! Handlers run under the session lock and never await: they change the state and collect what
//! must be sent in [`Effects`], which the socket tasks deliver after the lock is released.

use std::collections::{HashMap, HashSet};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use indexmap::IndexMap;
use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use super::hub::Hub;
use super::peer::{unsequenced, Peer};
use super::throttle::Throttles;
use super::world::{Project, User};
use crate::protocol::echo::{clipped, quoted};
use crate::protocol::{ErrorBody, ErrorCode, Method, Packet, Tag, TaggedObject};

pub const DEFAULT_ID: &str = "default";

/// Control kinds the mediator knows how to validate input for.
const CONTROL_KINDS: [&str; 5] = ["button", "joystick", "label", "textbox", "screen"];

/// Participant properties the game may not change.
const FIXED_PARTICIPANT_KEYS: [&str; 8] =
    ["sessionID", "userID", "username", "level", "lastInputAt", "connectedAt", "anonymous", "channelGroups"];

/// The largest page of `getAllParticipants` / `getActiveParticipants`.
const PAGE_SIZE: usize = 100;

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Packets to send once the session lock is released.
#[derive(Default)]
pub struct Effects {
    /// Server-to-game method packets (already admitted by the throttles).
    pub to_game: Vec<String>,
    /// Packets to participants.
    pub to_participants: Vec<(Peer, String)>,
    /// Close the game connection with this code after the reply (memory limit).
    pub close_game: Option<(u16, String)>,
}

fn event_json(method: &str, params: Value) -> String {
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
    known_scenes: HashSet<String>,
}

impl ParticipantState {
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

struct Transaction {
    user_id: u32,
    cost: u64,
    expires: Instant,
}

struct SessionState {
    ready: bool,
    scenes: IndexMap<String, SceneState>,
    groups: IndexMap<String, TaggedObject>,
    participants: IndexMap<String, ParticipantState>,
    world: TaggedObject,
    transactions: HashMap<String, Transaction>,
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
    state: Mutex<SessionState>,
}

type MethodResult = Result<Value, ErrorBody>;

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

/// Checks a fully-qualified control for creation.
fn check_new_control(c: &Value, path: &str) -> Result<(String, Map<String, Value>), ErrorBody> {
    let obj = req_object(c, path)?;
    let id = req_str(obj, "controlID", &format!("{path}.controlID"))?.to_owned();
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    if !CONTROL_KINDS.contains(&kind) {
        return Err(ErrorBody::with_message(
            ErrorCode::UnknownControlKind,
            format!("Unknown control type {}.", quoted(kind)),
        )
        .at(format!("{path}.kind")));
    }
    Ok((id, obj.clone()))
}

/// A patch with the keys that may not change removed.
fn settable(patch: &Map<String, Value>, fixed: &[&str]) -> Map<String, Value> {
    patch.iter().filter(|(k, _)| !fixed.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
}

impl ChannelSession {
    /// A new session for `project` on `channel_id`, with the project's scenes and groups.
    pub fn new(channel_id: u32, project: &Project, game: Peer) -> ChannelSession {
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
            version_id: project.version_id,
            game,
            state: Mutex::new(SessionState {
                ready: false,
                scenes,
                groups,
                participants: IndexMap::new(),
                world: TaggedObject::default(),
                transactions: HashMap::new(),
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

    // ----- game-client methods -----

    /// Runs one game-client method. `client_seq` is the `seq` the client sent (the last one it
    /// saw from us), used to tag property changes.
    pub fn game_method(&self, hub: &Hub, m: &Method, fx: &mut Effects) -> MethodResult {
        let mut st = self.state.lock();
        let seq = i64::from(m.seq.unwrap_or_else(|| self.game.last_seq()));
        let result = st.game_method(hub, m, seq, fx);
        if result.is_ok() && hub.config.memory_limit_bytes > 0 && mutates(&m.method) {
            st.check_memory(hub.config.memory_limit_bytes, fx);
        }
        result
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
            known_scenes: HashSet::new(),
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
        if let Some(p) = st.participants.shift_remove(session_id) {
            st.notify_game(&mut fx, "onParticipantLeave", json!({ "participants": [p.json()] }));
        }
        fx
    }

    /// Runs a method a participant called.
    pub fn participant_method(&self, hub: &Hub, session_id: &str, m: &Method, fx: &mut Effects) -> MethodResult {
        match m.method.as_str() {
            "giveInput" => {
                let input = match &m.params {
                    // interactive-node sends the input flat; accept `{input: {...}}` too.
                    Value::Object(o) => match o.get("input") {
                        Some(Value::Object(inner)) => inner.clone(),
                        _ => o.clone(),
                    },
                    _ => return Err(ErrorBody::with_message(ErrorCode::BadUserInput, "input must be an object")),
                };
                let mut st = self.state.lock();
                st.give_input(hub, session_id, input, fx).map(|()| Value::Null)
            }
            "getTime" => Ok(json!({ "time": now_ms() })),
            other => {
                Err(ErrorBody::with_message(ErrorCode::UnknownMethod, format!("Unknown method {}.", quoted(other))))
            }
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
        if p.known_scenes.contains(&scene_id) {
            return;
        }
        let Some(scene) = self.scene_json(&scene_id, false) else { return };
        let p = self.participants.get_mut(session_id).expect("checked above");
        p.known_scenes.insert(scene_id);
        fx.to_participants.push((p.peer.clone(), event_json("onSceneCreate", json!({ "scenes": [scene] }))));
    }

    /// Sends `method` to every participant that has `scene_id`.
    fn to_scene_viewers(&self, fx: &mut Effects, scene_id: &str, method: &str, params: &Value) {
        let mut json = None;
        for p in self.participants.values().filter(|p| p.known_scenes.contains(scene_id)) {
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

    fn game_method(&mut self, hub: &Hub, m: &Method, seq: i64, fx: &mut Effects) -> MethodResult {
        let p = params_object(m)?;
        match m.method.as_str() {
            "ready" => self.ready(&p, fx),
            "getTime" => Ok(json!({ "time": now_ms() })),
            "getMemoryStats" => Ok(self.memory_stats(hub.config.memory_limit_bytes)),
            "setBandwidthThrottle" => {
                self.throttles.configure(&p).map(|()| Value::Null).map_err(|e| {
                    invalid(format!("throttle for {}: {}", quoted(&e.method), e.reason), clipped(&e.method))
                })
            }
            "getThrottleState" => Ok(self.throttles.state()),
            "updateWorld" => self.update_world(&p, seq, fx),
            "getAllParticipants" => Ok(self.all_participants(&p)),
            "getActiveParticipants" => Ok(self.active_participants(&p)),
            "getParticipantsByMixerID" => self.participants_by_user(&p),
            "getParticipantsBySessionID" => self.participants_by_session(&p),
            "updateParticipants" => self.update_participants(&p, seq, fx),
            "createGroups" => self.create_groups(&p, seq, fx),
            "getGroups" => Ok(self.groups_json()),
            "updateGroups" => self.update_groups(&p, seq, fx),
            "deleteGroup" => self.delete_group(&p, seq, fx),
            "broadcastEvent" => self.broadcast(&p, fx),
            "createScenes" => self.create_scenes(&p, seq, fx),
            "getScenes" => Ok(self.scenes_json()),
            "deleteScene" => self.delete_scene(&p, seq, fx),
            "updateScenes" => self.update_scenes(&p, seq, fx),
            "createControls" => self.create_controls(&p, seq, fx),
            "deleteControls" => self.delete_controls(&p, fx),
            "updateControls" => self.update_controls(&p, seq, fx),
            "capture" => self.capture(hub, &p),
            other => Err(ErrorBody::with_message(
                ErrorCode::UnknownMethod,
                format!("Unknown method name {}.", quoted(other)),
            )),
        }
    }

    fn ready(&mut self, p: &Map<String, Value>, fx: &mut Effects) -> MethodResult {
        let is_ready =
            p.get("isReady").and_then(Value::as_bool).ok_or_else(|| invalid("isReady must be a boolean", "isReady"))?;
        self.ready = is_ready;
        let params = json!({ "isReady": is_ready });
        self.notify_game(fx, "onReady", params.clone());
        self.to_all_participants(fx, "onReady", &params);
        Ok(Value::Null)
    }

    fn memory_used(&self) -> (u64, Vec<Value>) {
        let size = |v: &Value| serde_json::to_string(v).map(|s| s.len() as u64).unwrap_or(0);
        let mut scenes = Vec::new();
        let mut scenes_total = 0;
        for id in self.scenes.keys() {
            let bytes = self.scene_json(id, false).as_ref().map(size).unwrap_or(0);
            scenes_total += bytes;
            scenes.push(json!({ "id": id, "ownBytes": bytes, "cumulativeBytes": bytes, "resources": [] }));
        }
        let groups = size(&self.groups_json());
        let world = size(&Value::Object(self.world.value().clone()));
        let participants: u64 = self.participants.values().map(|p| size(&p.json())).sum();
        let resources = vec![
            json!({ "id": "scenes", "ownBytes": 0, "cumulativeBytes": scenes_total, "resources": scenes }),
            json!({ "id": "groups", "ownBytes": groups, "cumulativeBytes": groups, "resources": [] }),
            json!({ "id": "participants", "ownBytes": participants, "cumulativeBytes": participants, "resources": [] }),
            json!({ "id": "world", "ownBytes": world, "cumulativeBytes": world, "resources": [] }),
        ];
        (scenes_total + groups + participants + world, resources)
    }

    fn memory_stats(&self, limit: u64) -> Value {
        let (used, resources) = self.memory_used();
        json!({ "usedBytes": used, "totalBytes": limit, "resources": resources })
    }

    /// Warns the game at 80% of its memory limit and closes it with 4017 past the limit.
    fn check_memory(&mut self, limit: u64, fx: &mut Effects) {
        let stats = self.memory_stats(limit);
        let used = stats["usedBytes"].as_u64().unwrap_or(0);
        if used > limit {
            fx.close_game = Some((ErrorCode::OutOfMemory.code(), "memory limit exceeded".into()));
        } else if used * 5 >= limit * 4 {
            if !self.memory_warned {
                self.memory_warned = true;
                self.notify_game(fx, "issueMemoryWarning", stats);
            }
        } else {
            self.memory_warned = false;
        }
    }

    fn update_world(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
        let world = p.get("world").map(|w| req_object(w, "world")).transpose()?.cloned().unwrap_or_default();
        let patch = settable(&world, &["scenes"]);
        self.world.apply(&patch, Tag::new(priority_of(p), seq));
        let scenes = self.scenes_json()["scenes"].clone();
        let mut event = self.world.value_with_removals(&patch);
        event.insert("scenes".into(), scenes.clone());
        self.notify_game(fx, "onWorldUpdate", Value::Object(event));
        let mut out = self.world.value().clone();
        out.insert("scenes".into(), scenes);
        let out = Value::Object(out);
        let mut for_viewers = self.world.value_with_removals(&patch);
        for_viewers.insert("scenes".into(), json!([]));
        self.to_all_participants(fx, "onWorldUpdate", &Value::Object(for_viewers));
        Ok(out)
    }

    fn page(list: Vec<Value>) -> Value {
        let total = list.len();
        let page: Vec<Value> = list.into_iter().take(PAGE_SIZE).collect();
        json!({ "participants": page, "total": total, "hasMore": total > PAGE_SIZE })
    }

    fn all_participants(&self, p: &Map<String, Value>) -> Value {
        let from = p.get("from").and_then(Value::as_i64).unwrap_or(0);
        let list = self.participants.values().filter(|x| x.connected_at() > from).map(ParticipantState::json).collect();
        let mut page = Self::page(list);
        page["total"] = json!(self.participants.len());
        page
    }

    fn active_participants(&self, p: &Map<String, Value>) -> Value {
        let threshold = p.get("threshold").and_then(Value::as_i64).unwrap_or(0);
        let mut active: Vec<&ParticipantState> =
            self.participants.values().filter(|x| x.last_input_at() > threshold).collect();
        active.sort_by_key(|x| x.last_input_at());
        Self::page(active.into_iter().map(ParticipantState::json).collect())
    }

    fn participants_by_user(&self, p: &Map<String, Value>) -> MethodResult {
        let ids = req_array(p, "userIDs")?;
        let mut users = Map::new();
        for (i, id) in ids.iter().enumerate() {
            let id = id.as_u64().ok_or_else(|| invalid("user ids must be integers", format!("userIDs.{i}")))?;
            let found = self.participants.values().find(|x| x.user_id.map(u64::from) == Some(id));
            users.insert(id.to_string(), found.map(ParticipantState::json).unwrap_or(Value::Null));
        }
        Ok(json!({ "users": users }))
    }

    fn participants_by_session(&self, p: &Map<String, Value>) -> MethodResult {
        let ids = req_array(p, "sessionIDs")?;
        let mut users = Map::new();
        for (i, id) in ids.iter().enumerate() {
            let id = id.as_str().ok_or_else(|| invalid("session ids must be strings", format!("sessionIDs.{i}")))?;
            users.insert(id.to_owned(), self.participants.get(id).map(ParticipantState::json).unwrap_or(Value::Null));
        }
        Ok(json!({ "users": users }))
    }

    fn update_participants(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
        let list = req_array(p, "participants")?;
        let tag = Tag::new(priority_of(p), seq);
        // Validate everything first: all or nothing.
        let mut patches = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let path = format!("participants.{i}");
            let obj = req_object(item, &path)?;
            let sid = req_str(obj, "sessionID", &format!("{path}.sessionID"))?;
            if let Some(g) = obj.get("groupID") {
                let g = g.as_str().ok_or_else(|| invalid("groupID must be a string", format!("{path}.groupID")))?;
                if !self.groups.contains_key(g) {
                    return Err(ErrorBody::new(ErrorCode::UnknownGroup).at(format!("{path}.groupID")));
                }
            }
            if obj.get("disabled").is_some_and(|d| !d.is_boolean()) {
                return Err(invalid("disabled must be a boolean", format!("{path}.disabled")));
            }
            if self.participants.contains_key(sid) {
                patches.push((sid.to_owned(), settable(obj, &FIXED_PARTICIPANT_KEYS)));
            }
        }
        let mut updated = Vec::new();
        let mut events = Vec::new();
        for (sid, patch) in patches {
            let participant = self.participants.get_mut(&sid).expect("validated above");
            participant.props.apply(&patch, tag);
            let me = Value::Object(participant.props.value_with_removals(&patch));
            fx.to_participants.push((
                participant.peer.clone(),
                event_json("onParticipantUpdate", json!({ "participants": [me.clone()] })),
            ));
            events.push(me);
            updated.push(participant.json());
        }
        self.resend_scenes(fx);
        if !events.is_empty() {
            self.notify_game(fx, "onParticipantUpdate", json!({ "participants": events }));
        }
        Ok(json!({ "participants": updated }))
    }

    fn groups_json(&self) -> Value {
        let groups: Vec<Value> = self.groups.values().map(|g| Value::Object(g.value().clone())).collect();
        json!({ "groups": groups })
    }

    fn create_groups(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
        let list = req_array(p, "groups")?;
        let mut new = IndexMap::new();
        for (i, item) in list.iter().enumerate() {
            let path = format!("groups.{i}");
            let obj = req_object(item, &path)?;
            let id = req_str(obj, "groupID", &format!("{path}.groupID"))?;
            if self.groups.contains_key(id) || new.contains_key(id) {
                return Err(ErrorBody::new(ErrorCode::GroupExists).at(format!("{path}.groupID")));
            }
            let mut g = obj.clone();
            match g.get("sceneID") {
                None | Some(Value::Null) => {
                    g.insert("sceneID".into(), json!(DEFAULT_ID));
                }
                Some(Value::String(s)) if self.scenes.contains_key(s) => {}
                Some(Value::String(_)) => {
                    return Err(ErrorBody::new(ErrorCode::UnknownScene).at(format!("{path}.sceneID")))
                }
                Some(_) => return Err(invalid("sceneID must be a string", format!("{path}.sceneID"))),
            }
            new.insert(id.to_owned(), g);
        }
        let tag = Tag::new(0, seq);
        let mut created = Vec::new();
        for (id, g) in new {
            created.push(Value::Object(g.clone()));
            self.groups.insert(id, TaggedObject::new(g, tag));
        }
        let params = json!({ "groups": created });
        self.notify_game(fx, "onGroupCreate", params.clone());
        self.to_all_participants(fx, "onGroupCreate", &params);
        Ok(Value::Null)
    }

    fn update_groups(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
        let list = req_array(p, "groups")?;
        let tag = Tag::new(priority_of(p), seq);
        let mut patches = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let path = format!("groups.{i}");
            let obj = req_object(item, &path)?;
            let id = req_str(obj, "groupID", &format!("{path}.groupID"))?;
            if !self.groups.contains_key(id) {
                return Err(ErrorBody::new(ErrorCode::UnknownGroup).at(format!("{path}.groupID")));
            }
            if let Some(s) = obj.get("sceneID") {
                let s = s.as_str().ok_or_else(|| invalid("sceneID must be a string", format!("{path}.sceneID")))?;
                if !self.scenes.contains_key(s) {
                    return Err(ErrorBody::new(ErrorCode::UnknownScene).at(format!("{path}.sceneID")));
                }
            }
            patches.push((id.to_owned(), settable(obj, &["groupID"])));
        }
        let mut updated = Vec::new();
        let mut events = Vec::new();
        for (id, patch) in patches {
            let g = self.groups.get_mut(&id).expect("validated above");
            g.apply(&patch, tag);
            events.push(Value::Object(g.value_with_removals(&patch)));
            updated.push(Value::Object(g.value().clone()));
        }
        let params = json!({ "groups": events });
        self.notify_game(fx, "onGroupUpdate", params.clone());
        self.to_all_participants(fx, "onGroupUpdate", &params);
        self.resend_scenes(fx);
        Ok(json!({ "groups": updated }))
    }

    fn delete_group(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
        let id = req_str(p, "groupID", "groupID")?.to_owned();
        let reassign = p.get("reassignGroupID").and_then(Value::as_str).unwrap_or(DEFAULT_ID).to_owned();
        if id == DEFAULT_ID {
            return Err(ErrorBody::new(ErrorCode::CannotDeleteDefault).at("groupID"));
        }
        if !self.groups.contains_key(&reassign) || reassign == id {
            return Err(ErrorBody::new(ErrorCode::UnknownGroup).at("reassignGroupID"));
        }
        if self.groups.shift_remove(&id).is_none() {
            return Ok(Value::Null); // The spec lets deleting a missing group succeed.
        }
        let mut moved = Vec::new();
        for participant in self.participants.values_mut().filter(|x| x.group() == id) {
            participant.props.set("groupID", json!(reassign), Tag::new(0, seq));
            let me = participant.json();
            fx.to_participants.push((
                participant.peer.clone(),
                event_json("onParticipantUpdate", json!({ "participants": [me.clone()] })),
            ));
            moved.push(me);
        }
        let params = json!({ "groupID": id, "reassignGroupID": reassign });
        self.notify_game(fx, "onGroupDelete", params.clone());
        self.to_all_participants(fx, "onGroupDelete", &params);
        if !moved.is_empty() {
            self.notify_game(fx, "onParticipantUpdate", json!({ "participants": moved }));
        }
        self.resend_scenes(fx);
        Ok(Value::Null)
    }

    fn broadcast(&mut self, p: &Map<String, Value>, fx: &mut Effects) -> MethodResult {
        let scopes = req_array(p, "scope")?;
        let data = p.get("data").cloned().unwrap_or(Value::Null);
        let mut targets: Vec<&str> = Vec::new();
        let bad_scope = |s: &str, i: usize| {
            ErrorBody::with_message(ErrorCode::InvalidBroadcastScope, format!("Invalid broadcast scope {}.", quoted(s)))
                .at(format!("scope.{i}"))
        };
        for (i, scope) in scopes.iter().enumerate() {
            let s = scope.as_str().ok_or_else(|| bad_scope(&scope.to_string(), i))?;
            let matches: Vec<&str> = if s == "everyone" {
                self.participants.keys().map(String::as_str).collect()
            } else if let Some(g) = s.strip_prefix("group:") {
                if !self.groups.contains_key(g) {
                    return Err(bad_scope(s, i));
                }
                self.participants.iter().filter(|(_, x)| x.group() == g).map(|(k, _)| k.as_str()).collect()
            } else if let Some(scene) = s.strip_prefix("scene:") {
                if !self.scenes.contains_key(scene) {
                    return Err(bad_scope(s, i));
                }
                self.participants
                    .iter()
                    .filter(|(_, x)| self.scene_of_group(x.group()) == scene)
                    .map(|(k, _)| k.as_str())
                    .collect()
            } else if let Some(sid) = s.strip_prefix("participant:") {
                // An unknown participant is not an error: they may just have left.
                self.participants.get_key_value(sid).map(|(k, _)| k.as_str()).into_iter().collect()
            } else {
                return Err(bad_scope(s, i));
            };
            targets.extend(matches);
        }
        let unique: HashSet<&str> = targets.into_iter().collect();
        let json = event_json("event", data);
        for sid in unique {
            if let Some(x) = self.participants.get(sid) {
                fx.to_participants.push((x.peer.clone(), json.clone()));
            }
        }
        Ok(Value::Null)
    }

    fn scenes_json(&self) -> Value {
        let scenes: Vec<Value> = self.scenes.keys().filter_map(|id| self.scene_json(id, true)).collect();
        json!({ "scenes": scenes })
    }

    fn create_scenes(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
        let list = req_array(p, "scenes")?;
        let mut new: IndexMap<String, SceneState> = IndexMap::new();
        let tag = Tag::new(0, seq);
        for (i, item) in list.iter().enumerate() {
            let path = format!("scenes.{i}");
            let obj = req_object(item, &path)?;
            let id = req_str(obj, "sceneID", &format!("{path}.sceneID"))?;
            if self.scenes.contains_key(id) || new.contains_key(id) {
                return Err(ErrorBody::new(ErrorCode::SceneExists).at(format!("{path}.sceneID")));
            }
            let mut controls = IndexMap::new();
            if let Some(list) = obj.get("controls") {
                let list =
                    list.as_array().ok_or_else(|| invalid("controls must be an array", format!("{path}.controls")))?;
                for (j, c) in list.iter().enumerate() {
                    let (cid, c) = check_new_control(c, &format!("{path}.controls.{j}"))?;
                    if controls.contains_key(&cid) {
                        return Err(
                            ErrorBody::new(ErrorCode::ControlExists).at(format!("{path}.controls.{j}.controlID"))
                        );
                    }
                    controls.insert(cid, TaggedObject::new(c, tag));
                }
            }
            let props = settable(obj, &["controls", "groups"]);
            new.insert(id.to_owned(), SceneState { props: TaggedObject::new(props, tag), controls });
        }
        let ids: Vec<String> = new.keys().cloned().collect();
        self.scenes.extend(new);
        let created: Vec<Value> = ids.iter().filter_map(|id| self.scene_json(id, false)).collect();
        self.notify_game(fx, "onSceneCreate", json!({ "scenes": created.clone() }));
        Ok(json!({ "scenes": created }))
    }

    fn delete_scene(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
        let id = req_str(p, "sceneID", "sceneID")?.to_owned();
        let reassign = p.get("reassignSceneID").and_then(Value::as_str).unwrap_or(DEFAULT_ID).to_owned();
        if id == DEFAULT_ID {
            return Err(ErrorBody::new(ErrorCode::CannotDeleteDefault).at("sceneID"));
        }
        if !self.scenes.contains_key(&reassign) || reassign == id {
            return Err(ErrorBody::new(ErrorCode::UnknownScene).at("reassignSceneID"));
        }
        if self.scenes.shift_remove(&id).is_none() {
            return Ok(Value::Null);
        }
        let mut moved = Vec::new();
        for g in self.groups.values_mut().filter(|g| g.get("sceneID").and_then(Value::as_str) == Some(&id)) {
            g.set("sceneID", json!(reassign), Tag::new(0, seq));
            moved.push(Value::Object(g.value().clone()));
        }
        for participant in self.participants.values_mut() {
            participant.known_scenes.remove(&id);
        }
        let params = json!({ "sceneID": id, "reassignSceneID": reassign });
        self.notify_game(fx, "onSceneDelete", params.clone());
        self.to_all_participants(fx, "onSceneDelete", &params);
        if !moved.is_empty() {
            let params = json!({ "groups": moved });
            self.notify_game(fx, "onGroupUpdate", params.clone());
            self.to_all_participants(fx, "onGroupUpdate", &params);
        }
        self.resend_scenes(fx);
        Ok(Value::Null)
    }

    fn update_scenes(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
        let list = req_array(p, "scenes")?;
        let tag = Tag::new(priority_of(p), seq);
        let mut patches = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let path = format!("scenes.{i}");
            let obj = req_object(item, &path)?;
            let id = req_str(obj, "sceneID", &format!("{path}.sceneID"))?;
            if !self.scenes.contains_key(id) {
                return Err(ErrorBody::new(ErrorCode::UnknownScene).at(format!("{path}.sceneID")));
            }
            // Controls change through the control methods; a scene update is its own attributes.
            patches.push((id.to_owned(), settable(obj, &["sceneID", "controls", "groups"])));
        }
        let mut updated = Vec::new();
        let mut events = Vec::new();
        for (id, patch) in patches {
            let scene = self.scenes.get_mut(&id).expect("validated above");
            scene.props.apply(&patch, tag);
            let event = Value::Object(scene.props.value_with_removals(&patch));
            updated.push(Value::Object(scene.props.value().clone()));
            self.to_scene_viewers(fx, &id, "onSceneUpdate", &json!({ "scenes": [event.clone()] }));
            events.push(event);
        }
        self.notify_game(fx, "onSceneUpdate", json!({ "scenes": events }));
        Ok(json!({ "scenes": updated }))
    }

    fn create_controls(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
        let scene_id = req_str(p, "sceneID", "sceneID")?.to_owned();
        let list = req_array(p, "controls")?;
        let scene = self.scenes.get(&scene_id).ok_or_else(|| ErrorBody::new(ErrorCode::UnknownScene).at("sceneID"))?;
        let mut new = IndexMap::new();
        for (i, c) in list.iter().enumerate() {
            let path = format!("controls.{i}");
            let (cid, c) = check_new_control(c, &path)?;
            if scene.controls.contains_key(&cid) || new.contains_key(&cid) {
                return Err(ErrorBody::new(ErrorCode::ControlExists).at(format!("{path}.controlID")));
            }
            new.insert(cid, c);
        }
        let tag = Tag::new(0, seq);
        let created: Vec<Value> = new.values().map(|c| Value::Object(c.clone())).collect();
        let scene = self.scenes.get_mut(&scene_id).expect("checked above");
        for (cid, c) in new {
            scene.controls.insert(cid, TaggedObject::new(c, tag));
        }
        let params = json!({ "sceneID": scene_id, "controls": created });
        self.notify_game(fx, "onControlCreate", params.clone());
        self.to_scene_viewers(fx, &scene_id, "onControlCreate", &params);
        // The spec's reply is null; interactive-node reads `{sceneID, controls}` from it, and the
        // extra fields harm no client.
        Ok(params)
    }

    fn delete_controls(&mut self, p: &Map<String, Value>, fx: &mut Effects) -> MethodResult {
        let scene_id = req_str(p, "sceneID", "sceneID")?.to_owned();
        let ids = req_array(p, "controlIDs")?;
        let scene =
            self.scenes.get_mut(&scene_id).ok_or_else(|| ErrorBody::new(ErrorCode::UnknownScene).at("sceneID"))?;
        let mut names = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let id = id.as_str().ok_or_else(|| invalid("control ids must be strings", format!("controlIDs.{i}")))?;
            if !scene.controls.contains_key(id) {
                return Err(ErrorBody::new(ErrorCode::UnknownControl).at(format!("controlIDs.{i}")));
            }
            names.push(id.to_owned());
        }
        for id in &names {
            scene.controls.shift_remove(id);
        }
        let deleted: Vec<Value> = names.iter().map(|id| json!({ "controlID": id })).collect();
        let params = json!({ "sceneID": scene_id, "controls": deleted });
        self.notify_game(fx, "onControlDelete", params.clone());
        self.to_scene_viewers(fx, &scene_id, "onControlDelete", &params);
        Ok(Value::Null)
    }

    fn update_controls(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
        let scene_id = req_str(p, "sceneID", "sceneID")?.to_owned();
        let list = req_array(p, "controls")?;
        let tag = Tag::new(priority_of(p), seq);
        let scene =
            self.scenes.get_mut(&scene_id).ok_or_else(|| ErrorBody::new(ErrorCode::UnknownScene).at("sceneID"))?;
        let mut patches = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let path = format!("controls.{i}");
            let obj = req_object(item, &path)?;
            let cid = req_str(obj, "controlID", &format!("{path}.controlID"))?;
            if !scene.controls.contains_key(cid) {
                return Err(ErrorBody::new(ErrorCode::UnknownControl).at(format!("{path}.controlID")));
            }
            patches.push((cid.to_owned(), settable(obj, &["controlID", "kind"])));
        }
        let mut updated = Vec::new();
        let mut events = Vec::new();
        for (cid, patch) in patches {
            let control = scene.controls.get_mut(&cid).expect("validated above");
            control.apply(&patch, tag);
            events.push(Value::Object(control.value_with_removals(&patch)));
            updated.push(Value::Object(control.value().clone()));
        }
        let params = json!({ "sceneID": scene_id, "controls": events });
        self.notify_game(fx, "onControlUpdate", params.clone());
        self.to_scene_viewers(fx, &scene_id, "onControlUpdate", &params);
        Ok(json!({ "controls": updated }))
    }

    fn capture(&mut self, hub: &Hub, p: &Map<String, Value>) -> MethodResult {
        let id = match p.get("transactionID") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(invalid("transactionID must be a string", "transactionID")),
        };
        let unknown = || ErrorBody::new(ErrorCode::UnknownTransaction).at("transactionID");
        let now = Instant::now();
        self.transactions.retain(|_, t| t.expires > now);
        let txn = self.transactions.get(&id).ok_or_else(unknown)?;
        if !hub.spend_sparks(txn.user_id, txn.cost) {
            return Err(ErrorBody::new(ErrorCode::NotEnoughSparks));
        }
        self.transactions.remove(&id);
        Ok(Value::Null)
    }

    // ----- participant input -----

    fn give_input(
        &mut self,
        hub: &Hub,
        session_id: &str,
        mut input: Map<String, Value>,
        fx: &mut Effects,
    ) -> Result<(), ErrorBody> {
        let bad = |m: &str| ErrorBody::with_message(ErrorCode::BadUserInput, m);
        let participant = self.participants.get(session_id).ok_or_else(|| bad("you are not in this session"))?;
        if participant.disabled() {
            return Err(bad("your input is disabled"));
        }
        let control_id =
            input.get("controlID").and_then(Value::as_str).ok_or_else(|| bad("controlID must be a string"))?;
        let event = input.get("event").and_then(Value::as_str).ok_or_else(|| bad("event must be a string"))?;
        let scene_id = self.scene_of_group(participant.group());
        let control = self
            .scenes
            .get(&scene_id)
            .and_then(|s| s.controls.get(control_id))
            .ok_or_else(|| bad("that control is not in your scene"))?;
        if control.get("disabled").and_then(Value::as_bool).unwrap_or(false) {
            return Err(bad("that control is disabled"));
        }
        if control.get("cooldown").and_then(Value::as_i64).is_some_and(|c| c > now_ms()) {
            return Err(bad("that control is on cooldown"));
        }
        let kind = control.get("kind").and_then(Value::as_str).unwrap_or("");
        check_event(kind, event, &input).map_err(bad)?;
        let cost = control.get("cost").and_then(Value::as_u64).unwrap_or(0);
        let charges = cost > 0 && matches!(event, "mousedown" | "keydown" | "submit");

        let mut transaction_id = None;
        if charges {
            let user_id = participant.user_id.ok_or_else(|| ErrorBody::new(ErrorCode::AnonymousSparkCost))?;
            if hub.sparks_of(user_id) < cost {
                return Err(ErrorBody::new(ErrorCode::NotEnoughSparks));
            }
            let id = uuid::Uuid::new_v4().to_string();
            let now = Instant::now();
            if self.transactions.len() >= 10_000 {
                self.transactions.retain(|_, t| t.expires > now);
            }
            self.transactions
                .insert(id.clone(), Transaction { user_id, cost, expires: now + hub.config.transaction_ttl });
            transaction_id = Some(id);
        }
        input.insert("controlID".into(), Value::String(control_id.to_owned()));
        let seq = i64::from(self.participants.get(session_id).map(|p| p.peer.last_seq()).unwrap_or(0));
        if let Some(p) = self.participants.get_mut(session_id) {
            p.props.set("lastInputAt", json!(now_ms()), Tag::new(0, seq));
        }
        let mut params = Map::new();
        params.insert("participantID".into(), Value::String(session_id.to_owned()));
        if let Some(t) = transaction_id {
            params.insert("transactionID".into(), Value::String(t));
        }
        params.insert("input".into(), Value::Object(input));
        self.notify_game(fx, "giveInput", Value::Object(params));
        Ok(())
    }
}

/// Validates an input event against its control kind.
fn check_event(kind: &str, event: &str, input: &Map<String, Value>) -> Result<(), &'static str> {
    let number = |k: &str| input.get(k).and_then(Value::as_f64);
    match (kind, event) {
        ("button", "mousedown" | "mouseup" | "keydown" | "keyup") => Ok(()),
        ("button", _) => Err("buttons take mousedown, mouseup, keydown and keyup"),
        ("joystick", "move") => match (number("x"), number("y")) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() && x.abs() <= 1.0 && y.abs() <= 1.0 => {
                // Magnitude is at most 1; allow for rounding in the participant's maths.
                if x * x + y * y <= 1.0 + 1e-6 {
                    Ok(())
                } else {
                    Err("joystick position must lie within the unit circle")
                }
            }
            _ => Err("joystick moves need x and y in [-1, 1]"),
        },
        ("joystick", _) => Err("joysticks take move"),
        ("screen", "move" | "mousedown" | "mouseup") => match (number("x"), number("y")) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok(()),
            _ => Err("screen input needs numeric x and y"),
        },
        ("screen", _) => Err("screens take move, mousedown and mouseup"),
        ("textbox", "change" | "submit") => match input.get("value") {
            Some(Value::String(_)) => Ok(()),
            _ => Err("textbox input needs a string value"),
        },
        ("textbox", _) => Err("textboxes take change and submit"),
        ("label", _) => Err("labels take no input"),
        _ => Err("unknown control kind"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_events_are_checked_per_kind() {
        let m = |v: Value| obj_of(v);
        assert!(check_event("button", "mousedown", &m(json!({"button": 0}))).is_ok());
        assert!(check_event("button", "move", &Map::new()).is_err());
        assert!(check_event("joystick", "move", &m(json!({"x": 0.6, "y": -0.8}))).is_ok());
        assert!(check_event("joystick", "move", &m(json!({"x": 1, "y": 1}))).is_err());
        assert!(check_event("joystick", "move", &m(json!({"x": "a", "y": 0}))).is_err());
        assert!(check_event("textbox", "submit", &m(json!({"value": "hi"}))).is_ok());
        assert!(check_event("textbox", "submit", &Map::new()).is_err());
        assert!(check_event("label", "mousedown", &Map::new()).is_err());
    }
}
