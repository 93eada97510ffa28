package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// schedule persists a due event inside the caller's transaction, so the
// event exists exactly when the state change that caused it does.
func schedule(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, due time.Time, kind, ref string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO events (tenant_id, due_at, kind, ref) VALUES (?, ?, ?, ?)`, t.ID, ns(due), kind, ref)
	return err
}

type dueEvent struct {
	id   int64
	kind string
	ref  string
	due  time.Time
}

// RunDue runs, in (due time, id) order, every event of the tenant that is
// due on its clock. Each event runs in its own transaction together with
// marking it done, so a crash never runs one twice or loses one.
func (s *Store) RunDue(ctx context.Context, t *emulator.Tenant) (int, error) {
	ran := 0
	for {
		now := s.Now(t)
		var ev dueEvent
		var due int64
		err := s.read.QueryRowContext(ctx, `SELECT id, kind, ref, due_at FROM events WHERE done_at IS NULL AND tenant_id = ? AND due_at <= ? ORDER BY due_at, id LIMIT 1`,
			t.ID, ns(now)).Scan(&ev.id, &ev.kind, &ev.ref, &due)
		if err == sql.ErrNoRows {
			return ran, nil
		}
		if err != nil {
			return ran, err
		}
		ev.due = fromNS(due)
		err = s.tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE events SET done_at = ? WHERE id = ? AND done_at IS NULL`, ns(now), ev.id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another runner took it
			}
			return s.runEvent(ctx, tx, t, ev)
		})
		if err != nil {
			return ran, fmt.Errorf("event %d (%s %s): %w", ev.id, ev.kind, ev.ref, err)
		}
		ran++
	}
}

// runEvent applies one due event. The set of kinds is closed and lives
// here, beside the tables the events change.
func (s *Store) runEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ev dueEvent) error {
	switch ev.kind {
	case EventSCATimeout:
		// A journey still pending at its deadline fails; a finished one is
		// left alone.
		return endPendingSCA(ctx, tx, t, ev.ref, emulator.FailTimeout, ev.due)
	case EventSCADecide:
		// The PSU may have acted first; then there is nothing to decide.
		return endPendingSCA(ctx, tx, t, ev.ref, emulator.FailDenied, ev.due)
	case EventVerificationDue:
		return completeVerification(ctx, tx, t, ev.ref, ev.due)
	}
	if ok, err := finqlinkEvent(ctx, tx, t, ev); ok {
		return err
	}
	return fmt.Errorf("unknown event kind %q", ev.kind)
}

// tenantsWithDueWork lists tenants that have events not yet done.
func (s *Store) tenantsWithDueWork(ctx context.Context) ([]int64, error) {
	return queryAll(ctx, s.read, scanTenantID, `SELECT DISTINCT tenant_id FROM events WHERE done_at IS NULL`)
}

// scanTenantID reads a row that is a tenant id.
func scanTenantID(row scanner) (int64, error) {
	var id int64
	err := row.Scan(&id)
	return id, err
}

// RunScheduler runs due events of every tenant each interval until ctx ends.
func (s *Store) RunScheduler(ctx context.Context, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		ids, err := s.tenantsWithDueWork(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("scheduler: list tenants", "err", err)
			}
			continue
		}
		for _, id := range ids {
			t, err := s.tenantByID(ctx, id)
			if err != nil {
				continue
			}
			if _, err := s.RunDue(ctx, t); err != nil && ctx.Err() == nil {
				log.Error("scheduler: run due events", "tenant", t.Credential, "err", err)
			}
		}
	}
}

func (s *Store) tenantByID(ctx context.Context, id int64) (*emulator.Tenant, error) {
	t, err := scanTenant(s.read.QueryRowContext(ctx, tenantSelect+` WHERE id = ?`, id))
	if err != nil {
		return nil, err
	}
	return s.Tenant(ctx, t.Provider, t.Credential)
}
