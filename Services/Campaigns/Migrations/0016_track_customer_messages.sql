-- CA-49, CA-53, CA-57: the customer's last message on the number, by WhatsApp's stamp. Unlike last_inbound_at (the
-- 24-hour window, which a reaction moves too) only the customer's own messages move it: a reaction or a notice from
-- WhatsApp neither starts a chat nor keeps an old one alive, and does not count as the contact's first message.
-- Rows written before it take the window's time: those contacts have written already (no First Message tag, no chat
-- restarted by their next message). No deployment holds many windows yet, so the backfill is one statement.
ALTER TABLE campaigns.windows ADD COLUMN last_message_at timestamptz;
UPDATE campaigns.windows SET last_message_at = last_inbound_at;

-- A resolved chat reopens on any customer message recorded after the resolution (nobody has seen it, however old
-- its stamp): the stamp it was resolved through is not needed.
ALTER TABLE campaigns.windows DROP COLUMN resolved_through;
