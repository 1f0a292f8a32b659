-- CR-75: whether a call came in on (or went out through) a masking number is kept on the call's row, not only in its
-- JSON state: a replica of the previous release rewrites the state without it, and the call log must keep hiding
-- the caller from agents whatever wrote the call last. The row is marked by the number's setting when it is inserted,
-- in the same statement that admits the call. A constant default: no table rewrite.
ALTER TABLE callrouter.calls ADD COLUMN masked boolean NOT NULL DEFAULT false;

CREATE FUNCTION callrouter.mark_masked_call() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.masked := NEW.masked OR EXISTS (
        SELECT 1 FROM callrouter.dids d WHERE d.number = NEW.did AND d.company_id = NEW.company_id AND d.call_masking);
    RETURN NEW;
END
$$;

CREATE TRIGGER calls_mark_masked BEFORE INSERT ON callrouter.calls FOR EACH ROW EXECUTE FUNCTION callrouter.mark_masked_call();
