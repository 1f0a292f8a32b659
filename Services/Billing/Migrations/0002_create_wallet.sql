-- The wallet: plans and rate cards, one account per company, the append-only ledger, reservations,
-- payments and invoices. Money is integer paise everywhere.

-- BI-20 plans; D-20 the call pulse is set per plan. `rank` orders upgrades and downgrades (BI-21).
CREATE TABLE billing.plans (
    plan          text   PRIMARY KEY CHECK (plan IN ('compact', 'sedan', 'suv', 'enterprise')),
    rank          int    NOT NULL UNIQUE,
    pulse_seconds int    NOT NULL CHECK (pulse_seconds IN (1, 15, 30, 60)),
    annual_price  bigint NOT NULL CHECK (annual_price >= 0)
);

INSERT INTO billing.plans (plan, rank, pulse_seconds, annual_price) VALUES
    ('compact', 1, 60, 1200000),
    ('sedan', 2, 60, 2400000),
    ('suv', 3, 30, 4800000),
    ('enterprise', 4, 15, 9600000);

-- One price per plan and item, in paise per unit: per minute for calls, per segment for SMS, per message for
-- email, per conversation for WhatsApp, per number for DID setup and per month for DID rental.
-- Re-imported from CSV (BI-15) with an upsert.
CREATE TABLE billing.rates (
    plan       text        NOT NULL REFERENCES billing.plans,
    item       text        NOT NULL,
    rate       bigint      NOT NULL CHECK (rate >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan, item)
);

INSERT INTO billing.rates (plan, item, rate)
SELECT p.plan, r.item, (r.rate * p.factor / 100)::bigint
FROM (VALUES ('compact', 100), ('sedan', 90), ('suv', 80), ('enterprise', 70)) AS p(plan, factor)
CROSS JOIN (VALUES
    ('call.inbound.virtual', 60), ('call.inbound.mobile', 60), ('call.inbound.toll_free', 150),
    ('call.outbound.virtual', 90), ('call.outbound.mobile', 90), ('call.outbound.toll_free', 90),
    ('sms.transactional', 25), ('sms.promotional', 20), ('email', 0), ('push', 0), ('slack', 0),
    ('whatsapp.marketing', 109), ('whatsapp.utility', 16), ('whatsapp.authentication', 16), ('whatsapp.service', 0)
) AS r(item, rate);

-- BI-19, D-22: DID prices do not vary by plan.
INSERT INTO billing.rates (plan, item, rate)
SELECT plan, item, rate FROM billing.plans
CROSS JOIN (VALUES ('did.setup', 100000), ('did.rental', 20000)) AS r(item, rate);

-- One account per company. `balance` caches the sum of the company's ledger entries; it changes only in the
-- transaction that appends them, under this row's lock.
CREATE TABLE billing.accounts (
    company_id      uuid        PRIMARY KEY,
    plan            text        NOT NULL REFERENCES billing.plans,
    pending_plan    text        REFERENCES billing.plans,
    billing_day     int         NOT NULL CHECK (billing_day BETWEEN 1 AND 28),
    status          text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    balance         bigint      NOT NULL DEFAULT 0,
    low_balance     bigint      NOT NULL DEFAULT 50000,
    minimum_balance bigint      NOT NULL DEFAULT -1000,
    credit_limit    bigint      NOT NULL DEFAULT 10000 CHECK (credit_limit >= 0),
    minimum_topup   bigint      NOT NULL DEFAULT 150000 CHECK (minimum_topup > 0),
    auto_recharge   boolean     NOT NULL DEFAULT false,
    billing_name    text,
    billing_email   text,
    gstin           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    suspended_at    timestamptz
);

-- Double entry: every row moves `amount` from the `debit` account to the `credit` account, so the books
-- always balance. The wallet is the account 'wallet'; usage credits 'revenue:<kind>', payments debit
-- 'receipts', credit notes debit 'credit_notes'. `source` names what caused the entry; it is unique per
-- company, so the same usage can never be charged twice.
CREATE TABLE billing.ledger (
    id          bigserial   PRIMARY KEY,
    company_id  uuid        NOT NULL,
    source      text        NOT NULL,
    kind        text        NOT NULL,
    debit       text        NOT NULL,
    credit      text        NOT NULL CHECK (credit <> debit),
    amount      bigint      NOT NULL CHECK (amount > 0),
    quantity    bigint,
    description text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, source)
);

CREATE INDEX ledger_by_company_time ON billing.ledger (company_id, occurred_at DESC, id DESC);

CREATE FUNCTION billing.ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'billing.ledger is append-only: correct an entry with a new one';
END;
$$;

CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON billing.ledger
    FOR EACH ROW EXECUTE FUNCTION billing.ledger_is_append_only();

-- D-15: money held for a campaign. A held reservation counts against the balance until it is settled
-- (captured or released) or expires.
CREATE TABLE billing.reservations (
    id         uuid        PRIMARY KEY,
    company_id uuid        NOT NULL,
    reference  text,
    amount     bigint      NOT NULL CHECK (amount > 0),
    captured   bigint      NOT NULL DEFAULT 0 CHECK (captured >= 0 AND captured <= amount),
    status     text        NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'captured', 'released')),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    settled_at timestamptz
);

CREATE INDEX reservations_held ON billing.reservations (company_id, expires_at) WHERE status = 'held';

-- BI-33, BI-37: online payments wait for the provider's webhook; offline ones carry the bank's reference code.
CREATE TABLE billing.payments (
    id                 uuid        PRIMARY KEY,
    company_id         uuid        NOT NULL,
    amount             bigint      NOT NULL CHECK (amount > 0),
    gst                bigint      NOT NULL CHECK (gst >= 0),
    method             text        NOT NULL CHECK (method IN ('online', 'neft', 'rtgs', 'imps', 'cheque')),
    status             text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    offline_code       text,
    provider_reference text,
    failure_reason     text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz,
    UNIQUE (company_id, offline_code)
);

CREATE INDEX payments_by_company ON billing.payments (company_id, created_at DESC);

-- D-22: invoices and credit notes, numbered without gaps per company and kind.
CREATE TABLE billing.document_numbers (
    company_id  uuid NOT NULL,
    kind        text NOT NULL,
    last_number int  NOT NULL,
    PRIMARY KEY (company_id, kind)
);

CREATE TABLE billing.invoices (
    id           uuid        PRIMARY KEY,
    company_id   uuid        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number       text        NOT NULL,
    reason       text        NOT NULL,
    source       text        NOT NULL,
    billing_name text,
    gstin        text,
    lines        jsonb       NOT NULL,
    taxable      bigint      NOT NULL,
    gst          bigint      NOT NULL,
    total        bigint      NOT NULL,
    issued_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, kind, number),
    UNIQUE (company_id, source)
);

CREATE INDEX invoices_by_company ON billing.invoices (company_id, issued_at DESC);
