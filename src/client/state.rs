//! The session's state cache: scenes with their controls, groups, participants and the world.
//! It changes only inside `poll`, on the game's thread, as each event is handed out, so what
//! the game reads always matches the events it has seen.

use std::collections::VecDeque;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::events::{Event, SessionId};
use super::incoming::{Incoming, Object, Snapshot};
use super::participants::Participants;
use crate::net::ConnectionState;
use crate::protocol::merge_patch;

/// A scene and its controls, in the order the service gave them.
#[derive(Debug, Clone, Default)]
pub struct Scene {
    /// The scene's own properties (`sceneID` and custom ones).
    pub props: Object,
    pub controls: IndexMap<String, Object>,
}

/// Everything the session knows about the service's state.
#[derive(Debug)]
pub struct StateCache {
    pub connection: ConnectionState,
    pub ready: bool,
    pub scenes: IndexMap<String, Scene>,
    pub groups: IndexMap<String, Object>,
    pub participants: Participants,
    pub world: Object,
}

impl Default for StateCache {
    fn default() -> Self {
        StateCache {
            connection: ConnectionState::Connecting,
            ready: false,
            scenes: IndexMap::new(),
            groups: IndexMap::new(),
            participants: Participants::default(),
            world: Map::new(),
        }
    }
}

fn id_of(o: &Object, key: &str) -> Option<String> {
    o.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn scene_from(mut o: Object) -> Option<(String, Scene)> {
    let id = id_of(&o, "sceneID")?;
    let controls = match o.remove("controls") {
        Some(Value::Array(list)) => list
            .into_iter()
            .filter_map(|c| match c {
                Value::Object(c) => Some((id_of(&c, "controlID")?, c)),
                _ => None,
            })
            .collect(),
        _ => IndexMap::new(),
    };
    o.remove("groups");
    Some((id, Scene { props: o, controls }))
}

impl StateCache {
    /// Applies one item from the network task and appends the events it means to `out`.
    pub fn apply(&mut self, item: Incoming, out: &mut VecDeque<Event>) {
        match item {
            Incoming::Status { state, code, message } => {
                self.connection = state;
                if state != ConnectionState::Connected {
                    self.ready = false;
                }
                out.push_back(Event::Connection { state, code, message });
            }
            Incoming::Snapshot(s) => self.apply_snapshot(*s, out),
            Incoming::Ready(r) => {
                self.ready = r;
                out.push_back(Event::Ready(r));
            }
            Incoming::Input(i) => out.push_back(Event::Input(i)),
            Incoming::Inputs(list) => out.extend(list.into_iter().map(Event::Input)),
            // Joins and updates both upsert: a join for someone known is an update, and an update
            // for someone unknown (missed join) is a join.
            Incoming::ParticipantsJoined(list) | Incoming::ParticipantsUpdated(list) => {
                for o in list {
                    let Some((id, new)) = self.participants.upsert(&o) else { continue };
                    out.push_back(if new { Event::ParticipantJoined(id) } else { Event::ParticipantUpdated(id) });
                }
            }
            Incoming::ParticipantsLeft(list) => {
                for o in list {
                    let Some(id) = o.get("sessionID").and_then(Value::as_str).map(SessionId::parse) else { continue };
                    if let Some(last) = self.participants.remove(&id) {
                        out.push_back(Event::ParticipantLeft {
                            participant: id,
                            last: Value::Object(last).to_string(),
                        });
                    }
                }
            }
            Incoming::ScenesCreated(list) => {
                for o in list {
                    let Some((id, scene)) = scene_from(o) else { continue };
                    // As for a snapshot's new scenes: the scene, then each of its controls.
                    let controls: Vec<String> = scene.controls.keys().cloned().collect();
                    self.scenes.insert(id.clone(), scene);
                    out.push_back(Event::SceneCreated(id.clone()));
                    for control in controls {
                        out.push_back(Event::ControlCreated { scene: id.clone(), control });
                    }
                }
            }
            Incoming::ScenesUpdated(list) => {
                for mut o in list {
                    let Some(id) = id_of(&o, "sceneID") else { continue };
                    o.remove("controls");
                    o.remove("groups");
                    let scene = self.scenes.entry(id.clone()).or_default();
                    let mut props = Value::Object(std::mem::take(&mut scene.props));
                    merge_patch(&mut props, &Value::Object(o));
                    scene.props = match props {
                        Value::Object(p) => p,
                        _ => Map::new(),
                    };
                    out.push_back(Event::SceneUpdated(id));
                }
            }
            Incoming::SceneDeleted { scene, reassigned_to } => {
                self.scenes.shift_remove(&scene);
                out.push_back(Event::SceneDeleted { scene, reassigned_to });
            }
            Incoming::GroupsCreated(list) => {
                for o in list {
                    let Some(id) = id_of(&o, "groupID") else { continue };
                    self.groups.insert(id.clone(), o);
                    out.push_back(Event::GroupCreated(id));
                }
            }
            Incoming::GroupsUpdated(list) => {
                for o in list {
                    let Some(id) = id_of(&o, "groupID") else { continue };
                    let slot = self.groups.entry(id.clone()).or_default();
                    let mut v = Value::Object(std::mem::take(slot));
                    merge_patch(&mut v, &Value::Object(o));
                    *slot = match v {
                        Value::Object(g) => g,
                        _ => Map::new(),
                    };
                    out.push_back(Event::GroupUpdated(id));
                }
            }
            Incoming::GroupDeleted { group, reassigned_to } => {
                self.groups.shift_remove(&group);
                out.push_back(Event::GroupDeleted { group, reassigned_to });
            }
            Incoming::ControlsCreated { scene, controls } => {
                let entry = self.scenes.entry(scene.clone()).or_default();
                for c in controls {
                    let Some(id) = id_of(&c, "controlID") else { continue };
                    entry.controls.insert(id.clone(), c);
                    out.push_back(Event::ControlCreated { scene: scene.clone(), control: id });
                }
            }
            Incoming::ControlsUpdated { scene, controls } => {
                let entry = self.scenes.entry(scene.clone()).or_default();
                for c in controls {
                    let Some(id) = id_of(&c, "controlID") else { continue };
                    let slot = entry.controls.entry(id.clone()).or_default();
                    let mut v = Value::Object(std::mem::take(slot));
                    merge_patch(&mut v, &Value::Object(c));
                    *slot = match v {
                        Value::Object(o) => o,
                        _ => Map::new(),
                    };
                    out.push_back(Event::ControlUpdated { scene: scene.clone(), control: id });
                }
            }
            Incoming::ControlsDeleted { scene, controls } => {
                if let Some(entry) = self.scenes.get_mut(&scene) {
                    for id in &controls {
                        entry.controls.shift_remove(id);
                    }
                }
                for control in controls {
                    out.push_back(Event::ControlDeleted { scene: scene.clone(), control });
                }
            }
            Incoming::WorldUpdated(mut w) => {
                // The world update repeats the scenes; the scene events keep those current.
                w.remove("scenes");
                let mut v = Value::Object(std::mem::take(&mut self.world));
                merge_patch(&mut v, &Value::Object(w));
                self.world = match v {
                    Value::Object(o) => o,
                    _ => Map::new(),
                };
                out.push_back(Event::WorldUpdated);
            }
            Incoming::MemoryWarning { used_bytes, total_bytes, raw } => {
                out.push_back(Event::MemoryWarning { used_bytes, total_bytes, raw })
            }
            Incoming::Reply(r) => out.push_back(Event::Reply(r)),
            Incoming::Unhandled { method, params } => out.push_back(Event::UnhandledMethod { method, params }),
            Incoming::Error { kind, code, message } => out.push_back(Event::Error { kind, code, message }),
        }
    }

    /// Replaces the cache with a fresh snapshot and tells the game what changed since the cache
    /// was last current (everything, on the first connection).
    fn apply_snapshot(&mut self, snapshot: Snapshot, out: &mut VecDeque<Event>) {
        // Scenes and controls.
        let mut scenes: IndexMap<String, Scene> = snapshot.scenes.into_iter().filter_map(scene_from).collect();
        for (id, old) in &self.scenes {
            match scenes.get(id) {
                None => out.push_back(Event::SceneDeleted { scene: id.clone(), reassigned_to: String::new() }),
                Some(new) => {
                    if new.props != old.props {
                        out.push_back(Event::SceneUpdated(id.clone()));
                    }
                    for (cid, c) in &old.controls {
                        match new.controls.get(cid) {
                            None => out.push_back(Event::ControlDeleted { scene: id.clone(), control: cid.clone() }),
                            Some(nc) if nc != c => {
                                out.push_back(Event::ControlUpdated { scene: id.clone(), control: cid.clone() })
                            }
                            Some(_) => {}
                        }
                    }
                    for cid in new.controls.keys().filter(|k| !old.controls.contains_key(*k)) {
                        out.push_back(Event::ControlCreated { scene: id.clone(), control: cid.clone() });
                    }
                }
            }
        }
        for (id, scene) in &scenes {
            if !self.scenes.contains_key(id) {
                out.push_back(Event::SceneCreated(id.clone()));
                for cid in scene.controls.keys() {
                    out.push_back(Event::ControlCreated { scene: id.clone(), control: cid.clone() });
                }
            }
        }
        std::mem::swap(&mut self.scenes, &mut scenes);

        // Groups.
        let groups: IndexMap<String, Object> =
            snapshot.groups.into_iter().filter_map(|g| Some((id_of(&g, "groupID")?, g))).collect();
        for (id, old) in &self.groups {
            match groups.get(id) {
                None => out.push_back(Event::GroupDeleted { group: id.clone(), reassigned_to: String::new() }),
                Some(new) if new != old => out.push_back(Event::GroupUpdated(id.clone())),
                Some(_) => {}
            }
        }
        for id in groups.keys().filter(|k| !self.groups.contains_key(*k)) {
            out.push_back(Event::GroupCreated(id.clone()));
        }
        self.groups = groups;

        // Participants: rebuilt from the pages of getAllParticipants.
        let mut fresh = Participants::default();
        for o in &snapshot.participants {
            fresh.upsert(o);
        }
        let old = std::mem::take(&mut self.participants);
        for p in old.iter().filter(|p| !fresh.contains(&p.id)) {
            let last = Value::Object(p.to_json()).to_string();
            out.push_back(Event::ParticipantLeft { participant: p.id, last });
        }
        for p in fresh.iter() {
            match old.get(&p.id) {
                None => out.push_back(Event::ParticipantJoined(p.id)),
                Some(o) if o.to_json() != p.to_json() => out.push_back(Event::ParticipantUpdated(p.id)),
                Some(_) => {}
            }
        }
        self.participants = fresh;
    }

    /// The scene a control is in: the first scene holding that id.
    pub fn scene_of_control(&self, control: &str) -> Option<&str> {
        self.scenes.iter().find(|(_, s)| s.controls.contains_key(control)).map(|(id, _)| id.as_str())
    }

    pub fn control(&self, scene: &str, control: &str) -> Option<&Object> {
        self.scenes.get(scene)?.controls.get(control)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Object {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn participants_join_update_leave() {
        let mut c = StateCache::default();
        let mut out = VecDeque::new();
        let id = "b2f65dea-429f-4105-a280-745fd5d75945";
        c.apply(
            Incoming::ParticipantsJoined(vec![obj(
                json!({"sessionID": id, "userID": 7, "username": "ann", "groupID": "default", "team": "red"}),
            )]),
            &mut out,
        );
        let sid = SessionId::parse(id);
        assert_eq!(out.pop_front(), Some(Event::ParticipantJoined(sid.clone())));
        c.apply(
            Incoming::ParticipantsUpdated(vec![obj(json!({"sessionID": id, "groupID": "blue", "team": null}))]),
            &mut out,
        );
        let p = c.participants.get(&sid).unwrap();
        assert_eq!((p.group, p.username, p.user_id, p.extra.is_none()), ("blue", "ann", 7, true));
        c.apply(Incoming::ParticipantsLeft(vec![obj(json!({"sessionID": id}))]), &mut out);
        assert!(matches!(out.pop_back(), Some(Event::ParticipantLeft { .. })));
        assert!(c.participants.is_empty());
    }

    #[test]
    fn snapshots_report_differences() {
        let mut c = StateCache::default();
        let mut out = VecDeque::new();
        let snap = |text: &str| Snapshot {
            scenes: vec![obj(json!({"sceneID": "default", "controls": [{"controlID": "a", "text": text}]}))],
            groups: vec![obj(json!({"groupID": "default", "sceneID": "default"}))],
            participants: vec![obj(json!({"sessionID": "p1", "connectedAt": 1}))],
        };
        c.apply(Incoming::Snapshot(Box::new(snap("x"))), &mut out);
        assert_eq!(out.len(), 4); // scene, control, group, participant
        out.clear();
        c.apply(Incoming::Snapshot(Box::new(snap("x"))), &mut out);
        assert!(out.is_empty());
        c.apply(Incoming::Snapshot(Box::new(snap("y"))), &mut out);
        assert_eq!(out.pop_front(), Some(Event::ControlUpdated { scene: "default".into(), control: "a".into() }));
    }
}
