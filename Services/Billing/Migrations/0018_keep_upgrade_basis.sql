-- BI-21: an upgrade payment keeps what it was priced from: the plan and the start of the plan year when it was asked
-- for. A late capture delivers the upgrade only while the account is still there; a plan price the operator changed
-- meanwhile does not turn it into a wallet credit.
ALTER TABLE billing.payments ADD COLUMN upgrade_from text, ADD COLUMN upgrade_year_start timestamptz;
