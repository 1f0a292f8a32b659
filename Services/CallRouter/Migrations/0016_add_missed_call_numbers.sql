-- CR-74: a Missed Call Service number never answers: it rings once or twice and drops, so the caller pays nothing,
-- and the missed call is announced for its follow-up (AC-09).
ALTER TABLE callrouter.dids ADD COLUMN missed_call_service boolean NOT NULL DEFAULT false;
