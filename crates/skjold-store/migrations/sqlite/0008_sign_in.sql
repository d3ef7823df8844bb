-- Sign-in that resists attack (SA-3, SA-4): every rejected attempt and refused
-- authorisation recorded with the workstation, blocking after repeated failures, a second
-- factor, and the half-yearly review of every user's roles.

-- The TOTP secret is sealed under a key derived from the master key; the last accepted
-- time step makes a code usable once.
ALTER TABLE app_user ADD COLUMN totp_secret BLOB;
ALTER TABLE app_user ADD COLUMN totp_last_step INTEGER;
-- When an administrator last confirmed the user's role (creation counts as confirming),
-- and when the user was suspended for want of a confirmation.
ALTER TABLE app_user ADD COLUMN roles_confirmed_at INTEGER;
ALTER TABLE app_user ADD COLUMN suspended_at INTEGER;
UPDATE app_user SET roles_confirmed_at = created_at;

-- A session is 'done', or waits for its second factor ('totp') or for the user to set one
-- up ('enrol', holding the sealed secret being set up); only a 'done' session signs
-- anything in.
ALTER TABLE web_session ADD COLUMN stage TEXT NOT NULL DEFAULT 'done';
ALTER TABLE web_session ADD COLUMN pending_secret BLOB;

-- Sign-in attempts, refusals and blocks. `username` is the user ID as typed (lower case);
-- `workstation` is the device cookie's hash when that device has signed in before, else
-- the client address: the key the workstation's failures are counted under.
CREATE TABLE sign_in_event (
    id BLOB PRIMARY KEY,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    username TEXT NOT NULL,
    user_id BLOB REFERENCES app_user (id),
    address TEXT NOT NULL,
    device TEXT NOT NULL,
    workstation TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX sign_in_event_at ON sign_in_event (at);
CREATE INDEX sign_in_event_username ON sign_in_event (username, at);
CREATE INDEX sign_in_event_workstation ON sign_in_event (workstation, at);

CREATE TABLE sign_in_block (
    id BLOB PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope IN ('username', 'workstation')),
    subject TEXT NOT NULL,
    blocked_at INTEGER NOT NULL,
    until_at INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    lifted_at INTEGER,
    lifted_by BLOB REFERENCES app_user (id),
    lift_reason TEXT
);
CREATE INDEX sign_in_block_subject ON sign_in_block (scope, subject, until_at);

-- Devices (by the hash of their cookie) that have completed a sign-in.
CREATE TABLE known_device (
    device_hash TEXT PRIMARY KEY,
    first_seen INTEGER NOT NULL
);

-- Installation-wide security settings; a missing row means the default.
CREATE TABLE security_setting (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    changed_by BLOB REFERENCES app_user (id)
);

-- Every access-review decision: confirmed or revoked by an administrator, or suspended
-- automatically (no reviewer) when the confirmation was overdue.
CREATE TABLE role_review (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES app_user (id),
    role TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'revoked', 'suspended')),
    reviewer_id BLOB REFERENCES app_user (id),
    note TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX role_review_user ON role_review (user_id, at);
