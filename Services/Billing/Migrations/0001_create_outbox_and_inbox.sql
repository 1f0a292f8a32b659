-- The transactional outbox and the idempotent inbox of the billing schema (ARCHITECTURE.md, delivery guarantees).

CREATE TABLE billing.outbox (
    id             bigserial PRIMARY KEY,
    event_id       uuid        NOT NULL UNIQUE,
    event_type     text        NOT NULL,
    correlation_id text,
    traceparent    text,
    occurred_at    timestamptz NOT NULL,
    body           text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz
);

-- The relay scans only what is still pending, in insertion order.
CREATE INDEX outbox_pending ON billing.outbox (id) WHERE published_at IS NULL;

-- One NOTIFY per inserting statement wakes the relay; the poll is only a backstop.
CREATE FUNCTION billing.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('billing_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON billing.outbox
    FOR EACH STATEMENT EXECUTE FUNCTION billing.notify_outbox();

CREATE TABLE billing.inbox (
    event_id    uuid        NOT NULL,
    consumer    text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, consumer)
);
