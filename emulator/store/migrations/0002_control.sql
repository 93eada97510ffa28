-- The control plane: each tenant keeps the scenario it was built from (its
-- source, so bundles and restarts do not depend on files), the behaviour
-- parsed from it, and a label. Journeys remember the outcome their PSU's
-- scenario gave them; connections may expire (short consent validity).

ALTER TABLE tenants ADD COLUMN scenario_src TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN behaviour    TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tenants ADD COLUMN label        TEXT NOT NULL DEFAULT '';

ALTER TABLE sca_sessions ADD COLUMN outcome TEXT NOT NULL DEFAULT '';

ALTER TABLE connections ADD COLUMN expires_at INTEGER;

-- Fault rules. tenant_id NULL is a rule for every tenant (added through the
-- control plane); a tenant's rules come from its scenario or the control
-- plane and go with the tenant.
CREATE TABLE faults (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
    source     TEXT    NOT NULL,
    rule       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX faults_tenant ON faults (tenant_id, id);

-- The request journal: one row per request a tenant made, bodies with
-- secrets masked. Retention keeps the newest rows per tenant only.
CREATE TABLE journal (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    method      TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    contract    TEXT    NOT NULL,
    operation   TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,
    request     TEXT    NOT NULL,
    response    TEXT    NOT NULL
);
CREATE INDEX journal_tenant ON journal (tenant_id, id);
