//! Chat history: the last messages of each channel, as the `ChatMessage` events' data.
//!
//! The writes return futures that were queued when called, so a room that calls them in order
//! (under its own lock) has them applied in that order without waiting for them.

use std::future::Future;

use rusqlite::params;
use serde_json::Value;

use super::{now, Result, Store};

impl Store {
    /// The newest `limit` messages of a channel, oldest first.
    pub async fn chat_history(&self, channel: u32, limit: u32) -> Result<Vec<Value>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT data FROM (SELECT seq, data FROM chat_messages WHERE channel_id = ?1 ORDER BY seq DESC LIMIT ?2)
                 ORDER BY seq",
            )?;
            let texts: Vec<String> =
                stmt.query_map(params![channel, limit], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            Ok(texts.iter().map(|t| serde_json::from_str(t)).collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Adds a message and forgets the channel's messages beyond the newest `keep`.
    pub fn add_chat_message(
        &self,
        channel: u32,
        id: String,
        user: u32,
        data: &Value,
        keep: u32,
    ) -> impl Future<Output = Result<()>> + Send {
        let data = data.to_string();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO chat_messages (channel_id, id, user_id, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![channel, id, user, data, now()])?;
            tx.prepare_cached(
                "DELETE FROM chat_messages WHERE channel_id = ?1 AND seq <=
                 (SELECT seq FROM chat_messages WHERE channel_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
            )?
            .execute(params![channel, keep])?;
            Ok(())
        })
    }

    /// Deletes one message of a channel.
    pub fn delete_chat_message(&self, channel: u32, id: String) -> impl Future<Output = Result<()>> + Send {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM chat_messages WHERE channel_id = ?1 AND id = ?2")?
                .execute(params![channel, id])?;
            Ok(())
        })
    }

    /// Deletes a user's messages in a channel (a purge, a timeout, a ban).
    pub fn purge_chat_messages(&self, channel: u32, user: u32) -> impl Future<Output = Result<()>> + Send {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM chat_messages WHERE channel_id = ?1 AND user_id = ?2")?
                .execute(params![channel, user])?;
            Ok(())
        })
    }

    /// Deletes every message of a channel.
    pub fn clear_chat_messages(&self, channel: u32) -> impl Future<Output = Result<()>> + Send {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM chat_messages WHERE channel_id = ?1")?.execute([channel])?;
            Ok(())
        })
    }
}
