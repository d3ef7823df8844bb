-- The tamper-evident access log (SA-4, SA-7): every entry is a leaf of a Merkle tree with
-- RFC 6962 hashing, one tree per monthly shard. An entry's leaf hash covers its content,
-- its shard and its index, so a changed, deleted, inserted or moved entry no longer fits
-- the signed checkpoints. Entries written before this migration have no shard; the
-- verifier counts them apart.
ALTER TABLE access_log ADD COLUMN shard TEXT;
ALTER TABLE access_log ADD COLUMN idx BIGINT;
ALTER TABLE access_log ADD COLUMN leaf_hash BYTEA;
CREATE UNIQUE INDEX access_log_leaf ON access_log (shard, idx);

-- One row per month (Europe/Copenhagen, `YYYY-MM`). At most one is open: new entries go
-- there. `frontier` holds the roots of the tree's perfect subtrees, so appending and
-- signing cost O(log n). A shard closes when the first entry of a later month arrives;
-- it is pruned (its entries deleted, its final checkpoint kept) after the retention period.
CREATE TABLE log_shard (
    id TEXT PRIMARY KEY,
    opened_at BIGINT NOT NULL,
    size BIGINT NOT NULL,
    frontier BYTEA NOT NULL,
    closed_at BIGINT,
    pruned_at BIGINT
);

-- Signed tree heads: the C2SP signed-note text with an Ed25519 signature. The checkpoint of
-- a closed shard at its full size is its final one.
CREATE TABLE log_checkpoint (
    shard TEXT NOT NULL REFERENCES log_shard (id),
    size BIGINT NOT NULL,
    root_hash BYTEA NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shard, size)
);

-- Entries may be deleted only as part of pruning a whole shard; checkpoints never.
CREATE FUNCTION skjold_access_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM log_shard s WHERE s.id = OLD.shard AND s.pruned_at IS NOT NULL
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access log is append-only; only pruned shards are deleted';
END;
$$;
DROP TRIGGER access_log_append_only ON access_log;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION skjold_access_log_guard();
CREATE TRIGGER log_checkpoint_append_only BEFORE UPDATE OR DELETE ON log_checkpoint
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
