-- CA-49, CA-50: who owns a customer's chat on a number (null: open to every agent), and when it was resolved (null:
-- not resolved since the customer's chat started). Both are cleared when the customer starts a new chat. Nullable
-- columns without a default: no table rewrite.
ALTER TABLE campaigns.windows ADD COLUMN assignee uuid, ADD COLUMN resolved_at timestamptz;

-- CA-58: the chat's journey, in order: opened by the customer, taken, reassigned, returned to the queue, resolved.
CREATE TABLE campaigns.chat_events (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id  uuid        NOT NULL,
    number_id   uuid        NOT NULL,
    contact     text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('opened', 'auto_assigned', 'reassigned', 'unassigned', 'resolved')),
    -- The user who acted; null when the customer did (opened).
    actor       uuid,
    -- The chat's owner after the event.
    assignee    uuid,
    at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (number_id, contact) REFERENCES campaigns.windows (number_id, contact) ON DELETE CASCADE
);
CREATE INDEX chat_events_by_chat ON campaigns.chat_events (number_id, contact, id);

-- An agent's own chats ("assigned to me") without reading every chat of the number.
CREATE INDEX windows_by_assignee ON campaigns.windows (number_id, assignee) WHERE assignee IS NOT NULL;

-- The inbox: a number's chats, the latest message first.
CREATE INDEX windows_by_last_message ON campaigns.windows (number_id, last_inbound_at DESC, contact DESC);
