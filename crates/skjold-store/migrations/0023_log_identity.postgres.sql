CREATE TRIGGER tree_checkpoint_append_only BEFORE UPDATE OR DELETE ON tree_checkpoint
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
CREATE TRIGGER log_identity_append_only BEFORE UPDATE OR DELETE ON log_identity
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
CREATE TRIGGER witness_cosignature_append_only BEFORE UPDATE OR DELETE ON witness_cosignature
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
