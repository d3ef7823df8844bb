-- Keys apart from the data (wall 4). The citizens' and organisations' data keys now live in
-- the key store, a database of its own; `Store::open` copies any still here into it before
-- this migration runs, so a backup of the data holds no key from now on.
DROP TABLE subject_key;
DROP TABLE organisation_key;

-- Erasure by key: when a citizen's data was erased. The row stays, so the ledger, the access
-- log and the orders keep pointing at it; its CPR hash is replaced by random bytes.
ALTER TABLE data_subject ADD COLUMN erased_at TS;

-- Erasure deletes the citizen's data rows, while the ledger rows that disclosed them stay
-- (wall 3): the ledger's `datum_id` no longer references `personal_datum` (the per-backend
-- part below).
