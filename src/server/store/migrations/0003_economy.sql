-- The watching economy (sparks earned by watching live channels).

-- The end (unix ms) of the last interval a user was paid for watching or streaming: an interval
-- is paid only when it starts at or after this, so no interval is ever paid twice, whatever
-- restarts, clock steps or interval lengths come between.
ALTER TABLE users ADD COLUMN earned_through INTEGER NOT NULL DEFAULT 0;

-- Earn rows: the end of the interval they pay for.
ALTER TABLE ledger ADD COLUMN interval_end INTEGER;

-- The same guarantee once more, kept by the database itself: one earn row per user and interval.
CREATE UNIQUE INDEX ledger_earned_once ON ledger(user_id, interval_end) WHERE kind = 'earn';

-- A channel's subscribers (the primary key serves a user's subscriptions).
CREATE INDEX subscriptions_channel ON subscriptions(channel_id);
