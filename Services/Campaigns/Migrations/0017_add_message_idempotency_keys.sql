-- Issue 5 point 7: a client that sends `POST /v1/whatsapp/messages` again after a timeout or a lost answer, with the
-- same Idempotency-Key, gets the message the first request queued instead of a second message to the customer. The key
-- is the client's, unique per company; messages sent without one (campaigns, other services, most API calls) have none,
-- so the partial index holds only the keyed ones. Adding a column without a default rewrites nothing; the index build
-- reads the table once and blocks its writes meanwhile, so it waits no longer than lock_timeout for them.
SET LOCAL lock_timeout = '10s';
ALTER TABLE campaigns.messages ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX messages_idempotency ON campaigns.messages (company_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
