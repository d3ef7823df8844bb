-- Need-to-know (SA-3) and what must reach erasure (wall 4).
--
-- A caseworker works the orders of their own unit. Anyone else of the municipality reaches
-- a citizen's record only through a CPR search (a look-up that lasts the working day) and
-- an order only through a stand-in access with a written reason, sealed under the
-- citizen's key, marked on every access-log entry it allows, and followed up by the
-- privacy officer.
CREATE TABLE case_access (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    user_id BLOB NOT NULL REFERENCES app_user (id),
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    order_id BLOB REFERENCES service_order (id),
    kind TEXT NOT NULL CHECK (kind IN ('lookup', 'stand_in')),
    reason BLOB,
    opened_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    followed_up_at INTEGER,
    followed_up_by BLOB REFERENCES app_user (id),
    follow_up_note BLOB
);
CREATE INDEX case_access_user ON case_access (user_id, subject_id, expires_at);
CREATE INDEX case_access_follow_up ON case_access (controller_id, kind, followed_up_at);
CREATE INDEX service_order_unit ON service_order (unit_id, created_at);

-- The stand-in access an entry was made under (absent from the leaf when empty, so
-- entries written before keep their hashes).
ALTER TABLE access_log ADD COLUMN stand_in_id BLOB;

-- Closing an order ends the supplier's access to the citizen's data; the supplier then
-- confirms that it has deleted its copies.
ALTER TABLE service_order ADD COLUMN closed_by BLOB REFERENCES app_user (id);
ALTER TABLE service_order ADD COLUMN deletion_confirmed_at INTEGER;
ALTER TABLE service_order ADD COLUMN deletion_confirmed_by BLOB REFERENCES app_user (id);

-- The guard's confirmation of a message, sealed like the body.
ALTER TABLE message ADD COLUMN confirmation BLOB;
ALTER TABLE general_message ADD COLUMN confirmation BLOB;

-- User names are unique regardless of case.
CREATE UNIQUE INDEX app_user_username_lower ON app_user (lower(username));

-- The disclosure ledger seals its free text under the citizen's key (justification_sealed;
-- the clear `justification` of older rows is sealed once by the application and then
-- emptied), and records what a confirmed message disclosed (kind 'message': what the guard
-- found, sealed, with no single field or datum). The per-backend part below reshapes the
-- table.
CREATE TABLE disclosure_v2 (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    order_id BLOB NOT NULL REFERENCES service_order (id),
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    supplier_id BLOB NOT NULL REFERENCES organisation (id),
    field_key TEXT,
    datum_id BLOB REFERENCES personal_datum (id),
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
    justification, purpose_id, legal_basis, decided_by, at)
SELECT id, controller_id, order_id, subject_id, supplier_id, field_key, datum_id, kind,
    justification, purpose_id, legal_basis, decided_by, at FROM disclosure;
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
