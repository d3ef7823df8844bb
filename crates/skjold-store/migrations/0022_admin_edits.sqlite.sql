-- Version rows are history: never updated, never deleted.
CREATE TRIGGER admin_version_no_update BEFORE UPDATE ON admin_version
BEGIN SELECT RAISE(ABORT, 'admin_version is append-only'); END;
CREATE TRIGGER admin_version_no_delete BEFORE DELETE ON admin_version
BEGIN SELECT RAISE(ABORT, 'admin_version is append-only'); END;
CREATE TRIGGER service_policy_version_no_update BEFORE UPDATE ON service_policy_version
BEGIN SELECT RAISE(ABORT, 'service_policy_version is append-only'); END;
CREATE TRIGGER service_policy_version_no_delete BEFORE DELETE ON service_policy_version
BEGIN SELECT RAISE(ABORT, 'service_policy_version is append-only'); END;
CREATE TRIGGER service_policy_version_rule_no_update BEFORE UPDATE ON service_policy_version_rule
BEGIN SELECT RAISE(ABORT, 'service_policy_version_rule is append-only'); END;
CREATE TRIGGER service_policy_version_rule_no_delete BEFORE DELETE ON service_policy_version_rule
BEGIN SELECT RAISE(ABORT, 'service_policy_version_rule is append-only'); END;
