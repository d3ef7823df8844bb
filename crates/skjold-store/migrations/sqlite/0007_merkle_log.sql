-- The tamper-evident access log (SA-4, SA-7): every entry is a leaf of a Merkle tree with
-- RFC 6962 hashing, one tree per monthly shard. An entry's leaf hash covers its content,
-- its shard and its index, so a changed, deleted, inserted or moved entry no longer fits
-- the signed checkpoints. Entries written before this migration have no shard; the
-- verifier counts them apart.
ALTER TABLE access_log ADD COLUMN shard TEXT;
ALTER TABLE access_log ADD COLUMN idx INTEGER;
ALTER TABLE access_log ADD COLUMN leaf_hash BLOB;
CREATE UNIQUE INDEX access_log_leaf ON access_log (shard, idx);

-- One row per month (Europe/Copenhagen, `YYYY-MM`). At most one is open: new entries go
-- there. `frontier` holds the roots of the tree's perfect subtrees, so appending and
-- signing cost O(log n). A shard closes when the first entry of a later month arrives;
-- it is pruned (its entries deleted, its final checkpoint kept) after the retention period.
CREATE TABLE log_shard (
    id TEXT PRIMARY KEY,
    opened_at INTEGER NOT NULL,
    size INTEGER NOT NULL,
    frontier BLOB NOT NULL,
    closed_at INTEGER,
    pruned_at INTEGER
);

-- Signed tree heads: the C2SP signed-note text with an Ed25519 signature. The checkpoint of
-- a closed shard at its full size is its final one.
CREATE TABLE log_checkpoint (
    shard TEXT NOT NULL REFERENCES log_shard (id),
    size INTEGER NOT NULL,
    root_hash BLOB NOT NULL,
    note TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (shard, size)
);

-- Entries may be deleted only as part of pruning a whole shard; checkpoints never.
DROP TRIGGER access_log_no_delete;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
WHEN NOT EXISTS (SELECT 1 FROM log_shard s WHERE s.id = OLD.shard AND s.pruned_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'the access log is append-only; only pruned shards are deleted'); END;
CREATE TRIGGER log_checkpoint_no_update BEFORE UPDATE ON log_checkpoint
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER log_checkpoint_no_delete BEFORE DELETE ON log_checkpoint
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
