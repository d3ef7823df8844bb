
-- Append-only records (wall 3): corrections are new entries, never edits.
CREATE FUNCTION skjold_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER disclosure_append_only BEFORE UPDATE OR DELETE ON disclosure
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION skjold_append_only();
