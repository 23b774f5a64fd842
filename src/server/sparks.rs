//! Spark balances as the live mediator uses them: a cache of every balance for the input hot
//! path's "can they afford it?" check, kept current from the store's answers. The store is the
//! authority: captures, grants, earnings and expiries are database transactions, and the cache
//! only ever takes a balance newer than the one it has (by ledger row), whatever order answers
//! arrive in. Every change the cache takes goes to the user's viewer sockets at once, in order.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::{json, Value};

use super::economy::watching::Watching;
use super::store::{Balance, CaptureError, Earned, OpenTransaction, Store, StoreError};

/// Why a balance changed, as its owner's page is told.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// Sparks earned by watching (or streaming on) a channel.
    Earned { channel: Option<u32>, streaming: bool },
    /// A capture: sparks spent on a control of a channel.
    Spent { channel: u32, control: &'a str },
}

/// The viewer socket's `balance` message.
pub fn balance_message(sparks: u64, change: i64, why: Option<Change>) -> Value {
    let mut m = json!({ "event": "balance", "sparks": sparks, "change": change });
    let (reason, channel, control, streaming) = match why {
        None => ("current", None, None, false),
        Some(Change::Earned { channel, streaming }) => ("earned", channel, None, streaming),
        Some(Change::Spent { channel, control }) => ("spent", Some(channel), Some(control), false),
    };
    m["reason"] = json!(reason);
    if let Some(c) = channel {
        m["channel"] = json!(c);
    }
    if let Some(c) = control {
        m["control"] = json!(c);
    }
    if streaming {
        m["streaming"] = json!(true);
    }
    m
}

/// Transactions closed per expiry pass at most (the next pass takes the rest).
const EXPIRE_BATCH: u32 = 1000;

pub struct Sparks {
    store: Store,
    /// user → (balance, id of the ledger row it is as of).
    cache: Mutex<HashMap<u32, (u64, i64)>>,
    ttl: Duration,
    /// Where balance changes go out to the viewers' pages.
    watching: Arc<Watching>,
}

impl Sparks {
    /// Loads every balance from the store.
    pub async fn load(store: Store, ttl: Duration, watching: Arc<Watching>) -> Result<Sparks, StoreError> {
        let cache = store.balances().await?.into_iter().map(|(user, sparks)| (user, (sparks, 0))).collect();
        Ok(Sparks { store, cache: Mutex::new(cache), ttl, watching })
    }

    /// A user's balance as last seen (0 for unknown users).
    pub fn balance(&self, user: u32) -> u64 {
        self.cache.lock().get(&user).map(|b| b.0).unwrap_or(0)
    }

    /// Runs `f` with a user's balance, no change to it being applied meanwhile (a viewer socket
    /// registers under it, so that its first balance is never older than the changes it hears).
    pub fn with_balance<T>(&self, user: u32, f: impl FnOnce(u64) -> T) -> T {
        let cache = self.cache.lock();
        f(cache.get(&user).map(|b| b.0).unwrap_or(0))
    }

    /// Takes a balance newer than the cached one; the user's pages hear of the change (`delta`,
    /// `why`), in the order the cache takes them.
    fn apply(&self, b: Balance, change: Option<(i64, Change)>) {
        let mut cache = self.cache.lock();
        let entry = cache.entry(b.user).or_insert((b.sparks, -1));
        if b.as_of < entry.1 {
            return;
        }
        *entry = (b.sparks, b.as_of);
        if let Some((delta, why)) = change {
            self.watching.to_user(b.user, &balance_message(b.sparks, delta, Some(why)));
        }
    }

    /// Reads a user's balance from the store into the cache (after the user was created).
    pub async fn reload(&self, user: u32) {
        if let Ok(b) = self.store.balance(user).await {
            self.apply(b, None);
        }
    }

    /// Takes what the accrual paid, and tells each payee's pages.
    pub fn earned(&self, paid: &[Earned]) {
        for e in paid {
            let why = Change::Earned { channel: e.channel, streaming: e.streaming };
            self.apply(e.balance, Some((i64::try_from(e.amount).unwrap_or(i64::MAX), why)));
        }
    }

    /// Records a transaction a costed input opened; queued now, so it is stored before anything
    /// queued after it (a capture of it, for one).
    pub fn open(
        &self,
        user: u32,
        channel: u32,
        control: &str,
        cost: u64,
    ) -> (String, impl std::future::Future<Output = Result<(), StoreError>>) {
        let id = uuid::Uuid::new_v4().to_string();
        let expires_at = super::store::now().saturating_add(self.ttl.as_millis() as i64);
        let t = OpenTransaction { id: id.clone(), user, channel, control: control.to_owned(), cost, expires_at };
        (id, self.store.open_transaction(t))
    }

    /// Captures a transaction of `channel`; the new balance on success.
    pub async fn capture(&self, id: String, channel: u32) -> Result<Result<u64, CaptureError>, StoreError> {
        match self.store.capture(id, channel, super::store::now()).await? {
            Ok(c) => {
                let cost = i64::try_from(c.transaction.cost).unwrap_or(i64::MAX);
                let why = Change::Spent { channel, control: &c.transaction.control };
                self.apply(c.balance, Some((-cost, why)));
                Ok(Ok(c.balance.sparks))
            }
            Err(e) => Ok(Err(e)),
        }
    }

    /// Closes every transaction that has expired (each with its ledger row).
    pub async fn expire_due(&self) -> Result<u64, StoreError> {
        let mut total = 0;
        loop {
            let n = self.store.expire_transactions(super::store::now(), EXPIRE_BATCH).await?;
            total += n;
            if n < u64::from(EXPIRE_BATCH) {
                return Ok(total);
            }
        }
    }
}
