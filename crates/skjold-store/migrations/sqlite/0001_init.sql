-- Skjold schema, written once; `gen.sh` renders the SQLite and PostgreSQL migrations from it
-- so the two never drift. The type words in capitals are replaced per backend.

CREATE TABLE organisation (
    id BLOB PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('municipality', 'unit', 'supplier')),
    parent_id BLOB REFERENCES organisation (id),
    name TEXT NOT NULL,
    cvr TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE app_user (
    id BLOB PRIMARY KEY,
    organisation_id BLOB NOT NULL REFERENCES organisation (id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE web_session (
    token_hash BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES app_user (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX web_session_user ON web_session (user_id);

CREATE TABLE api_token (
    id BLOB PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    user_id BLOB NOT NULL REFERENCES app_user (id),
    organisation_id BLOB NOT NULL REFERENCES organisation (id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE purpose (
    id BLOB PRIMARY KEY,
    organisation_id BLOB NOT NULL REFERENCES organisation (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    art6 TEXT NOT NULL,
    art9 TEXT,
    national_law TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE service_type (
    id BLOB PRIMARY KEY,
    organisation_id BLOB NOT NULL REFERENCES organisation (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    purpose_id BLOB NOT NULL REFERENCES purpose (id),
    created_at INTEGER NOT NULL,
    UNIQUE (organisation_id, code)
);

CREATE TABLE service_policy (
    service_type_id BLOB NOT NULL REFERENCES service_type (id),
    field_key TEXT NOT NULL,
    rule TEXT NOT NULL CHECK (rule IN ('automatic', 'on_justified_request', 'never')),
    PRIMARY KEY (service_type_id, field_key)
);

CREATE TABLE dpa (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    processor_id BLOB NOT NULL REFERENCES organisation (id),
    reference TEXT NOT NULL,
    instructions TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX dpa_processor ON dpa (processor_id);

-- A citizen: only a keyed hash of the CPR number, never the number.
CREATE TABLE data_subject (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    cpr_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (controller_id, cpr_hash)
);

-- Kept apart from the data so that erasure can destroy the key (crypto-shredding).
CREATE TABLE subject_key (
    subject_id BLOB PRIMARY KEY REFERENCES data_subject (id),
    wrapped_key BLOB NOT NULL,
    master_key_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE personal_datum (
    id BLOB PRIMARY KEY,
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    field_key TEXT NOT NULL,
    ciphertext BLOB NOT NULL,
    source TEXT NOT NULL,
    purpose_id BLOB REFERENCES purpose (id),
    collected_at INTEGER NOT NULL,
    restricted INTEGER NOT NULL,
    superseded_by BLOB
);
CREATE INDEX personal_datum_subject ON personal_datum (subject_id);

CREATE TABLE service_order (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    unit_id BLOB NOT NULL REFERENCES organisation (id),
    reference TEXT NOT NULL UNIQUE,
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    service_type_id BLOB NOT NULL REFERENCES service_type (id),
    supplier_id BLOB NOT NULL REFERENCES organisation (id),
    dpa_id BLOB NOT NULL REFERENCES dpa (id),
    caseworker_id BLOB NOT NULL REFERENCES app_user (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_at INTEGER NOT NULL,
    closed_at INTEGER
);
CREATE INDEX service_order_supplier ON service_order (supplier_id, created_at);
CREATE INDEX service_order_subject ON service_order (subject_id);

-- The disclosure ledger (wall 2): append-only, the truth about what left the controller.
CREATE TABLE disclosure (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    order_id BLOB NOT NULL REFERENCES service_order (id),
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    supplier_id BLOB NOT NULL REFERENCES organisation (id),
    field_key TEXT NOT NULL,
    datum_id BLOB NOT NULL REFERENCES personal_datum (id),
    kind TEXT NOT NULL CHECK (kind IN ('automatic', 'manual')),
    justification TEXT,
    purpose_id BLOB NOT NULL REFERENCES purpose (id),
    legal_basis TEXT NOT NULL,
    decided_by BLOB NOT NULL REFERENCES app_user (id),
    at INTEGER NOT NULL
);
CREATE INDEX disclosure_order ON disclosure (order_id);
CREATE INDEX disclosure_at ON disclosure (controller_id, at);

-- The access log (wall 1): one entry per citizen touched, written in the same transaction.
CREATE TABLE access_log (
    id BLOB PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id BLOB REFERENCES app_user (id),
    organisation_id BLOB REFERENCES organisation (id),
    use_kind TEXT NOT NULL,
    subject_id BLOB,
    criterion TEXT,
    purpose TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    detail TEXT NOT NULL
);
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_subject ON access_log (subject_id, at);
CREATE INDEX access_log_user ON access_log (user_id, at);

-- Append-only records (wall 3): corrections are new entries, never edits.
CREATE TRIGGER disclosure_no_update BEFORE UPDATE ON disclosure
BEGIN SELECT RAISE(ABORT, 'the disclosure ledger is append-only'); END;
CREATE TRIGGER disclosure_no_delete BEFORE DELETE ON disclosure
BEGIN SELECT RAISE(ABORT, 'the disclosure ledger is append-only'); END;
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
