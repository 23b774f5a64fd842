//! The accrual: at the end of every interval (on the wall clock's multiples of
//! `--spark-interval`), everyone who watched a live channel all interval long is paid, and every
//! broadcaster whose channel was live all of it. One payment per person per interval, in
//! batches of database transactions.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use crate::server::hub::Hub;
use crate::server::store::{Payee, Rates, StoreError};

/// Sparks per interval: 2, and 4 for a subscriber of the channel watched or a Pro viewer.
pub const RATES: Rates = Rates { base: 2, boosted: 4 };

/// Payments per database transaction: between two, captures and other writes get their turn.
const BATCH: usize = 1000;

/// Batches queued in the store ahead of the one being answered.
const AHEAD: usize = 2;

/// The shortest interval the accrual runs at.
const SHORTEST: Duration = Duration::from_millis(100);

/// What paying one interval did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Paid {
    /// People paid (each one ledger row and one balance written).
    pub people: usize,
    pub sparks: u64,
}

/// Pays for the interval `[start, end)` (unix ms): who watched or streamed all of it.
pub async fn pay_interval(hub: &Hub, start: i64, end: i64) -> Result<Paid, StoreError> {
    let due = hub.watching.due(start);
    let mut payees: HashMap<u32, Payee> = due.viewers.into_iter().map(|p| (p.user, p)).collect();
    if !due.streaming.is_empty() {
        for (channel, owner) in hub.store.channel_owners(due.streaming).await? {
            payees
                .entry(owner)
                .or_insert_with(|| Payee { user: owner, watching: Vec::new(), streaming: None })
                .streaming = Some(channel);
        }
    }
    let mut payees: Vec<Payee> = payees.into_values().collect();
    payees.sort_unstable_by_key(|p| p.user);
    let mut paid = Paid::default();
    let mut batches = payees.chunks(BATCH).map(|batch| batch.to_vec());
    let pay = |batch| hub.store.pay_for_watching(start, end, RATES, batch);
    // A few batches wait in the store's line, so that it never idles while this task wakes up
    // and sends the last batch's balances out; other writes still get their turn between them.
    let mut line: VecDeque<_> = batches.by_ref().take(AHEAD).map(pay).collect();
    while let Some(batch) = line.pop_front() {
        let earned = batch.await?;
        line.extend(batches.next().map(pay));
        paid.people += earned.len();
        paid.sparks += earned.iter().map(|e| e.amount).sum::<u64>();
        hub.sparks.earned(&earned);
    }
    Ok(paid)
}

/// Pays every interval as it ends, until aborted.
pub async fn run(hub: Arc<Hub>) {
    let step = hub.config.spark_interval.max(SHORTEST).as_millis() as i64;
    loop {
        let now = crate::clock::now_ms();
        let end = (now / step + 1) * step;
        tokio::time::sleep(Duration::from_millis((end - now) as u64)).await;
        if let Err(e) = pay_interval(&hub, end - step, end).await {
            eprintln!("mixplay-server: paying sparks for watching: {e}");
        }
    }
}
