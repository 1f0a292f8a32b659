-- D-19, BI-04: auto-recharge. A payment the platform starts itself (`automatic`) is charged to the customer's
-- saved payment mandate by the gateway; `requested_at` records when the gateway was asked. At most one automatic
-- recharge per company waits at a time, however many times the balance crosses the alert meanwhile.
ALTER TABLE billing.payments
    ADD COLUMN automatic    boolean NOT NULL DEFAULT false,
    ADD COLUMN requested_at timestamptz;

CREATE UNIQUE INDEX payments_one_pending_automatic ON billing.payments (company_id) WHERE automatic AND status = 'pending';
CREATE INDEX payments_automatic_unrequested ON billing.payments (created_at) WHERE automatic AND status = 'pending' AND requested_at IS NULL;
