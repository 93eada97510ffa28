-- FinqLink payment links (Pay): one row per link, with the payment it
-- asks for, the client's payment_method filter (method, JSON), the bank
-- the payer chose and the bank journey (SCA session) it started; the
-- scheme paid through is the filter's, so it is not stored. Instants are
-- Unix nanoseconds on the tenant's clock. Status changes move the link on
-- by itself through the events table (finqlink.link.step).

CREATE TABLE finqlink_links (
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id             TEXT    NOT NULL,
    web_id         TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    flow           TEXT    NOT NULL,
    template       TEXT    NOT NULL,
    amount         TEXT    NOT NULL,
    currency       TEXT    NOT NULL,
    creditor_name  TEXT    NOT NULL,
    creditor_iban  TEXT    NOT NULL,
    debtor_name    TEXT    NOT NULL DEFAULT '',
    debtor_iban    TEXT    NOT NULL DEFAULT '',
    debtor_psu_id  TEXT    NOT NULL DEFAULT '',
    description    TEXT    NOT NULL DEFAULT '',
    user_editable  INTEGER NOT NULL DEFAULT 0,
    redirect_url   TEXT    NOT NULL DEFAULT '',
    webhook_url    TEXT    NOT NULL DEFAULT '',
    method         TEXT    NOT NULL DEFAULT '{}',
    bank_id        TEXT    NOT NULL DEFAULT '',
    end_user_id    TEXT    NOT NULL DEFAULT '',
    merchant_id    TEXT    NOT NULL DEFAULT '',
    sca_session_id TEXT    NOT NULL DEFAULT '',
    callback       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, web_id)
);

-- links/list pages newest first by (created_at, id).
CREATE INDEX finqlink_links_list ON finqlink_links (tenant_id, created_at, id);

-- A journey's change finds its link.
CREATE INDEX finqlink_links_session ON finqlink_links (tenant_id, sca_session_id);
