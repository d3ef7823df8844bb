-- General threads between a municipality and a supplier, for matters that concern no
-- citizen (SEC-1). Same shape as the order threads, in tables of their own; bodies and
-- attachments are sealed under the municipality's key.

-- Data keys of organisations, wrapped under the master key like the citizens' keys.
CREATE TABLE organisation_key (
    organisation_id BLOB PRIMARY KEY REFERENCES organisation (id),
    wrapped_key BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE general_thread (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    supplier_id BLOB NOT NULL REFERENCES organisation (id),
    created_at INTEGER NOT NULL,
    UNIQUE (controller_id, supplier_id)
);

CREATE TABLE general_message (
    id BLOB PRIMARY KEY,
    thread_id BLOB NOT NULL REFERENCES general_thread (id),
    seq INTEGER NOT NULL,
    sender_id BLOB NOT NULL REFERENCES app_user (id),
    sender_org_id BLOB NOT NULL REFERENCES organisation (id),
    kind TEXT NOT NULL CHECK (kind = 'message'),
    body BLOB NOT NULL,
    content_hash BLOB NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX general_message_thread_seq ON general_message (thread_id, seq);

CREATE TABLE general_message_read (
    message_id BLOB NOT NULL REFERENCES general_message (id),
    user_id BLOB NOT NULL REFERENCES app_user (id),
    first_read_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

CREATE TABLE general_attachment (
    id BLOB PRIMARY KEY,
    message_id BLOB NOT NULL REFERENCES general_message (id),
    filename BLOB NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX general_attachment_message ON general_attachment (message_id);
