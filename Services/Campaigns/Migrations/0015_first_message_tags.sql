-- CA-57: the business's entry links (a product page's button, a QR code at the shop): each opens a chat with a number,
-- the message prefilled with a code that is unique across companies.
CREATE TABLE campaigns.entry_links (
    id          uuid        PRIMARY KEY,
    company_id  uuid        NOT NULL,
    number_id   uuid        NOT NULL REFERENCES campaigns.numbers (id) ON DELETE CASCADE,
    code        text        NOT NULL UNIQUE,
    name        text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('link', 'qr')),
    text        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entry_links_by_company ON campaigns.entry_links (company_id, created_at);

-- CA-57: the "First Message" tag, one per contact of a company: set by the contact's first message and changed only by
-- an edit. A deleted link leaves its tags as they were (the name is copied).
CREATE TABLE campaigns.first_messages (
    company_id  uuid        NOT NULL,
    contact     text        NOT NULL,
    number_id   uuid        NOT NULL,
    source      text        NOT NULL CHECK (source IN ('ad', 'post', 'link', 'qr', 'direct')),
    label       text,
    link_id     uuid,
    ad_id       text,
    ad_url      text,
    click_id    text,
    tagged_at   timestamptz NOT NULL,
    edited_at   timestamptz,
    edited_by   uuid,
    PRIMARY KEY (company_id, contact)
);
