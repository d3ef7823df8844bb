ALTER TABLE disclosure DROP CONSTRAINT disclosure_datum_id_fkey;
