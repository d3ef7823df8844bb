-- LP-5: a data request is decided per field. Each requested field is approved (with an
-- optional remark) or rejected (with a reason); both texts are about the citizen and are
-- sealed under the citizen's key. The request's status says what came of it as a whole:
-- approved, partly approved or rejected (see the backend files for the status check).
CREATE TABLE data_request_field (
    request_id UUID NOT NULL REFERENCES data_request (id),
    field TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    reason BYTES,
    PRIMARY KEY (request_id, field)
);
