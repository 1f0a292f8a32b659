-- D-19: when the payment gateway accepted an automatic (mandate) charge. From then on the customer may have been
-- charged, so the payment is never failed because a later ask was refused, and a capture that arrives after we gave
-- up waiting still credits the wallet.
ALTER TABLE billing.payments ADD COLUMN accepted_at timestamptz;
