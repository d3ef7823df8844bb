-- Administrators edit, not only create: organisations, users, purposes, service types with
-- their disclosure policies, and DPAs.
--
-- How history is kept: the current row (organisation, app_user, purpose, service_type,
-- service_policy, dpa) is what the rest of Skjold reads, and is updated in place; every
-- change also appends, in the same transaction, a version row with the state after the
-- change, who made it and when. Version rows are never updated or deleted (triggers in the
-- backend files). An entity made before this migration shows its row as version 1 (no
-- author, its creation time) until its first change writes that version; one made
-- after gets version 1 when it is created.
--
-- admin_version: the five kinds in one table; `snapshot` is a JSON object of field → value
-- after the change (keys and raw values, no prose: the pages put them into words). A DPA's
-- instructions are not kept here but, as before, as a new version of its terms in
-- dpa_version (the processors desk's history); the DPA's snapshot names that version.
CREATE TABLE admin_version (
    id UUID PRIMARY KEY,
    entity TEXT NOT NULL CHECK (entity IN ('organisation', 'user', 'purpose', 'service_type', 'dpa')),
    entity_id UUID NOT NULL,
    version I64 NOT NULL,
    snapshot TEXT NOT NULL,
    changed_by UUID REFERENCES app_user (id),
    changed_at TS NOT NULL,
    UNIQUE (entity, entity_id, version)
);

-- A service type's disclosure policy in versions. An order points at the version in force
-- when it was placed: its page shows that version, and what may still be disclosed on it
-- follows the stricter of that version and the current one, field by field (a tightening
-- holds for open orders at once; a loosening only for orders placed after it).
-- Version 1 of every existing service type has the service type's own id and its policy.
CREATE TABLE service_policy_version (
    id UUID PRIMARY KEY,
    service_type_id UUID NOT NULL REFERENCES service_type (id),
    version I64 NOT NULL,
    changed_by UUID REFERENCES app_user (id),
    changed_at TS NOT NULL,
    UNIQUE (service_type_id, version)
);
CREATE TABLE service_policy_version_rule (
    version_id UUID NOT NULL REFERENCES service_policy_version (id),
    field_key TEXT NOT NULL,
    rule TEXT NOT NULL CHECK (rule IN ('automatic', 'on_justified_request', 'never')),
    PRIMARY KEY (version_id, field_key)
);
INSERT INTO service_policy_version (id, service_type_id, version, changed_by, changed_at)
SELECT id, id, 1, NULL, created_at FROM service_type;
INSERT INTO service_policy_version_rule (version_id, field_key, rule)
SELECT service_type_id, field_key, rule FROM service_policy;

ALTER TABLE service_order ADD COLUMN policy_version_id UUID REFERENCES service_policy_version (id);
UPDATE service_order SET policy_version_id = service_type_id;
