//! A version's controls (what a game client connecting with its id gets), submitting it for
//! review and the admins' review. A save affects the next game session, never one already
//! running: a session copies its version's controls when the game connects.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

use super::{
    answer, game_json, invalid_at, json_body, refused, text_field, version_for, version_json, Role, DESCRIPTION_CHARS,
};
use crate::server::accounts::caller::Caller;
use crate::server::controls;
use crate::server::hub::Hub;
use crate::server::reply::{bad_request, forbidden, store_failed};
use crate::server::store::{editable, Version};

/// Versions listed for review at most.
const REVIEWS_LISTED: u32 = 200;

/// `GET /api/v1/interactive/versions/{versionId}`.
pub async fn get(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Response {
    match version_for(&hub, &caller, &id).await {
        Ok((version, _, _)) => Json(version_json(&version)).into_response(),
        Err(r) => r,
    }
}

/// The stored groups, for a save that sends only scenes: a group whose scene is gone shows the
/// `default` scene.
fn kept_groups(stored: &Version, scenes: &Value) -> Value {
    let ids: HashSet<&str> = scenes
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.get("sceneID").and_then(Value::as_str)).collect())
        .unwrap_or_default();
    let groups = stored.groups.iter().map(|g| {
        let mut g = g.clone();
        if !g.get("sceneID").and_then(Value::as_str).is_some_and(|s| ids.contains(s)) {
            g.insert("sceneID".into(), Value::String("default".into()));
        }
        Value::Object(g)
    });
    Value::Array(groups.collect())
}

/// `PUT /api/v1/interactive/versions/{versionId}` `{"controls": {"scenes": [...], "groups"?: [...]}}`
/// (owner and editors; drafts only: 409 while pending or once published).
pub async fn save(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>, body: Bytes) -> Response {
    let (version, project, role) = match version_for(&hub, &caller, &id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(r) = role.must_edit(&project) {
        return r;
    }
    let body = match json_body(&hub, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    // Checked here to answer 409 before validating; the store checks again atomically.
    if let Some(r) = editable(&version) {
        return refused(r);
    }
    let Some(mut controls) = body.get("controls").cloned() else {
        return bad_request("controls is required: {\"controls\": {\"scenes\": [...]}}");
    };
    if let Value::Object(o) = &mut controls {
        if !o.contains_key("groups") {
            let groups = kept_groups(&version, o.get("scenes").unwrap_or(&Value::Null));
            o.insert("groups".into(), groups);
        }
    }
    let valid = match controls::validate(&controls, &hub.config.studio.controls) {
        Ok(v) => v,
        Err(e) if e.path.is_empty() => return invalid_at("controls", &e.message),
        Err(e) => return invalid_at(&format!("controls.{}", e.path), &e.message),
    };
    let (scenes, groups) = valid.into_parts();
    answer(hub.store.save_version(version.id, scenes, groups).await, |v| Json(version_json(&v)).into_response())
}

/// `POST /api/v1/interactive/versions/{versionId}/submit` (owner): draft → pending. The project
/// needs a description and the version a control (400 otherwise).
pub async fn submit(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Response {
    let (version, _, role) = match version_for(&hub, &caller, &id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(r) = role.must_own("submit it for review") {
        return r;
    }
    answer(hub.store.submit_version(version.id).await, |v| Json(version_json(&v)).into_response())
}

fn must_be_admin(caller: &Caller) -> Result<(), Response> {
    if caller.user.admin {
        Ok(())
    } else {
        Err(forbidden("only admins review versions"))
    }
}

/// `POST /api/v1/interactive/versions/{versionId}/review` `{"accept": bool, "feedback"?}`
/// (admins): pending → published, or back to draft with the feedback (required then).
pub async fn review(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>, body: Bytes) -> Response {
    if let Err(r) = must_be_admin(&caller) {
        return r;
    }
    let (version, _, _) = match version_for(&hub, &caller, &id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let body: Map<String, Value> = match json_body(&hub, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(accept) = body.get("accept").and_then(Value::as_bool) else {
        return bad_request("accept must be true (publish) or false (back to draft)");
    };
    let feedback = match text_field(&body, "feedback", DESCRIPTION_CHARS) {
        Ok(f) => f.unwrap_or_default(),
        Err(r) => return r,
    };
    if !accept && feedback.is_empty() {
        return bad_request("feedback is required when a version is sent back: tell the owner what to change");
    }
    answer(hub.store.review_version(version.id, caller.user.id, accept, feedback).await, |v| {
        Json(version_json(&v)).into_response()
    })
}

/// `GET /api/v1/interactive/reviews` (admins): `[{"game", "version"}]`, longest waiting first.
pub async fn pending(State(hub): State<Arc<Hub>>, caller: Caller) -> Response {
    if let Err(r) = must_be_admin(&caller) {
        return r;
    }
    match hub.store.pending_versions(REVIEWS_LISTED).await {
        Ok(list) => {
            let items: Vec<Value> = list
                .iter()
                .map(|(v, p)| {
                    let role = Role::of(p, &caller).unwrap_or(Role::Admin);
                    serde_json::json!({ "game": game_json(p, role), "version": version_json(v) })
                })
                .collect();
            Json(items).into_response()
        }
        Err(e) => store_failed(e),
    }
}
