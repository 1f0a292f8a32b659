-- WhatsApp numbers, templates, audiences, campaigns, every outbound message, service windows and conversations.
-- Every row carries company_id (D-28).

-- Per-company settings: the WhatsApp Business Account templates are submitted to, and the billing projection fed by
-- billing.* events (BI-06, CA-42): WhatsApp sends stop while the wallet is below ₹1 or the account is suspended.
CREATE TABLE campaigns.companies (
    company_id         uuid        PRIMARY KEY,
    waba_id            text,
    whatsapp_blocked   boolean     NOT NULL DEFAULT false,
    billing_changed_at timestamptz
);

-- WhatsApp numbers (D-12, D-17). The quota and the token bucket are counters that move only through one conditional
-- UPDATE each, so no number of schedulers and senders can overshoot them.
CREATE TABLE campaigns.numbers (
    id                  uuid             PRIMARY KEY,
    company_id          uuid             NOT NULL,
    phone_number_id     text             NOT NULL UNIQUE,
    display_number      text             NOT NULL,
    display_name        text             NOT NULL DEFAULT '',
    tier                smallint         NOT NULL DEFAULT 1 CHECK (tier BETWEEN 1 AND 4),
    quality             text             NOT NULL DEFAULT 'green' CHECK (quality IN ('green', 'yellow', 'red', 'unknown')),
    messages_per_second int              NOT NULL DEFAULT 80 CHECK (messages_per_second BETWEEN 1 AND 1000),
    time_zone           text             NOT NULL DEFAULT 'Asia/Kolkata',
    business_hours      jsonb            NOT NULL DEFAULT '[]',
    -- D-12, D-16: recipients of business-initiated messages in the rolling 24 hours, as 25 hourly buckets ending
    -- with the hour quota_hour (hours since 1970, UTC): a grant counts for at least 24 hours and at most 25.
    -- quota_last_grant is what the last conditional UPDATE gave (RETURNING sees new values only).
    quota_buckets       int[]            NOT NULL DEFAULT array_fill(0, ARRAY[25]),
    quota_hour          bigint           NOT NULL DEFAULT 0,
    quota_last_grant    int              NOT NULL DEFAULT 0,
    -- D-17: a token bucket shared by every sender replica, refilled at messages_per_second, a tenth of a second deep (SendRate.refill).
    bucket_tokens       double precision NOT NULL DEFAULT 0,
    bucket_at           timestamptz      NOT NULL DEFAULT now(),
    bucket_last_grant   int              NOT NULL DEFAULT 0,
    created_at          timestamptz      NOT NULL DEFAULT now(),
    UNIQUE (company_id, display_number)
);
CREATE INDEX numbers_company ON campaigns.numbers (company_id, created_at);

-- D-12: the buckets as they stand at hour `now_hour`: older hours drop out, new hours start at zero.
CREATE FUNCTION campaigns.quota_shift(buckets int[], last_hour bigint, now_hour bigint) RETURNS int[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN now_hour - last_hour >= 25 THEN array_fill(0, ARRAY[25])
        WHEN now_hour <= last_hour THEN buckets
        ELSE buckets[(now_hour - last_hour + 1)::int:25] || array_fill(0, ARRAY[(now_hour - last_hour)::int])
    END
$$;

CREATE FUNCTION campaigns.quota_sum(buckets int[]) RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT COALESCE(sum(b), 0)::int FROM unnest(buckets) AS b $$;

-- Templates (CA-06 … CA-25, D-10, D-11). `content` is what the company wrote; after submission it never changes (CA-09).
CREATE TABLE campaigns.templates (
    id                   uuid        PRIMARY KEY,
    company_id           uuid        NOT NULL,
    name                 text        NOT NULL,
    language             text        NOT NULL,
    category             text        NOT NULL,
    content              jsonb       NOT NULL,
    status               text        NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'pending', 'approved', 'rejected', 'paused', 'disabled')),
    provider_template_id text        UNIQUE,
    reason               text,
    submitted_at         timestamptz,
    decided_at           timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, name, language)
);
CREATE INDEX templates_company ON campaigns.templates (company_id, created_at DESC, id);

-- Uploaded audiences (D-13). Contacts keep upload order in `position` (D-16 sends the first ones).
CREATE TABLE campaigns.audiences (
    id          uuid        PRIMARY KEY,
    company_id  uuid        NOT NULL,
    filename    text        NOT NULL,
    columns     text[]      NOT NULL,
    total_rows  int         NOT NULL,
    valid_rows  int         NOT NULL,
    skipped     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audiences_company ON campaigns.audiences (company_id, created_at DESC, id);

CREATE TABLE campaigns.audience_contacts (
    audience_id uuid  NOT NULL REFERENCES campaigns.audiences (id) ON DELETE CASCADE,
    position    int   NOT NULL,
    phone       text  NOT NULL,
    name        text  NOT NULL,
    row_number  int   NOT NULL,
    "values"    jsonb NOT NULL,
    PRIMARY KEY (audience_id, position)
);

-- Campaigns (D-14). A due campaign is claimed with FOR UPDATE SKIP LOCKED by whichever replica gets there first.
CREATE TABLE campaigns.campaigns (
    id                      uuid        PRIMARY KEY,
    company_id              uuid        NOT NULL,
    name                    text        NOT NULL,
    template_id             uuid        NOT NULL REFERENCES campaigns.templates (id),
    number_id               uuid        NOT NULL REFERENCES campaigns.numbers (id),
    audience_id             uuid        NOT NULL REFERENCES campaigns.audiences (id),
    mapping                 jsonb       NOT NULL,
    status                  text        NOT NULL DEFAULT 'draft' CHECK (status IN
        ('draft', 'scheduled', 'paused', 'cancelled', 'sending', 'completed', 'partially_sent', 'failed')),
    send_at                 timestamptz,
    recipients              int         NOT NULL,
    quota_granted           int,
    reservation_id          text,
    reservation_released_at timestamptz,
    -- Billing could not be reached when the campaign was due: it is tried again from then on.
    next_attempt_at         timestamptz,
    failure_code            text,
    failure_message         text,
    created_by              text        NOT NULL,
    -- Milliseconds, as the API writes times, so a page cursor (created_at, id) names a row exactly.
    created_at              timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
    started_at              timestamptz,
    finished_at             timestamptz
);
CREATE INDEX campaigns_due ON campaigns.campaigns (send_at) WHERE status = 'scheduled';
CREATE INDEX campaigns_sending ON campaigns.campaigns (started_at) WHERE status = 'sending';
CREATE INDEX campaigns_company ON campaigns.campaigns (company_id, created_at DESC, id);
CREATE INDEX campaigns_unreleased ON campaigns.campaigns (finished_at)
    WHERE reservation_id IS NOT NULL AND reservation_released_at IS NULL AND finished_at IS NOT NULL;

-- Every outbound WhatsApp message: campaign recipients (campaign_id, position) and single sends. A sender claims a
-- row (queued → sending) before its HTTP request and records the outcome after, so a redelivered job never sends
-- a recipient twice.
CREATE TABLE campaigns.messages (
    id                  uuid        PRIMARY KEY,
    company_id          uuid        NOT NULL,
    number_id           uuid        NOT NULL REFERENCES campaigns.numbers (id),
    campaign_id         uuid        REFERENCES campaigns.campaigns (id) ON DELETE CASCADE,
    position            int,
    recipient           text        NOT NULL,
    name                text        NOT NULL DEFAULT '',
    kind                text        NOT NULL CHECK (kind IN ('template', 'text')),
    template_id         uuid        REFERENCES campaigns.templates (id),
    -- The rendered parameters (template) or the text (free-form): exactly what is sent.
    payload             jsonb       NOT NULL,
    trail               text,
    status              text        NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed')),
    provider_message_id text        UNIQUE,
    error_code          text,
    error_message       text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- When its send job was last published: a job lost to the dead-letter queue is published again much later.
    queued_at           timestamptz NOT NULL DEFAULT now(),
    claimed_at          timestamptz,
    sent_at             timestamptz,
    delivered_at        timestamptz,
    read_at             timestamptz,
    failed_at           timestamptz,
    UNIQUE (campaign_id, position)
);
CREATE INDEX messages_company ON campaigns.messages (company_id, created_at DESC, id);
CREATE INDEX messages_trail ON campaigns.messages (company_id, trail, created_at DESC) WHERE trail IS NOT NULL;
CREATE INDEX messages_stuck ON campaigns.messages (claimed_at) WHERE status = 'sending';
CREATE INDEX messages_waiting ON campaigns.messages (queued_at) WHERE status = 'queued';
CREATE INDEX messages_campaign_open ON campaigns.messages (campaign_id) WHERE status IN ('queued', 'sending');

-- CA-02, D-18: the customer-service window per contact and number, extended by every inbound message.
CREATE TABLE campaigns.windows (
    number_id       uuid        NOT NULL REFERENCES campaigns.numbers (id) ON DELETE CASCADE,
    contact         text        NOT NULL,
    company_id      uuid        NOT NULL,
    last_inbound_at timestamptz NOT NULL,
    PRIMARY KEY (number_id, contact)
);

-- D-18: each billable conversation the provider reports, once.
CREATE TABLE campaigns.conversations (
    conversation_id text        PRIMARY KEY,
    company_id      uuid        NOT NULL,
    number_id       uuid        NOT NULL,
    recipient       text        NOT NULL,
    category        text        NOT NULL,
    opened_at       timestamptz NOT NULL
);

-- Inbound customer messages, once each (the provider retries its webhooks).
CREATE TABLE campaigns.inbound_messages (
    provider_message_id text        PRIMARY KEY,
    company_id          uuid        NOT NULL,
    number_id           uuid        NOT NULL,
    contact             text        NOT NULL,
    type                text        NOT NULL,
    text                text,
    received_at         timestamptz NOT NULL
);

-- A status webhook can outrun the sender recording the provider's message id; it waits here and is applied when the
-- id is recorded.
CREATE TABLE campaigns.early_statuses (
    provider_message_id text        NOT NULL,
    status              text        NOT NULL,
    at                  timestamptz NOT NULL,
    error_code          text,
    error_message       text,
    received_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_message_id, status)
);

-- A template verdict (D-11) that outran the submit call recording the provider's template id.
CREATE TABLE campaigns.early_reviews (
    provider_template_id text        PRIMARY KEY,
    status               text,
    category             text,
    reason               text,
    received_at          timestamptz NOT NULL DEFAULT now()
);
