-- The last checkpoint the access log signed under each of its identities. Kept here, apart
-- from the data, because a backup of the data does not restore it: a restored or copied
-- database whose last checkpoint is not this one must not sign under that identity again
-- (it would sign a second, inconsistent history), and starts a new identity instead.
CREATE TABLE log_signed (
    origin TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    root_hash BYTEA NOT NULL,
    signed_at BIGINT NOT NULL
);
