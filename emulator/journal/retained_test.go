package journal

import (
	"testing"

	"github.com/sandbank/sandbank/emulator"
)

// A batch keeps, per tenant, only the newest entries retention would keep,
// in their order; other tenants' entries are untouched.
func TestRetainedKeepsTheNewestPerTenant(t *testing.T) {
	var batch []emulator.JournalEntry
	for i, tenant := range []int64{1, 2, 1, 1, 3, 1, 2, 2} {
		batch = append(batch, emulator.JournalEntry{TenantID: tenant, Status: i})
	}
	got := retained(batch, 2)
	var order []int
	for _, e := range got {
		order = append(order, e.Status)
	}
	want := []int{3, 4, 5, 6, 7} // tenant 1: 3, 5; tenant 3: 4; tenant 2: 6, 7
	if len(order) != len(want) {
		t.Fatalf("kept %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("kept %v, want %v", order, want)
		}
	}
	if got := retained(batch, 0); len(got) != len(batch) {
		t.Fatalf("keep 0 (keep all) dropped entries: %d of %d", len(got), len(batch))
	}
}
