-- BI-20, BI-21: with plans paid a year at a time, a queued downgrade takes effect when the paid year ends, not at the
-- next monthly cycle. A renewal into the downgraded plan paid before then fixes the next year's plan:
-- `pending_plan_from` is when it starts (the old end of the paid year), and the plan can no longer change before it.
ALTER TABLE billing.accounts ADD COLUMN pending_plan_from timestamptz;

-- No renewal could be paid before 0020: an account whose backfilled year ends within a month gets the month, so each of
-- its reminders can go out and it can renew before anything stops.
UPDATE billing.accounts
SET plan_paid_until = now() + interval '31 days', renewal_step_at = now() + interval '1 day', renewal_reminded = NULL
WHERE plan_lapsed_at IS NULL AND plan_paid_until < now() + interval '31 days'
  AND NOT EXISTS (SELECT 1 FROM billing.payments p WHERE p.company_id = accounts.company_id AND p.purpose = 'plan_renewal');
