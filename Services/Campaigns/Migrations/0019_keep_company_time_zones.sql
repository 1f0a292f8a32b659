-- D-29: the company's time zone (CallRouter's setting, sent as `company.settings.changed`) is the clock a new WhatsApp
-- number's business hours start on (CA-53), until the number is given its own. Constant defaults add the columns
-- without rewriting the table; `time_zone_at` is when the zone was set, so that changes arriving out of order never
-- bring an older one back.
ALTER TABLE campaigns.companies
    ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Kolkata',
    ADD COLUMN time_zone_at timestamptz;
