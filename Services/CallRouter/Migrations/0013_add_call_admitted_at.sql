-- When the call reached us, by the database's clock. `started_at` is the switch's `at`, and a switch whose clock is
-- hours off would make the sweeper end every call it thinks too old (CallSweeper reads this column instead).
ALTER TABLE callrouter.calls ADD COLUMN admitted_at timestamptz NOT NULL DEFAULT now();
