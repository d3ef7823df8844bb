-- Data-subject rights (GDPR art. 15-22): cases, the parts gathered from units and suppliers,
-- notes beside the data, and the notices every recipient gets of a change. Free texts are
-- sealed under the citizen's key, like the data itself.

-- A purpose's retention, for the access answer ("how long the data is kept").
ALTER TABLE purpose ADD COLUMN retention TEXT NOT NULL DEFAULT '';

-- Rectification: an item found incorrect points at the note that rectifies it; nothing is
-- overwritten. Restriction: the case that restricted it. A misfiled item is removed: its
-- value is gone, its row stays for the ledger that points at it.
ALTER TABLE personal_datum ADD COLUMN incorrect_note BLOB;
ALTER TABLE personal_datum ADD COLUMN restricted_case BLOB;
ALTER TABLE personal_datum ADD COLUMN removed_at INTEGER;

CREATE TABLE rights_case (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    unit_id BLOB NOT NULL REFERENCES organisation (id),
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    description BLOB NOT NULL,
    regime TEXT,
    scope TEXT,
    scope_detail BLOB,
    period_from TEXT,
    period_until TEXT,
    remarks BLOB,
    identity_method TEXT,
    identity_checked_by BLOB REFERENCES app_user (id),
    identity_checked_at INTEGER,
    extended_until TEXT,
    extension_reason BLOB,
    extension_notice_at INTEGER,
    status TEXT NOT NULL,
    outcome TEXT,
    ground TEXT,
    reasons BLOB,
    decided_by BLOB REFERENCES app_user (id),
    decided_at INTEGER,
    reviewed_by BLOB REFERENCES app_user (id),
    reviewed_at INTEGER,
    answered_at INTEGER,
    letter_sha256 TEXT,
    created_by BLOB NOT NULL REFERENCES app_user (id),
    created_at INTEGER NOT NULL,
    UNIQUE (controller_id, reference)
);
CREATE INDEX rights_case_subject ON rights_case (subject_id);
CREATE INDEX rights_case_controller ON rights_case (controller_id, status);

-- The items a rectification, restriction or erasure request concerns.
CREATE TABLE rights_case_item (
    case_id BLOB NOT NULL REFERENCES rights_case (id),
    datum_id BLOB NOT NULL REFERENCES personal_datum (id),
    PRIMARY KEY (case_id, datum_id)
);

-- A part of a gathered answer: a unit in scope, or a supplier that received the data.
CREATE TABLE rights_task (
    id BLOB PRIMARY KEY,
    case_id BLOB NOT NULL REFERENCES rights_case (id),
    organisation_id BLOB NOT NULL REFERENCES organisation (id),
    kind TEXT NOT NULL CHECK (kind IN ('unit', 'supplier')),
    deadline TEXT NOT NULL,
    contribution BLOB,
    contributed_by BLOB REFERENCES app_user (id),
    contributed_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX rights_task_case ON rights_task (case_id);
CREATE INDEX rights_task_organisation ON rights_task (organisation_id);

-- Notes beside an item: a rectification note, the citizen's statement.
CREATE TABLE datum_note (
    id BLOB PRIMARY KEY,
    datum_id BLOB NOT NULL REFERENCES personal_datum (id),
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    case_id BLOB REFERENCES rights_case (id),
    kind TEXT NOT NULL CHECK (kind IN ('rectification', 'statement')),
    note BLOB NOT NULL,
    created_by BLOB NOT NULL REFERENCES app_user (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX datum_note_subject ON datum_note (subject_id);

-- Art. 19: a recipient told of a granted rectification, erasure or restriction.
CREATE TABLE recipient_notice (
    id BLOB PRIMARY KEY,
    case_id BLOB NOT NULL REFERENCES rights_case (id),
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    supplier_id BLOB NOT NULL REFERENCES organisation (id),
    order_id BLOB REFERENCES service_order (id),
    -- The fields concerned (comma-separated keys), and sealed JSON copies of their values
    -- before and after the change (empty for an erasure, which leaves nothing to copy).
    fields TEXT NOT NULL,
    before_copy BLOB NOT NULL,
    after_copy BLOB NOT NULL,
    sent_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by BLOB REFERENCES app_user (id)
);
CREATE INDEX recipient_notice_supplier ON recipient_notice (supplier_id);
CREATE INDEX recipient_notice_case ON recipient_notice (case_id);
