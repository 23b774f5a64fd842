//! Interactive projects and their versions: the scenes, controls and groups a game client gets,
//! and who may run them.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::{now, Result, Store};

/// A project ("game" in the original service's API).
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: u32,
    pub owner: u32,
    pub name: String,
    pub description: String,
    /// Anyone presenting this code in `X-Interactive-Sharecode` may run the project's versions.
    pub share_code: Option<String>,
    /// Users the owner shared the project with.
    pub shared_with: Vec<u32>,
}

/// Where a version is on its way to being published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionState {
    Draft,
    Pending,
    Published,
}

impl VersionState {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::Pending => "pending",
            VersionState::Published => "published",
        }
    }

    fn parse(s: &str) -> VersionState {
        match s {
            "pending" => VersionState::Pending,
            "published" => VersionState::Published,
            _ => VersionState::Draft,
        }
    }
}

/// A version of a project: what a game client connecting with its id gets.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub id: u32,
    pub project_id: u32,
    pub number: u32,
    pub state: VersionState,
    /// The Studio's JSON form: scenes with their fully qualified controls.
    pub scenes: Vec<Map<String, Value>>,
    /// Groups with their scene.
    pub groups: Vec<Map<String, Value>>,
}

impl Version {
    /// Whether `user` may run this version of `project`, presenting `share_code` (if any).
    pub fn grants(&self, project: &Project, user: u32, share_code: Option<&str>) -> bool {
        let code_matches = match (&project.share_code, share_code) {
            (Some(a), Some(b)) => bool::from(a.as_bytes().ct_eq(b.as_bytes())),
            _ => false,
        };
        project.owner == user
            || self.state == VersionState::Published
            || project.shared_with.contains(&user)
            || code_matches
    }
}

pub(super) fn project(conn: &Connection, id: u32) -> Result<Option<Project>> {
    let found = conn
        .prepare_cached("SELECT owner_id, name, description, share_code FROM projects WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((owner, name, description, share_code)) = found else { return Ok(None) };
    let mut stmt = conn.prepare_cached("SELECT user_id FROM project_shares WHERE project_id = ?1 ORDER BY user_id")?;
    let shared_with = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(Some(Project { id, owner, name, description, share_code, shared_with }))
}

fn objects(json: &str) -> Result<Vec<Map<String, Value>>> {
    Ok(serde_json::from_str(json)?)
}

pub(super) fn version(conn: &Connection, id: u32) -> Result<Option<Version>> {
    let found = conn
        .prepare_cached("SELECT project_id, number, state, scenes, groups FROM versions WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?))
        })
        .optional()?;
    let Some((project_id, number, state, scenes, groups)) = found else { return Ok(None) };
    Ok(Some(Version {
        id,
        project_id,
        number,
        state: VersionState::parse(&state),
        scenes: objects(&scenes)?,
        groups: objects(&groups)?,
    }))
}

/// Inserts a project (with `id`, or the next free one) and returns its id.
pub(super) fn insert_project(conn: &Connection, id: Option<u32>, p: &Project) -> Result<u32> {
    conn.prepare_cached(
        "INSERT INTO projects (id, owner_id, name, description, share_code, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, p.owner, p.name, p.description, p.share_code, now()])?;
    let id = conn.last_insert_rowid() as u32;
    for user in &p.shared_with {
        conn.prepare_cached("INSERT OR IGNORE INTO project_shares (project_id, user_id) VALUES (?1, ?2)")?
            .execute(params![id, user])?;
    }
    Ok(id)
}

/// Inserts a version (with `id`, or the next free one) and returns its id.
pub(super) fn insert_version(conn: &Connection, id: Option<u32>, v: &Version) -> Result<u32> {
    let at = now();
    conn.prepare_cached(
        "INSERT INTO versions (id, project_id, number, state, scenes, groups, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        id,
        v.project_id,
        v.number,
        v.state.as_str(),
        serde_json::to_string(&v.scenes)?,
        serde_json::to_string(&v.groups)?,
        at
    ])?;
    Ok(conn.last_insert_rowid() as u32)
}

impl Store {
    /// A version and its project, for a game client that asks to run it.
    pub async fn version_to_run(&self, version_id: u32) -> Result<Option<(Version, Project)>> {
        self.read(move |c| {
            let Some(v) = version(c, version_id)? else { return Ok(None) };
            Ok(project(c, v.project_id)?.map(|p| (v, p)))
        })
        .await
    }
}
