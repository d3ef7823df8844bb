-- LP-5: a data request is decided per field. Each requested field is approved (with an
-- optional remark) or rejected (with a reason); both texts are about the citizen and are
-- sealed under the citizen's key. The request's status says what came of it as a whole:
-- approved, partly approved or rejected (see the backend files for the status check).
CREATE TABLE data_request_field (
    request_id BLOB NOT NULL REFERENCES data_request (id),
    field TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    reason BLOB,
    PRIMARY KEY (request_id, field)
);
-- SQLite cannot change a check: the table is rebuilt with the wider one.
CREATE TABLE data_request_v2 (
    id BLOB PRIMARY KEY,
    order_id BLOB NOT NULL REFERENCES service_order (id),
    requested_by BLOB NOT NULL REFERENCES app_user (id),
    fields TEXT NOT NULL,
    reason BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'partly_approved', 'rejected')),
    decided_by BLOB REFERENCES app_user (id),
    decision_reason BLOB,
    created_at INTEGER NOT NULL,
    decided_at INTEGER
);
INSERT INTO data_request_v2 (id, order_id, requested_by, fields, reason, status, decided_by,
    decision_reason, created_at, decided_at)
SELECT id, order_id, requested_by, fields, reason, status, decided_by, decision_reason,
    created_at, decided_at FROM data_request;
DROP TABLE data_request;
ALTER TABLE data_request_v2 RENAME TO data_request;
CREATE INDEX data_request_order ON data_request (order_id, status);
