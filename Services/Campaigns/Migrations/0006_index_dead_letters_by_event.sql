-- Inbox retention keeps the inbox rows of events that wait here (Inbox.prune): it looks letters up by event id alone,
-- which the (queue, event_id) index cannot serve.
CREATE INDEX dead_letters_event_id ON campaigns.dead_letters (event_id);
