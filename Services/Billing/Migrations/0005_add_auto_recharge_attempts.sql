-- D-19: the gateway is asked for an automatic recharge a few times before the payment is given up (which frees the
-- company's slot for the next one).
ALTER TABLE billing.payments ADD COLUMN attempts int NOT NULL DEFAULT 0;
