-- D-15: a conversation reported by a status that outran the sender recording the provider's message id waits here, and
-- is announced once the id is recorded, naming the message's campaign (Billing draws it from that campaign's hold).
-- One whose id never comes (the sender died mid-request) is announced without a campaign by the sweep.
CREATE TABLE campaigns.early_conversations (
    conversation_id     text        PRIMARY KEY,
    provider_message_id text        NOT NULL,
    company_id          uuid        NOT NULL,
    phone_number_id     text        NOT NULL,
    recipient           text        NOT NULL,
    category            text        NOT NULL,
    opened_at           timestamptz NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX early_conversations_message ON campaigns.early_conversations (provider_message_id);
CREATE INDEX early_conversations_age ON campaigns.early_conversations (received_at);
