-- BI-19, D-29: the cycle a number purchase's rental line paid for, fixed when it was priced. Settling the payment
-- files the rental under that cycle; working it out again on the company's clock at settlement would name another
-- cycle when the company changed its time zone in between (and charge one cycle twice, or none).
ALTER TABLE billing.payments ADD COLUMN rental_cycle text;

-- Purchases priced before: their rental line names the cycle ("... of the cycle from 2026-12-05").
UPDATE billing.payments
SET rental_cycle = substring(lines -> 1 ->> 'description' FROM 'cycle from (\d{4}-\d{2}-\d{2})')
WHERE purpose = 'did_purchase' AND rental_cycle IS NULL;
