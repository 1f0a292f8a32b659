-- CR-75: a number with call masking hides the caller's number from the agents its calls ring: they see the virtual
-- number instead, in their phones' caller ID and in the call log. A constant default: no table rewrite.
ALTER TABLE callrouter.dids ADD COLUMN call_masking boolean NOT NULL DEFAULT false;
