-- D-29: the company's time zone (CallRouter's setting, sent as `company.settings.changed`) decides where Billing's
-- months and cycles begin: promotional SMS credit months, statements, number-rental cycles. A constant default adds
-- the column without rewriting the table. `time_zone_at` is when the zone was set, so that changes arriving out of
-- order never bring an older one back.
ALTER TABLE billing.accounts
    ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Kolkata',
    ADD COLUMN time_zone_at timestamptz;
