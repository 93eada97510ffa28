-- Importing (Kontomatik): sign-in redirections, import sessions, standing
-- consents (Multiple Access) and import commands. Command states follow
-- from their instants on the tenant clock, so nothing is scheduled.

CREATE TABLE redirections (
    tenant_id         INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id                TEXT    NOT NULL,
    dialect           TEXT    NOT NULL,
    redirect_uri      TEXT    NOT NULL,
    owner_external_id TEXT    NOT NULL DEFAULT '',
    country           TEXT    NOT NULL DEFAULT '',
    locale            TEXT    NOT NULL DEFAULT '',
    mode              TEXT    NOT NULL,
    session_id        TEXT    NOT NULL DEFAULT '',
    consent_id        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE standing_consents (
    tenant_id     INTEGER NOT NULL,
    id            TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE import_sessions (
    tenant_id         INTEGER NOT NULL,
    id                TEXT    NOT NULL,
    connection_id     TEXT    NOT NULL,
    owner_external_id TEXT    NOT NULL DEFAULT '',
    consent_id        TEXT    NOT NULL DEFAULT '',
    history_from      TEXT    NOT NULL DEFAULT '',
    imported          INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE import_commands (
    tenant_id       INTEGER NOT NULL,
    id              TEXT    NOT NULL,
    session_id      TEXT    NOT NULL,
    consent_id      TEXT    NOT NULL DEFAULT '',
    name            TEXT    NOT NULL,
    since           TEXT    NOT NULL DEFAULT '',
    failure         TEXT    NOT NULL DEFAULT '',
    failure_message TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    starts_at       INTEGER NOT NULL,
    done_at         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES import_sessions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX import_commands_consent ON import_commands (tenant_id, consent_id, created_at);
