-- D-29: Billing runs its months and cycles on the company's time zone, which it learns from company.settings.changed.
-- CallRouter publishes that from now on when the zone is set; the zones set before are announced once here, through
-- the outbox like every event (the same envelope the service writes). Each is stamped as set long ago (2000): Billing
-- takes a change only when it is not older than the one it holds, so this fills in the zones Billing never heard of
-- and never undoes one set meanwhile, whichever replica's clock stamped it. Deploy Billing and Campaigns first: an
-- event published before their queues exist reaches nobody.
INSERT INTO callrouter.outbox (event_id, event_type, occurred_at, body)
SELECT id, 'company.settings.changed', now(),
       json_build_object(
           'id', id, 'type', 'company.settings.changed', 'version', 1, 'company_id', company_id,
           'occurred_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'correlation_id', NULL, 'traceparent', NULL,
           'data', json_build_object(
               'time_zone', time_zone, 'changed_at', to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
       )::text
FROM (
    SELECT gen_random_uuid() AS id, company_id, time_zone, timestamptz '2000-01-01 00:00:00+00' AS changed_at
    FROM callrouter.companies WHERE time_zone <> 'Asia/Kolkata'
) AS zoned;
