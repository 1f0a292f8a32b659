-- D-19: an automatic payment held for review still counts as the company's one automatic payment: until it is
-- reconciled, falling balances do not charge the mandate again (the provider may keep capturing the wrong amount).
DROP INDEX billing.payments_one_pending_automatic;
CREATE UNIQUE INDEX payments_one_pending_automatic ON billing.payments (company_id) WHERE automatic AND status IN ('pending', 'review');

-- BI-21: upgrades asked for before 0018 get what they were priced from: their plan from the invoice line ("Upgrade
-- from <plan> to …") and the plan year they were asked in, while the account's plan year has not restarted since.
UPDATE billing.payments p
SET upgrade_from = substring(p.lines -> 0 ->> 'description' FROM '^Upgrade from ([a-z]+) to '),
    upgrade_year_start = a.plan_started_at
        + make_interval(days => (floor(extract(epoch FROM p.created_at - a.plan_started_at) / 86400 / 365) * 365)::int)
FROM billing.accounts a
WHERE p.purpose = 'plan_upgrade' AND p.upgrade_from IS NULL AND a.company_id = p.company_id AND p.created_at >= a.plan_started_at;
