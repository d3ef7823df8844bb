-- Version rows are history: never updated, never deleted.
CREATE TRIGGER admin_version_append_only BEFORE UPDATE OR DELETE ON admin_version
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
CREATE TRIGGER service_policy_version_append_only BEFORE UPDATE OR DELETE ON service_policy_version
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
CREATE TRIGGER service_policy_version_rule_append_only BEFORE UPDATE OR DELETE ON service_policy_version_rule
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
