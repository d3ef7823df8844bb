ALTER TABLE rights_case RENAME TO rights_case_old;
ALTER TABLE rights_case_item RENAME TO rights_case_item_old;
ALTER TABLE rights_task RENAME TO rights_task_old;
ALTER TABLE datum_note RENAME TO datum_note_old;
ALTER TABLE recipient_notice RENAME TO recipient_notice_old;
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
    created_by BLOB REFERENCES app_user (id),
    created_at INTEGER NOT NULL,
    UNIQUE (controller_id, reference)
);
INSERT INTO rights_case SELECT * FROM rights_case_old;
CREATE TABLE rights_case_item (
    case_id BLOB NOT NULL REFERENCES rights_case (id),
    datum_id BLOB NOT NULL REFERENCES personal_datum (id),
    PRIMARY KEY (case_id, datum_id)
);
INSERT INTO rights_case_item SELECT * FROM rights_case_item_old;
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
INSERT INTO rights_task SELECT * FROM rights_task_old;
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
INSERT INTO datum_note SELECT * FROM datum_note_old;
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
INSERT INTO recipient_notice SELECT * FROM recipient_notice_old;
DROP TABLE rights_case_item_old;
DROP TABLE rights_task_old;
DROP TABLE datum_note_old;
DROP TABLE recipient_notice_old;
DROP TABLE rights_case_old;
CREATE INDEX rights_case_subject ON rights_case (subject_id);
CREATE INDEX rights_case_controller ON rights_case (controller_id, status);
CREATE INDEX rights_task_case ON rights_task (case_id);
CREATE INDEX rights_task_organisation ON rights_task (organisation_id);
CREATE INDEX datum_note_subject ON datum_note (subject_id);
CREATE INDEX recipient_notice_supplier ON recipient_notice (supplier_id);
CREATE INDEX recipient_notice_case ON recipient_notice (case_id);
ALTER TABLE consent RENAME TO consent_old;
CREATE TABLE consent (
    id BLOB PRIMARY KEY,
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    notice_version TEXT NOT NULL,
    evidence BLOB NOT NULL,
    recorded_by BLOB REFERENCES app_user (id),
    given_at INTEGER NOT NULL,
    withdrawn_at INTEGER
);
INSERT INTO consent SELECT * FROM consent_old;
DROP TABLE consent_old;
CREATE INDEX consent_subject ON consent (subject_id, channel);
