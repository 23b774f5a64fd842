//! The game client's methods on a session (the spec's order): readiness, time, memory and
//! throttles, the world, participants, and `broadcastEvent`. Groups, scenes and controls are in
//! `scenes.rs`; `capture` (which needs the store) in `input.rs`.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::{
    event_json, invalid, now_ms, params_object, priority_of, req_array, req_object, req_str, settable, Effects,
    MethodResult, ParticipantState, SessionState, FIXED_PARTICIPANT_KEYS, PAGE_SIZE,
};
use crate::protocol::echo::{clipped, quoted};
use crate::protocol::{ErrorBody, ErrorCode, Method, Tag};
use crate::server::hub::Hub;

impl SessionState {
    pub(super) fn game_method(&mut self, hub: &Hub, m: &Method, seq: i64, fx: &mut Effects) -> MethodResult {
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
    pub(super) fn check_memory(&mut self, limit: u64, fx: &mut Effects) {
        let stats = self.memory_stats(limit);
        let used = stats["usedBytes"].as_u64().unwrap_or(0);
        if used > limit {
            fx.close_game = Some((ErrorCode::OutOfMemory.code(), "memory limit exceeded".into()));
        } else if used.saturating_mul(5) >= limit.saturating_mul(4) {
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

    /// The first page of `matching` in the order of `key` (JSON made for that page only: paging
    /// through 20,000 participants costs a scan per page, not 20,000 objects per page), with how
    /// many match and whether more follow.
    fn page(mut matching: Vec<&ParticipantState>, key: fn(&ParticipantState) -> i64) -> Value {
        let total = matching.len();
        // Ties go by joining time (unique: see `last_connected_at`).
        let order = |p: &&ParticipantState| (key(p), p.connected_at());
        if total > PAGE_SIZE {
            matching.select_nth_unstable_by_key(PAGE_SIZE, order);
            matching.truncate(PAGE_SIZE);
        }
        matching.sort_unstable_by_key(order);
        let page: Vec<Value> = matching.into_iter().map(ParticipantState::json).collect();
        json!({ "participants": page, "total": total, "hasMore": total > PAGE_SIZE })
    }

    fn all_participants(&self, p: &Map<String, Value>) -> Value {
        let from = p.get("from").and_then(Value::as_i64).unwrap_or(0);
        let matching = self.participants.values().filter(|x| x.connected_at() > from).collect();
        let mut page = Self::page(matching, ParticipantState::connected_at);
        page["total"] = json!(self.participants.len());
        page
    }

    fn active_participants(&self, p: &Map<String, Value>) -> Value {
        let threshold = p.get("threshold").and_then(Value::as_i64).unwrap_or(0);
        let active = self.participants.values().filter(|x| x.last_input_at() > threshold).collect();
        Self::page(active, ParticipantState::last_input_at)
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
}
