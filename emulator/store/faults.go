package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// FaultRow is one stored fault rule. The store keeps the rule as opaque
// JSON: package faults owns the rule type and imports the store, so the
// store cannot import it back.
type FaultRow struct {
	ID int64
	// TenantID binds the rule to one tenant; 0 is a rule for every tenant.
	TenantID int64
	// TenantKey is that tenant's public key (emulator.TenantKey), empty
	// for a rule of every tenant, so the engine can name the tenant
	// without a lookup per rule.
	TenantKey string
	// Source says where the rule came from ("scenario", "api"): a
	// tenant reset replaces its scenario's rules.
	Source    string
	Rule      []byte
	CreatedAt time.Time
}

// Faults lists every stored fault rule, oldest first, so rules apply in
// the order they were added.
func (s *Store) Faults(ctx context.Context) ([]FaultRow, error) {
	rows, err := s.read.QueryContext(ctx, faultSelect+` ORDER BY f.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FaultRow
	for rows.Next() {
		f, err := scanFault(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// AddFault stores one rule for a tenant (tenantID 0: every tenant). An
// unknown tenant is CodeNotFound; a rule that is not JSON is CodeInvalid,
// since the engine could never read it back.
func (s *Store) AddFault(ctx context.Context, tenantID int64, source string, rule []byte) (FaultRow, error) {
	if !json.Valid(rule) {
		return FaultRow{}, emulator.FieldError(emulator.CodeInvalid, "rule", "a fault rule must be JSON")
	}
	var out FaultRow
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO faults (tenant_id, source, rule, created_at) VALUES (?, ?, ?, ?)`,
			nullID(tenantID), source, string(rule), ns(s.clock.Now()))
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		out, err = scanFault(tx.QueryRowContext(ctx, faultSelect+` WHERE f.id = ?`, id))
		return err
	})
	return out, err
}

// RemoveFault deletes one rule; CodeNotFound when there is no such rule.
func (s *Store) RemoveFault(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM faults WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return emulator.NotFound("fault", strconv.FormatInt(id, 10))
		}
		return nil
	})
}

// RemoveTenantFaults deletes a tenant's rules of one source (tenantID 0:
// the rules of every tenant; source empty: every source).
func (s *Store) RemoveTenantFaults(ctx context.Context, tenantID int64, source string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return deleteFaults(ctx, tx, tenantID, source) })
}

// insertFaults stores fault rules (JSON of faults.Rule) for a tenant inside
// the caller's transaction, so a tenant and its scenario's rules appear
// together. The rules are dated like their tenant's row: the function has
// no clock, and scenario rules are as old as the scenario they came with.
func insertFaults(ctx context.Context, tx *sql.Tx, tenantID int64, source string, rules [][]byte) error {
	for _, r := range rules {
		if !json.Valid(r) {
			return emulator.FieldError(emulator.CodeInvalid, "faults", "a fault rule must be JSON")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO faults (tenant_id, source, rule, created_at)
			VALUES (?, ?, ?, COALESCE((SELECT created_at FROM tenants WHERE id = ?), 0))`,
			nullID(tenantID), source, string(r), tenantID); err != nil {
			return err
		}
	}
	return nil
}

// deleteFaults removes a tenant's rules of one source inside the caller's
// transaction (tenantID 0: the rules of every tenant; source empty: every
// source), so a reset can replace its scenario's rules atomically.
func deleteFaults(ctx context.Context, tx *sql.Tx, tenantID int64, source string) error {
	// IS compares NULL with NULL as equal, so one statement serves both
	// tenant rules and rules of every tenant.
	_, err := tx.ExecContext(ctx, `DELETE FROM faults WHERE tenant_id IS ? AND (? = '' OR source = ?)`,
		nullID(tenantID), source, source)
	return err
}

const faultSelect = `SELECT f.id, f.tenant_id, COALESCE(t.key, ''), f.source, f.rule, f.created_at
	FROM faults f LEFT JOIN tenants t ON t.id = f.tenant_id`

func scanFault(row scanner) (FaultRow, error) {
	var f FaultRow
	var tenant sql.NullInt64
	var rule string
	var created int64
	if err := row.Scan(&f.ID, &tenant, &f.TenantKey, &f.Source, &rule, &created); err != nil {
		return f, err
	}
	f.TenantID = tenant.Int64
	f.Rule = []byte(rule)
	f.CreatedAt = fromNS(created)
	return f, nil
}

// nullID stores tenant id 0 as NULL: the column refers to tenants, and no
// tenant has id 0.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
