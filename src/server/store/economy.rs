//! The watching economy's data: paying viewers and broadcasters for an interval, subscriptions,
//! and Pro.
//!
//! A payment is one ledger row (`earn`, with the interval's end) and the balance moving, in one
//! database transaction. `users.earned_through` holds the end of the last interval a user was
//! paid for, and an interval is paid only when it starts at or after it, so no interval is ever
//! paid twice (the unique index on earn rows says the same once more).

use rusqlite::{params, Connection, OptionalExtension};

use super::sparks::{Balance, LedgerKind};
use super::users::{self, User};
use super::{now, Result, Store};

/// Sparks per interval: `base` for everyone, `boosted` for a subscriber of a watched channel or a
/// Pro user watching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    pub base: u64,
    pub boosted: u64,
}

/// Someone to pay for an interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payee {
    pub user: u32,
    /// The live channels they watched all interval long (empty: they only streamed).
    pub watching: Vec<u32>,
    /// Their own channel, when it was live all interval long.
    pub streaming: Option<u32>,
}

/// A payment made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earned {
    pub balance: Balance,
    pub amount: u64,
    /// The channel it is for: the subscribed one that doubled it, else the first one watched,
    /// else the one streamed.
    pub channel: Option<u32>,
    /// Paid for streaming rather than watching.
    pub streaming: bool,
}

fn subscribed(conn: &Connection, user: u32, channel: u32) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM subscriptions WHERE user_id = ?1 AND channel_id = ?2")?
        .query_row(params![user, channel], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Pays one person for the interval `[start, end)`, unless they were paid for any of it already.
fn pay(conn: &Connection, start: i64, end: i64, rates: Rates, payee: &Payee) -> Result<Option<Earned>> {
    let mut sub_channel = None;
    for &c in &payee.watching {
        if subscribed(conn, payee.user, c)? {
            sub_channel = Some(c);
            break;
        }
    }
    let watching = !payee.watching.is_empty();
    let boosted = i64::try_from(rates.boosted).unwrap_or(i64::MAX);
    let unless_pro = if sub_channel.is_some() { boosted } else { i64::try_from(rates.base).unwrap_or(i64::MAX) };
    // Pro boosts what a viewer earns, not what a broadcaster does.
    let paid = conn
        .prepare_cached(
            "UPDATE users SET sparks = sparks + CASE WHEN pro AND ?4 THEN ?5 ELSE ?6 END, earned_through = ?3
             WHERE id = ?1 AND earned_through <= ?2 RETURNING sparks, pro",
        )?
        .query_row(params![payee.user, start, end, watching, boosted, unless_pro], |r| {
            Ok((r.get::<_, u64>(0)?, r.get::<_, bool>(1)?))
        })
        .optional()?;
    let Some((sparks, pro)) = paid else { return Ok(None) };
    let amount = if sub_channel.is_some() || (pro && watching) { rates.boosted } else { rates.base };
    let channel = sub_channel.or(payee.watching.first().copied()).or(payee.streaming);
    let reason = if watching { "watching" } else { "streaming" };
    conn.prepare_cached(
        "INSERT INTO ledger (user_id, delta, kind, reason, channel_id, interval_end, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![payee.user, amount, LedgerKind::Earn.as_str(), reason, channel, end, now()])?;
    let as_of = conn.last_insert_rowid();
    Ok(Some(Earned { balance: Balance { user: payee.user, sparks, as_of }, amount, channel, streaming: !watching }))
}

impl Store {
    /// Pays everyone in `payees` for the interval `[start, end)` (unix ms) in one database
    /// transaction: a ledger row each, the balance with it. Those already paid for any part of it
    /// (and unknown users) are left out of the answer. Queued when called (so the next batch can
    /// wait in line while the last one's balances go out).
    pub fn pay_for_watching(
        &self,
        start: i64,
        end: i64,
        rates: Rates,
        payees: Vec<Payee>,
    ) -> impl std::future::Future<Output = Result<Vec<Earned>>> + Send {
        self.write(move |tx| {
            let mut paid = Vec::with_capacity(payees.len());
            for p in &payees {
                if let Some(e) = pay(tx, start, end, rates, p)? {
                    paid.push(e);
                }
            }
            Ok(paid)
        })
    }

    /// The owners of these channels, as `(channel, owner)` (unknown channels are left out).
    pub async fn channel_owners(&self, channels: Vec<u32>) -> Result<Vec<(u32, u32)>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached("SELECT owner_id FROM channels WHERE id = ?1")?;
            let mut owners = Vec::with_capacity(channels.len());
            for id in channels {
                if let Some(owner) = stmt.query_row([id], |r| r.get(0)).optional()? {
                    owners.push((id, owner));
                }
            }
            Ok(owners)
        })
        .await
    }

    /// Subscribes `user` to `channel` (`on`) or ends the subscription; false when nothing changed.
    pub async fn set_subscribed(&self, user: u32, channel: u32, on: bool) -> Result<bool> {
        self.write(move |tx| {
            let changed = if on {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO subscriptions (user_id, channel_id, created_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![user, channel, now()])?
            } else {
                tx.prepare_cached("DELETE FROM subscriptions WHERE user_id = ?1 AND channel_id = ?2")?
                    .execute(params![user, channel])?
            };
            Ok(changed > 0)
        })
        .await
    }

    /// Whether `user` subscribes to `channel`.
    pub async fn is_subscribed(&self, user: u32, channel: u32) -> Result<bool> {
        self.read(move |c| subscribed(c, user, channel)).await
    }

    /// How many people subscribe to `channel`.
    pub async fn subscriber_count(&self, channel: u32) -> Result<u64> {
        self.read(move |c| {
            Ok(c.prepare_cached("SELECT count(*) FROM subscriptions WHERE channel_id = ?1")?
                .query_row([channel], |r| r.get(0))?)
        })
        .await
    }

    /// The channels `user` subscribes to, by id.
    pub async fn subscriptions_of(&self, user: u32) -> Result<Vec<u32>> {
        self.read(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT channel_id FROM subscriptions WHERE user_id = ?1 ORDER BY channel_id")?;
            let ids = stmt.query_map([user], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            Ok(ids)
        })
        .await
    }

    /// Makes a user Pro or not; the user afterwards (`None`: no such user).
    pub async fn set_pro(&self, user: u32, pro: bool) -> Result<Option<User>> {
        self.write(move |tx| {
            tx.prepare_cached("UPDATE users SET pro = ?2 WHERE id = ?1")?.execute(params![user, pro])?;
            users::by_id(tx, user)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::Location;
    use super::*;
    use crate::server::world::World;

    const RATES: Rates = Rates { base: 2, boosted: 4 };

    fn viewer(user: u32, watching: &[u32]) -> Payee {
        Payee { user, watching: watching.to_vec(), streaming: None }
    }

    #[tokio::test]
    async fn an_interval_is_paid_once_at_the_right_rate() {
        let store = Store::open(Location::Memory).await.unwrap();
        store.import_world(World::demo()).await.unwrap();
        // Viewer 3 subscribes to channel 1; viewer 4 is Pro; the streamer (1) streams.
        assert!(store.set_subscribed(3, 1, true).await.unwrap());
        assert!(!store.set_subscribed(3, 1, true).await.unwrap(), "subscribing twice changes nothing");
        store.set_pro(4, true).await.unwrap().unwrap();
        let streamer = Payee { user: 1, watching: vec![], streaming: Some(1) };
        let payees = vec![viewer(2, &[1]), viewer(3, &[2, 1]), viewer(4, &[1]), streamer];
        let paid = store.pay_for_watching(0, 1000, RATES, payees.clone()).await.unwrap();
        let got: Vec<(u32, u64, Option<u32>, bool)> =
            paid.iter().map(|e| (e.balance.user, e.amount, e.channel, e.streaming)).collect();
        assert_eq!(
            got,
            [(2, 2, Some(1), false), (3, 4, Some(1), false), (4, 4, Some(1), false), (1, 2, Some(1), true)]
        );
        assert_eq!(paid[0].balance.sparks, 1002);
        // The same interval, or one overlapping it, pays nothing again.
        assert!(store.pay_for_watching(0, 1000, RATES, payees.clone()).await.unwrap().is_empty());
        assert!(store.pay_for_watching(500, 1500, RATES, payees.clone()).await.unwrap().is_empty());
        // The next one does; a Pro broadcaster earns the base rate for streaming.
        store.set_pro(1, true).await.unwrap();
        let next = store.pay_for_watching(1000, 2000, RATES, payees).await.unwrap();
        assert_eq!(next.len(), 4);
        assert_eq!(next[3].amount, 2);
        let rows = store.ledger(2, None, 10).await.unwrap();
        assert_eq!(rows[0].interval_end, Some(2000));
        assert_eq!(rows[1].interval_end, Some(1000));
        assert!(store.ledger_mismatches().await.unwrap().is_empty());
        assert!(store.set_subscribed(3, 1, false).await.unwrap());
        assert_eq!(store.subscriber_count(1).await.unwrap(), 0);
        assert!(store.set_pro(99, true).await.unwrap().is_none());
    }
}
