-- BI-19, D-29: the cycle a number purchase's rental line paid for, fixed when it was priced. Settling the payment
-- files the rental under that cycle; working it out again on the company's clock at settlement would name another
-- cycle when the company changed its time zone in between (and charge one cycle twice, or none).
ALTER TABLE billing.payments ADD COLUMN rental_cycle text;
