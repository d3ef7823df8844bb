-- Need-to-know (SA-3) and what must reach erasure (wall 4).
--
-- A caseworker works the orders of their own unit. Anyone else of the municipality reaches
-- a citizen's record only through a CPR search (a look-up that lasts the working day) and
-- an order only through a stand-in access with a written reason, sealed under the
-- citizen's key, marked on every access-log entry it allows, and followed up by the
-- privacy officer.
CREATE TABLE case_access (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    user_id UUID NOT NULL REFERENCES app_user (id),
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    order_id UUID REFERENCES service_order (id),
    kind TEXT NOT NULL CHECK (kind IN ('lookup', 'stand_in')),
    reason BYTEA,
    opened_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    followed_up_at BIGINT,
    followed_up_by UUID REFERENCES app_user (id),
    follow_up_note BYTEA
);
CREATE INDEX case_access_user ON case_access (user_id, subject_id, expires_at);
CREATE INDEX case_access_follow_up ON case_access (controller_id, kind, followed_up_at);
CREATE INDEX service_order_unit ON service_order (unit_id, created_at);

-- The stand-in access an entry was made under (absent from the leaf when empty, so
-- entries written before keep their hashes).
ALTER TABLE access_log ADD COLUMN stand_in_id UUID;

-- Closing an order ends the supplier's access to the citizen's data; the supplier then
-- confirms that it has deleted its copies.
ALTER TABLE service_order ADD COLUMN closed_by UUID REFERENCES app_user (id);
ALTER TABLE service_order ADD COLUMN deletion_confirmed_at BIGINT;
ALTER TABLE service_order ADD COLUMN deletion_confirmed_by UUID REFERENCES app_user (id);

-- The guard's confirmation of a message, sealed like the body.
ALTER TABLE message ADD COLUMN confirmation BYTEA;
ALTER TABLE general_message ADD COLUMN confirmation BYTEA;

-- User names are unique regardless of case.
CREATE UNIQUE INDEX app_user_username_lower ON app_user (lower(username));

-- The disclosure ledger seals its free text under the citizen's key (justification_sealed;
-- the clear `justification` of older rows is sealed once by the application and then
-- emptied), and records what a confirmed message disclosed (kind 'message': what the guard
-- found, sealed, with no single field or datum). The per-backend part below reshapes the
-- table.
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
