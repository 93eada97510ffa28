package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// faultStore opens a fresh database with two tenants.
func faultStore(t *testing.T) (*Store, *emulator.ManualClock, *emulator.Tenant, *emulator.Tenant) {
	t.Helper()
	ctx := context.Background()
	clock := emulator.NewManualClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	s, err := Open(ctx, Options{Path: filepath.Join(t.TempDir(), "faults.db"), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a, err := s.CreateTenant(ctx, emulator.Fintecture, "app", "default", 42)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	b, err := s.CreateTenant(ctx, emulator.FinqLink, "other", "default", 42)
	if err != nil {
		t.Fatal(err)
	}
	return s, clock, a, b
}

// faultSummary is a row without the parts a test does not pin.
type faultSummary struct {
	tenantID int64
	source   string
	rule     string
}

func faultRows(t *testing.T, s *Store) []faultSummary {
	t.Helper()
	rows, err := s.Faults(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]faultSummary, len(rows))
	for i, r := range rows {
		out[i] = faultSummary{r.TenantID, r.Source, string(r.Rule)}
	}
	return out
}

func TestFaultsRoundTrip(t *testing.T) {
	s, clock, app, _ := faultStore(t)
	ctx := context.Background()
	clock.Advance(time.Minute)
	global, err := s.AddFault(ctx, 0, "api", []byte(`{"status":503}`))
	if err != nil {
		t.Fatal(err)
	}
	mine, err := s.AddFault(ctx, app.ID, "api", []byte(`{"status":500}`))
	if err != nil {
		t.Fatal(err)
	}
	if global.TenantID != 0 || global.TenantKey != "" || string(global.Rule) != `{"status":503}` || !global.CreatedAt.Equal(clock.Now()) {
		t.Errorf("global row %+v", global)
	}
	if mine.TenantID != app.ID || mine.TenantKey != app.Key() || mine.Source != "api" || mine.ID <= global.ID {
		t.Errorf("tenant row %+v", mine)
	}
	rows, err := s.Faults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].ID != global.ID || rows[1].ID != mine.ID || rows[1].TenantKey != app.Key() {
		t.Fatalf("Faults = %+v, want both rows in id order", rows)
	}
	if err := s.RemoveFault(ctx, global.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveFault(ctx, global.ID); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Errorf("removing twice: %v, want not found", err)
	}
	if got := faultRows(t, s); len(got) != 1 || got[0].tenantID != app.ID {
		t.Errorf("after remove: %+v", got)
	}
}

func TestAddFaultRefusesBadInput(t *testing.T) {
	s, _, _, _ := faultStore(t)
	ctx := context.Background()
	if _, err := s.AddFault(ctx, 0, "api", []byte(`{"status":`)); !emulator.IsCode(err, emulator.CodeInvalid) {
		t.Errorf("rule that is not JSON: %v, want invalid", err)
	}
	if _, err := s.AddFault(ctx, 999, "api", []byte(`{}`)); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Errorf("unknown tenant: %v, want not found", err)
	}
	if got := faultRows(t, s); len(got) != 0 {
		t.Errorf("refused rules were stored: %+v", got)
	}
}

// TestFaultsInTenantTransactions: the helpers tenant code calls inside its
// own transactions insert and replace one tenant's rules of one source,
// leaving everyone else's alone.
func TestFaultsInTenantTransactions(t *testing.T) {
	s, _, app, other := faultStore(t)
	ctx := context.Background()
	for _, r := range []struct {
		tenant int64
		source string
	}{{0, "api"}, {app.ID, "api"}, {other.ID, "scenario"}} {
		if _, err := s.AddFault(ctx, r.tenant, r.source, []byte(`{"keep":true}`)); err != nil {
			t.Fatal(err)
		}
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return insertFaults(ctx, tx, app.ID, "scenario", [][]byte{[]byte(`{"n":1}`), []byte(`{"n":2}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Faults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if last := rows[len(rows)-1]; last.TenantKey != app.Key() || !last.CreatedAt.Equal(app.CreatedAt) {
		t.Errorf("scenario row %+v, want app's key and its creation time", last)
	}
	// A failed transaction leaves nothing behind.
	err = s.tx(ctx, func(tx *sql.Tx) error {
		return insertFaults(ctx, tx, app.ID, "scenario", [][]byte{[]byte(`{"n":3}`), []byte(`not json`)})
	})
	if !emulator.IsCode(err, emulator.CodeInvalid) {
		t.Errorf("inserting a rule that is not JSON: %v, want invalid", err)
	}
	if got := len(faultRows(t, s)); got != 5 {
		t.Errorf("%d rows after a failed insert, want 5", got)
	}

	if err := s.tx(ctx, func(tx *sql.Tx) error { return deleteFaults(ctx, tx, app.ID, "scenario") }); err != nil {
		t.Fatal(err)
	}
	want := []faultSummary{{0, "api", `{"keep":true}`}, {app.ID, "api", `{"keep":true}`}, {other.ID, "scenario", `{"keep":true}`}}
	if got := faultRows(t, s); !slices.Equal(got, want) {
		t.Errorf("after deleting app's scenario rules: %+v, want %+v", got, want)
	}
	if err := s.RemoveTenantFaults(ctx, 0, ""); err != nil {
		t.Fatal(err)
	}
	if got := faultRows(t, s); !slices.Equal(got, want[1:]) {
		t.Errorf("after deleting the global rules: %+v, want %+v", got, want[1:])
	}
	if err := s.RemoveTenantFaults(ctx, app.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := faultRows(t, s); !slices.Equal(got, want[2:]) {
		t.Errorf("after deleting app's rules: %+v, want %+v", got, want[2:])
	}
}

// TestFaultsGoWithTheirTenant: the foreign key takes a tenant's rules
// with it.
func TestFaultsGoWithTheirTenant(t *testing.T) {
	s, _, app, _ := faultStore(t)
	ctx := context.Background()
	if _, err := s.AddFault(ctx, app.ID, "api", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFault(ctx, 0, "api", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM tenants WHERE id = ?`, app.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := faultRows(t, s); len(got) != 1 || got[0].tenantID != 0 {
		t.Errorf("after deleting the tenant: %+v, want only the global rule", got)
	}
}
