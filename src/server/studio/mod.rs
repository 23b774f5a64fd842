//! The Studio: where a developer creates an interactive project, lays out its scenes and controls
//! on the three grids, hands the version id to the game, shares the project and submits it for
//! publishing. A REST API (bearer token or session cookie, JSON; cookie-signed changes carry
//! `X-CSRF-Token`) and the `/studio` web app that uses it.
//!
//! | path | who | what |
//! |---|---|---|
//! | `GET /api/v1/interactive/games` | signed in | the projects the caller owns or edits |
//! | `POST /api/v1/interactive/games` | signed in | `{name, description?}` → 201, with its first (draft) version |
//! | `GET`, `PUT`, `DELETE /api/v1/interactive/games/{gameId}` | members (`PUT`: owner, editors; `DELETE`: owner) | a project |
//! | `GET`, `POST /api/v1/interactive/games/{gameId}/versions` | members | its versions; a new one (copying the newest) |
//! | `GET`, `PUT /api/v1/interactive/versions/{versionId}` | members | a version with its controls; saving them (drafts only) |
//! | `POST /api/v1/interactive/versions/{versionId}/submit` | owner | draft → pending |
//! | `POST /api/v1/interactive/versions/{versionId}/review` | admins | pending → published, or back to draft with feedback |
//! | `GET /api/v1/interactive/reviews` | admins | the versions waiting for a review |
//! | `PUT`, `DELETE /api/v1/interactive/versions/{versionId}/bundle`, `GET /bundles/…` | owner, editors (drafts); anyone | a version's custom-control bundle (see `bundle.rs`) |
//! | `GET`, `PUT /api/v1/interactive/games/{gameId}/sharing` | owner, editors | the sharing mode (`owner`, `shareCode`, `explicit`) |
//! | `GET /api/v1/interactive/games/{gameId}/editors`, `PUT`, `DELETE …/editors/{username}` | members (changes: owner) | editors |
//! | `GET /studio`, `/studio/preview`, `/studio/assets/…` | signed in | the web app (see `page.rs`) |
//!
//! Members are the owner and the editors; admins may read every project and version. A project
//! someone may not see answers 404, a change they may not make 403.
//!
//! | file | what |
//! |---|---|
//! | `games.rs` | projects and their version lists |
//! | `versions.rs` | a version's controls, submitting and reviewing |
//! | `sharing.rs` | the sharing modes and editors |
//! | `bundle.rs` | custom-control bundles: uploading and serving them |
//! | `page.rs` | the web app's pages and assets |

mod bundle;
mod games;
mod page;
mod sharing;
mod versions;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::accounts::caller::Caller;
use super::hub::Hub;
use super::reply::{api_error, bad_request, forbidden, found, not_found, store_failed};
use super::store::{Change, Project, Refused, StoreError, Version};

/// The longest project name, in characters.
const NAME_CHARS: usize = 80;
/// The longest project description or review feedback, in characters.
const DESCRIPTION_CHARS: usize = 2000;

/// The Studio's routes, merged into the mediator's router; request bodies up to `body_bytes`
/// are read (and answered 413 past it, with a sentence).
pub use bundle::entry_url;

pub fn routes(body_bytes: usize, bundle_bytes: usize) -> Router<Arc<Hub>> {
    const GAME: &str = "/api/v1/interactive/games/{game}";
    const VERSION: &str = "/api/v1/interactive/versions/{version}";
    Router::new()
        .route("/api/v1/interactive/games", get(games::list).post(games::create))
        .route(GAME, get(games::get).put(games::update).delete(games::delete))
        .route(&format!("{GAME}/versions"), get(games::versions).post(games::new_version))
        .route(&format!("{GAME}/sharing"), get(sharing::get).put(sharing::put))
        .route(&format!("{GAME}/editors"), get(sharing::editors))
        .route(&format!("{GAME}/editors/{{username}}"), put(sharing::add_editor).delete(sharing::remove_editor))
        .route(VERSION, get(versions::get).put(versions::save))
        .route(&format!("{VERSION}/submit"), post(versions::submit))
        .route(&format!("{VERSION}/review"), post(versions::review))
        .route("/api/v1/interactive/reviews", get(versions::pending))
        // One byte more than the limit, so that `json_body` sees an oversized body and says so.
        .layer(DefaultBodyLimit::max(body_bytes.saturating_add(1)))
        .merge(page::routes())
        .merge(bundle::routes(bundle_bytes))
}

/// A refusal on its way out of a handler: `?` carries it (boxed, as a response is large).
pub struct Refusal(Box<Response>);

impl From<Response> for Refusal {
    fn from(r: Response) -> Refusal {
        Refusal(Box::new(r))
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// What a handler gives: its answer, or a refusal.
type Answer = Result<Response, Refusal>;

/// What the caller is to a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Owner,
    Editor,
    /// Not a member, but an admin: may read.
    Admin,
}

impl Role {
    fn of(project: &Project, caller: &Caller) -> Option<Role> {
        let user = &caller.user;
        if project.owner == user.id {
            Some(Role::Owner)
        } else if project.editors.contains(&user.id) {
            Some(Role::Editor)
        } else if user.admin {
            Some(Role::Admin)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// 403 unless the caller owns or edits the project.
    fn must_edit(self, project: &Project) -> Result<(), Refusal> {
        match self {
            Role::Owner | Role::Editor => Ok(()),
            Role::Admin => {
                Err(forbidden(format!("only the owner and editors of game {} may change it", project.id)).into())
            }
        }
    }

    /// 403 unless the caller owns the project; `what` says what only the owner may do.
    fn must_own(self, what: &str) -> Result<(), Refusal> {
        match self {
            Role::Owner => Ok(()),
            _ => Err(forbidden(format!("only the game's owner may {what}")).into()),
        }
    }
}

/// The project a path names and the caller's role in it: 404 when there is none or the caller
/// may not see it.
async fn project_for(hub: &Hub, caller: &Caller, id: &str) -> Result<(Project, Role), Refusal> {
    let project = found(id, "game", |n| hub.store.project(n)).await?;
    match Role::of(&project, caller) {
        Some(role) => Ok((project, role)),
        None => Err(not_found(format!("game {id} not found")).into()),
    }
}

/// The version a path names, its project and the caller's role (404 as for projects).
async fn version_for(hub: &Hub, caller: &Caller, id: &str) -> Result<(Version, Project, Role), Refusal> {
    let (version, project) = found(id, "version", |n| hub.store.version_to_run(n)).await?;
    match Role::of(&project, caller) {
        Some(role) => Ok((version, project, role)),
        None => Err(not_found(format!("version {id} not found")).into()),
    }
}

/// A JSON object body of at most the Studio's body limit (413 longer, 400 not an object).
fn json_body(hub: &Hub, body: &Bytes) -> Result<Map<String, Value>, Refusal> {
    let limit = hub.config.studio.body_bytes;
    if body.len() > limit {
        let m = format!("the request body is {} bytes; the Studio accepts at most {limit}", body.len());
        return Err(api_error(StatusCode::PAYLOAD_TOO_LARGE, m).into());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(bad_request("the body must be a JSON object").into()),
        Err(e) => Err(bad_request(format!("the body is not valid JSON: {e}")).into()),
    }
}

/// A text field of `body`: trimmed, at most `max` characters (`None` when absent).
fn text_field(body: &Map<String, Value>, key: &str, max: usize) -> Result<Option<String>, Refusal> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().chars().count() <= max => Ok(Some(s.trim().to_owned())),
        Some(Value::String(_)) => Err(bad_request(format!("{key} is longer than {max} characters")).into()),
        Some(_) => Err(bad_request(format!("{key} must be text")).into()),
    }
}

/// A 400 naming the bad part of a request: `{statusCode, error, message, path}`.
fn invalid_at(path: &str, message: &str) -> Response {
    let body =
        json!({ "statusCode": 400, "error": "Bad Request", "message": format!("{path}: {message}"), "path": path });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// The answer to a refused change: 400, 409 or 404.
fn refused(r: Refused) -> Response {
    match r {
        Refused::Invalid(m) => bad_request(m),
        Refused::Conflict(m) => api_error(StatusCode::CONFLICT, m),
        Refused::Gone => not_found("it was deleted meanwhile"),
    }
}

/// What a change gave, or the answer saying why not (400, 409, 404, 503).
fn changed<T>(change: Change<T>) -> Result<T, Refusal> {
    match change {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(r)) => Err(refused(r).into()),
        Err(e) => Err(store_failed(e).into()),
    }
}

/// What the store read, or 503.
fn read<T>(result: Result<T, StoreError>) -> Result<T, Refusal> {
    result.map_err(|e| store_failed(e).into())
}

/// A project as the REST API shows it, with the caller's role.
fn game_json(p: &Project, role: Role) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "ownerId": p.owner,
        "owner": p.owner_name,
        "role": role.name(),
        "sharing": p.sharing.mode(),
    })
}

/// A version without its controls (lists).
fn version_summary(v: &Version) -> Value {
    json!({
        "id": v.id,
        "gameId": v.project_id,
        "version": v.number,
        "state": v.state.as_str(),
        "controlVersion": "2.0",
        "feedback": v.feedback,
        "updatedAt": v.updated_at,
    })
}

/// A version with its controls: `scenes` exactly as a game client connecting with it gets them.
fn version_json(v: &Version) -> Value {
    let mut out = version_summary(v);
    out["controls"] = json!({ "scenes": v.scenes, "groups": v.groups });
    out
}
