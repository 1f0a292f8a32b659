-- Issue 5 point 7: a client that sends `POST /v1/whatsapp/messages` again after a timeout or a lost answer, with the
-- same Idempotency-Key, gets the message the first request queued instead of a second message to the customer. The key
-- is the client's, unique per company. A table of its own: a column and index on `messages`, the largest table, would
-- hold it locked for reads and writes while the index was built over every row.
CREATE TABLE campaigns.message_keys (
    company_id      uuid        NOT NULL,
    idempotency_key text        NOT NULL,
    message_id      uuid        NOT NULL REFERENCES campaigns.messages ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, idempotency_key)
);
CREATE INDEX message_keys_message ON campaigns.message_keys (message_id);
