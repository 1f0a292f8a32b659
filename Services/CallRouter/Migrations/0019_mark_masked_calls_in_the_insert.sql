-- CR-75: a call's row is marked masked by the statement that inserts it, from the state the call starts with, which
-- also covers a masked call returned through another of the company's numbers (0018's trigger looked only at the
-- number the row names). The trigger is no longer needed.
DROP TRIGGER calls_mark_masked ON callrouter.calls;
DROP FUNCTION callrouter.mark_masked_call();
