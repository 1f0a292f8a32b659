-- CR-52, D-07, CR-63: a call refused before it became a call (every line busy, the account suspended) leaves a
-- system-log row and no `calls` row. The switch resends a call whose answer it did not get: the resend is answered
-- as the first was, and announced (`call.lost`) once. The carrier's id and the answer are kept for that.
ALTER TABLE callrouter.system_log ADD COLUMN carrier_call_id text, ADD COLUMN answer text;

CREATE UNIQUE INDEX system_log_carrier_call ON callrouter.system_log (company_id, carrier_call_id) WHERE carrier_call_id IS NOT NULL;
