//! A version's controls (what a game client connecting with its id gets), submitting it for
//! review and the admins' review. A save affects the next game session, never one already
//! running: a session copies its version's controls when the game connects.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use super::{
    changed, game_json, invalid_at, json_body, read, refused, text_field, version_for, version_json, Answer, Refusal,
    Role, DESCRIPTION_CHARS,
};
use crate::server::accounts::caller::Caller;
use crate::server::controls;
use crate::server::hub::Hub;
use crate::server::reply::{bad_request, forbidden};
use crate::server::store::{editable, Version};

/// Versions listed for review at most.
const REVIEWS_LISTED: u32 = 200;

/// `GET /api/v1/interactive/versions/{versionId}`.
pub async fn get(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Answer {
    let (version, _, _) = version_for(&hub, &caller, &id).await?;
    Ok(Json(version_json(&version)).into_response())
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
pub async fn save(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>, body: Bytes) -> Answer {
    let (version, project, role) = version_for(&hub, &caller, &id).await?;
    role.must_edit(&project)?;
    let body = json_body(&hub, &body)?;
    // Checked here to answer 409 before validating; the store checks again atomically.
    if let Some(r) = editable(&version) {
        return Err(refused(r).into());
    }
    let mut controls = body
        .get("controls")
        .cloned()
        .ok_or_else(|| bad_request("controls is required: {\"controls\": {\"scenes\": [...]}}"))?;
    if let Value::Object(o) = &mut controls {
        if !o.contains_key("groups") {
            let groups = kept_groups(&version, o.get("scenes").unwrap_or(&Value::Null));
            o.insert("groups".into(), groups);
        }
    }
    let valid = controls::validate(&controls, &hub.config.studio.controls).map_err(|e| {
        let path = if e.path.is_empty() { "controls".to_owned() } else { format!("controls.{}", e.path) };
        invalid_at(&path, &e.message)
    })?;
    let (scenes, groups) = valid.into_parts();
    let saved = changed(hub.store.save_version(version.id, scenes, groups).await)?;
    Ok(Json(version_json(&saved)).into_response())
}

/// `POST /api/v1/interactive/versions/{versionId}/submit` (owner): draft → pending. The project
/// needs a description and the version a control (400 otherwise).
pub async fn submit(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Answer {
    let (version, _, role) = version_for(&hub, &caller, &id).await?;
    role.must_own("submit it for review")?;
    let submitted = changed(hub.store.submit_version(version.id).await)?;
    Ok(Json(version_json(&submitted)).into_response())
}

fn must_be_admin(caller: &Caller) -> Result<(), Refusal> {
    if caller.user.admin {
        Ok(())
    } else {
        Err(forbidden("only admins review versions").into())
    }
}

/// `POST /api/v1/interactive/versions/{versionId}/review` `{"accept": bool, "feedback"?}`
/// (admins): pending → published, or back to draft with the feedback (required then).
pub async fn review(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>, body: Bytes) -> Answer {
    must_be_admin(&caller)?;
    let (version, _, _) = version_for(&hub, &caller, &id).await?;
    let body = json_body(&hub, &body)?;
    let accept = body
        .get("accept")
        .and_then(Value::as_bool)
        .ok_or_else(|| bad_request("accept must be true (publish) or false (back to draft)"))?;
    let feedback = text_field(&body, "feedback", DESCRIPTION_CHARS)?.unwrap_or_default();
    if !accept && feedback.is_empty() {
        return Err(
            bad_request("feedback is required when a version is sent back: tell the owner what to change").into()
        );
    }
    let reviewed = changed(hub.store.review_version(version.id, caller.user.id, accept, feedback).await)?;
    Ok(Json(version_json(&reviewed)).into_response())
}

/// `GET /api/v1/interactive/reviews` (admins): `[{"game", "version"}]`, longest waiting first.
pub async fn pending(State(hub): State<Arc<Hub>>, caller: Caller) -> Answer {
    must_be_admin(&caller)?;
    let list = read(hub.store.pending_versions(REVIEWS_LISTED).await)?;
    let items: Vec<Value> = list
        .iter()
        .map(|(v, p)| {
            let role = Role::of(p, &caller).unwrap_or(Role::Admin);
            json!({ "game": game_json(p, role), "version": version_json(v) })
        })
        .collect();
    Ok(Json(items).into_response())
}
