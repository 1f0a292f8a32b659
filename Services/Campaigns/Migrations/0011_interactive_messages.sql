-- CA-54: interactive messages (reply buttons, lists, media cards) are session messages of their own kind.
ALTER TABLE campaigns.messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE campaigns.messages ADD CONSTRAINT messages_kind_check CHECK (kind IN ('template', 'text', 'interactive')) NOT VALID;
ALTER TABLE campaigns.messages VALIDATE CONSTRAINT messages_kind_check;
