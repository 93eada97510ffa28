package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// consentSCAChanged moves the consent whose journey x is, if any.
// (Placeholder: the consents helper replaces this file.)
func consentSCAChanged(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, x emulator.SCASession, now time.Time) error {
	return nil
}

// consentEvent runs a consent's due step.
func consentEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ref string, due time.Time) error {
	return nil
}

// jobEvent runs a job's due step.
func jobEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ref string, due time.Time) error {
	return nil
}
