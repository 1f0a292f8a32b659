-- BI-17, D-21: every plan gives a monthly allowance of promotional SMS credits, one credit per segment. A month's
-- credits pay only the promotional SMS delivered in that calendar month (IST): unused credits lapse
-- when it ends, and the next month starts with the full allowance.
ALTER TABLE billing.plans ADD COLUMN promo_sms_credits int NOT NULL DEFAULT 0 CHECK (promo_sms_credits >= 0);
UPDATE billing.plans SET promo_sms_credits = CASE plan
    WHEN 'compact' THEN 1000 WHEN 'sedan' THEN 2500 WHEN 'suv' THEN 5000 ELSE 10000 END;

-- One row per SMS paid (in part or in full) from credits, keyed by the SMS's ledger source, so a re-delivered or
-- re-published SMS never spends credits twice. A month's use is the sum of its rows; rows are written and summed
-- under the account's row lock, so two rating batches cannot both spend the last credits.
CREATE TABLE billing.promo_sms_credit_uses (
    company_id uuid   NOT NULL,
    source     text   NOT NULL,
    month      date   NOT NULL,
    credits    int    NOT NULL CHECK (credits > 0),
    PRIMARY KEY (company_id, source)
);
CREATE INDEX promo_sms_credit_uses_month ON billing.promo_sms_credit_uses (company_id, month);
