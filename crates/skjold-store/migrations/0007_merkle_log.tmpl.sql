-- The tamper-evident access log (SA-4, SA-7): every entry is a leaf of a Merkle tree with
-- RFC 6962 hashing, one tree per monthly shard. An entry's leaf hash covers its content,
-- its shard and its index, so a changed, deleted, inserted or moved entry no longer fits
-- the signed checkpoints. Entries written before this migration have no shard; the
-- verifier counts them apart.
ALTER TABLE access_log ADD COLUMN shard TEXT;
ALTER TABLE access_log ADD COLUMN idx I64;
ALTER TABLE access_log ADD COLUMN leaf_hash BYTES;
CREATE UNIQUE INDEX access_log_leaf ON access_log (shard, idx);

-- One row per month (Europe/Copenhagen, `YYYY-MM`). At most one is open: new entries go
-- there. `frontier` holds the roots of the tree's perfect subtrees, so appending and
-- signing cost O(log n). A shard closes when the first entry of a later month arrives;
-- it is pruned (its entries deleted, its final checkpoint kept) after the retention period.
CREATE TABLE log_shard (
    id TEXT PRIMARY KEY,
    opened_at TS NOT NULL,
    size I64 NOT NULL,
    frontier BYTES NOT NULL,
    closed_at TS,
    pruned_at TS
);

-- Signed tree heads: the C2SP signed-note text with an Ed25519 signature. The checkpoint of
-- a closed shard at its full size is its final one.
CREATE TABLE log_checkpoint (
    shard TEXT NOT NULL REFERENCES log_shard (id),
    size I64 NOT NULL,
    root_hash BYTES NOT NULL,
    note TEXT NOT NULL,
    created_at TS NOT NULL,
    PRIMARY KEY (shard, size)
);
