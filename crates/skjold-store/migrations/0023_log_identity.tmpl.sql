-- The access log as one transparency log (format 2): one Merkle tree across the monthly
-- shards, leaves in RFC 8785 JSON, numbered through the whole log. A shard of format 2
-- holds the leaves from `start` to `size` (exclusive) of that tree, and its `frontier` is
-- the tree's frontier at `size`; a pruned shard keeps it, so the later leaves still prove.
-- Shards from before (format 1) keep their own trees and are verified as they were.
ALTER TABLE log_shard ADD COLUMN leaf_format I64 NOT NULL DEFAULT 1;
ALTER TABLE log_shard ADD COLUMN start I64 NOT NULL DEFAULT 0;

-- The log's identity: its origin, made once, at random, when the log is created, and bound
-- to the database it was made in (`bound_to`: the SQLite file's device and inode, or the
-- PostgreSQL cluster's system identifier and the database's oid). A copy of the database
-- (a restored backup, a copy in a test system), or one whose last signed checkpoint is not
-- the one the key store recorded, starts a new one; the last made (the highest `number`)
-- is the one that signs.
CREATE TABLE log_identity (
    origin TEXT PRIMARY KEY,
    number I64 NOT NULL UNIQUE,
    bound_to TEXT NOT NULL,
    created_at TS NOT NULL,
    reason TEXT NOT NULL
);

-- Signed checkpoints of the tree, each in the shard its size falls in, with the tree's
-- frontier at that size (so the signer can check that the next one extends it).
CREATE TABLE tree_checkpoint (
    origin TEXT NOT NULL REFERENCES log_identity (origin),
    size I64 NOT NULL,
    root_hash BYTES NOT NULL,
    frontier BYTES NOT NULL,
    shard TEXT NOT NULL REFERENCES log_shard (id),
    note TEXT NOT NULL,
    created_at TS NOT NULL,
    PRIMARY KEY (origin, size)
);
CREATE INDEX tree_checkpoint_shard ON tree_checkpoint (shard, size);

-- Witnesses' cosignatures (C2SP tlog-cosignature) on the checkpoints, one line each, as the
-- witness answered; a checkpoint's note with its cosignatures is its note followed by them.
CREATE TABLE witness_cosignature (
    origin TEXT NOT NULL,
    size I64 NOT NULL,
    witness TEXT NOT NULL,
    line TEXT NOT NULL,
    created_at TS NOT NULL,
    PRIMARY KEY (origin, size, witness),
    FOREIGN KEY (origin, size) REFERENCES tree_checkpoint (origin, size)
);
