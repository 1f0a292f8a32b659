-- D-15: a campaign's conversations are charged as the provider reports them while the campaign's hold is still in
-- force. Each charge is drawn from the hold, so that the wallet's available balance (balance less what is held)
-- counts it once, not twice. One row per charged conversation makes a re-delivered event draw nothing more.
ALTER TABLE billing.reservations ADD COLUMN drawn bigint NOT NULL DEFAULT 0 CHECK (drawn >= 0);

-- Keyed by the charge's source (one conversation), so a conversation is drawn once from whichever hold was in force,
-- even when a later hold of the same campaign replaced an expired one.
CREATE TABLE billing.reservation_draws (
    company_id     uuid   NOT NULL,
    source         text   NOT NULL,
    reservation_id uuid   NOT NULL REFERENCES billing.reservations (id),
    amount         bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (company_id, source)
);
