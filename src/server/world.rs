//! World files: users, channels and interactive projects as JSON, imported into the store at
//! start (`--world FILE`), and the built-in demo world a new, empty store is seeded with.
//!
//! ```json
//! {
//!   "users": [
//!     { "id": 1, "username": "streamer", "token": "demo-streamer", "sparks": 0, "level": 10 },
//!     { "id": 2, "username": "viewer1", "token": "demo-viewer-1", "sparks": 1000 }
//!   ],
//!   "channels": [ { "id": 1, "owner": 1, "mods": [2], "slowChat": 0 } ],
//!   "projects": [
//!     {
//!       "versionId": 1, "owner": 1,
//!       "shareCode": "abc123", "published": false,
//!       "scenes": [ { "sceneID": "default", "controls": [ { "controlID": "jump", "kind": "button", "text": "Jump" } ] } ],
//!       "groups": [ { "groupID": "default", "sceneID": "default" } ]
//!     }
//!   ]
//! }
//! ```
//! A user may also be `"pro": true` (earns double sparks watching) and `"admin": true` (reviews
//! the versions submitted for publishing, and may make other users Pro). A user's `token` works
//! as an OAuth bearer token (game client, REST, chat) and as a participant access `key`. A
//! channel's `mods` are the users who may moderate its chat besides the owner; `slowChat` is the
//! least time in milliseconds between two chat messages of one viewer (owner and mods are exempt;
//! 0 or absent: off). Every user owns exactly one channel: users the file gives none get one on
//! import. A project's `scenes` and `groups` are the Studio's JSON form of the version's
//! controls, checked as the Studio checks them (`server::controls`); the `default` scene and group
//! are added when missing. A project is shared by `shareCode` or with `sharedWith` users, not both.
//!
//! Importing is idempotent: what the store already holds (by id) is left as it is, so importing
//! the same file again, or at every start, changes nothing.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::config::ControlLimits;
use super::controls;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: u32,
    pub username: String,
    /// Bearer token for the game client and REST, and participant access key.
    #[serde(default)]
    pub token: Option<String>,
    /// Starting spark balance.
    #[serde(default)]
    pub sparks: u64,
    #[serde(default)]
    pub level: u32,
    /// Pro users earn double sparks watching.
    #[serde(default)]
    pub pro: bool,
    /// Admins review the versions submitted for publishing and may make other users Pro
    /// (`PATCH /api/v1/users/{id}`); also given to a user the store already has.
    #[serde(default)]
    pub admin: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: u32,
    /// The user id of the streamer who owns the channel.
    pub owner: u32,
    /// Users who moderate the channel's chat (besides the owner).
    #[serde(default)]
    pub mods: Vec<u32>,
    /// Slow chat: the least milliseconds between two messages of one viewer (0: off).
    #[serde(default)]
    pub slow_chat: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub version_id: u32,
    pub owner: u32,
    /// Anyone presenting this code in `X-Interactive-Sharecode` may run the version.
    #[serde(default)]
    pub share_code: Option<String>,
    /// Users the owner explicitly shared the version with (not together with `shareCode`: the
    /// sharing modes exclude each other).
    #[serde(default)]
    pub shared_with: Vec<u32>,
    /// Published versions may be run by anyone.
    #[serde(default)]
    pub published: bool,
    #[serde(default)]
    pub scenes: Vec<Map<String, Value>>,
    #[serde(default)]
    pub groups: Vec<Map<String, Value>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WorldFile {
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub projects: Vec<Project>,
}

/// Why a world file was refused.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    #[error("cannot read world file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("world file {path} is not valid: {source}")]
    Parse { path: String, source: serde_json::Error },
    #[error("world file is inconsistent: {0}")]
    Invalid(String),
}

/// The loaded world, indexed for the lookups the mediator makes.
#[derive(Debug, Clone)]
pub struct World {
    users: HashMap<u32, User>,
    by_token: HashMap<String, u32>,
    channels: HashMap<u32, Channel>,
    projects: HashMap<u32, Project>,
}

impl World {
    pub fn from_file(path: &Path) -> Result<World, WorldError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| WorldError::Read { path: shown.clone(), source })?;
        let file: WorldFile =
            serde_json::from_str(&text).map_err(|source| WorldError::Parse { path: shown, source })?;
        World::new(file)
    }

    pub fn new(file: WorldFile) -> Result<World, WorldError> {
        let mut world = World {
            users: HashMap::new(),
            by_token: HashMap::new(),
            channels: HashMap::new(),
            projects: HashMap::new(),
        };
        let mut names = std::collections::HashSet::new();
        for user in file.users {
            if !names.insert(user.username.to_lowercase()) {
                return Err(WorldError::Invalid(format!("the username {:?} appears twice", user.username)));
            }
            if let Some(token) = &user.token {
                if world.by_token.insert(token.clone(), user.id).is_some() {
                    return Err(WorldError::Invalid(format!("token of user {} is not unique", user.id)));
                }
            }
            if world.users.insert(user.id, user.clone()).is_some() {
                return Err(WorldError::Invalid(format!("user id {} appears twice", user.id)));
            }
        }
        for channel in file.channels {
            if !world.users.contains_key(&channel.owner) {
                return Err(WorldError::Invalid(format!(
                    "channel {} is owned by unknown user {}",
                    channel.id, channel.owner
                )));
            }
            if let Some(m) = channel.mods.iter().find(|m| !world.users.contains_key(m)) {
                return Err(WorldError::Invalid(format!("channel {} lists unknown user {m} as a mod", channel.id)));
            }
            if let Some(other) = world.channels.values().find(|c| c.owner == channel.owner) {
                return Err(WorldError::Invalid(format!(
                    "user {} owns channels {} and {}; every user owns exactly one channel",
                    channel.owner, other.id, channel.id
                )));
            }
            if world.channels.insert(channel.id, channel.clone()).is_some() {
                return Err(WorldError::Invalid(format!("channel id {} appears twice", channel.id)));
            }
        }
        for project in file.projects {
            if !world.users.contains_key(&project.owner) {
                return Err(WorldError::Invalid(format!(
                    "project version {} is owned by unknown user {}",
                    project.version_id, project.owner
                )));
            }
            let mut project = project;
            if project.share_code.is_some() && !project.shared_with.is_empty() {
                return Err(WorldError::Invalid(format!(
                    "project version {} has both shareCode and sharedWith; a project is shared one way \
                     (by code, or with named users)",
                    project.version_id
                )));
            }
            let controls = json!({ "scenes": project.scenes, "groups": project.groups });
            let valid = controls::validate(&controls, &ControlLimits::default())
                .map_err(|e| WorldError::Invalid(format!("project version {}: {e}", project.version_id)))?;
            (project.scenes, project.groups) = valid.into_parts();
            if world.projects.insert(project.version_id, project.clone()).is_some() {
                return Err(WorldError::Invalid(format!("project version {} appears twice", project.version_id)));
            }
        }
        Ok(world)
    }

    /// The built-in demo world: streamer `1` (token `demo-streamer`) owning channel `1` and
    /// project version `1`, and three viewers with keys `demo-viewer-1..3` and 1000 sparks.
    pub fn demo() -> World {
        let json = serde_json::json!({
            "users": [
                { "id": 1, "username": "streamer", "token": "demo-streamer", "sparks": 0, "level": 50 },
                { "id": 2, "username": "viewer1", "token": "demo-viewer-1", "sparks": 1000, "level": 1 },
                { "id": 3, "username": "viewer2", "token": "demo-viewer-2", "sparks": 1000, "level": 2 },
                { "id": 4, "username": "viewer3", "token": "demo-viewer-3", "sparks": 1000, "level": 3 }
            ],
            "channels": [ { "id": 1, "owner": 1 } ],
            "projects": [ {
                "versionId": 1, "owner": 1,
                "scenes": [ { "sceneID": "default", "controls": [] } ],
                "groups": [ { "groupID": "default", "sceneID": "default" } ]
            } ]
        });
        let file: WorldFile = serde_json::from_value(json).expect("demo world is valid");
        World::new(file).expect("demo world is consistent")
    }

    pub fn user(&self, id: u32) -> Option<&User> {
        self.users.get(&id)
    }

    pub fn user_by_token(&self, token: &str) -> Option<&User> {
        self.by_token.get(token).and_then(|id| self.users.get(id))
    }

    pub fn channel(&self, id: u32) -> Option<&Channel> {
        self.channels.get(&id)
    }

    pub fn project(&self, version_id: u32) -> Option<&Project> {
        self.projects.get(&version_id)
    }

    /// The users, by id.
    pub fn users(&self) -> Vec<&User> {
        let mut all: Vec<&User> = self.users.values().collect();
        all.sort_by_key(|u| u.id);
        all
    }

    /// The channels, by id.
    pub fn channels(&self) -> Vec<&Channel> {
        let mut all: Vec<&Channel> = self.channels.values().collect();
        all.sort_by_key(|c| c.id);
        all
    }

    /// The projects, by version id.
    pub fn projects(&self) -> Vec<&Project> {
        let mut all: Vec<&Project> = self.projects.values().collect();
        all.sort_by_key(|p| p.version_id);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_world() {
        let w = World::demo();
        assert_eq!(w.user_by_token("demo-streamer").map(|u| u.id), Some(1));
        assert_eq!(w.user_by_token("demo-viewer-2").map(|u| u.sparks), Some(1000));
        assert_eq!(w.channel(1).map(|c| c.owner), Some(1));
        assert_eq!(w.project(1).map(|p| p.owner), Some(1));
    }

    #[test]
    fn inconsistent_worlds_are_refused() {
        let file: WorldFile =
            serde_json::from_str(r#"{"users":[{"id":1,"username":"a"}],"channels":[{"id":1,"owner":9}]}"#).unwrap();
        assert!(matches!(World::new(file), Err(WorldError::Invalid(_))));
    }

    #[test]
    fn the_example_world_file_loads() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/world.json");
        let w = World::from_file(&path).unwrap();
        let p = w.project(42).unwrap();
        assert_eq!((p.owner, p.share_code.as_deref()), (10, Some("zombies-beta")));
        assert_eq!(p.scenes.len(), 2, "the example's scenes pass the Studio's checks");
        assert_eq!(w.channel(1).map(|c| c.mods.clone()), Some(vec![4]));
    }

    #[test]
    fn two_channels_for_one_user_or_one_name_twice_are_refused() {
        let file: WorldFile = serde_json::from_str(
            r#"{"users":[{"id":1,"username":"a"}],"channels":[{"id":1,"owner":1},{"id":2,"owner":1}]}"#,
        )
        .unwrap();
        assert!(matches!(World::new(file), Err(WorldError::Invalid(m)) if m.contains("exactly one channel")));
        let file: WorldFile =
            serde_json::from_str(r#"{"users":[{"id":1,"username":"a"},{"id":2,"username":"A"}]}"#).unwrap();
        assert!(matches!(World::new(file), Err(WorldError::Invalid(m)) if m.contains("appears twice")));
    }

    #[test]
    fn bad_controls_and_two_sharing_modes_are_refused() {
        let file: WorldFile = serde_json::from_str(
            r#"{"users":[{"id":1,"username":"a"}],"projects":[{"versionId":5,"owner":1,
                "scenes":[{"sceneID":"default","controls":[{"controlID":"x","kind":"slider"}]}]}]}"#,
        )
        .unwrap();
        let e = World::new(file).unwrap_err().to_string();
        assert!(e.contains("project version 5: scenes[0].controls[0].kind: unknown kind"), "{e}");
        let file: WorldFile = serde_json::from_str(
            r#"{"users":[{"id":1,"username":"a"}],"projects":[{"versionId":5,"owner":1,"shareCode":"c","sharedWith":[1]}]}"#,
        )
        .unwrap();
        assert!(World::new(file).unwrap_err().to_string().contains("shared one way"));
    }

    #[test]
    fn unknown_mods_are_refused() {
        let file: WorldFile =
            serde_json::from_str(r#"{"users":[{"id":1,"username":"a"}],"channels":[{"id":1,"owner":1,"mods":[7]}]}"#)
                .unwrap();
        assert!(matches!(World::new(file), Err(WorldError::Invalid(_))));
    }
}
