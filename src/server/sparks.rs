//! Spark balances as the live mediator uses them: a cache of every balance for the input hot
//! path's "can they afford it?" check, kept current from the store's answers. The store is the
//! authority: captures, grants and expiries are database transactions, and the cache only ever
//! takes a balance newer than the one it has (by ledger row), whatever order answers arrive in.

use std::collections::HashMap;
use std::time::Duration;

use parking_lot::Mutex;

use super::store::{Balance, CaptureError, OpenTransaction, Store, StoreError};

/// Transactions closed per expiry pass at most (the next pass takes the rest).
const EXPIRE_BATCH: u32 = 1000;

pub struct Sparks {
    store: Store,
    /// user → (balance, id of the ledger row it is as of).
    cache: Mutex<HashMap<u32, (u64, i64)>>,
    ttl: Duration,
}

impl Sparks {
    /// Loads every balance from the store.
    pub async fn load(store: Store, ttl: Duration) -> Result<Sparks, StoreError> {
        let cache = store.balances().await?.into_iter().map(|(user, sparks)| (user, (sparks, 0))).collect();
        Ok(Sparks { store, cache: Mutex::new(cache), ttl })
    }

    /// A user's balance as last seen (0 for unknown users).
    pub fn balance(&self, user: u32) -> u64 {
        self.cache.lock().get(&user).map(|b| b.0).unwrap_or(0)
    }

    fn apply(&self, b: Balance) {
        let mut cache = self.cache.lock();
        let entry = cache.entry(b.user).or_insert((b.sparks, b.as_of));
        if b.as_of >= entry.1 {
            *entry = (b.sparks, b.as_of);
        }
    }

    /// Reads a user's balance from the store into the cache (after the user was created).
    pub async fn reload(&self, user: u32) {
        if let Ok(b) = self.store.balance(user).await {
            self.apply(b);
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
            Ok(b) => {
                self.apply(b);
                Ok(Ok(b.sparks))
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
