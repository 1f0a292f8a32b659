-- D-15: conversations are drawn from their campaign's hold, held or captured, found by (company, reference) for every
-- rated batch; without this index each batch read the company's whole reservation history under its account locks.
CREATE INDEX reservations_reference ON billing.reservations (company_id, reference);
