package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// UseAssertion records the jti of a client assertion (RFC 7523 §3: the
// server may refuse a jti it has seen) until exp. A jti used before and
// not yet expired answers CodeConflict; expired ones are forgotten, so
// the table holds only the live ones. now is the clock the assertion was
// checked against.
func (s *Store) UseAssertion(ctx context.Context, t *emulator.Tenant, jti string, exp, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM client_assertions WHERE tenant_id = ? AND expires_at <= ?`, t.ID, ns(now)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO client_assertions (tenant_id, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, t.ID, jti, ns(exp))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return emulator.Errorf(emulator.CodeConflict, "the assertion's jti %q was used before", jti)
		}
		return nil
	})
}
