-- D-19: an automatic payment whose mandate charge got no clear answer (no answer, a 5xx, a 409) may have been charged.
-- Marked, it is treated like one the gateway accepted: asked again with the same key, never dropped, and not made
-- droppable by a later refusal, which says nothing of the charge the unclear ask may have made.
ALTER TABLE billing.payments ADD COLUMN unclear_at timestamptz;
