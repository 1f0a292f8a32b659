-- BI-20, BI-22, NO-06: a plan is paid a year at a time. `plan_paid_until` is when the paid year ends; reminders go
-- out 30, 15, 7 and 1 days before (`renewal_reminded`: the last one sent for this year), and a plan not renewed by
-- then lapses (`plan_lapsed_at`) until a renewal is paid. `renewal_step_at` is when the renewal job next looks at the
-- account. A new account's first year counts as paid at sign-up.
ALTER TABLE billing.accounts
    ADD COLUMN plan_paid_until  timestamptz NOT NULL DEFAULT now() + interval '365 days',
    ADD COLUMN plan_lapsed_at   timestamptz,
    ADD COLUMN renewal_reminded int CHECK (renewal_reminded > 0),
    ADD COLUMN renewal_step_at  timestamptz NOT NULL DEFAULT now() + interval '335 days';

-- Accounts that existed before renewals: their current plan year (years repeat every 365 days from plan_started_at)
-- counts as paid.
UPDATE billing.accounts
SET plan_paid_until = plan_started_at
    + make_interval(days => (greatest(floor(extract(epoch FROM now() - plan_started_at) / 86400 / 365), 0)::int + 1) * 365);
UPDATE billing.accounts SET renewal_step_at = plan_paid_until - interval '30 days';

CREATE INDEX accounts_renewal_due ON billing.accounts (renewal_step_at);

-- What a renewal buys, and the paid year an upgrade or a renewal was priced against: a late capture delivers only
-- while the account's paid year is still that one.
ALTER TABLE billing.payments DROP CONSTRAINT payments_purpose_check;
ALTER TABLE billing.payments
    ADD CONSTRAINT payments_purpose_check CHECK (purpose IN ('recharge', 'did_purchase', 'plan_upgrade', 'plan_renewal')),
    ADD COLUMN priced_until timestamptz;
