-- Skjold schema, written once; `gen.sh` renders the SQLite and PostgreSQL migrations from it
-- so the two never drift. The type words in capitals are replaced per backend.

CREATE TABLE organisation (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('municipality', 'unit', 'supplier')),
    parent_id UUID REFERENCES organisation (id),
    name TEXT NOT NULL,
    cvr TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE app_user (
    id UUID PRIMARY KEY,
    organisation_id UUID NOT NULL REFERENCES organisation (id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE web_session (
    token_hash BYTEA PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES app_user (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_session_user ON web_session (user_id);

CREATE TABLE api_token (
    id UUID PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    user_id UUID NOT NULL REFERENCES app_user (id),
    organisation_id UUID NOT NULL REFERENCES organisation (id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE purpose (
    id UUID PRIMARY KEY,
    organisation_id UUID NOT NULL REFERENCES organisation (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    art6 TEXT NOT NULL,
    art9 TEXT,
    national_law TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE service_type (
    id UUID PRIMARY KEY,
    organisation_id UUID NOT NULL REFERENCES organisation (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    purpose_id UUID NOT NULL REFERENCES purpose (id),
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, code)
);

CREATE TABLE service_policy (
    service_type_id UUID NOT NULL REFERENCES service_type (id),
    field_key TEXT NOT NULL,
    rule TEXT NOT NULL CHECK (rule IN ('automatic', 'on_justified_request', 'never')),
    PRIMARY KEY (service_type_id, field_key)
);

CREATE TABLE dpa (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    processor_id UUID NOT NULL REFERENCES organisation (id),
    reference TEXT NOT NULL,
    instructions TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX dpa_processor ON dpa (processor_id);

-- A citizen: only a keyed hash of the CPR number, never the number.
CREATE TABLE data_subject (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    cpr_hash BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (controller_id, cpr_hash)
);

-- Kept apart from the data so that erasure can destroy the key (crypto-shredding).
CREATE TABLE subject_key (
    subject_id UUID PRIMARY KEY REFERENCES data_subject (id),
    wrapped_key BYTEA NOT NULL,
    master_key_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE personal_datum (
    id UUID PRIMARY KEY,
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    field_key TEXT NOT NULL,
    ciphertext BYTEA NOT NULL,
    source TEXT NOT NULL,
    purpose_id UUID REFERENCES purpose (id),
    collected_at BIGINT NOT NULL,
    restricted BOOLEAN NOT NULL,
    superseded_by UUID
);
CREATE INDEX personal_datum_subject ON personal_datum (subject_id);

CREATE TABLE service_order (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    unit_id UUID NOT NULL REFERENCES organisation (id),
    reference TEXT NOT NULL UNIQUE,
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    service_type_id UUID NOT NULL REFERENCES service_type (id),
    supplier_id UUID NOT NULL REFERENCES organisation (id),
    dpa_id UUID NOT NULL REFERENCES dpa (id),
    caseworker_id UUID NOT NULL REFERENCES app_user (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX service_order_supplier ON service_order (supplier_id, created_at);
CREATE INDEX service_order_subject ON service_order (subject_id);

-- The disclosure ledger (wall 2): append-only, the truth about what left the controller.
CREATE TABLE disclosure (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    order_id UUID NOT NULL REFERENCES service_order (id),
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    supplier_id UUID NOT NULL REFERENCES organisation (id),
    field_key TEXT NOT NULL,
    datum_id UUID NOT NULL REFERENCES personal_datum (id),
    kind TEXT NOT NULL CHECK (kind IN ('automatic', 'manual')),
    justification TEXT,
    purpose_id UUID NOT NULL REFERENCES purpose (id),
    legal_basis TEXT NOT NULL,
    decided_by UUID NOT NULL REFERENCES app_user (id),
    at BIGINT NOT NULL
);
CREATE INDEX disclosure_order ON disclosure (order_id);
CREATE INDEX disclosure_at ON disclosure (controller_id, at);

-- The access log (wall 1): one entry per citizen touched, written in the same transaction.
CREATE TABLE access_log (
    id UUID PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id UUID REFERENCES app_user (id),
    organisation_id UUID REFERENCES organisation (id),
    use_kind TEXT NOT NULL,
    subject_id UUID,
    criterion TEXT,
    purpose TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    detail TEXT NOT NULL
);
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_subject ON access_log (subject_id, at);
CREATE INDEX access_log_user ON access_log (user_id, at);

-- Append-only records (wall 3): corrections are new entries, never edits.
CREATE FUNCTION skjold_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER disclosure_append_only BEFORE UPDATE OR DELETE ON disclosure
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
