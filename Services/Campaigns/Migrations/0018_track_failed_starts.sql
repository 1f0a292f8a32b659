-- D-14: when a due campaign first failed to start (for an error of its own, not Billing's); one that keeps failing
-- for an hour after that fails, instead of being tried every minute for ever.
ALTER TABLE campaigns.campaigns ADD COLUMN start_failed_at timestamptz;
