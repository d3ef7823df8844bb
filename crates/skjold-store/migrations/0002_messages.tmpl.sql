-- Secure messages and data requests (SEC-1, PR-2, LP-5).

-- One thread per order, between the supplier and the municipality's caseworkers.
CREATE TABLE message_thread (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    supplier_id UUID NOT NULL REFERENCES organisation (id),
    order_id UUID NOT NULL UNIQUE REFERENCES service_order (id),
    created_at TS NOT NULL
);

-- Bodies are sealed under the citizen's key; `content_hash` is SHA-256 over the message
-- id and the plaintext body, shown as evidence of what was delivered.
CREATE TABLE message (
    id UUID PRIMARY KEY,
    thread_id UUID NOT NULL REFERENCES message_thread (id),
    -- Order within the thread, whatever the clock says; unique, so two writers that race
    -- for the same place fail instead of interleaving.
    seq I64 NOT NULL,
    sender_id UUID NOT NULL REFERENCES app_user (id),
    sender_org_id UUID NOT NULL REFERENCES organisation (id),
    kind TEXT NOT NULL CHECK (kind IN ('message', 'data_request', 'decision')),
    body BYTES NOT NULL,
    content_hash BYTES NOT NULL,
    sent_at TS NOT NULL
);
CREATE UNIQUE INDEX message_thread_seq ON message (thread_id, seq);

-- When each user first read each message.
CREATE TABLE message_read (
    message_id UUID NOT NULL REFERENCES message (id),
    user_id UUID NOT NULL REFERENCES app_user (id),
    first_read_at TS NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

-- LP-5: a supplier asks for more fields with a reason; a caseworker decides with a reason.
-- Both reasons are free text about the citizen, sealed under the citizen's key.
CREATE TABLE data_request (
    id UUID PRIMARY KEY,
    order_id UUID NOT NULL REFERENCES service_order (id),
    requested_by UUID NOT NULL REFERENCES app_user (id),
    fields TEXT NOT NULL,
    reason BYTES NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected')),
    decided_by UUID REFERENCES app_user (id),
    decision_reason BYTES,
    created_at TS NOT NULL,
    decided_at TS
);
CREATE INDEX data_request_order ON data_request (order_id, status);
