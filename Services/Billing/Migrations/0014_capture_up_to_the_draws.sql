-- D-15: conversations drawn from a hold can go past it (a rate raised while the campaign ran), and the capture of
-- such a hold records usage up to what was drawn (HoldCapture); `captured <= amount` refused it as a 500.
ALTER TABLE billing.reservations DROP CONSTRAINT reservations_check;
ALTER TABLE billing.reservations ADD CONSTRAINT reservations_captured_check CHECK (captured >= 0 AND captured <= GREATEST(amount, drawn));
