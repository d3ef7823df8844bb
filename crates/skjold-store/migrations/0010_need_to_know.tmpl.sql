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
    reason BYTES,
    opened_at TS NOT NULL,
    expires_at TS NOT NULL,
    followed_up_at TS,
    followed_up_by UUID REFERENCES app_user (id),
    follow_up_note BYTES
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
ALTER TABLE service_order ADD COLUMN deletion_confirmed_at TS;
ALTER TABLE service_order ADD COLUMN deletion_confirmed_by UUID REFERENCES app_user (id);

-- The guard's confirmation of a message, sealed like the body.
ALTER TABLE message ADD COLUMN confirmation BYTES;
ALTER TABLE general_message ADD COLUMN confirmation BYTES;

-- User names are unique regardless of case.
CREATE UNIQUE INDEX app_user_username_lower ON app_user (lower(username));

-- The disclosure ledger seals its free text under the citizen's key (justification_sealed;
-- the clear `justification` of older rows is sealed once by the application and then
-- emptied), and records what a confirmed message disclosed (kind 'message': what the guard
-- found, sealed, with no single field or datum). The per-backend part below reshapes the
-- table.
