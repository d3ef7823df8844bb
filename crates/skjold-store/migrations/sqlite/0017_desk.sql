-- The privacy officer's desk: breaches (art. 33-34), retention that runs, and the records
-- of processing (art. 30).

-- A breach. Its free texts (description, categories of persons, contact point, likely
-- consequences, measures, the reasons for lateness) are sealed under the municipality's
-- key, like the general threads: a description may name a person.
CREATE TABLE breach (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    reference TEXT NOT NULL,
    detected_by TEXT NOT NULL CHECK (detected_by IN ('controller', 'processor')),
    processor_id BLOB REFERENCES organisation (id),
    processor_aware_at INTEGER,
    aware_at INTEGER NOT NULL,
    occurred_at INTEGER,
    nature TEXT NOT NULL,
    data_categories TEXT NOT NULL,
    approx_persons INTEGER NOT NULL,
    approx_records INTEGER NOT NULL,
    high_risk INTEGER NOT NULL,
    no_risk INTEGER NOT NULL,
    breach_notice_hours INTEGER NOT NULL,
    texts BLOB NOT NULL,
    processor_reported_at INTEGER,
    authority_notified_at INTEGER,
    persons_notified_at INTEGER,
    late_reasons BLOB,
    affected_summary TEXT,
    recorded_by BLOB NOT NULL REFERENCES app_user (id),
    recorded_at INTEGER NOT NULL,
    UNIQUE (controller_id, reference)
);
CREATE INDEX breach_controller ON breach (controller_id, aware_at);

-- The persons a breach reached, computed from the access log and the ledger and attached
-- through the gate (each attachment logged per citizen).
CREATE TABLE breach_affected (
    breach_id BLOB NOT NULL REFERENCES breach (id),
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    uses INTEGER NOT NULL,
    fields_received INTEGER NOT NULL,
    categories TEXT NOT NULL,
    PRIMARY KEY (breach_id, subject_id)
);

-- Searches for affected persons: by user, by organisation and by supplier over time. The
-- access log's two carry the citizen and the outcome as well, so a search reads the index
-- alone (the party's own entries in the window) and never the log's rows: a supplier's
-- year in a log of ten million entries otherwise costs a pass over the whole table. The
-- user index replaces the narrower one of 0001, with the same leading columns.
DROP INDEX access_log_user;
CREATE INDEX access_log_user ON access_log (user_id, at, subject_id, outcome);
CREATE INDEX access_log_organisation ON access_log (organisation_id, at, subject_id, outcome);
CREATE INDEX disclosure_supplier ON disclosure (supplier_id, at);

-- Retention rules: per record type and purpose (none: every purpose), from a trigger, for a
-- period, then an action; a rule under legal hold is suspended. A changed rule is a new
-- rule; the old one is retired, so receipts keep pointing at the rule that acted.
CREATE TABLE retention_rule (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    record_type TEXT NOT NULL,
    purpose_id BLOB REFERENCES purpose (id),
    trigger_kind TEXT NOT NULL,
    period_months INTEGER NOT NULL,
    action TEXT NOT NULL,
    legal_reference TEXT NOT NULL,
    legal_hold INTEGER NOT NULL,
    created_by BLOB REFERENCES app_user (id),
    created_at INTEGER NOT NULL,
    retired_at INTEGER
);
CREATE INDEX retention_rule_controller ON retention_rule (controller_id, retired_at);

-- What a run did: which rule, what kind of record (by its internal id), how many rows,
-- when. No personal data.
CREATE TABLE deletion_receipt (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    rule_id BLOB NOT NULL REFERENCES retention_rule (id),
    record_type TEXT NOT NULL,
    action TEXT NOT NULL,
    object_id BLOB NOT NULL,
    rows_affected INTEGER NOT NULL,
    kept_until TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX deletion_receipt_object ON deletion_receipt (rule_id, object_id);
CREATE INDEX deletion_receipt_at ON deletion_receipt (controller_id, at);

-- A receipt's delivery to each connected system (an archive, a case system), retried
-- until acknowledged.
CREATE TABLE connector_delivery (
    receipt_id BLOB NOT NULL REFERENCES deletion_receipt (id),
    connector TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    next_attempt_at INTEGER,
    acknowledged_at INTEGER,
    PRIMARY KEY (receipt_id, connector)
);

-- The categories of persons a purpose concerns, for the records of processing.
ALTER TABLE purpose ADD COLUMN subject_categories TEXT NOT NULL DEFAULT '';

-- Reviewed versions of the records of processing, kept: the computed record as JSON.
CREATE TABLE records_version (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    note TEXT NOT NULL,
    reviewed_by BLOB NOT NULL REFERENCES app_user (id),
    reviewed_at INTEGER NOT NULL,
    UNIQUE (controller_id, version)
);

-- A unit's report of a new processing (PR-11): a draft the privacy officer approves or
-- returns.
CREATE TABLE records_draft (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    unit_id BLOB NOT NULL REFERENCES organisation (id),
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    subject_categories TEXT NOT NULL,
    data_categories TEXT NOT NULL,
    recipients TEXT NOT NULL,
    retention TEXT NOT NULL,
    question TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'returned')),
    reported_by BLOB NOT NULL REFERENCES app_user (id),
    reported_at INTEGER NOT NULL,
    decided_by BLOB REFERENCES app_user (id),
    decided_at INTEGER,
    comment TEXT
);
CREATE INDEX records_draft_controller ON records_draft (controller_id, status);
