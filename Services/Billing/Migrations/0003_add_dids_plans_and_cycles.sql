-- What a payment buys (BI-21, BI-19): a wallet recharge, a number (DID setup and this cycle's rental) or a plan
-- upgrade. Its invoice lines are fixed when the payment is created, so the invoice shows what was quoted.
ALTER TABLE billing.payments
    ADD COLUMN purpose text NOT NULL DEFAULT 'recharge' CHECK (purpose IN ('recharge', 'did_purchase', 'plan_upgrade')),
    ADD COLUMN subject text,
    ADD COLUMN lines   jsonb NOT NULL DEFAULT '[]';

-- BI-19: numbers a company rents. A number belongs to at most one company at a time.
CREATE TABLE billing.dids (
    company_id   uuid        NOT NULL,
    number       text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('pending', 'active', 'released')),
    payment_id   uuid        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    purchased_at timestamptz,
    released_at  timestamptz,
    PRIMARY KEY (company_id, number, payment_id)
);

CREATE UNIQUE INDEX dids_live_number ON billing.dids (number) WHERE status <> 'released';

-- BI-20, BI-21: the plan year runs from when the plan started; BI-27, D-22: the monthly cycle starts on the
-- billing day, and `next_cycle_at` is when the cycle job next runs for the account.
ALTER TABLE billing.accounts
    ADD COLUMN plan_started_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN next_cycle_at   timestamptz;

CREATE INDEX accounts_cycle_due ON billing.accounts (next_cycle_at) WHERE next_cycle_at IS NOT NULL;

-- Accounts that existed before cycles: their next cycle starts on the next billing day, midnight in Kolkata.
UPDATE billing.accounts SET next_cycle_at = (
    CASE WHEN EXTRACT(DAY FROM now() AT TIME ZONE 'Asia/Kolkata') < billing_day
         THEN date_trunc('month', now() AT TIME ZONE 'Asia/Kolkata') + (billing_day - 1) * interval '1 day'
         ELSE date_trunc('month', now() AT TIME ZONE 'Asia/Kolkata') + interval '1 month' + (billing_day - 1) * interval '1 day'
    END) AT TIME ZONE 'Asia/Kolkata'
WHERE next_cycle_at IS NULL;
