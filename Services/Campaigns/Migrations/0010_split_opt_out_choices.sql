-- CA-01: the customer's choice and the business's are kept apart, so a business can never lift what the customer
-- asked for (a STOP delivered late must still count), and Meta's 131050 (the customer stopped *marketing* messages)
-- blocks marketing templates only. 0009's table held one merged choice; it is replaced before any release used it.
DROP TABLE campaigns.opt_outs;

CREATE TABLE campaigns.opt_outs (
    company_id      uuid        NOT NULL,
    contact         text        NOT NULL,
    -- The customer's latest choice: a STOP/START keyword, or Meta's 131050.
    customer_out    boolean     NOT NULL DEFAULT false,
    customer_source text        CHECK (customer_source IN ('keyword', 'provider')),
    customer_at     timestamptz,
    -- An opt-out the business recorded (the customer asked another way); only this one is the business's to lift.
    business_out    boolean     NOT NULL DEFAULT false,
    business_at     timestamptz,
    PRIMARY KEY (company_id, contact)
);
