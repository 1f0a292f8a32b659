-- BI-19: the numbers each company rents, projected from Billing's billing.did.activated / billing.did.released.
-- A company may route only a number it rents (or a shared number of the operator's pool), so no company can claim
-- another's number. The newest event per number wins; `changed_at` is when it happened in Billing.
CREATE TABLE callrouter.rented_numbers (
    number     text        PRIMARY KEY,
    company_id uuid        NOT NULL,
    active     boolean     NOT NULL,
    changed_at timestamptz NOT NULL
);
