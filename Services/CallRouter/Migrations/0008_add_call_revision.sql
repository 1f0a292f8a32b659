-- A replica decides a call's next event from the copy it kept of the row (LiveCalls) and writes only if the row is
-- still that copy. The version alone cannot tell: decisions without events commit asynchronously, a database crash
-- can lose the last of them, and the next update then counts the same version again for a different change. A
-- revision drawn at random for every update never comes back. The decisions set it themselves (so they know it
-- without reading it back); any other update gets a new one here.
ALTER TABLE callrouter.calls ADD COLUMN revision uuid;

CREATE OR REPLACE FUNCTION callrouter.count_call_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    IF NEW.revision IS NOT DISTINCT FROM OLD.revision THEN
        NEW.revision := gen_random_uuid();
    END IF;
    RETURN NEW;
END
$$;
