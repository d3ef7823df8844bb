-- A rights request the citizen files online, and a consent the citizen gives in their own
-- view, are recorded by nobody of the staff: `created_by` and `recorded_by` may be empty.
-- PostgreSQL drops the NOT NULL in place. SQLite cannot: it renames the old tables away
-- (which points the tables that refer to them at the old names), creates them anew, and
-- moves the rows over, the referring tables too, so every foreign key holds throughout.
ALTER TABLE rights_case ALTER COLUMN created_by DROP NOT NULL;
ALTER TABLE consent ALTER COLUMN recorded_by DROP NOT NULL;
