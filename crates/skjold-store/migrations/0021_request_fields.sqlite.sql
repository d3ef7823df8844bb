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
