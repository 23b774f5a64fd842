//! Channels: one per user, with its chat settings, mods and bans.

use rusqlite::{params, Connection, OptionalExtension};

use super::{now, Result, Store, StoreError};

/// A channel and its chat settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: u32,
    /// The user who owns it.
    pub owner: u32,
    /// The owner's username.
    pub owner_name: String,
    /// Slow chat: the least milliseconds between two messages of one viewer (0: off).
    pub slow_chat_ms: u64,
    pub mods: Vec<u32>,
    pub banned: Vec<u32>,
}

/// A role the owner gives users in their channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelRole {
    Mod,
    Banned,
}

impl ChannelRole {
    fn as_str(self) -> &'static str {
        match self {
            ChannelRole::Mod => "mod",
            ChannelRole::Banned => "banned",
        }
    }
}

/// Creates `owner`'s channel (with `id`, or the next free id).
pub(super) fn insert(conn: &Connection, id: Option<u32>, owner: u32) -> Result<u32> {
    conn.prepare_cached("INSERT INTO channels (id, owner_id, created_at) VALUES (?1, ?2, ?3)")?.execute(params![
        id,
        owner,
        now()
    ])?;
    u32::try_from(conn.last_insert_rowid()).map_err(|_| StoreError::Conflict("channel ids are exhausted".into()))
}

fn roles(conn: &Connection, channel: u32, role: ChannelRole) -> Result<Vec<u32>> {
    let mut stmt =
        conn.prepare_cached("SELECT user_id FROM channel_roles WHERE channel_id = ?1 AND role = ?2 ORDER BY user_id")?;
    let ids = stmt.query_map(params![channel, role.as_str()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

fn find(conn: &Connection, filter: &str, key: u32) -> Result<Option<Channel>> {
    let sql = format!(
        "SELECT c.id, c.owner_id, u.username, c.slow_chat_ms FROM channels c JOIN users u ON u.id = c.owner_id
         WHERE {filter} = ?1"
    );
    let found = conn
        .prepare_cached(&sql)?
        .query_row([key], |r| Ok((r.get::<_, u32>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((id, owner, owner_name, slow_chat_ms)) = found else { return Ok(None) };
    Ok(Some(Channel {
        id,
        owner,
        owner_name,
        slow_chat_ms,
        mods: roles(conn, id, ChannelRole::Mod)?,
        banned: roles(conn, id, ChannelRole::Banned)?,
    }))
}

pub(super) fn by_id(conn: &Connection, id: u32) -> Result<Option<Channel>> {
    find(conn, "c.id", id)
}

pub(super) fn of_owner(conn: &Connection, owner: u32) -> Result<Option<Channel>> {
    find(conn, "c.owner_id", owner)
}

pub(super) fn set_role(conn: &Connection, channel: u32, user: u32, role: ChannelRole, on: bool) -> Result<()> {
    if on {
        conn.prepare_cached("INSERT OR IGNORE INTO channel_roles (channel_id, user_id, role) VALUES (?1, ?2, ?3)")?
            .execute(params![channel, user, role.as_str()])?;
    } else {
        conn.prepare_cached("DELETE FROM channel_roles WHERE channel_id = ?1 AND user_id = ?2 AND role = ?3")?
            .execute(params![channel, user, role.as_str()])?;
    }
    Ok(())
}

pub(super) fn set_slow_chat(conn: &Connection, channel: u32, ms: u64) -> Result<()> {
    conn.prepare_cached("UPDATE channels SET slow_chat_ms = ?2 WHERE id = ?1")?.execute(params![channel, ms])?;
    Ok(())
}

impl Store {
    pub async fn channel(&self, id: u32) -> Result<Option<Channel>> {
        self.read(move |c| by_id(c, id)).await
    }

    /// The channel `owner` runs games on (every user owns exactly one).
    pub async fn channel_of(&self, owner: u32) -> Result<Option<Channel>> {
        self.read(move |c| of_owner(c, owner)).await
    }

    /// The first `limit` channels as `(id, owner's username)`, by id.
    pub async fn channel_list(&self, limit: u32) -> Result<Vec<(u32, String)>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT c.id, u.username FROM channels c JOIN users u ON u.id = c.owner_id ORDER BY c.id LIMIT ?1",
            )?;
            let list = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            Ok(list)
        })
        .await
    }

    /// Gives (`on`) or takes away a user's role in a channel.
    pub async fn set_channel_role(&self, channel: u32, user: u32, role: ChannelRole, on: bool) -> Result<()> {
        self.write(move |tx| set_role(tx, channel, user, role, on)).await
    }

    /// Sets a channel's slow chat (0: off).
    pub async fn set_slow_chat(&self, channel: u32, ms: u64) -> Result<()> {
        self.write(move |tx| set_slow_chat(tx, channel, ms)).await
    }
}
