-- App settings: what a provider's console holds for an API client (the
-- registered public key, whether requests must be signed), as JSON:
-- {"public_key": "-----BEGIN PUBLIC KEY-----...", "require_signatures": true}.
-- A column of the tenants row, so bundles carry it without change.

ALTER TABLE tenants ADD COLUMN app TEXT NOT NULL DEFAULT '{}';
