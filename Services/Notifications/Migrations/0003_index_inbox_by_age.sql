-- The notifications inbox keeps consumed events only for MYOP_INBOX_RETENTION_DAYS (InboxRetention deletes older rows
-- hourly, oldest first). Rows arrive in time order, so each insert lands on the index's last page.
CREATE INDEX inbox_received_at ON notifications.inbox (received_at);
