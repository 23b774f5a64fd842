//! Interactive projects and their versions: the scenes, controls and groups a game client gets,
//! and who may run them. The Studio's changes to them are in `studio.rs`.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::{now, Result, Store};

/// Who may run a project's unpublished versions besides its owner and editors: the three
/// exclusive modes of the original service's share dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sharing {
    /// Nobody else until a version is published.
    Owner,
    /// Anyone presenting this code in `X-Interactive-Sharecode`.
    ShareCode(String),
    /// These users.
    Explicit(Vec<u32>),
}

impl Sharing {
    /// The mode's name in the REST API.
    pub fn mode(&self) -> &'static str {
        match self {
            Sharing::Owner => "owner",
            Sharing::ShareCode(_) => "shareCode",
            Sharing::Explicit(_) => "explicit",
        }
    }
}

/// A project ("game" in the original service's API).
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: u32,
    pub owner: u32,
    pub owner_name: String,
    pub name: String,
    pub description: String,
    pub sharing: Sharing,
    /// Users who see and edit the project (and run it) as if they owned it.
    pub editors: Vec<u32>,
}

impl Project {
    /// Whether `user` owns or edits the project.
    pub fn is_member(&self, user: u32) -> bool {
        self.owner == user || self.editors.contains(&user)
    }
}

/// A project to insert (see [`insert_project`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewProject {
    pub owner: u32,
    pub name: String,
    pub description: String,
    pub sharing: Sharing,
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

    pub(super) fn parse(s: &str) -> VersionState {
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
    /// What the last reviewer told the owner (empty: nothing).
    pub feedback: String,
    /// When the version last changed (unix ms).
    pub updated_at: i64,
}

impl Version {
    /// Whether `user` may run this version of `project`, presenting `share_code` (if any).
    pub fn grants(&self, project: &Project, user: u32, share_code: Option<&str>) -> bool {
        let shared = match (&project.sharing, share_code) {
            (Sharing::ShareCode(code), Some(presented)) => bool::from(code.as_bytes().ct_eq(presented.as_bytes())),
            (Sharing::Explicit(users), _) => users.contains(&user),
            _ => false,
        };
        project.is_member(user) || self.state == VersionState::Published || shared
    }
}

fn user_ids(conn: &Connection, sql: &str, project: u32) -> Result<Vec<u32>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let ids = stmt.query_map([project], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

pub(super) fn project(conn: &Connection, id: u32) -> Result<Option<Project>> {
    let found = conn
        .prepare_cached(
            "SELECT p.owner_id, u.username, p.name, p.description, p.sharing, p.share_code
             FROM projects p JOIN users u ON u.id = p.owner_id WHERE p.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?, r.get::<_, Option<String>>(5)?))
        })
        .optional()?;
    let Some((owner, owner_name, name, description, mode, share_code)) = found else { return Ok(None) };
    let sharing = match (mode.as_str(), share_code) {
        ("shareCode", Some(code)) => Sharing::ShareCode(code),
        ("explicit", _) => Sharing::Explicit(user_ids(
            conn,
            "SELECT user_id FROM project_shares WHERE project_id = ?1 ORDER BY user_id",
            id,
        )?),
        _ => Sharing::Owner,
    };
    let editors = user_ids(conn, "SELECT user_id FROM project_editors WHERE project_id = ?1 ORDER BY user_id", id)?;
    Ok(Some(Project { id, owner, owner_name, name, description, sharing, editors }))
}

fn objects(json: &str) -> Result<Vec<Map<String, Value>>> {
    Ok(serde_json::from_str(json)?)
}

const VERSION_COLUMNS: &str = "id, project_id, number, state, scenes, groups, feedback, updated_at";

fn version_of(r: &Row) -> rusqlite::Result<(Version, String, String)> {
    let v = Version {
        id: r.get(0)?,
        project_id: r.get(1)?,
        number: r.get(2)?,
        state: VersionState::parse(&r.get::<_, String>(3)?),
        scenes: Vec::new(),
        groups: Vec::new(),
        feedback: r.get(6)?,
        updated_at: r.get(7)?,
    };
    Ok((v, r.get(4)?, r.get(5)?))
}

/// The versions `sql` selects (its columns are [`VERSION_COLUMNS`]), with their scenes and groups.
pub(super) fn versions_where(conn: &Connection, sql: &str, key: u32) -> Result<Vec<Version>> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM versions WHERE {sql}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([key], version_of)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(mut v, scenes, groups)| {
            v.scenes = objects(&scenes)?;
            v.groups = objects(&groups)?;
            Ok(v)
        })
        .collect()
}

pub(super) fn version(conn: &Connection, id: u32) -> Result<Option<Version>> {
    Ok(versions_where(conn, "id = ?1", id)?.pop())
}

/// Inserts a project (with `id`, or the next free one) and returns its id.
pub(super) fn insert_project(conn: &Connection, id: Option<u32>, p: &NewProject) -> Result<u32> {
    conn.prepare_cached(
        "INSERT INTO projects (id, owner_id, name, description, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, p.owner, p.name, p.description, now()])?;
    let id = conn.last_insert_rowid() as u32;
    set_sharing(conn, id, &p.sharing)?;
    Ok(id)
}

/// Puts a project in `sharing`'s mode, deleting the previous mode's settings.
pub(super) fn set_sharing(conn: &Connection, project: u32, sharing: &Sharing) -> Result<()> {
    let code = match sharing {
        Sharing::ShareCode(code) => Some(code.as_str()),
        _ => None,
    };
    conn.prepare_cached("UPDATE projects SET sharing = ?2, share_code = ?3 WHERE id = ?1")?.execute(params![
        project,
        sharing.mode(),
        code
    ])?;
    conn.prepare_cached("DELETE FROM project_shares WHERE project_id = ?1")?.execute([project])?;
    if let Sharing::Explicit(users) = sharing {
        for user in users {
            conn.prepare_cached("INSERT OR IGNORE INTO project_shares (project_id, user_id) VALUES (?1, ?2)")?
                .execute(params![project, user])?;
        }
    }
    Ok(())
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
    /// A version and its project, for a game client that asks to run it (and the Studio).
    pub async fn version_to_run(&self, version_id: u32) -> Result<Option<(Version, Project)>> {
        self.read(move |c| {
            let Some(v) = version(c, version_id)? else { return Ok(None) };
            Ok(project(c, v.project_id)?.map(|p| (v, p)))
        })
        .await
    }

    pub async fn project(&self, id: u32) -> Result<Option<Project>> {
        self.read(move |c| project(c, id)).await
    }
}
