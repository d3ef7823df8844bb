-- General threads between a municipality and a supplier, for matters that concern no
-- citizen (SEC-1). Same shape as the order threads, in tables of their own; bodies and
-- attachments are sealed under the municipality's key.

-- Data keys of organisations, wrapped under the master key like the citizens' keys.
CREATE TABLE organisation_key (
    organisation_id UUID PRIMARY KEY REFERENCES organisation (id),
    wrapped_key BYTES NOT NULL,
    created_at TS NOT NULL
);

CREATE TABLE general_thread (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    supplier_id UUID NOT NULL REFERENCES organisation (id),
    created_at TS NOT NULL,
    UNIQUE (controller_id, supplier_id)
);

CREATE TABLE general_message (
    id UUID PRIMARY KEY,
    thread_id UUID NOT NULL REFERENCES general_thread (id),
    seq I64 NOT NULL,
    sender_id UUID NOT NULL REFERENCES app_user (id),
    sender_org_id UUID NOT NULL REFERENCES organisation (id),
    kind TEXT NOT NULL CHECK (kind = 'message'),
    body BYTES NOT NULL,
    content_hash BYTES NOT NULL,
    sent_at TS NOT NULL
);
CREATE UNIQUE INDEX general_message_thread_seq ON general_message (thread_id, seq);

CREATE TABLE general_message_read (
    message_id UUID NOT NULL REFERENCES general_message (id),
    user_id UUID NOT NULL REFERENCES app_user (id),
    first_read_at TS NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

CREATE TABLE general_attachment (
    id UUID PRIMARY KEY,
    message_id UUID NOT NULL REFERENCES general_message (id),
    filename BYTES NOT NULL,
    content_type TEXT NOT NULL,
    size I64 NOT NULL,
    sha256 BYTES NOT NULL,
    body BYTES NOT NULL
);
CREATE INDEX general_attachment_message ON general_attachment (message_id);
