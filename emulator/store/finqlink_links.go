package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// linkSCAChanged moves the link whose journey x is, if any. (Placeholder:
// the links helper replaces this file.)
func linkSCAChanged(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, x emulator.SCASession, now time.Time) error {
	return nil
}

// linkEvent runs a link's due step.
func linkEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ref string, due time.Time) error {
	return nil
}
