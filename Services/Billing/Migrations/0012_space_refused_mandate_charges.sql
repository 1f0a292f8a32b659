-- D-19: when an automatic payment the gateway refused (or could not take) may be asked for again (MandateRetry).
-- Until now a refused charge was asked again on the next round, seconds later, so a short gateway outage used up
-- every attempt and failed the recharge.
ALTER TABLE billing.payments ADD COLUMN retry_at timestamptz;
