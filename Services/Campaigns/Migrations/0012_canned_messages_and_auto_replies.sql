-- CA-52: the company's shared library of canned messages, inserted by typing "/" and the shortcut.
CREATE TABLE campaigns.canned_messages (
    id          uuid        PRIMARY KEY,
    company_id  uuid        NOT NULL,
    shortcut    text        NOT NULL,
    text        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, shortcut)
);

-- CA-53: a number's Greeting (inside business hours) and Away (outside) replies, both canned messages. A canned
-- message in use cannot be deleted (the API answers 409 before the key would refuse it).
CREATE TABLE campaigns.auto_replies (
    number_id       uuid        PRIMARY KEY REFERENCES campaigns.numbers (id) ON DELETE CASCADE,
    company_id      uuid        NOT NULL,
    greeting_id     uuid        REFERENCES campaigns.canned_messages (id),
    away_id         uuid        REFERENCES campaigns.canned_messages (id),
    chatbot_active  boolean     NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auto_replies_greeting ON campaigns.auto_replies (greeting_id) WHERE greeting_id IS NOT NULL;
CREATE INDEX auto_replies_away ON campaigns.auto_replies (away_id) WHERE away_id IS NOT NULL;

-- CA-52: the customer's WhatsApp profile name from their latest message, for {{contact.name}}.
ALTER TABLE campaigns.windows ADD COLUMN contact_name text;
