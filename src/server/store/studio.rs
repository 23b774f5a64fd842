//! The Studio's changes to projects and versions: creating, renaming and deleting projects, new
//! versions, saving controls, sharing, editors, and the review from draft to published. Each
//! change checks its rule (a limit, the version's state) inside its own transaction, so two
//! requests racing cannot both get past it.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value};

use super::projects::{self, NewProject, Project, Sharing, Version, VersionState};
use super::{now, Result, Store};
use crate::server::controls::control_count;

/// Why the Studio refused a change (the store itself worked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The request is wrong as it stands (400), in a sentence.
    Invalid(String),
    /// It conflicts with the project's state or a limit (409), in a sentence.
    Conflict(String),
    /// The project or version is gone (404).
    Gone,
}

/// A change, or why not.
pub type Change<T> = Result<std::result::Result<T, Refused>>;

/// A project in a list, with its newest version.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSummary {
    pub project: Project,
    pub latest: Option<(u32, u32, VersionState)>,
}

fn count(conn: &Connection, sql: &str, key: u32) -> Result<u32> {
    Ok(conn.prepare_cached(sql)?.query_row([key], |r| r.get(0))?)
}

fn latest_version(conn: &Connection, project: u32) -> Result<Option<Version>> {
    Ok(projects::versions_where(conn, "project_id = ?1 ORDER BY number DESC LIMIT 1", project)?.pop())
}

fn first_version(project: u32) -> Version {
    let object = |v: Value| match v {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    Version {
        id: 0,
        project_id: project,
        number: 1,
        state: VersionState::Draft,
        scenes: vec![object(json!({ "sceneID": "default", "controls": [] }))],
        groups: vec![object(json!({ "groupID": "default", "sceneID": "default" }))],
        feedback: String::new(),
        updated_at: 0,
    }
}

/// Loads a version that was just written.
fn reload(conn: &Connection, id: u32) -> Change<Version> {
    Ok(projects::version(conn, id)?.ok_or(Refused::Gone))
}

impl Store {
    /// The projects `user` owns or edits (at most `limit`), oldest first, with their newest version.
    pub async fn projects_of(&self, user: u32, limit: u32) -> Result<Vec<ProjectSummary>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id FROM projects WHERE owner_id = ?1
                 UNION SELECT project_id FROM project_editors WHERE user_id = ?1 ORDER BY 1 LIMIT ?2",
            )?;
            let ids: Vec<u32> = stmt.query_map(params![user, limit], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let Some(project) = projects::project(c, id)? else { continue };
                let latest = c
                    .prepare_cached(
                        "SELECT id, number, state FROM versions WHERE project_id = ?1 ORDER BY number DESC LIMIT 1",
                    )?
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?)))
                    .optional()?
                    .map(|(vid, n, s)| (vid, n, VersionState::parse(&s)));
                out.push(ProjectSummary { project, latest });
            }
            Ok(out)
        })
        .await
    }

    /// Creates a project owned by `owner` with its first version (draft, the `default` scene and
    /// group); refused when `owner` already has `max` projects.
    pub async fn create_project(
        &self,
        owner: u32,
        name: String,
        description: String,
        max: u32,
    ) -> Change<(Project, Version)> {
        self.write(move |tx| {
            let owned = count(tx, "SELECT count(*) FROM projects WHERE owner_id = ?1", owner)?;
            if owned >= max {
                return Ok(Err(Refused::Conflict(format!("you have {owned} projects, the most one user may have"))));
            }
            let new = NewProject { owner, name, description, sharing: Sharing::Owner };
            let id = projects::insert_project(tx, None, &new)?;
            let version_id = projects::insert_version(tx, None, &first_version(id))?;
            let Some(project) = projects::project(tx, id)? else { return Ok(Err(Refused::Gone)) };
            Ok(reload(tx, version_id)?.map(|v| (project, v)))
        })
        .await
    }

    /// Renames a project and changes its description.
    pub async fn update_project(&self, id: u32, name: String, description: String) -> Result<Option<Project>> {
        self.write(move |tx| {
            tx.prepare_cached("UPDATE projects SET name = ?2, description = ?3 WHERE id = ?1")?.execute(params![
                id,
                name,
                description
            ])?;
            projects::project(tx, id)
        })
        .await
    }

    /// Deletes a project with its versions, sharing and editors.
    pub async fn delete_project(&self, id: u32) -> Result<bool> {
        self.write(move |tx| Ok(tx.prepare_cached("DELETE FROM projects WHERE id = ?1")?.execute([id])? > 0)).await
    }

    /// A project's versions, by number.
    pub async fn versions_of(&self, project: u32) -> Result<Vec<Version>> {
        self.read(move |c| projects::versions_where(c, "project_id = ?1 ORDER BY number", project)).await
    }

    /// A new draft version of `project` with the newest version's scenes, groups and custom
    /// bundle; refused when the project has `max` versions.
    pub async fn new_version(&self, project: u32, max: u32) -> Change<Version> {
        self.write(move |tx| {
            let had = count(tx, "SELECT count(*) FROM versions WHERE project_id = ?1", project)?;
            if had >= max {
                return Ok(Err(Refused::Conflict(format!("the project has {had} versions, the most it may have"))));
            }
            let latest = latest_version(tx, project)?;
            let copied_from = latest.as_ref().map(|v| v.id);
            let mut next = latest.unwrap_or_else(|| first_version(project));
            next.number =
                count(tx, "SELECT coalesce(max(number), 0) FROM versions WHERE project_id = ?1", project)? + 1;
            next.state = VersionState::Draft;
            let id = projects::insert_version(tx, None, &next)?;
            if let Some(from) = copied_from {
                super::bundles::copy(tx, from, id)?;
            }
            reload(tx, id)
        })
        .await
    }

    /// Saves a draft version's scenes and groups (already validated); refused unless it is a draft.
    pub async fn save_version(
        &self,
        id: u32,
        scenes: Vec<Map<String, Value>>,
        groups: Vec<Map<String, Value>>,
    ) -> Change<Version> {
        self.write(move |tx| {
            let Some(v) = projects::version(tx, id)? else { return Ok(Err(Refused::Gone)) };
            if let Some(refusal) = editable(&v) {
                return Ok(Err(refusal));
            }
            tx.prepare_cached("UPDATE versions SET scenes = ?2, groups = ?3, updated_at = ?4 WHERE id = ?1")?
                .execute(params![id, serde_json::to_string(&scenes)?, serde_json::to_string(&groups)?, now()])?;
            reload(tx, id)
        })
        .await
    }

    /// Submits a draft version for review: its project needs a description and the version at
    /// least one control.
    pub async fn submit_version(&self, id: u32) -> Change<Version> {
        self.write(move |tx| {
            let Some(v) = projects::version(tx, id)? else { return Ok(Err(Refused::Gone)) };
            let Some(p) = projects::project(tx, v.project_id)? else { return Ok(Err(Refused::Gone)) };
            if let Some(refusal) = editable(&v) {
                return Ok(Err(refusal));
            }
            if let Some(missing) = submission_problems(&p, &v).into_iter().next() {
                return Ok(Err(Refused::Invalid(missing.to_owned())));
            }
            tx.prepare_cached(
                "UPDATE versions SET state = 'pending', feedback = '', submitted_at = ?2, updated_at = ?2 WHERE id = ?1",
            )?
            .execute(params![id, now()])?;
            reload(tx, id)
        })
        .await
    }

    /// An admin's review of a pending version: published, or back to draft with `feedback`.
    pub async fn review_version(&self, id: u32, reviewer: u32, accept: bool, feedback: String) -> Change<Version> {
        self.write(move |tx| {
            let Some(v) = projects::version(tx, id)? else { return Ok(Err(Refused::Gone)) };
            if v.state != VersionState::Pending {
                let m = format!("version {id} is {}, not waiting for a review", v.state.as_str());
                return Ok(Err(Refused::Conflict(m)));
            }
            let state = if accept { VersionState::Published } else { VersionState::Draft };
            tx.prepare_cached(
                "UPDATE versions SET state = ?2, feedback = ?3, reviewer_id = ?4, reviewed_at = ?5, updated_at = ?5
                 WHERE id = ?1",
            )?
            .execute(params![id, state.as_str(), feedback, reviewer, now()])?;
            reload(tx, id)
        })
        .await
    }

    /// Versions waiting for a review (at most `limit`), longest waiting first, with their projects.
    pub async fn pending_versions(&self, limit: u32) -> Result<Vec<(Version, Project)>> {
        self.read(move |c| {
            let versions = projects::versions_where(c, "state = 'pending' ORDER BY submitted_at, id LIMIT ?1", limit)?;
            let mut out = Vec::with_capacity(versions.len());
            for v in versions {
                if let Some(p) = projects::project(c, v.project_id)? {
                    out.push((v, p));
                }
            }
            Ok(out)
        })
        .await
    }

    /// Puts a project in another sharing mode (deleting the previous mode's settings).
    pub async fn set_sharing(&self, project: u32, sharing: Sharing) -> Result<Option<Project>> {
        self.write(move |tx| {
            if projects::project(tx, project)?.is_none() {
                return Ok(None);
            }
            projects::set_sharing(tx, project, &sharing)?;
            projects::project(tx, project)
        })
        .await
    }

    /// Adds (`on`) or removes an editor; adding is refused past `max` editors.
    pub async fn set_editor(&self, project: u32, user: u32, on: bool, max: usize) -> Change<Project> {
        self.write(move |tx| {
            if on {
                let had = count(tx, "SELECT count(*) FROM project_editors WHERE project_id = ?1", project)?;
                if had as usize >= max {
                    return Ok(Err(Refused::Conflict(format!("the project has {had} editors, the most it may have"))));
                }
                tx.prepare_cached("INSERT OR IGNORE INTO project_editors (project_id, user_id) VALUES (?1, ?2)")?
                    .execute(params![project, user])?;
            } else {
                tx.prepare_cached("DELETE FROM project_editors WHERE project_id = ?1 AND user_id = ?2")?
                    .execute(params![project, user])?;
            }
            Ok(projects::project(tx, project)?.ok_or(Refused::Gone))
        })
        .await
    }

    /// The usernames of these users, in the same order (unknown ids are left out).
    pub async fn usernames(&self, ids: Vec<u32>) -> Result<Vec<String>> {
        self.read(move |c| {
            let mut names = Vec::with_capacity(ids.len());
            for id in ids {
                let name = c
                    .prepare_cached("SELECT username FROM users WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))
                    .optional()?;
                names.extend(name);
            }
            Ok(names)
        })
        .await
    }

    /// Gives or takes away the admin role (admins review submitted versions). False when there is
    /// no such user.
    pub async fn set_admin(&self, username: &str, admin: bool) -> Result<bool> {
        let key = username.to_lowercase();
        self.write(move |tx| {
            Ok(tx
                .prepare_cached("UPDATE users SET admin = ?2 WHERE username_key = ?1")?
                .execute(params![key, admin])?
                > 0)
        })
        .await
    }
}

/// Why a version cannot be changed now (`None`: it is a draft).
pub fn editable(v: &Version) -> Option<Refused> {
    match v.state {
        VersionState::Draft => None,
        VersionState::Pending => Some(Refused::Conflict(format!(
            "version {} is waiting for a review; it can change again after the review",
            v.id
        ))),
        VersionState::Published => {
            Some(Refused::Conflict(format!("version {} is published and cannot change; create a new version", v.id)))
        }
    }
}

/// What a version lacks before it can be submitted for review, in sentences (empty: nothing).
pub fn submission_problems(p: &Project, v: &Version) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if p.description.trim().is_empty() {
        missing.push("the project needs a description before it is submitted");
    }
    if control_count(&v.scenes) == 0 {
        missing.push("the version needs at least one control before it is submitted");
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::super::{Location, Store};
    use super::*;

    /// A database written before the Studio (schema 1) keeps how its projects were shared.
    #[tokio::test]
    async fn the_studio_migration_keeps_the_sharing_of_older_projects() {
        let dir = std::env::temp_dir().join(format!("mixplay-studio-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let conn = Connection::open(dir.join(super::super::DATABASE_FILE)).unwrap();
        conn.execute_batch(include_str!("migrations/0001_initial.sql")).unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, username, username_key, created_at) VALUES (1, 'a', 'a', 0), (2, 'b', 'b', 0);
             INSERT INTO projects (id, owner_id, name, share_code, created_at) VALUES (1, 1, 'coded', 'c0de', 0),
                 (2, 1, 'listed', NULL, 0), (3, 1, 'private', NULL, 0);
             INSERT INTO project_shares (project_id, user_id) VALUES (2, 2);
             PRAGMA user_version = 1;",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(Location::Folder(dir.clone())).await.unwrap();
        let sharing = |id| {
            let store = store.clone();
            async move { store.project(id).await.unwrap().unwrap().sharing }
        };
        assert_eq!(sharing(1).await, Sharing::ShareCode("c0de".into()));
        assert_eq!(sharing(2).await, Sharing::Explicit(vec![2]));
        assert_eq!(sharing(3).await, Sharing::Owner);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn two_racing_saves_and_a_submit_leave_a_consistent_version() {
        let store = Store::open(Location::Memory).await.unwrap();
        store.create_user(super::super::NewUser { username: "dev".into(), ..Default::default() }).await.unwrap();
        let (_, v) = store.create_project(1, "p".into(), "d".into(), 10).await.unwrap().unwrap();
        let scenes = |id: &str| {
            vec![serde_json::from_value(
                json!({ "sceneID": "default", "controls": [ { "controlID": id, "kind": "label" } ] }),
            )
            .unwrap()]
        };
        // Queued in this order: the save before the submit goes in, the one after is refused.
        let first = store.save_version(v.id, scenes("a"), Vec::new());
        let submit = store.submit_version(v.id);
        let second = store.save_version(v.id, scenes("b"), Vec::new());
        assert!(first.await.unwrap().is_ok());
        assert_eq!(submit.await.unwrap().unwrap().state, VersionState::Pending);
        assert!(matches!(second.await.unwrap(), Err(Refused::Conflict(_))));
        let (saved, _) = store.version_to_run(v.id).await.unwrap().unwrap();
        assert_eq!(saved.scenes[0]["controls"][0]["controlID"], "a");
    }
}
