//! Who may run a project besides its owner (the three exclusive sharing modes) and who edits it.
//!
//! - `{"mode": "owner"}`: nobody else may run it until a version is published.
//! - `{"mode": "shareCode"}`: a new random code; anyone presenting the version id and the code
//!   (`X-Interactive-Sharecode`) may run it. Asking again makes a new code (the old one stops
//!   working).
//! - `{"mode": "explicit", "users": ["name", ...]}`: only those users.
//!
//! Switching mode deletes the previous mode's settings (the code, or the list of users). Editors
//! see, edit and run the project as if they owned it; only the owner adds or removes them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Map, Value};

use super::{changed, json_body, project_for, read, Answer, Refusal};
use crate::protocol::echo::clipped;
use crate::server::accounts::caller::Caller;
use crate::server::accounts::secret::random_bytes;
use crate::server::hub::Hub;
use crate::server::reply::{bad_request, not_found};
use crate::server::store::{Project, Sharing};

/// Share codes: 12 characters from an alphabet without look-alikes (about 59 bits).
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const CODE_LENGTH: usize = 12;

/// A new random share code.
fn new_share_code() -> String {
    // Bytes past the largest multiple of the alphabet's size are skipped, so every character is
    // equally likely.
    let fair = 256 - 256 % CODE_ALPHABET.len();
    let mut code = String::with_capacity(CODE_LENGTH);
    while code.len() < CODE_LENGTH {
        for b in random_bytes::<32>() {
            if (b as usize) < fair && code.len() < CODE_LENGTH {
                code.push(CODE_ALPHABET[b as usize % CODE_ALPHABET.len()] as char);
            }
        }
    }
    code
}

/// The sharing settings as the REST API shows them.
async fn sharing_json(hub: &Hub, p: &Project) -> Result<Value, Refusal> {
    Ok(match &p.sharing {
        Sharing::Owner => json!({ "mode": "owner" }),
        Sharing::ShareCode(code) => json!({ "mode": "shareCode", "shareCode": code }),
        Sharing::Explicit(ids) => json!({ "mode": "explicit", "users": read(hub.store.usernames(ids.clone()).await)? }),
    })
}

/// The project for a sharing request by one of its members (owner or editor).
async fn member_project(hub: &Hub, caller: &Caller, id: &str) -> Result<Project, Refusal> {
    let (project, role) = project_for(hub, caller, id).await?;
    role.must_edit(&project)?;
    Ok(project)
}

/// `GET /api/v1/interactive/games/{gameId}/sharing` (owner and editors).
pub async fn get(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Answer {
    let project = member_project(&hub, &caller, &id).await?;
    Ok(Json(sharing_json(&hub, &project).await?).into_response())
}

/// What `body` asks the sharing to become.
async fn requested(hub: &Hub, body: &Map<String, Value>) -> Result<Sharing, Refusal> {
    match body.get("mode").and_then(Value::as_str) {
        Some("owner") => Ok(Sharing::Owner),
        Some("shareCode") => Ok(Sharing::ShareCode(new_share_code())),
        Some("explicit") => {
            let names = body
                .get("users")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().map(|n| n.as_str().map(|s| s.trim().to_owned())).collect::<Option<Vec<_>>>())
                .ok_or_else(|| {
                    bad_request("users must be a list of usernames: {\"mode\": \"explicit\", \"users\": [\"name\"]}")
                })?;
            let max = hub.config.studio.members_per_project;
            if names.len() > max {
                let m = format!("a project is shared with at most {max} users; the list has {}", names.len());
                return Err(bad_request(m).into());
            }
            let users = read(hub.store.users_by_name(names.clone()).await)?;
            let unknown: Vec<String> = names
                .iter()
                .filter(|n| !users.iter().any(|u| u.username.eq_ignore_ascii_case(n)))
                .map(|n| clipped(n))
                .collect();
            if !unknown.is_empty() {
                return Err(bad_request(format!("there is no user named {}", unknown.join(", "))).into());
            }
            let mut ids: Vec<u32> = users.iter().map(|u| u.id).collect();
            ids.sort_unstable();
            ids.dedup();
            Ok(Sharing::Explicit(ids))
        }
        _ => Err(bad_request("mode must be owner, shareCode or explicit").into()),
    }
}

/// `PUT /api/v1/interactive/games/{gameId}/sharing` (owner and editors): switches mode, deleting
/// the previous mode's settings.
pub async fn put(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>, body: Bytes) -> Answer {
    let project = member_project(&hub, &caller, &id).await?;
    let body = json_body(&hub, &body)?;
    let sharing = requested(&hub, &body).await?;
    let project = read(hub.store.set_sharing(project.id, sharing).await)?
        .ok_or_else(|| not_found(format!("game {id} not found")))?;
    Ok(Json(sharing_json(&hub, &project).await?).into_response())
}

async fn editors_json(hub: &Hub, p: &Project) -> Answer {
    let names = read(hub.store.usernames(p.editors.clone()).await)?;
    Ok(Json(json!({ "editors": names })).into_response())
}

/// `GET /api/v1/interactive/games/{gameId}/editors` → `{"editors": ["name", ...]}`.
pub async fn editors(State(hub): State<Arc<Hub>>, caller: Caller, Path(id): Path<String>) -> Answer {
    let (project, _) = project_for(&hub, &caller, &id).await?;
    editors_json(&hub, &project).await
}

/// Adds (`on`) or removes the editor `username` (owner only).
async fn change_editor(hub: &Hub, caller: &Caller, id: &str, username: &str, on: bool) -> Answer {
    let (project, role) = project_for(hub, caller, id).await?;
    role.must_own("manage its editors")?;
    let user = read(hub.store.user_by_name(username).await)?
        .ok_or_else(|| not_found(format!("there is no user named {}", clipped(username))))?;
    if on && user.id == project.owner {
        return Err(bad_request(format!("{} owns the game; owners always edit it", user.username)).into());
    }
    let max = hub.config.studio.members_per_project;
    let project = changed(hub.store.set_editor(project.id, user.id, on, max).await)?;
    editors_json(hub, &project).await
}

/// `PUT /api/v1/interactive/games/{gameId}/editors/{username}` (owner).
pub async fn add_editor(
    State(hub): State<Arc<Hub>>,
    caller: Caller,
    Path((id, username)): Path<(String, String)>,
) -> Answer {
    change_editor(&hub, &caller, &id, &username, true).await
}

/// `DELETE /api/v1/interactive/games/{gameId}/editors/{username}` (owner).
pub async fn remove_editor(
    State(hub): State<Arc<Hub>>,
    caller: Caller,
    Path((id, username)): Path<(String, String)>,
) -> Answer {
    change_editor(&hub, &caller, &id, &username, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_codes_are_long_random_and_readable() {
        let (a, b) = (new_share_code(), new_share_code());
        assert_eq!(a.len(), CODE_LENGTH);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| CODE_ALPHABET.contains(&c)), "{a}");
    }
}
