package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// Accounts lists every account of the tenant's world in world order.
func (s *Store) Accounts(ctx context.Context, t *emulator.Tenant) ([]emulator.Account, error) {
	return collectAccounts(s.read.QueryContext(ctx, accountSelect+` WHERE a.tenant_id = ? ORDER BY a.position`, t.ID))
}

// Account finds one account of the tenant's world.
func (s *Store) Account(ctx context.Context, t *emulator.Tenant, id string) (emulator.Account, error) {
	a, err := scanAccount(s.read.QueryRowContext(ctx, accountSelect+` WHERE a.tenant_id = ? AND a.id = ?`, t.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, emulator.NotFound("account", id)
	}
	return a, err
}

// TransactionCounts gives the number of transactions of each account of
// the tenant, booked or not.
func (s *Store) TransactionCounts(ctx context.Context, t *emulator.Tenant) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT account_id, count(*) FROM transactions WHERE tenant_id = ? GROUP BY account_id`, t.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// TenantCounts sizes one tenant's world and state.
type TenantCounts struct {
	Banks, PSUs, Accounts, Connections, PendingSCA int
}

// CountTenant sizes a tenant's world and state in one query.
func (s *Store) CountTenant(ctx context.Context, t *emulator.Tenant) (TenantCounts, error) {
	var c TenantCounts
	err := s.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM banks WHERE tenant_id = ?1),
		(SELECT count(*) FROM psus WHERE tenant_id = ?1),
		(SELECT count(*) FROM accounts WHERE tenant_id = ?1),
		(SELECT count(*) FROM connections WHERE tenant_id = ?1),
		(SELECT count(*) FROM sca_sessions WHERE tenant_id = ?1 AND status = ?2)`, t.ID, emulator.SCAPending).
		Scan(&c.Banks, &c.PSUs, &c.Accounts, &c.Connections, &c.PendingSCA)
	return c, err
}

// Totals are counts over every tenant, for the health endpoint.
type Totals struct {
	Tenants, Connections, PendingSCA, Faults, Journal int
}

// CountAll sizes the whole database in one query.
func (s *Store) CountAll(ctx context.Context) (Totals, error) {
	var c Totals
	err := s.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM tenants),
		(SELECT count(*) FROM connections),
		(SELECT count(*) FROM sca_sessions WHERE status = ?1),
		(SELECT count(*) FROM faults),
		(SELECT count(*) FROM journal)`, emulator.SCAPending).
		Scan(&c.Tenants, &c.Connections, &c.PendingSCA, &c.Faults, &c.Journal)
	return c, err
}

// ScheduledEvents counts a tenant's events not yet run and says when the
// next one is due.
func (s *Store) ScheduledEvents(ctx context.Context, t *emulator.Tenant) (int, *time.Time, error) {
	var n int
	var next sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT count(*), min(due_at) FROM events WHERE tenant_id = ? AND done_at IS NULL`, t.ID).Scan(&n, &next)
	if err != nil {
		return 0, nil, err
	}
	if !next.Valid {
		return n, nil, nil
	}
	return n, nullTime(next), nil
}
