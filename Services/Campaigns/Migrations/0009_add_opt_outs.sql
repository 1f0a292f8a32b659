-- CA-01: the customer must have opted in. A contact who wrote STOP (or whom Meta reports as having stopped the
-- business's messages, error 131050) gets no templates from the company until they write START. One row per company
-- and contact holds the latest choice; `changed_at` orders choices that arrive out of order.
CREATE TABLE campaigns.opt_outs (
    company_id uuid        NOT NULL,
    contact    text        NOT NULL,
    opted_out  boolean     NOT NULL,
    source     text        NOT NULL CHECK (source IN ('keyword', 'provider', 'api')),
    changed_at timestamptz NOT NULL,
    PRIMARY KEY (company_id, contact)
);
