-- The jti of every client assertion (RFC 7523) a tenant has used, kept
-- until the assertion expires, so a replayed assertion is refused.
CREATE TABLE client_assertions (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    jti        TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, jti)
);
