-- The privacy officer's desk: breaches (art. 33-34), retention that runs, and the records
-- of processing (art. 30).

-- A breach. Its free texts (description, categories of persons, contact point, likely
-- consequences, measures, the reasons for lateness) are sealed under the municipality's
-- key, like the general threads: a description may name a person.
CREATE TABLE breach (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    reference TEXT NOT NULL,
    detected_by TEXT NOT NULL CHECK (detected_by IN ('controller', 'processor')),
    processor_id UUID REFERENCES organisation (id),
    processor_aware_at TS,
    aware_at TS NOT NULL,
    occurred_at TS,
    nature TEXT NOT NULL,
    data_categories TEXT NOT NULL,
    approx_persons I64 NOT NULL,
    approx_records I64 NOT NULL,
    high_risk BOOL NOT NULL,
    no_risk BOOL NOT NULL,
    breach_notice_hours I64 NOT NULL,
    texts BYTES NOT NULL,
    processor_reported_at TS,
    authority_notified_at TS,
    persons_notified_at TS,
    late_reasons BYTES,
    affected_summary TEXT,
    recorded_by UUID NOT NULL REFERENCES app_user (id),
    recorded_at TS NOT NULL,
    UNIQUE (controller_id, reference)
);
CREATE INDEX breach_controller ON breach (controller_id, aware_at);

-- The persons a breach reached, computed from the access log and the ledger and attached
-- through the gate (each attachment logged per citizen).
CREATE TABLE breach_affected (
    breach_id UUID NOT NULL REFERENCES breach (id),
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    uses I64 NOT NULL,
    fields_received I64 NOT NULL,
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
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    record_type TEXT NOT NULL,
    purpose_id UUID REFERENCES purpose (id),
    trigger_kind TEXT NOT NULL,
    period_months I64 NOT NULL,
    action TEXT NOT NULL,
    legal_reference TEXT NOT NULL,
    legal_hold BOOL NOT NULL,
    created_by UUID REFERENCES app_user (id),
    created_at TS NOT NULL,
    retired_at TS
);
CREATE INDEX retention_rule_controller ON retention_rule (controller_id, retired_at);

-- What a run did: which rule, what kind of record (by its internal id), how many rows,
-- when. No personal data.
CREATE TABLE deletion_receipt (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    rule_id UUID NOT NULL REFERENCES retention_rule (id),
    record_type TEXT NOT NULL,
    action TEXT NOT NULL,
    object_id UUID NOT NULL,
    rows_affected I64 NOT NULL,
    kept_until TEXT NOT NULL,
    at TS NOT NULL
);
CREATE INDEX deletion_receipt_object ON deletion_receipt (rule_id, object_id);
CREATE INDEX deletion_receipt_at ON deletion_receipt (controller_id, at);

-- A receipt's delivery to each connected system (an archive, a case system), retried
-- until acknowledged.
CREATE TABLE connector_delivery (
    receipt_id UUID NOT NULL REFERENCES deletion_receipt (id),
    connector TEXT NOT NULL,
    attempts I64 NOT NULL,
    last_error TEXT,
    next_attempt_at TS,
    acknowledged_at TS,
    PRIMARY KEY (receipt_id, connector)
);

-- The categories of persons a purpose concerns, for the records of processing.
ALTER TABLE purpose ADD COLUMN subject_categories TEXT NOT NULL DEFAULT '';

-- Reviewed versions of the records of processing, kept: the computed record as JSON.
CREATE TABLE records_version (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    version I64 NOT NULL,
    content TEXT NOT NULL,
    note TEXT NOT NULL,
    reviewed_by UUID NOT NULL REFERENCES app_user (id),
    reviewed_at TS NOT NULL,
    UNIQUE (controller_id, version)
);

-- A unit's report of a new processing (PR-11): a draft the privacy officer approves or
-- returns.
CREATE TABLE records_draft (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    unit_id UUID NOT NULL REFERENCES organisation (id),
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    subject_categories TEXT NOT NULL,
    data_categories TEXT NOT NULL,
    recipients TEXT NOT NULL,
    retention TEXT NOT NULL,
    question TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'returned')),
    reported_by UUID NOT NULL REFERENCES app_user (id),
    reported_at TS NOT NULL,
    decided_by UUID REFERENCES app_user (id),
    decided_at TS,
    comment TEXT
);
CREATE INDEX records_draft_controller ON records_draft (controller_id, status);
