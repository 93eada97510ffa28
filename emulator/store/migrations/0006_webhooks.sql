-- Webhooks (DESIGN.md §7): the outbox, every delivery attempt, and the
-- signing keys with their rotation. Instants are Unix nanoseconds on the
-- tenant's clock, except lease_until, which is on the real clock: a lease
-- must run out even for a tenant whose clock is frozen.
--
-- Deliveries have a text id (not an INTEGER PRIMARY KEY) because attempts
-- point at them and a bundle import renumbers rowid aliases.

CREATE TABLE webhook_deliveries (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id           TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    provider     TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    subject      TEXT    NOT NULL DEFAULT '',
    body         BLOB    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending',
    created_at   INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    delay_ns     INTEGER NOT NULL DEFAULT 0,
    delivered_at INTEGER,
    last_error   TEXT    NOT NULL DEFAULT '',
    resent_from  TEXT    NOT NULL DEFAULT '',
    lease_until  INTEGER,
    lease_token  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, seq)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (tenant_id, seq) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    delivery_id TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    response    TEXT    NOT NULL DEFAULT '',
    kid         TEXT    NOT NULL DEFAULT '',
    faults      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, delivery_id, n),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
);

-- A tenant's signing set-up per provider: the algorithm new keys get and
-- the instant the first key became current, from which every rotation
-- period is counted.
CREATE TABLE webhook_settings (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    provider  TEXT    NOT NULL,
    alg       TEXT    NOT NULL DEFAULT 'RS256',
    key_epoch INTEGER,
    PRIMARY KEY (tenant_id, provider)
);

-- One key per rotation period: the primary key makes two dispatchers that
-- rotate at once agree on one key.
CREATE TABLE webhook_keys (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    provider    TEXT    NOT NULL,
    period      INTEGER NOT NULL,
    kid         TEXT    NOT NULL,
    alg         TEXT    NOT NULL,
    private_key TEXT    NOT NULL,
    not_before  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, provider, period),
    UNIQUE (tenant_id, kid)
);
