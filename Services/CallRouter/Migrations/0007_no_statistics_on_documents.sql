-- No plan uses statistics of these columns (the sweeper's `state->>'phase'` is an expression, estimated without
-- them); they only make every ANALYZE of the busiest table decompress and sort large JSON values (perf during `loadgen route`: autovacuum's ANALYZE of calls was ~4 % of the machine).
ALTER TABLE callrouter.calls ALTER COLUMN state SET STATISTICS 0, ALTER COLUMN journey SET STATISTICS 0,
    ALTER COLUMN last_response SET STATISTICS 0;
