-- Sandbank's first schema. Every row belongs to a tenant; every primary key
-- and lookup index starts with tenant_id so one tenant never sees another's
-- rows. Instants are stored as Unix nanoseconds on the tenant's clock.

CREATE TABLE tenants (
    id            INTEGER PRIMARY KEY,
    provider      TEXT    NOT NULL,
    credential    TEXT    NOT NULL,
    key           TEXT    NOT NULL UNIQUE,
    secret_hash   TEXT    NOT NULL DEFAULT '',
    scenario      TEXT    NOT NULL,
    seed          INTEGER NOT NULL,
    clock_offset  INTEGER NOT NULL DEFAULT 0,
    frozen_at     INTEGER,
    next_seq      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    UNIQUE (provider, credential)
);

CREATE TABLE banks (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id        TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    country   TEXT    NOT NULL,
    bic       TEXT    NOT NULL,
    model     TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE psus (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id           TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    bank_id      TEXT    NOT NULL,
    login        TEXT    NOT NULL,
    password     TEXT    NOT NULL,
    otp          TEXT    NOT NULL,
    decoupled_id TEXT    NOT NULL,
    full_name    TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    phone        TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX psus_login ON psus (tenant_id, bank_id, login);

CREATE TABLE accounts (
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id            TEXT    NOT NULL,
    position      INTEGER NOT NULL,
    psu_id        TEXT    NOT NULL,
    bank_id       TEXT    NOT NULL,
    iban          TEXT    NOT NULL,
    bic           TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    type          TEXT    NOT NULL,
    opening_cents INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX accounts_psu ON accounts (tenant_id, psu_id, position);

CREATE TABLE transactions (
    tenant_id         INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id                TEXT    NOT NULL,
    account_id        TEXT    NOT NULL,
    position          INTEGER NOT NULL,
    amount_cents      INTEGER NOT NULL,
    currency          TEXT    NOT NULL,
    booking_date      TEXT    NOT NULL,
    value_date        TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    counterparty_name TEXT    NOT NULL,
    counterparty_iban TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX transactions_account ON transactions (tenant_id, account_id, booking_date, position);

CREATE TABLE sca_sessions (
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id            TEXT    NOT NULL,
    provider      TEXT    NOT NULL,
    bank_id       TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    step          TEXT    NOT NULL,
    psu_id        TEXT    NOT NULL DEFAULT '',
    redirect_uri  TEXT    NOT NULL DEFAULT '',
    state         TEXT    NOT NULL DEFAULT '',
    scope         TEXT    NOT NULL DEFAULT '',
    failure       TEXT    NOT NULL DEFAULT '',
    connection_id TEXT    NOT NULL DEFAULT '',
    code          TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE connections (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id         TEXT    NOT NULL,
    bank_id    TEXT    NOT NULL,
    psu_id     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE connection_accounts (
    tenant_id     INTEGER NOT NULL,
    connection_id TEXT    NOT NULL,
    account_id    TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, account_id),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE auth_codes (
    tenant_id     INTEGER NOT NULL,
    code          TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    expires_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, code),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE tokens (
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id            TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    scope         TEXT    NOT NULL,
    connection_id TEXT    NOT NULL DEFAULT '',
    pair_id       TEXT    NOT NULL DEFAULT '',
    issued_at     INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX tokens_connection ON tokens (tenant_id, connection_id);

CREATE TABLE customers (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id           TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    first_name   TEXT    NOT NULL,
    last_name    TEXT    NOT NULL,
    company_name TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    phone        TEXT    NOT NULL,
    external_id  TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_seq ON customers (tenant_id, seq);

CREATE TABLE customer_bank_accounts (
    tenant_id   INTEGER NOT NULL,
    id          TEXT    NOT NULL,
    customer_id TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    iban        TEXT    NOT NULL,
    bic         TEXT    NOT NULL,
    holder_name TEXT    NOT NULL,
    currency    TEXT    NOT NULL,
    verified    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE verifications (
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id            TEXT    NOT NULL,
    customer_id   TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    provider_id   TEXT    NOT NULL,
    expected_name TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    match_score   REAL,
    history       TEXT    NOT NULL DEFAULT '[]',
    created_at    INTEGER NOT NULL,
    verified_at   INTEGER,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX verifications_customer ON verifications (tenant_id, customer_id, seq);

-- Due events of the scheduler (DESIGN.md §6): persisted so a restart loses
-- none, run in (due_at, id) order against the tenant's clock.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    due_at    INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    ref       TEXT    NOT NULL,
    done_at   INTEGER
);
CREATE INDEX events_due ON events (done_at, tenant_id, due_at);
