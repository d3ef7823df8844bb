CREATE TABLE disclosure_v2 (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    order_id BLOB NOT NULL REFERENCES service_order (id),
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    supplier_id BLOB NOT NULL REFERENCES organisation (id),
    field_key TEXT,
    datum_id BLOB,
    kind TEXT NOT NULL CHECK (kind IN ('automatic', 'manual', 'message')),
    justification TEXT,
    justification_sealed BLOB,
    message_id BLOB,
    found_sealed BLOB,
    purpose_id BLOB NOT NULL REFERENCES purpose (id),
    legal_basis TEXT NOT NULL,
    decided_by BLOB NOT NULL REFERENCES app_user (id),
    at INTEGER NOT NULL,
    CHECK ((kind = 'message') = (field_key IS NULL))
);
INSERT INTO disclosure_v2 (id, controller_id, order_id, subject_id, supplier_id, field_key, datum_id, kind,
    justification, justification_sealed, message_id, found_sealed, purpose_id, legal_basis, decided_by, at)
SELECT id, controller_id, order_id, subject_id, supplier_id, field_key, datum_id, kind,
    justification, justification_sealed, message_id, found_sealed, purpose_id, legal_basis, decided_by, at
FROM disclosure;
DROP TABLE disclosure;
ALTER TABLE disclosure_v2 RENAME TO disclosure;
CREATE INDEX disclosure_order ON disclosure (order_id);
CREATE INDEX disclosure_at ON disclosure (controller_id, at);
CREATE INDEX disclosure_subject ON disclosure (subject_id, at);
-- Append-only, but for one change: sealing an older row's clear justification.
CREATE TRIGGER disclosure_no_update BEFORE UPDATE ON disclosure
WHEN NOT (OLD.justification IS NOT NULL AND NEW.justification IS NULL
    AND OLD.justification_sealed IS NULL AND NEW.justification_sealed IS NOT NULL
    AND NEW.id = OLD.id AND NEW.controller_id = OLD.controller_id AND NEW.order_id = OLD.order_id
    AND NEW.subject_id = OLD.subject_id AND NEW.supplier_id = OLD.supplier_id
    AND NEW.field_key IS OLD.field_key AND NEW.datum_id IS OLD.datum_id AND NEW.kind = OLD.kind
    AND NEW.message_id IS OLD.message_id AND NEW.found_sealed IS OLD.found_sealed
    AND NEW.purpose_id = OLD.purpose_id AND NEW.legal_basis = OLD.legal_basis
    AND NEW.decided_by = OLD.decided_by AND NEW.at = OLD.at)
BEGIN SELECT RAISE(ABORT, 'the disclosure ledger is append-only'); END;
CREATE TRIGGER disclosure_no_delete BEFORE DELETE ON disclosure
BEGIN SELECT RAISE(ABORT, 'the disclosure ledger is append-only'); END;
