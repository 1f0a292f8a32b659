-- D-12: the quota counts unique recipients per rolling 24 hours, not messages. Each recipient a number reached with a
-- business-initiated message, with the hour of the latest such message; their unit of the number's hourly buckets is
-- in that hour's bucket. Rows older than the window mean nothing and are pruned by the sweep.
CREATE TABLE campaigns.quota_recipients (
    number_id uuid   NOT NULL,
    recipient text   NOT NULL,
    hour      bigint NOT NULL,
    PRIMARY KEY (number_id, recipient)
);

CREATE INDEX quota_recipients_hour ON campaigns.quota_recipients (hour);

-- numbers.quota_last_grant is no longer written; it stays so that replicas of the previous version keep working while
-- a rolling update replaces them.
