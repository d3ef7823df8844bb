-- The key store (wall 4): the data keys of citizens and of organisations, each wrapped under
-- a key derived from the master key, kept in a database of their own (`keys.sqlite` beside
-- the data, or a database of its own on the PostgreSQL server) so that a backup of the data
-- holds no key, and erasure can destroy a citizen's key for good. Only the gate reads and
-- writes it; `gen.sh` renders it per backend like the data migrations.
CREATE TABLE subject_key (
    subject_id UUID PRIMARY KEY,
    wrapped_key BYTES NOT NULL,
    master_key_id TEXT NOT NULL,
    created_at TS NOT NULL
);

CREATE TABLE organisation_key (
    organisation_id UUID PRIMARY KEY,
    wrapped_key BYTES NOT NULL,
    created_at TS NOT NULL
);

-- The citizens whose key was destroyed, and when: ids only. An erasure interrupted after the
-- key is finished from here when the store opens, and so is an erasure that a restore of
-- older data brought back.
CREATE TABLE erased_subject (
    subject_id UUID PRIMARY KEY,
    erased_at TS NOT NULL
);
