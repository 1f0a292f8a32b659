-- BI-32: what an operator settling a payment held for review wrote (the provider's records they went by). Kept for
-- the audit trail, never shown to the customer; the customer sees the failure reason.
ALTER TABLE billing.payments ADD COLUMN operator_note text;
