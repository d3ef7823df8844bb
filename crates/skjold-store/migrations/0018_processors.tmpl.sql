-- DPAs in versions, sub-processors, third-country transfers, audits and inspections,
-- notices from processors, the end of a DPA, and the written security rules (INV-5,
-- INV-7, INV-9 … INV-11, INV-14, INV-16, INV-17, SA-1).

-- A DPA's terms in versions. Version 1 of every existing DPA is its instructions.
CREATE TABLE dpa_version (
    id UUID PRIMARY KEY,
    dpa_id UUID NOT NULL REFERENCES dpa (id),
    version I64 NOT NULL,
    change_kind TEXT NOT NULL CHECK (change_kind IN ('agreed', 'unilateral')),
    instructions TEXT NOT NULL,
    data_categories TEXT NOT NULL,
    subject_categories TEXT NOT NULL,
    security_level TEXT NOT NULL,
    breach_notice_hours I64 NOT NULL,
    retention_and_return TEXT NOT NULL,
    audit_terms TEXT NOT NULL,
    notified_on TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    created_by UUID REFERENCES app_user (id),
    created_at TS NOT NULL,
    acknowledged_by UUID REFERENCES app_user (id),
    acknowledged_at TS,
    UNIQUE (dpa_id, version)
);
INSERT INTO dpa_version (id, dpa_id, version, change_kind, instructions, data_categories,
    subject_categories, security_level, breach_notice_hours, retention_and_return, audit_terms,
    notified_on, effective_on, created_by, created_at)
SELECT id, id, 1, 'agreed', instructions, '', '', '', 24, '', '', starts_on, starts_on, NULL, created_at
FROM dpa;

-- A planned change of sub-processor, announced by the processor; the controller may object
-- within the window.
CREATE TABLE sub_processor (
    id UUID PRIMARY KEY,
    dpa_id UUID NOT NULL REFERENCES dpa (id),
    change_kind TEXT NOT NULL CHECK (change_kind IN ('add', 'remove')),
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    task TEXT NOT NULL,
    announced_on TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    agreement_on TEXT,
    announced_by UUID NOT NULL REFERENCES app_user (id),
    created_at TS NOT NULL,
    objected_at TS,
    objected_by UUID REFERENCES app_user (id),
    objection TEXT,
    withdrawn_at TS
);
CREATE INDEX sub_processor_dpa ON sub_processor (dpa_id);

-- A transfer to a third country, with the basis and its document, refused until approved.
CREATE TABLE transfer (
    id UUID PRIMARY KEY,
    dpa_id UUID NOT NULL REFERENCES dpa (id),
    recipient TEXT NOT NULL,
    country TEXT NOT NULL,
    basis TEXT NOT NULL,
    document_name TEXT NOT NULL,
    document_sha256 TEXT NOT NULL,
    document BYTES NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('presented', 'approved', 'refused')),
    presented_by UUID NOT NULL REFERENCES app_user (id),
    presented_at TS NOT NULL,
    decided_by UUID REFERENCES app_user (id),
    decided_at TS,
    note TEXT
);
CREATE INDEX transfer_dpa ON transfer (dpa_id);

-- Yearly audit statements received, and inspections planned with notice.
CREATE TABLE audit_record (
    id UUID PRIMARY KEY,
    dpa_id UUID NOT NULL REFERENCES dpa (id),
    kind TEXT NOT NULL CHECK (kind IN ('statement', 'inspection')),
    on_date TEXT NOT NULL,
    notified_on TEXT,
    summary TEXT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES app_user (id),
    recorded_at TS NOT NULL
);
CREATE INDEX audit_record_dpa ON audit_record (dpa_id, kind);

-- A processor's warning of an unlawful instruction, or a request it passes on (from an
-- authority, or a data subject). The text may name a citizen: sealed under the
-- municipality's key.
CREATE TABLE processor_notice (
    id UUID PRIMARY KEY,
    dpa_id UUID NOT NULL REFERENCES dpa (id),
    kind TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    body BYTES NOT NULL,
    sent_by UUID NOT NULL REFERENCES app_user (id),
    sent_at TS NOT NULL,
    handled_by UUID REFERENCES app_user (id),
    handled_at TS,
    response BYTES
);
CREATE INDEX processor_notice_dpa ON processor_notice (dpa_id);

-- The processor's written confirmation that it returned or deleted everything after the
-- DPA ended.
CREATE TABLE dpa_end_confirmation (
    dpa_id UUID PRIMARY KEY REFERENCES dpa (id),
    confirmation TEXT NOT NULL,
    confirmed_by UUID NOT NULL REFERENCES app_user (id),
    confirmed_at TS NOT NULL
);

-- The written internal security rules, in versions.
CREATE TABLE security_rules (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    version I64 NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    owner_id UUID NOT NULL REFERENCES app_user (id),
    review_due TEXT NOT NULL,
    approved_by UUID NOT NULL REFERENCES app_user (id),
    approved_at TS NOT NULL,
    UNIQUE (controller_id, version)
);
