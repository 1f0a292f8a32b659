-- CA-54: interactive messages (reply buttons, lists, media cards) are session messages of their own kind.
-- NOT VALID: every existing row already satisfies the wider check, and validating would scan the whole table under
-- the migration's exclusive lock. New and updated rows are checked from now on.
ALTER TABLE campaigns.messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE campaigns.messages ADD CONSTRAINT messages_kind_check CHECK (kind IN ('template', 'text', 'interactive')) NOT VALID;
