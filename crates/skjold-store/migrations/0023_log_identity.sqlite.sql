CREATE TRIGGER tree_checkpoint_no_update BEFORE UPDATE ON tree_checkpoint
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER tree_checkpoint_no_delete BEFORE DELETE ON tree_checkpoint
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER log_identity_no_update BEFORE UPDATE ON log_identity
BEGIN SELECT RAISE(ABORT, 'log identities are append-only'); END;
CREATE TRIGGER log_identity_no_delete BEFORE DELETE ON log_identity
BEGIN SELECT RAISE(ABORT, 'log identities are append-only'); END;
CREATE TRIGGER witness_cosignature_no_update BEFORE UPDATE ON witness_cosignature
BEGIN SELECT RAISE(ABORT, 'cosignatures are append-only'); END;
CREATE TRIGGER witness_cosignature_no_delete BEFORE DELETE ON witness_cosignature
BEGIN SELECT RAISE(ABORT, 'cosignatures are append-only'); END;
