-- A capture whose amount differs from what the payment asked for is neither delivered nor dropped: the payment is held
-- for review with the amount the provider reported, so the money the customer paid is on record while an operator
-- reconciles it with the provider. A later capture of the right amount still settles it.
ALTER TABLE billing.payments DROP CONSTRAINT payments_status_check;
ALTER TABLE billing.payments ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'review'));
ALTER TABLE billing.payments ADD COLUMN captured_amount bigint;
