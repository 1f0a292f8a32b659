-- The inbox keeps billing's consumed events only for MYOP_INBOX_RETENTION_DAYS (InboxRetention deletes older rows
-- hourly). Rows arrive in time order, so a BRIN index finds the old ones for next to nothing per insert.
CREATE INDEX inbox_received_at ON billing.inbox USING brin (received_at);
