-- BI-19: CallRouter lets a company register only the numbers it rents, and learns them from billing.did.activated,
-- which Billing publishes from now on when a purchase is paid. The numbers already rented before that are
-- announced once here, through the outbox like every event (the same envelope the service writes).
INSERT INTO billing.outbox (event_id, event_type, occurred_at, body)
SELECT id, 'billing.did.activated', activated_at,
       json_build_object(
           'id', id, 'type', 'billing.did.activated', 'version', 1, 'company_id', company_id,
           'occurred_at', to_char(activated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'correlation_id', NULL, 'traceparent', NULL,
           'data', json_build_object('number', number, 'activated_at', to_char(activated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
       )::text
FROM (
    SELECT gen_random_uuid() AS id, company_id, number, coalesce(purchased_at, created_at) AS activated_at
    FROM billing.dids WHERE status = 'active'
) AS rented;
