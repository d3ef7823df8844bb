-- What an order carries besides its parties, and which services a DPA covers.

-- An order's content: the task, the period, the scope and a remark to the supplier. Free
-- text that may name the citizen, so sealed (as one text) under the citizen's key, like a
-- message body; it goes with the key when the citizen is erased.
CREATE TABLE order_content (
    order_id UUID PRIMARY KEY REFERENCES service_order (id),
    content BYTEA NOT NULL
);

-- A placed order's idempotency key, per user: a second submit with the same key finds the
-- first order instead of placing another. The request is kept as a keyed hash (no text),
-- to tell a repeat from a different order under a reused key.
CREATE TABLE order_idempotency (
    user_id UUID NOT NULL REFERENCES app_user (id),
    idempotency_key TEXT NOT NULL,
    request_hash BYTEA NOT NULL,
    order_id UUID NOT NULL REFERENCES service_order (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);

-- The service types a DPA covers: a supplier is offered, and ordered from, only for these.
-- Existing DPAs cover every service type of their municipality, as before.
CREATE TABLE dpa_service (
    dpa_id UUID NOT NULL REFERENCES dpa (id),
    service_type_id UUID NOT NULL REFERENCES service_type (id),
    PRIMARY KEY (dpa_id, service_type_id)
);
INSERT INTO dpa_service (dpa_id, service_type_id)
SELECT d.id, s.id FROM dpa d JOIN service_type s ON s.organisation_id = d.controller_id;

-- Who set a DPA's coverage, and when: one row per change, naming the service types (by
-- code) it covered from then on.
CREATE TABLE dpa_coverage_change (
    id UUID PRIMARY KEY,
    dpa_id UUID NOT NULL REFERENCES dpa (id),
    service_codes TEXT NOT NULL,
    changed_by UUID NOT NULL REFERENCES app_user (id),
    changed_at BIGINT NOT NULL
);
CREATE INDEX dpa_coverage_change_dpa ON dpa_coverage_change (dpa_id, changed_at);
