-- Every update of a call counts, whoever makes it: a replica of an earlier release (which locked the row instead of
-- checking its version) running beside a new one during a rolling deploy, the disposition API, a manual fix. A
-- decision's conditional write then never lands on top of a change it did not read.
CREATE FUNCTION callrouter.count_call_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER calls_count_updates BEFORE UPDATE ON callrouter.calls FOR EACH ROW EXECUTE FUNCTION callrouter.count_call_update();
