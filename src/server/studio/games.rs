//! Projects ("games") and their version lists.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Map, Value};

use super::{
    changed, game_json, json_body, project_for, read, text_field, version_json, version_summary, Answer, Refusal, Role,
    DESCRIPTION_CHARS, NAME_CHARS,
};
use crate::server::accounts::caller::Caller;
use crate::server::hub::Hub;
use crate::server::reply::{bad_request, not_found};
use crate::server::store::ProjectSummary;

/// Projects listed at most (owned ones are bounded by the per-user limit; edited ones by this).
const LISTED: u32 = 500;

/// The name of a new or renamed project: not blank, not too long (`None`: not given).
fn name_of(body: &Map<String, Value>) -> Result<Option<String>, Refusal> {
    match text_field(body, "name", NAME_CHARS)? {
        Some(name) if name.is_empty() => Err(bad_request("name must not be empty").into()),
        other => Ok(other),
    }
}

/// `GET /api/v1/interactive/games`: the caller's projects (owned or edited), oldest first.
pub async fn list(State(hub): State<Arc<Hub>>, caller: Caller) -> Answer {
    let summaries = read(hub.store.projects_of(caller.user.id, LISTED).await)?;
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
    Ok(Json(games).into_response())
}

/// `POST /api/v1/interactive/games` `{name, description?}` → 201, with the first version.
pub async fn create(State(hub): State<Arc<Hub>>, caller: Caller, body: Bytes) -> Answer {
    let body = json_body(&hub, &body)?;
    let name = name_of(&body)?.ok_or_else(|| bad_request("name is required: {\"name\": \"My game\"}"))?;
    let description = text_field(&body, "description", DESCRIPTION_CHARS)?.unwrap_or_default();
    let max = hub.config.studio.projects_per_user;
    let (project, version) = changed(hub.store.create_project(caller.user.id, name, description, max).await)?;
    let mut g = game_json(&project, Role::Owner);
    g["versions"] = json!([version_summary(&version)]);
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

/// `GET /api/v1/interactive/games/{gameId}`: the project and its versions.
pub async fn get(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Answer {
    let (project, role) = project_for(&hub, &caller, &id).await?;
    let versions = read(hub.store.versions_of(project.id).await)?;
    let mut g = game_json(&project, role);
    g["versions"] = versions.iter().map(version_summary).collect();
    Ok(Json(g).into_response())
}

/// `PUT /api/v1/interactive/games/{gameId}` `{name?, description?}` (owner and editors).
pub async fn update(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>, body: Bytes) -> Answer {
    let (project, role) = project_for(&hub, &caller, &id).await?;
    role.must_edit(&project)?;
    let body = json_body(&hub, &body)?;
    let name = name_of(&body)?.unwrap_or(project.name);
    let description = text_field(&body, "description", DESCRIPTION_CHARS)?.unwrap_or(project.description);
    match read(hub.store.update_project(project.id, name, description).await)? {
        Some(p) => Ok(Json(game_json(&p, role)).into_response()),
        None => Err(not_found(format!("game {id} not found")).into()),
    }
}

/// `DELETE /api/v1/interactive/games/{gameId}` (owner): the project, its versions, sharing and
/// editors. A game already running keeps its session until it disconnects.
pub async fn delete(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Answer {
    let (project, role) = project_for(&hub, &caller, &id).await?;
    role.must_own("delete it")?;
    read(hub.store.delete_project(project.id).await)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/interactive/games/{gameId}/versions`.
pub async fn versions(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Answer {
    let (project, _) = project_for(&hub, &caller, &id).await?;
    let versions = read(hub.store.versions_of(project.id).await)?;
    Ok(Json(versions.iter().map(version_summary).collect::<Vec<_>>()).into_response())
}

/// `POST /api/v1/interactive/games/{gameId}/versions` (owner and editors): a new draft version
/// with the newest version's controls → 201.
pub async fn new_version(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Answer {
    let (project, role) = project_for(&hub, &caller, &id).await?;
    role.must_edit(&project)?;
    let version = changed(hub.store.new_version(project.id, hub.config.studio.versions_per_project).await)?;
    Ok((StatusCode::CREATED, Json(version_json(&version))).into_response())
}
