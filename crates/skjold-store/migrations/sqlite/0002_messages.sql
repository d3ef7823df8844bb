-- Secure messages and data requests (SEC-1, PR-2, LP-5).

-- One thread per order, between the supplier and the municipality's caseworkers.
CREATE TABLE message_thread (
    id BLOB PRIMARY KEY,
    controller_id BLOB NOT NULL REFERENCES organisation (id),
    supplier_id BLOB NOT NULL REFERENCES organisation (id),
    order_id BLOB NOT NULL UNIQUE REFERENCES service_order (id),
    created_at INTEGER NOT NULL
);

-- Bodies are sealed under the citizen's key; `content_hash` is SHA-256 over the message
-- id and the plaintext body, shown as evidence of what was delivered.
CREATE TABLE message (
    id BLOB PRIMARY KEY,
    thread_id BLOB NOT NULL REFERENCES message_thread (id),
    -- Order within the thread, whatever the clock says; unique, so two writers that race
    -- for the same place fail instead of interleaving.
    seq INTEGER NOT NULL,
    sender_id BLOB NOT NULL REFERENCES app_user (id),
    sender_org_id BLOB NOT NULL REFERENCES organisation (id),
    kind TEXT NOT NULL CHECK (kind IN ('message', 'data_request', 'decision')),
    body BLOB NOT NULL,
    content_hash BLOB NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX message_thread_seq ON message (thread_id, seq);

-- When each user first read each message.
CREATE TABLE message_read (
    message_id BLOB NOT NULL REFERENCES message (id),
    user_id BLOB NOT NULL REFERENCES app_user (id),
    first_read_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

-- LP-5: a supplier asks for more fields with a reason; a caseworker decides with a reason.
-- Both reasons are free text about the citizen, sealed under the citizen's key.
CREATE TABLE data_request (
    id BLOB PRIMARY KEY,
    order_id BLOB NOT NULL REFERENCES service_order (id),
    requested_by BLOB NOT NULL REFERENCES app_user (id),
    fields TEXT NOT NULL,
    reason BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected')),
    decided_by BLOB REFERENCES app_user (id),
    decision_reason BLOB,
    created_at INTEGER NOT NULL,
    decided_at INTEGER
);
CREATE INDEX data_request_order ON data_request (order_id, status);
