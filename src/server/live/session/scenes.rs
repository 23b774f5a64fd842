//! Groups, scenes and controls: the game client creates, updates and deletes them, and each
//! participant is sent the scene of their group.

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

use super::{
    check_cost, check_new_control, event_json, invalid, priority_of, req_array, req_object, req_str, settable, Effects,
    MethodResult, SceneState, SessionState, DEFAULT_ID,
};
use crate::protocol::{ErrorBody, ErrorCode, Tag, TaggedObject};

impl SessionState {
    pub(super) fn groups_json(&self) -> Value {
        let groups: Vec<Value> = self.groups.values().map(|g| Value::Object(g.value().clone())).collect();
        json!({ "groups": groups })
    }

    pub(super) fn create_groups(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
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

    pub(super) fn update_groups(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
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

    pub(super) fn delete_group(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
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

    pub(super) fn scenes_json(&self) -> Value {
        let scenes: Vec<Value> = self.scenes.keys().filter_map(|id| self.scene_json(id, true)).collect();
        json!({ "scenes": scenes })
    }

    pub(super) fn create_scenes(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
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

    pub(super) fn delete_scene(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
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
            participant.known_scenes.retain(|s| *s != id);
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

    pub(super) fn update_scenes(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
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

    pub(super) fn create_controls(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
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

    pub(super) fn delete_controls(&mut self, p: &Map<String, Value>, fx: &mut Effects) -> MethodResult {
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

    pub(super) fn update_controls(&mut self, p: &Map<String, Value>, seq: i64, fx: &mut Effects) -> MethodResult {
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
            check_cost(obj, &path)?;
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
}
