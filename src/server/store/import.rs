//! Importing a world file, in one transaction and idempotently: whatever the store already holds
//! (by id) is left as it is, so the same file imported twice (or at every start) changes nothing.
//! A file that contradicts the store (an id with another name or owner) is refused whole.

use rusqlite::Connection;

use super::channels::{self, ChannelRole};
use super::projects::{self, NewProject, Sharing, Version, VersionState};
use super::users::{self, NewUser, TokenHash, TokenKind};
use super::{Result, Store, StoreError};
use crate::server::world::World;

/// What an import added and what it found already there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub users_added: usize,
    pub channels_added: usize,
    pub projects_added: usize,
    /// Users, channels and projects the store already had (left unchanged).
    pub already_there: usize,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} users, {} channels and {} projects added; {} already in the store (left unchanged)",
            self.users_added, self.channels_added, self.projects_added, self.already_there
        )
    }
}

fn conflict(message: String) -> StoreError {
    StoreError::Conflict(format!("the world file contradicts the store: {message}"))
}

fn import(tx: &Connection, world: &World) -> Result<ImportSummary> {
    let mut summary = ImportSummary::default();
    let mut new_users = Vec::new();
    for u in world.users() {
        match users::by_id(tx, u.id)? {
            Some(existing) if existing.username.eq_ignore_ascii_case(&u.username) => summary.already_there += 1,
            Some(existing) => {
                return Err(conflict(format!(
                    "user {} is {:?} here and {:?} in the store",
                    u.id, u.username, existing.username
                )))
            }
            None => {
                let new = NewUser {
                    username: u.username.clone(),
                    password_hash: None,
                    level: u.level,
                    sparks: u.sparks,
                    sparks_reason: "world file".into(),
                };
                if users::insert(tx, Some(u.id), &new)?.is_none() {
                    return Err(conflict(format!("the name {:?} belongs to another user in the store", u.username)));
                }
                if u.pro {
                    tx.prepare_cached("UPDATE users SET pro = 1 WHERE id = ?1")?.execute([u.id])?;
                }
                summary.users_added += 1;
                new_users.push(u.id);
            }
        }
        if u.admin {
            tx.prepare_cached("UPDATE users SET admin = 1 WHERE id = ?1")?.execute([u.id])?;
        }
        if let Some(token) = &u.token {
            let hash = TokenHash::of(token);
            let owner: Option<u32> = rusqlite::OptionalExtension::optional(
                tx.prepare_cached("SELECT user_id FROM tokens WHERE hash = ?1")?.query_row([&hash.0[..]], |r| r.get(0)),
            )?;
            match owner {
                Some(owner) if owner == u.id => {}
                Some(_) => return Err(conflict(format!("the token of user {} belongs to another user", u.id))),
                None => users::insert_token(tx, &hash, u.id, TokenKind::Key, None, None)?,
            }
        }
    }
    for c in world.channels() {
        match channels::by_id(tx, c.id)? {
            Some(existing) if existing.owner == c.owner => summary.already_there += 1,
            Some(existing) => {
                return Err(conflict(format!(
                    "channel {} is owned by user {} here and {} in the store",
                    c.id, c.owner, existing.owner
                )))
            }
            None => {
                if let Some(other) = channels::of_owner(tx, c.owner)? {
                    return Err(conflict(format!("user {} already owns channel {} in the store", c.owner, other.id)));
                }
                channels::insert(tx, Some(c.id), c.owner)?;
                channels::set_slow_chat(tx, c.id, c.slow_chat)?;
                for m in &c.mods {
                    channels::set_role(tx, c.id, *m, ChannelRole::Mod, true)?;
                }
                summary.channels_added += 1;
            }
        }
    }
    // Every user owns a channel: new users the file gave none get the next free one.
    for id in new_users {
        if channels::of_owner(tx, id)?.is_none() {
            channels::insert(tx, None, id)?;
            summary.channels_added += 1;
        }
    }
    for p in world.projects() {
        if projects::version(tx, p.version_id)?.is_some() {
            summary.already_there += 1;
            continue;
        }
        // The project takes the version's id when it is free (world files name versions only).
        let project_id = if projects::project(tx, p.version_id)?.is_none() { Some(p.version_id) } else { None };
        let sharing = match (&p.share_code, p.shared_with.is_empty()) {
            (Some(code), _) => Sharing::ShareCode(code.clone()),
            (None, false) => Sharing::Explicit(p.shared_with.clone()),
            (None, true) => Sharing::Owner,
        };
        let project = NewProject {
            owner: p.owner,
            name: format!("Project {}", p.version_id),
            description: String::new(),
            sharing,
        };
        let project_id = projects::insert_project(tx, project_id, &project)?;
        let version = Version {
            id: p.version_id,
            project_id,
            number: 1,
            state: if p.published { VersionState::Published } else { VersionState::Draft },
            // World files are checked (and given their defaults) when loaded.
            scenes: p.scenes.clone(),
            groups: p.groups.clone(),
            feedback: String::new(),
            updated_at: 0,
        };
        projects::insert_version(tx, Some(p.version_id), &version)?;
        summary.projects_added += 1;
    }
    Ok(summary)
}

impl Store {
    /// Imports a world file (idempotent; see the module's notes).
    pub async fn import_world(&self, world: World) -> Result<ImportSummary> {
        self.write(move |tx| import(tx, &world)).await
    }
}

#[cfg(test)]
mod tests {
    use super::super::Location;
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn importing_twice_changes_nothing_and_contradictions_are_refused() {
        let store = Store::open(Location::Memory).await.unwrap();
        let first = store.import_world(World::demo()).await.unwrap();
        assert_eq!((first.users_added, first.channels_added, first.projects_added), (4, 4, 1));
        let second = store.import_world(World::demo()).await.unwrap();
        assert_eq!(second, ImportSummary { already_there: 6, ..Default::default() });
        // Users the file gave no channel got one; the balances are their ledgers.
        assert_eq!(store.channel_of(2).await.unwrap().map(|c| c.owner), Some(2));
        assert!(store.ledger_mismatches().await.unwrap().is_empty());
        assert_eq!(store.balances().await.unwrap().iter().find(|b| b.0 == 2), Some(&(2, 1000)));

        let renamed: crate::server::world::WorldFile =
            serde_json::from_value(json!({ "users": [ { "id": 1, "username": "someone-else" } ] })).unwrap();
        let err = store.import_world(World::new(renamed).unwrap()).await.unwrap_err();
        assert!(err.to_string().contains("contradicts"), "{err}");
    }
}
