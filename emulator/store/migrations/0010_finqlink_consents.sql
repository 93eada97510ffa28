-- FinqLink Data: AIS consents and their data refresh jobs
-- (notes/finqlink.md §3-§4). Instants are Unix nanoseconds on the tenant's
-- clock, as everywhere.

CREATE TABLE finqlink_consents (
    tenant_id        INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id               TEXT    NOT NULL,
    web_id           TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    flow             TEXT    NOT NULL,
    template         TEXT    NOT NULL,
    -- scope: the data kinds, comma-separated, in FinqLink's order.
    scope            TEXT    NOT NULL,
    validity_days    INTEGER NOT NULL,
    redirect_url     TEXT    NOT NULL DEFAULT '',
    webhook_url      TEXT    NOT NULL DEFAULT '',
    -- method: the client's ais_method filter, as JSON.
    method           TEXT    NOT NULL DEFAULT '{}',
    bank_id          TEXT    NOT NULL DEFAULT '',
    end_user_id      TEXT    NOT NULL DEFAULT '',
    merchant_id      TEXT    NOT NULL DEFAULT '',
    sca_session_id   TEXT    NOT NULL DEFAULT '',
    connection_id    TEXT    NOT NULL DEFAULT '',
    callback         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    authorized_until INTEGER,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, web_id)
);
CREATE INDEX finqlink_consents_sca ON finqlink_consents (tenant_id, sca_session_id);

CREATE TABLE finqlink_jobs (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id           TEXT    NOT NULL,
    consent_id   TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    callback_url TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX finqlink_jobs_consent ON finqlink_jobs (tenant_id, consent_id, created_at);
