-- D-15: a campaign's conversations are charged as the provider reports them while the campaign's hold is still in
-- force. Each charge is drawn from the hold, so that the wallet's available balance (balance less what is held)
-- counts it once, not twice. One row per charged conversation makes a re-delivered event draw nothing more.
ALTER TABLE billing.reservations ADD COLUMN drawn bigint NOT NULL DEFAULT 0 CHECK (drawn >= 0);

CREATE TABLE billing.reservation_draws (
    reservation_id uuid   NOT NULL REFERENCES billing.reservations (id),
    source         text   NOT NULL,
    amount         bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (reservation_id, source)
);
