//! Channels: one per user, with what it shows viewers (title, stream source, the live switch) and
//! its chat settings, mods and bans.

use rusqlite::{params, Connection, OptionalExtension};

use super::{now, Result, Store, StoreError};

/// How a stream source is played.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// An HLS playlist (`.m3u8`), played by the page itself.
    Hls,
    /// A player page hosted elsewhere, shown in a sandboxed frame.
    Embed,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Hls => "hls",
            SourceKind::Embed => "embed",
        }
    }

    pub fn parse(text: &str) -> Option<SourceKind> {
        match text {
            "hls" => Some(SourceKind::Hls),
            "embed" => Some(SourceKind::Embed),
            _ => None,
        }
    }
}

/// Where a channel's video comes from (checked before it is stored: `channel::source`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSource {
    pub kind: SourceKind,
    pub url: String,
}

/// A channel, what it shows and its chat settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: u32,
    /// The user who owns it.
    pub owner: u32,
    /// The owner's username.
    pub owner_name: String,
    /// The title the owner gave it ("" until they give one).
    pub title: String,
    pub stream: Option<StreamSource>,
    /// The owner's "go live" switch (the channel is also live while its game client is ready).
    pub live: bool,
    /// Slow chat: the least milliseconds between two messages of one viewer (0: off).
    pub slow_chat_ms: u64,
    pub mods: Vec<u32>,
    pub banned: Vec<u32>,
}

/// What the owner changes at once; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelUpdate {
    pub title: Option<String>,
    /// `Some(None)` removes the stream source.
    pub stream: Option<Option<StreamSource>>,
    pub live: Option<bool>,
    pub slow_chat_ms: Option<u64>,
}

/// A channel as the channel list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSummary {
    pub id: u32,
    pub owner_name: String,
    pub title: String,
    /// The owner's "go live" switch.
    pub live: bool,
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

/// The users holding `role` in a channel, as `(id, username)`, by name.
fn named_roles(conn: &Connection, channel: u32, role: ChannelRole) -> Result<Vec<(u32, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.user_id, u.username FROM channel_roles r JOIN users u ON u.id = r.user_id
         WHERE r.channel_id = ?1 AND r.role = ?2 ORDER BY u.username_key",
    )?;
    let named = stmt
        .query_map(params![channel, role.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(named)
}

fn stream_source(kind: Option<String>, url: Option<String>) -> Option<StreamSource> {
    Some(StreamSource { kind: SourceKind::parse(&kind?)?, url: url? })
}

fn find(conn: &Connection, filter: &str, key: u32) -> Result<Option<Channel>> {
    let sql = format!(
        "SELECT c.id, c.owner_id, u.username, c.slow_chat_ms, c.title, c.stream_kind, c.stream_url, c.live
         FROM channels c JOIN users u ON u.id = c.owner_id WHERE {filter} = ?1"
    );
    let found = conn
        .prepare_cached(&sql)?
        .query_row([key], |r| {
            Ok(Channel {
                id: r.get(0)?,
                owner: r.get(1)?,
                owner_name: r.get(2)?,
                slow_chat_ms: r.get(3)?,
                title: r.get(4)?,
                stream: stream_source(r.get(5)?, r.get(6)?),
                live: r.get(7)?,
                mods: Vec::new(),
                banned: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut channel) = found else { return Ok(None) };
    channel.mods = roles(conn, channel.id, ChannelRole::Mod)?;
    channel.banned = roles(conn, channel.id, ChannelRole::Banned)?;
    Ok(Some(channel))
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

fn update(conn: &Connection, channel: u32, change: &ChannelUpdate) -> Result<()> {
    if let Some(title) = &change.title {
        conn.prepare_cached("UPDATE channels SET title = ?2 WHERE id = ?1")?.execute(params![channel, title])?;
    }
    if let Some(stream) = &change.stream {
        let (kind, url) = match stream {
            Some(s) => (Some(s.kind.as_str()), Some(s.url.as_str())),
            None => (None, None),
        };
        conn.prepare_cached("UPDATE channels SET stream_kind = ?2, stream_url = ?3 WHERE id = ?1")?
            .execute(params![channel, kind, url])?;
    }
    if let Some(live) = change.live {
        conn.prepare_cached("UPDATE channels SET live = ?2 WHERE id = ?1")?.execute(params![channel, live])?;
    }
    if let Some(ms) = change.slow_chat_ms {
        set_slow_chat(conn, channel, ms)?;
    }
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

    /// The first `limit` channels, by id.
    pub async fn channel_list(&self, limit: u32) -> Result<Vec<ChannelSummary>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT c.id, u.username, c.title, c.live FROM channels c JOIN users u ON u.id = c.owner_id
                 ORDER BY c.id LIMIT ?1",
            )?;
            let list = stmt
                .query_map([limit], |r| {
                    Ok(ChannelSummary { id: r.get(0)?, owner_name: r.get(1)?, title: r.get(2)?, live: r.get(3)? })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(list)
        })
        .await
    }

    /// The users holding `role` in a channel, as `(id, username)`, by name.
    pub async fn channel_role_holders(&self, channel: u32, role: ChannelRole) -> Result<Vec<(u32, String)>> {
        self.read(move |c| named_roles(c, channel, role)).await
    }

    /// Applies the owner's changes at once (all or none); the channel as it is afterwards
    /// (`None`: no such channel).
    pub async fn update_channel(&self, channel: u32, change: ChannelUpdate) -> Result<Option<Channel>> {
        self.write(move |tx| {
            update(tx, channel, &change)?;
            by_id(tx, channel)
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
