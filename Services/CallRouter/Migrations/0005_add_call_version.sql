-- A live call's decisions no longer hold its row locked for a transaction: a decision reads the call, decides, and
-- writes everything in one statement that applies only if the call is still at the version it read. Two events of
-- one call decided at once: the second finds the version moved and decides again from the first's result.
ALTER TABLE callrouter.calls ADD COLUMN version int8 NOT NULL DEFAULT 0;
