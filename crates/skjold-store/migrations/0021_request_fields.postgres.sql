ALTER TABLE data_request DROP CONSTRAINT data_request_status_check;
ALTER TABLE data_request ADD CONSTRAINT data_request_status_check
    CHECK (status IN ('open', 'approved', 'partly_approved', 'rejected'));
