-- Dead letters (ARCHITECTURE.md): what the broker parked in this service's `<queue>.dead` queues, moved here by
-- DeadLetterKeeper so that each company can list and replay its own through the API (GET /v1/dead-letters).
-- The header fields are empty for a message that is no event envelope; such a row belongs to no company.
CREATE TABLE notifications.dead_letters (
    id             bigserial   PRIMARY KEY,
    queue          text        NOT NULL,
    message_id     text,
    reason         text,
    event_id       uuid,
    company_id     uuid,
    event_type     text,
    correlation_id text,
    traceparent    text,
    occurred_at    timestamptz,
    body           bytea       NOT NULL,
    parked_at      timestamptz NOT NULL DEFAULT now()
);

-- A parked message read twice (the keeper's ack lost in a crash) is kept once; rows without an event id never collide.
CREATE UNIQUE INDEX dead_letters_event ON notifications.dead_letters (queue, event_id);

-- A company's letters, newest first.
CREATE INDEX dead_letters_company ON notifications.dead_letters (company_id, id);
