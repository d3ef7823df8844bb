
-- Entries may be deleted only as part of pruning a whole shard; checkpoints never.
DROP TRIGGER access_log_no_delete;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
WHEN NOT EXISTS (SELECT 1 FROM log_shard s WHERE s.id = OLD.shard AND s.pruned_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'the access log is append-only; only pruned shards are deleted'); END;
CREATE TRIGGER log_checkpoint_no_update BEFORE UPDATE ON log_checkpoint
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER log_checkpoint_no_delete BEFORE DELETE ON log_checkpoint
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
