//! Projects ("games") and their version lists.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{
    answer, game_json, json_body, project_for, text_field, version_json, version_summary, Role, DESCRIPTION_CHARS,
    NAME_CHARS,
};
use crate::server::accounts::caller::Caller;
use crate::server::hub::Hub;
use crate::server::reply::{bad_request, store_failed};
use crate::server::store::ProjectSummary;

/// Projects listed at most (owned ones are bounded by the per-user limit; edited ones by this).
const LISTED: u32 = 500;

/// The name of a new or renamed project: present, not blank, not too long.
fn name_of(body: &serde_json::Map<String, Value>) -> Result<Option<String>, Response> {
    match text_field(body, "name", NAME_CHARS)? {
        Some(name) if name.is_empty() => Err(bad_request("name must not be empty")),
        other => Ok(other),
    }
}

/// `GET /api/v1/interactive/games`: the caller's projects (owned or edited), oldest first.
pub async fn list(State(hub): State<Arc<Hub>>, caller: Caller) -> Response {
    let summaries = match hub.store.projects_of(caller.user.id, LISTED).await {
        Ok(s) => s,
        Err(e) => return store_failed(e),
    };
    let games: Vec<Value> = summaries
        .iter()
        .filter_map(|ProjectSummary { project, latest }| {
            let mut g = game_json(project, Role::of(project, &caller)?);
            g["latestVersion"] = match latest {
                Some((id, number, state)) => json!({ "id": id, "version": number, "state": state.as_str() }),
                None => Value::Null,
            };
            Some(g)
        })
        .collect();
    Json(games).into_response()
}

/// `POST /api/v1/interactive/games` `{name, description?}` → 201, with the first version.
pub async fn create(State(hub): State<Arc<Hub>>, caller: Caller, body: Bytes) -> Response {
    let body = match json_body(&hub, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (name, description) = match (name_of(&body), text_field(&body, "description", DESCRIPTION_CHARS)) {
        (Ok(Some(n)), Ok(d)) => (n, d.unwrap_or_default()),
        (Ok(None), _) => return bad_request("name is required: {\"name\": \"My game\"}"),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let max = hub.config.studio.projects_per_user;
    answer(hub.store.create_project(caller.user.id, name, description, max).await, |(project, version)| {
        let mut g = game_json(&project, Role::Owner);
        g["versions"] = json!([version_summary(&version)]);
        (StatusCode::CREATED, Json(g)).into_response()
    })
}

/// `GET /api/v1/interactive/games/{gameId}`: the project and its versions.
pub async fn get(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Response {
    let (project, role) = match project_for(&hub, &caller, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let versions = match hub.store.versions_of(project.id).await {
        Ok(v) => v,
        Err(e) => return store_failed(e),
    };
    let mut g = game_json(&project, role);
    g["versions"] = versions.iter().map(version_summary).collect();
    Json(g).into_response()
}

/// `PUT /api/v1/interactive/games/{gameId}` `{name?, description?}` (owner and editors).
pub async fn update(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>, body: Bytes) -> Response {
    let (project, role) = match project_for(&hub, &caller, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(r) = role.must_edit(&project) {
        return r;
    }
    let body = match json_body(&hub, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (name, description) = match (name_of(&body), text_field(&body, "description", DESCRIPTION_CHARS)) {
        (Ok(n), Ok(d)) => (n.unwrap_or(project.name), d.unwrap_or(project.description)),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    match hub.store.update_project(project.id, name, description).await {
        Ok(Some(p)) => Json(game_json(&p, role)).into_response(),
        Ok(None) => super::not_found(format!("game {id} not found")),
        Err(e) => store_failed(e),
    }
}

/// `DELETE /api/v1/interactive/games/{gameId}` (owner): the project, its versions, sharing and
/// editors. A game already running keeps its session until it disconnects.
pub async fn delete(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Response {
    let (project, role) = match project_for(&hub, &caller, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(r) = role.must_own("delete it") {
        return r;
    }
    match hub.store.delete_project(project.id).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => store_failed(e),
    }
}

/// `GET /api/v1/interactive/games/{gameId}/versions`.
pub async fn versions(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Response {
    let (project, _) = match project_for(&hub, &caller, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match hub.store.versions_of(project.id).await {
        Ok(versions) => Json(versions.iter().map(version_summary).collect::<Vec<_>>()).into_response(),
        Err(e) => store_failed(e),
    }
}

/// `POST /api/v1/interactive/games/{gameId}/versions` (owner and editors): a new draft version
/// with the newest version's controls → 201.
pub async fn new_version(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Response {
    let (project, role) = match project_for(&hub, &caller, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(r) = role.must_edit(&project) {
        return r;
    }
    let max = hub.config.studio.versions_per_project;
    answer(hub.store.new_version(project.id, max).await, |v| (StatusCode::CREATED, Json(version_json(&v))).into_response())
}
