package store

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

var journalEpoch = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func openJournalStore(t *testing.T) (*Store, *emulator.Tenant, *emulator.Tenant) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, Options{Path: filepath.Join(t.TempDir(), "j.db"), Clock: emulator.NewManualClock(journalEpoch)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a, err := s.CreateTenant(ctx, emulator.Fintecture, "app-a", "default", 42)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateTenant(ctx, emulator.Fintecture, "app-b", "default", 42)
	if err != nil {
		t.Fatal(err)
	}
	return s, a, b
}

// entry makes the i-th test entry of a tenant: operations, methods and
// statuses cycle so every filter has something to tell apart.
func entry(tn *emulator.Tenant, i int) emulator.JournalEntry {
	ops := []string{"getAccounts", "createCustomer", "getToken"}
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPost}
	statuses := []int{200, 201, 401, 404, 500}
	return emulator.JournalEntry{
		TenantID:  tn.ID,
		At:        journalEpoch.Add(time.Duration(i) * time.Second),
		Method:    methods[i%3],
		URL:       fmt.Sprintf("http://127.0.0.1/fintecture/%s/%d?page_size=10", ops[i%3], i),
		Contract:  "fintecture",
		Operation: ops[i%3],
		Status:    statuses[i%5],
		Duration:  time.Duration(i) * time.Millisecond,
		Request:   emulator.HTTPMessage{Header: http.Header{"Content-Type": {"application/json"}}, Body: fmt.Sprintf(`{"i":%d}`, i), Size: 7},
		Response:  emulator.HTTPMessage{Header: http.Header{"X-Request-Id": {"r"}}, Body: "ok", Size: 2, Truncated: i%2 == 0},
	}
}

func appendN(t *testing.T, s *Store, tn *emulator.Tenant, from, n, keep int) {
	t.Helper()
	var batch []emulator.JournalEntry
	for i := from; i < from+n; i++ {
		batch = append(batch, entry(tn, i))
	}
	if err := s.AppendJournal(context.Background(), batch, keep); err != nil {
		t.Fatal(err)
	}
}

func TestJournalRoundTrip(t *testing.T) {
	s, a, _ := openJournalStore(t)
	ctx := context.Background()
	appendN(t, s, a, 0, 1, 0)
	got, err := s.Journal(ctx, a, emulator.JournalFilter{})
	if err != nil || len(got) != 1 {
		t.Fatalf("want 1 entry, got %d (%v)", len(got), err)
	}
	want := entry(a, 0)
	want.ID = got[0].ID
	if fmt.Sprintf("%+v", got[0]) != fmt.Sprintf("%+v", want) {
		t.Fatalf("round trip changed the entry:\n got %+v\nwant %+v", got[0], want)
	}
	one, err := s.JournalEntry(ctx, a, got[0].ID)
	if err != nil || one.ID != got[0].ID || one.Response.Body != "ok" {
		t.Fatalf("JournalEntry: %+v, %v", one, err)
	}
}

func TestJournalFilters(t *testing.T) {
	s, a, b := openJournalStore(t)
	ctx := context.Background()
	appendN(t, s, a, 0, 30, 0)
	appendN(t, s, b, 0, 5, 0)

	count := func(f emulator.JournalFilter) []emulator.JournalEntry {
		t.Helper()
		got, err := s.Journal(ctx, a, f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(got); i++ {
			if got[i].ID >= got[i-1].ID {
				t.Fatalf("not newest first: %d then %d", got[i-1].ID, got[i].ID)
			}
		}
		for _, e := range got {
			if e.TenantID != a.ID {
				t.Fatalf("another tenant's entry leaked: %+v", e)
			}
		}
		return got
	}
	cases := []struct {
		name string
		f    emulator.JournalFilter
		want int
	}{
		{"all", emulator.JournalFilter{}, 30},
		{"operation", emulator.JournalFilter{Operation: "getToken"}, 10},
		{"method, any case", emulator.JournalFilter{Method: "post"}, 20},
		{"status", emulator.JournalFilter{Status: 401}, 6},
		{"status class", emulator.JournalFilter{StatusClass: 4}, 12},
		{"status class 2xx", emulator.JournalFilter{StatusClass: 2}, 12},
		{"path substring", emulator.JournalFilter{Path: "createCustomer/1"}, 5},
		{"path with wildcard characters", emulator.JournalFilter{Path: "page_size"}, 30},
		{"path no LIKE wildcards", emulator.JournalFilter{Path: "page%size"}, 0},
		{"contract", emulator.JournalFilter{Contract: "fintecture"}, 30},
		{"since", emulator.JournalFilter{Since: journalEpoch.Add(25 * time.Second)}, 5},
		{"limit", emulator.JournalFilter{Limit: 7}, 7},
		{"combined", emulator.JournalFilter{Method: "POST", StatusClass: 5}, 4},
	}
	// createCustomer is every i ≡ 1 (mod 3): 1, 4, …, 28, and of those
	// "createCustomer/1" matches 1, 10, 13, 16 and 19.
	for _, c := range cases {
		if got := count(c.f); len(got) != c.want {
			t.Errorf("%s: want %d entries, got %d", c.name, c.want, len(got))
		}
	}

	// The cursor walks the whole journal in pages, newest first, without
	// gaps or repeats.
	var seen []int64
	f := emulator.JournalFilter{Limit: 4}
	for {
		page := count(f)
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			seen = append(seen, e.ID)
		}
		f.Before = page[len(page)-1].ID
	}
	if len(seen) != 30 {
		t.Fatalf("paging saw %d entries, want 30", len(seen))
	}
	if got := count(emulator.JournalFilter{}); got[0].ID != seen[0] || got[0].Operation != "getToken" || !strings.HasSuffix(got[0].URL, "/29?page_size=10") {
		t.Fatalf("newest first: got %+v", got[0])
	}
}

func TestJournalPageSize(t *testing.T) {
	s, a, _ := openJournalStore(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		appendN(t, s, a, i*500, 500, 0)
	}
	for _, c := range []struct{ limit, want int }{{0, 100}, {-1, 100}, {250, 250}, {5000, 1000}} {
		got, err := s.Journal(ctx, a, emulator.JournalFilter{Limit: c.limit})
		if err != nil || len(got) != c.want {
			t.Errorf("limit %d: want %d, got %d (%v)", c.limit, c.want, len(got), err)
		}
	}
}

// TestJournalRetention writes five windows' worth of entries in batches:
// each tenant keeps its newest keep only, and only tenants written to are
// trimmed.
func TestJournalRetention(t *testing.T) {
	s, a, b := openJournalStore(t)
	ctx := context.Background()
	const keep = 20
	appendN(t, s, b, 0, 50, 0) // b keeps everything: never in a trimmed batch
	for i := 0; i < 5*keep; i += 7 {
		appendN(t, s, a, i, 7, keep)
		if n, _ := s.JournalCount(ctx, a); n > keep {
			t.Fatalf("after %d entries the tenant has %d, over %d", i+7, n, keep)
		}
	}
	got, err := s.Journal(ctx, a, emulator.JournalFilter{Limit: 1000})
	if err != nil || len(got) != keep {
		t.Fatalf("want %d kept, got %d (%v)", keep, len(got), err)
	}
	// 0..104 were written (15 batches of 7); the newest 20 are 85..104.
	for k, e := range got {
		if want := entry(a, 104-k).URL; e.URL != want {
			t.Fatalf("entry %d: %s, want %s", k, e.URL, want)
		}
	}
	if n, _ := s.JournalCount(ctx, b); n != 50 {
		t.Fatalf("another tenant was trimmed: %d left", n)
	}
}

func TestJournalTenantIsolationAndClear(t *testing.T) {
	s, a, b := openJournalStore(t)
	ctx := context.Background()
	appendN(t, s, a, 0, 3, 0)
	appendN(t, s, b, 0, 2, 0)
	got, _ := s.Journal(ctx, a, emulator.JournalFilter{})
	if _, err := s.JournalEntry(ctx, b, got[0].ID); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Fatalf("another tenant's entry: want not found, got %v", err)
	}
	n, err := s.ClearJournal(ctx, a)
	if err != nil || n != 3 {
		t.Fatalf("clear: %d, %v", n, err)
	}
	if n, _ := s.JournalCount(ctx, a); n != 0 {
		t.Fatalf("%d entries left after clear", n)
	}
	if n, _ := s.JournalCount(ctx, b); n != 2 {
		t.Fatalf("clearing one tenant touched another: %d left", n)
	}
}

// TestJournalSkipsDeletedTenant: a tenant deleted between its request and
// the batch write loses its entries, not the whole batch.
func TestJournalSkipsDeletedTenant(t *testing.T) {
	s, a, b := openJournalStore(t)
	ctx := context.Background()
	if _, err := s.write.ExecContext(ctx, `DELETE FROM tenants WHERE id = ?`, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendJournal(ctx, []emulator.JournalEntry{entry(a, 0), entry(b, 1), entry(a, 2)}, 10); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.JournalCount(ctx, a); n != 2 {
		t.Fatalf("want the live tenant's 2 entries, got %d", n)
	}
}

// TestJournalWritesKeepReadCache: journal writes do not invalidate the read
// cache the hot paths rely on.
func TestJournalWritesKeepReadCache(t *testing.T) {
	s, a, _ := openJournalStore(t)
	gen := s.gen.Load()
	appendN(t, s, a, 0, 5, 2)
	if _, err := s.ClearJournal(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if s.gen.Load() != gen {
		t.Fatal("a journal write bumped the cache generation")
	}
}
