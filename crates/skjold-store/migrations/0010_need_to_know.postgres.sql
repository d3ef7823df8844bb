ALTER TABLE disclosure ALTER COLUMN field_key DROP NOT NULL;
ALTER TABLE disclosure ALTER COLUMN datum_id DROP NOT NULL;
ALTER TABLE disclosure DROP CONSTRAINT disclosure_kind_check;
ALTER TABLE disclosure ADD CONSTRAINT disclosure_kind_check CHECK (kind IN ('automatic', 'manual', 'message'));
ALTER TABLE disclosure ADD COLUMN justification_sealed BYTEA;
ALTER TABLE disclosure ADD COLUMN message_id UUID;
ALTER TABLE disclosure ADD COLUMN found_sealed BYTEA;
ALTER TABLE disclosure ADD CONSTRAINT disclosure_message_has_no_field CHECK ((kind = 'message') = (field_key IS NULL));
CREATE INDEX disclosure_subject ON disclosure (subject_id, at);
-- Append-only, but for one change: sealing an older row's clear justification.
CREATE FUNCTION skjold_disclosure_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.justification IS NOT NULL AND NEW.justification IS NULL
        AND OLD.justification_sealed IS NULL AND NEW.justification_sealed IS NOT NULL
        AND ROW(NEW.id, NEW.controller_id, NEW.order_id, NEW.subject_id, NEW.supplier_id,
                NEW.field_key, NEW.datum_id, NEW.kind, NEW.message_id, NEW.found_sealed,
                NEW.purpose_id, NEW.legal_basis, NEW.decided_by, NEW.at)
            IS NOT DISTINCT FROM
            ROW(OLD.id, OLD.controller_id, OLD.order_id, OLD.subject_id, OLD.supplier_id,
                OLD.field_key, OLD.datum_id, OLD.kind, OLD.message_id, OLD.found_sealed,
                OLD.purpose_id, OLD.legal_basis, OLD.decided_by, OLD.at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the disclosure ledger is append-only';
END;
$$;
DROP TRIGGER disclosure_append_only ON disclosure;
CREATE TRIGGER disclosure_append_only BEFORE UPDATE OR DELETE ON disclosure
    FOR EACH ROW EXECUTE FUNCTION skjold_disclosure_guard();
