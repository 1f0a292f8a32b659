-- CA-47: MM Lite, Meta's Marketing Messages Lite API, routes the company's marketing templates through
-- `/{phone-number-id}/marketing_messages` instead of `/messages`. A constant default: no table rewrite.
ALTER TABLE campaigns.companies ADD COLUMN mm_lite boolean NOT NULL DEFAULT false;
