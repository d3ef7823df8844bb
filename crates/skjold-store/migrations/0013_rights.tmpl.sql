-- Data-subject rights (GDPR art. 15-22): cases, the parts gathered from units and suppliers,
-- notes beside the data, and the notices every recipient gets of a change. Free texts are
-- sealed under the citizen's key, like the data itself.

-- A purpose's retention, for the access answer ("how long the data is kept").
ALTER TABLE purpose ADD COLUMN retention TEXT NOT NULL DEFAULT '';

-- Rectification: an item found incorrect points at the note that rectifies it; nothing is
-- overwritten. Restriction: the case that restricted it. A misfiled item is removed: its
-- value is gone, its row stays for the ledger that points at it.
ALTER TABLE personal_datum ADD COLUMN incorrect_note UUID;
ALTER TABLE personal_datum ADD COLUMN restricted_case UUID;
ALTER TABLE personal_datum ADD COLUMN removed_at TS;

CREATE TABLE rights_case (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    unit_id UUID NOT NULL REFERENCES organisation (id),
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    description BYTES NOT NULL,
    regime TEXT,
    scope TEXT,
    scope_detail BYTES,
    period_from TEXT,
    period_until TEXT,
    remarks BYTES,
    identity_method TEXT,
    identity_checked_by UUID REFERENCES app_user (id),
    identity_checked_at TS,
    extended_until TEXT,
    extension_reason BYTES,
    extension_notice_at TS,
    status TEXT NOT NULL,
    outcome TEXT,
    ground TEXT,
    reasons BYTES,
    decided_by UUID REFERENCES app_user (id),
    decided_at TS,
    reviewed_by UUID REFERENCES app_user (id),
    reviewed_at TS,
    answered_at TS,
    letter_sha256 TEXT,
    created_by UUID NOT NULL REFERENCES app_user (id),
    created_at TS NOT NULL,
    UNIQUE (controller_id, reference)
);
CREATE INDEX rights_case_subject ON rights_case (subject_id);
CREATE INDEX rights_case_controller ON rights_case (controller_id, status);

-- The items a rectification, restriction or erasure request concerns.
CREATE TABLE rights_case_item (
    case_id UUID NOT NULL REFERENCES rights_case (id),
    datum_id UUID NOT NULL REFERENCES personal_datum (id),
    PRIMARY KEY (case_id, datum_id)
);

-- A part of a gathered answer: a unit in scope, or a supplier that received the data.
CREATE TABLE rights_task (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES rights_case (id),
    organisation_id UUID NOT NULL REFERENCES organisation (id),
    kind TEXT NOT NULL CHECK (kind IN ('unit', 'supplier')),
    deadline TEXT NOT NULL,
    contribution BYTES,
    contributed_by UUID REFERENCES app_user (id),
    contributed_at TS,
    created_at TS NOT NULL
);
CREATE INDEX rights_task_case ON rights_task (case_id);
CREATE INDEX rights_task_organisation ON rights_task (organisation_id);

-- Notes beside an item: a rectification note, the citizen's statement.
CREATE TABLE datum_note (
    id UUID PRIMARY KEY,
    datum_id UUID NOT NULL REFERENCES personal_datum (id),
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    case_id UUID REFERENCES rights_case (id),
    kind TEXT NOT NULL CHECK (kind IN ('rectification', 'statement')),
    note BYTES NOT NULL,
    created_by UUID NOT NULL REFERENCES app_user (id),
    created_at TS NOT NULL
);
CREATE INDEX datum_note_subject ON datum_note (subject_id);

-- Art. 19: a recipient told of a granted rectification, erasure or restriction.
CREATE TABLE recipient_notice (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES rights_case (id),
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    supplier_id UUID NOT NULL REFERENCES organisation (id),
    order_id UUID REFERENCES service_order (id),
    -- The fields concerned (comma-separated keys), and sealed JSON copies of their values
    -- before and after the change (empty for an erasure, which leaves nothing to copy).
    fields TEXT NOT NULL,
    before_copy BYTES NOT NULL,
    after_copy BYTES NOT NULL,
    sent_at TS NOT NULL,
    acknowledged_at TS,
    acknowledged_by UUID REFERENCES app_user (id)
);
CREATE INDEX recipient_notice_supplier ON recipient_notice (supplier_id);
CREATE INDEX recipient_notice_case ON recipient_notice (case_id);
