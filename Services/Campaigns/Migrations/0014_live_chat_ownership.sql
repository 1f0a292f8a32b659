-- Migrations run in one transaction, so every lock taken here is held until the whole batch commits: the ACCESS
-- EXCLUSIVE of the ALTER comes last, after the index build (whose lock blocks writes to windows, not reads, until
-- then), and nothing waits for a busy table longer than lock_timeout (the start fails and is retried instead of
-- stalling every webhook). The setting holds for the migrations applied after this one in the same batch too.
SET LOCAL lock_timeout = '10s';

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

-- CA-49: the inbox, a number's chats with the latest message first (and "assigned to me", filtered along it). Its cost:
-- every inbound message moves last_inbound_at, so its update of the row is no longer a HOT update and writes this
-- index too.
CREATE INDEX windows_by_last_message ON campaigns.windows (number_id, last_inbound_at DESC, contact DESC);

-- CA-49, CA-50: who owns a customer's chat on a number (null: open to every agent), when it was resolved (null: not
-- resolved since the customer's chat started) and the chat's last inbound message then (WhatsApp's stamp, which a
-- later message of the customer's is compared with). All are cleared when the customer starts a new chat. Nullable
-- columns without a default: no table rewrite.
ALTER TABLE campaigns.windows ADD COLUMN assignee uuid, ADD COLUMN resolved_at timestamptz, ADD COLUMN resolved_through timestamptz;
