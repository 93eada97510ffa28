package control_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/faults"
)

func TestHealth(t *testing.T) {
	h := newHarness(t)
	h.tenant("app-1")
	got, err := h.c.Health(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "ok" || got.Version != "test" || got.Counts.Tenants != 1 {
		t.Fatalf("health: %+v", got)
	}
	// The server's own health check stays reachable beside the API.
	if code, _, _ := h.raw(http.MethodGet, "/_sandbank/healthz", "", ""); code != http.StatusOK {
		t.Fatalf("healthz: %d", code)
	}
}

func TestTenantLifecycle(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	created, err := h.c.CreateTenant(ctx, client.NewTenant{Provider: "fintecture", Credential: "app-1", Secret: "s3cret", Label: "first"})
	if err != nil {
		t.Fatal(err)
	}
	key := client.TenantKey("fintecture", "app-1")
	if created.Key != key || created.Provider != "fintecture" || !created.HasSecret || created.Label != "first" ||
		created.Scenario != "basic" || created.Seed != 7 || created.Banks != 2 || created.PSUs != 2 || created.Accounts != 3 {
		t.Fatalf("created: %+v", created)
	}
	if client.ResolveTenant("fintecture:app-1") != key || client.ResolveTenant(key) != key {
		t.Fatal("ResolveTenant")
	}

	// The same credential again is a conflict, and changes nothing.
	_, err = h.c.CreateTenant(ctx, client.NewTenant{Provider: "fintecture", Credential: "app-1", Label: "second"})
	wantError(t, err, http.StatusConflict, "conflict", "credential")
	_, err = h.c.CreateTenant(ctx, client.NewTenant{Provider: "plaid", Credential: "x"})
	wantError(t, err, http.StatusBadRequest, "invalid", "provider")
	_, err = h.c.CreateTenant(ctx, client.NewTenant{Provider: "fintecture", Credential: "x", Scenario: "nope"})
	wantError(t, err, http.StatusBadRequest, "invalid", "scenario")

	at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	frozen, err := h.c.CreateTenant(ctx, client.NewTenant{Provider: "fintecture", Credential: "app-2", Frozen: true, At: &at, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	if !frozen.Clock.Frozen || !frozen.Clock.Now.Equal(at) || frozen.Seed != 42 || frozen.HasSecret {
		t.Fatalf("frozen tenant: %+v", frozen)
	}

	list, err := h.c.Tenants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Key != key || list[0].Label != "first" || list[1].Credential != "app-2" {
		t.Fatalf("list: %+v", list)
	}

	labelled, err := h.c.SetLabel(ctx, key, "renamed")
	if err != nil || labelled.Label != "renamed" {
		t.Fatalf("label: %+v %v", labelled, err)
	}
	shown, err := h.c.Tenant(ctx, client.ResolveTenant("fintecture:app-1"))
	if err != nil || shown.Label != "renamed" {
		t.Fatalf("show: %+v %v", shown, err)
	}

	// Reset puts the clock back to real time and rebuilds the world.
	if _, err := h.c.Advance(ctx, key, "1d"); err != nil {
		t.Fatal(err)
	}
	reset, err := h.c.ResetTenant(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if reset.Clock.Offset != "0s" || !reset.Clock.Now.Equal(realStart) || reset.Accounts != 3 || reset.Label != "renamed" {
		t.Fatalf("reset: %+v", reset)
	}

	loaded, err := h.c.LoadScenario(ctx, key, client.LoadScenario{Name: "other"})
	if err != nil || loaded.Scenario != "other" || loaded.Seed != 9 {
		t.Fatalf("load: %+v %v", loaded, err)
	}
	loaded, err = h.c.LoadScenario(ctx, key, client.LoadScenario{Name: "basic", Seed: 5})
	if err != nil || loaded.Scenario != "basic" || loaded.Seed != 5 {
		t.Fatalf("load with seed: %+v %v", loaded, err)
	}
	_, err = h.c.LoadScenario(ctx, key, client.LoadScenario{Name: "nope"})
	wantError(t, err, http.StatusBadRequest, "invalid", "scenario")
	_, err = h.c.LoadScenario(ctx, key, client.LoadScenario{})
	wantError(t, err, http.StatusBadRequest, "missing", "name")
	if got, _ := h.c.Tenant(ctx, key); got.Scenario != "basic" || got.Seed != 5 {
		t.Fatalf("failed loads changed the tenant: %+v", got)
	}

	if err := h.c.DeleteTenant(ctx, key); err != nil {
		t.Fatal(err)
	}
	_, err = h.c.Tenant(ctx, key)
	wantError(t, err, http.StatusNotFound, "not_found", "")
	wantError(t, h.c.DeleteTenant(ctx, key), http.StatusNotFound, "not_found", "")
	_, err = h.c.ResetTenant(ctx, key)
	wantError(t, err, http.StatusNotFound, "not_found", "")
	if list, _ := h.c.Tenants(ctx); len(list) != 1 {
		t.Fatalf("after delete: %+v", list)
	}
}

func TestScenarios(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	list, err := h.c.Scenarios(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "basic" || list[0].Source != "" {
		t.Fatalf("list (without sources): %+v", list)
	}
	sc, err := h.c.Scenario(ctx, "other")
	if err != nil || sc.Source != testScenarios[1].Source || sc.Seed != 9 {
		t.Fatalf("show: %+v %v", sc, err)
	}
	_, err = h.c.Scenario(ctx, "nope")
	wantError(t, err, http.StatusNotFound, "not_found", "")
}

func TestClock(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	key := h.tenant("app-1").Key

	c, err := h.c.Clock(ctx, key)
	if err != nil || !c.Now.Equal(realStart) || c.Frozen || c.Offset != "0s" {
		t.Fatalf("show: %+v %v", c, err)
	}
	c, err = h.c.Advance(ctx, key, "36h")
	if err != nil || !c.Now.Equal(realStart.Add(36*time.Hour)) || c.Offset != "1d12h0m0s" {
		t.Fatalf("advance 36h: %+v %v", c, err)
	}
	c, err = h.c.Advance(ctx, key, "90d")
	if err != nil || !c.Now.Equal(realStart.Add(36*time.Hour+90*24*time.Hour)) {
		t.Fatalf("advance 90d: %+v %v", c, err)
	}
	at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	c, err = h.c.SetClock(ctx, key, at)
	if err != nil || !c.Now.Equal(at) || c.Frozen {
		t.Fatalf("set: %+v %v", c, err)
	}
	c, err = h.c.Freeze(ctx, key)
	if err != nil || !c.Frozen || !c.Now.Equal(at) {
		t.Fatalf("freeze: %+v %v", c, err)
	}
	// Real time passes; a frozen clock does not move unless advanced.
	h.clock.Advance(time.Hour)
	if c, _ = h.c.Clock(ctx, key); !c.Now.Equal(at) {
		t.Fatalf("frozen clock moved: %+v", c)
	}
	c, err = h.c.Advance(ctx, key, "1d")
	if err != nil || !c.Frozen || !c.Now.Equal(at.Add(24*time.Hour)) {
		t.Fatalf("advance frozen: %+v %v", c, err)
	}
	c, err = h.c.Unfreeze(ctx, key)
	if err != nil || c.Frozen || !c.Now.Equal(at.Add(24*time.Hour)) {
		t.Fatalf("unfreeze: %+v %v", c, err)
	}

	// Bad changes answer 400 and leave the clock as it was.
	before, _ := h.c.Clock(ctx, key)
	_, err = h.c.Advance(ctx, key, "5x")
	wantError(t, err, http.StatusBadRequest, "invalid", "by")
	_, err = h.c.ChangeClock(ctx, key, client.ClockChange{By: "1d", Freeze: true})
	wantError(t, err, http.StatusBadRequest, "invalid", "")
	_, err = h.c.ChangeClock(ctx, key, client.ClockChange{})
	wantError(t, err, http.StatusBadRequest, "invalid", "")
	if after, _ := h.c.Clock(ctx, key); !reflect.DeepEqual(before, after) {
		t.Fatalf("a failed change moved the clock: %+v → %+v", before, after)
	}
	_, err = h.c.Clock(ctx, "000000000000")
	wantError(t, err, http.StatusNotFound, "not_found", "")
	_, err = h.c.Advance(ctx, "000000000000", "1d")
	wantError(t, err, http.StatusNotFound, "not_found", "")
}

func TestAdvanceRunsDueEvents(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	key := h.tenant("app-1").Key
	x := h.journey(key, "testbank", 5*time.Minute)

	pending, err := h.c.PendingSCA(ctx, key)
	if err != nil || len(pending) != 1 || pending[0].ID != x.ID {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	if want := h.srv.URL + "/bank/" + key + "/journeys/" + x.ID; pending[0].URL != want {
		t.Fatalf("journey URL %q, want %q", pending[0].URL, want)
	}
	c, _ := h.c.Clock(ctx, key)
	if c.Pending != 1 || c.NextDue == nil || !c.NextDue.Equal(realStart.Add(5*time.Minute)) {
		t.Fatalf("clock before: %+v", c)
	}

	c, err = h.c.Advance(ctx, key, "10m")
	if err != nil || c.EventsRun != 1 || c.Pending != 0 || c.NextDue != nil {
		t.Fatalf("advance: %+v %v", c, err)
	}
	if pending, _ = h.c.PendingSCA(ctx, key); len(pending) != 0 {
		t.Fatalf("still pending: %+v", pending)
	}
	got, err := h.c.SCA(ctx, key, x.ID)
	if err != nil || got.Status != "FAILED" || got.Failure != "timeout" {
		t.Fatalf("after the deadline: %+v %v", got, err)
	}
}

func TestSCAActions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	key := h.tenant("app-1").Key
	onList := h.journey(key, "", time.Hour)
	atBank := h.journey(key, "testbank", time.Hour)
	toExpire := h.journey(key, "testbank", time.Hour)
	noBody := h.journey(key, "testbank", time.Hour)

	pending, err := h.c.PendingSCA(ctx, key)
	if err != nil || len(pending) != 4 {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	for _, x := range pending {
		if (x.ID == onList.ID) != (x.Step == "select_bank") || !strings.HasPrefix(x.URL, h.srv.URL+"/bank/") {
			t.Fatalf("pending: %+v", x)
		}
	}

	// A journey still on the bank list needs a real bank.
	_, err = h.c.ApproveSCA(ctx, key, onList.ID, client.SCAApproval{})
	wantError(t, err, http.StatusBadRequest, "missing", "bank")
	_, err = h.c.ApproveSCA(ctx, key, onList.ID, client.SCAApproval{Bank: "nobank"})
	wantError(t, err, http.StatusBadRequest, "invalid", "bank")
	if x, _ := h.c.SCA(ctx, key, onList.ID); x.Status != "PENDING" || x.Bank != "" || x.Step != "select_bank" {
		t.Fatalf("failed approvals changed the journey: %+v", x)
	}
	// A good bank with a bad PSU, or a PSU with someone else's account,
	// is refused as a whole: nothing of it is kept.
	_, err = h.c.ApproveSCA(ctx, key, onList.ID, client.SCAApproval{Bank: "testbank", PSU: "nobody"})
	wantError(t, err, http.StatusBadRequest, "invalid", "psu")
	_, err = h.c.ApproveSCA(ctx, key, onList.ID, client.SCAApproval{Bank: "testbank", PSU: "bob", Accounts: []string{"acc1"}})
	wantError(t, err, http.StatusBadRequest, "invalid", "accounts")
	if x, _ := h.c.SCA(ctx, key, onList.ID); x.Status != "PENDING" || x.Bank != "" || x.PSU != "" || x.Step != "select_bank" {
		t.Fatalf("refused approvals changed the journey: %+v", x)
	}
	approved, err := h.c.ApproveSCA(ctx, key, onList.ID, client.SCAApproval{Bank: "testbank", PSU: "bob"})
	if err != nil || approved.Status != "COMPLETED" || approved.PSU != "bob" || approved.Bank != "testbank" || approved.Connection == "" {
		t.Fatalf("approve: %+v %v", approved, err)
	}
	_, err = h.c.ApproveSCA(ctx, key, onList.ID, client.SCAApproval{})
	wantError(t, err, http.StatusConflict, "conflict", "")

	// At a bank, the journey refuses another bank.
	_, err = h.c.ApproveSCA(ctx, key, atBank.ID, client.SCAApproval{Bank: "emptybank"})
	wantError(t, err, http.StatusConflict, "conflict", "bank")
	denied, err := h.c.DenySCA(ctx, key, atBank.ID)
	if err != nil || denied.Status != "FAILED" || denied.Failure != "access_denied" {
		t.Fatalf("deny: %+v %v", denied, err)
	}
	_, err = h.c.DenySCA(ctx, key, atBank.ID)
	wantError(t, err, http.StatusConflict, "conflict", "")
	expired, err := h.c.ExpireSCA(ctx, key, toExpire.ID)
	if err != nil || expired.Status != "FAILED" || expired.Failure != "expired" {
		t.Fatalf("expire: %+v %v", expired, err)
	}
	_, err = h.c.ExpireSCA(ctx, key, toExpire.ID)
	wantError(t, err, http.StatusConflict, "conflict", "")

	// Approving takes no body at all: the bank's first PSU with an account.
	code, _, _ := h.raw(http.MethodPost, "/_sandbank/tenants/"+key+"/sca/"+noBody.ID+"/approve", "", "")
	if code != http.StatusOK {
		t.Fatalf("approve without a body: %d", code)
	}
	if x, _ := h.c.SCA(ctx, key, noBody.ID); x.Status != "COMPLETED" || x.PSU != "alice" {
		t.Fatalf("approved without a body: %+v", x)
	}

	for _, call := range []func() error{
		func() error { _, err := h.c.SCA(ctx, key, "sca_nope"); return err },
		func() error { _, err := h.c.ApproveSCA(ctx, key, "sca_nope", client.SCAApproval{}); return err },
		func() error { _, err := h.c.DenySCA(ctx, key, "sca_nope"); return err },
		func() error { _, err := h.c.ExpireSCA(ctx, key, "sca_nope"); return err },
		func() error { _, err := h.c.PendingSCA(ctx, "000000000000"); return err },
	} {
		wantError(t, call(), http.StatusNotFound, "not_found", "")
	}

	conns, err := h.c.Connections(ctx, key)
	if err != nil || len(conns) != 2 {
		t.Fatalf("connections: %+v %v", conns, err)
	}
	if conns[0].PSU != "bob" || !reflect.DeepEqual(conns[0].Accounts, []string{"acc3"}) || conns[0].Expired ||
		conns[1].PSU != "alice" || !reflect.DeepEqual(conns[1].Accounts, []string{"acc1", "acc2"}) {
		t.Fatalf("connections: %+v", conns)
	}
	if tn, _ := h.c.Tenant(ctx, key); tn.Connections != 2 || tn.PendingSCA != 0 {
		t.Fatalf("tenant counts: %+v", tn)
	}
}

func TestWorldAndTransactions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	key := h.tenant("app-1").Key

	w, err := h.c.World(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Banks) != 2 || w.Banks[0].ID != "testbank" || w.Banks[0].Model != "redirect" || len(w.PSUs) != 2 || len(w.Accounts) != 3 {
		t.Fatalf("world: %+v", w)
	}
	if p := w.PSUs[0]; p.Login != "alice" || p.Password != "pw-a" || p.OTP != "111111" || p.Outcome != "approve" {
		t.Fatalf("psu: %+v", p)
	}
	if a := w.Accounts[0]; a.ID != "acc1" || a.BookedCents != 10500 || a.ExpectedCents != 10000 || a.Transactions != 3 {
		t.Fatalf("account: %+v", a)
	}

	xs, err := h.c.Transactions(ctx, key, "acc1", 0, 0)
	if err != nil || len(xs) != 3 {
		t.Fatalf("transactions: %+v %v", xs, err)
	}
	if xs[0].ID != "tx3" || !xs[0].Pending || xs[1].Pending || xs[2].ID != "tx1" || xs[2].Counterparty != "ACME" {
		t.Fatalf("transactions, newest first: %+v", xs)
	}
	if page, err := h.c.Transactions(ctx, key, "acc1", 1, 1); err != nil || len(page) != 1 || page[0].ID != "tx2" {
		t.Fatalf("page: %+v %v", page, err)
	}
	if none, err := h.c.Transactions(ctx, key, "acc3", 0, 0); err != nil || none == nil || len(none) != 0 {
		t.Fatalf("no transactions must be an empty list: %#v %v", none, err)
	}
	_, err = h.c.Transactions(ctx, key, "acc9", 0, 0)
	wantError(t, err, http.StatusNotFound, "not_found", "")
	_, err = h.c.Transactions(ctx, key, "acc1", 0, 5000)
	wantError(t, err, http.StatusBadRequest, "invalid", "limit")
	_, err = h.c.Transactions(ctx, key, "acc1", -1, 0)
	wantError(t, err, http.StatusBadRequest, "invalid", "offset")
	if code, _, e := h.raw(http.MethodGet, "/_sandbank/tenants/"+key+"/accounts/acc1/transactions?limit=ten", "", ""); code != 400 || e.Field != "limit" {
		t.Fatalf("limit=ten: %d %+v", code, e)
	}
	_, err = h.c.World(ctx, "000000000000")
	wantError(t, err, http.StatusNotFound, "not_found", "")
	if conns, err := h.c.Connections(ctx, key); err != nil || conns == nil || len(conns) != 0 {
		t.Fatalf("no connections must be an empty list: %#v %v", conns, err)
	}
}

// TestPartsNotWired runs a control plane without journal, fault engine
// or bundler: those endpoints answer 503 unavailable, after the usual
// checks of tenant and input.
func TestPartsNotWired(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	key := h.tenant("app-1").Key
	for name, call := range map[string]func() error{
		"journal": func() error {
			_, err := h.c.Journal(ctx, key, client.JournalQuery{Status: "4xx", Limit: 10})
			return err
		},
		"journal entry": func() error { _, err := h.c.JournalEntry(ctx, key, 1); return err },
		"journal HAR":   func() error { _, err := h.c.JournalHAR(ctx, key, client.JournalQuery{}); return err },
		"clear journal": func() error { _, err := h.c.ClearJournal(ctx, key); return err },
		"faults":        func() error { _, err := h.c.Faults(ctx, ""); return err },
		"tenant faults": func() error { _, err := h.c.Faults(ctx, key); return err },
		"add fault":     func() error { _, err := h.c.AddFault(ctx, faults.Rule{Status: 503}); return err },
		"remove fault":  func() error { return h.c.RemoveFault(ctx, "flt_1") },
		"export":        func() error { _, err := h.c.Export(ctx, key); return err },
		"import": func() error {
			_, err := h.c.Import(ctx, client.Bundle{Format: "sandbank-bundle", Version: 1, State: []byte(`{}`)}, "", false)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantError(t, call(), http.StatusServiceUnavailable, "unavailable", "") })
	}

	// The tenant and the query are checked before.
	_, err := h.c.Journal(ctx, "000000000000", client.JournalQuery{})
	wantError(t, err, http.StatusNotFound, "not_found", "")
	_, err = h.c.Faults(ctx, "000000000000")
	wantError(t, err, http.StatusNotFound, "not_found", "")
	for _, c := range []struct {
		q     client.JournalQuery
		field string
	}{
		{client.JournalQuery{Limit: 5000}, "limit"},
		{client.JournalQuery{Limit: -1}, "limit"},
		{client.JournalQuery{Before: -3}, "before"},
		{client.JournalQuery{Status: "4x"}, "status"},
		{client.JournalQuery{Status: "600"}, "status"},
		{client.JournalQuery{Status: "abc"}, "status"},
		{client.JournalQuery{Method: "G E T"}, "method"},
	} {
		_, err := h.c.Journal(ctx, key, c.q)
		wantError(t, err, http.StatusBadRequest, "invalid", c.field)
		_, err = h.c.JournalHAR(ctx, key, c.q)
		wantError(t, err, http.StatusBadRequest, "invalid", c.field)
	}
	if code, _, e := h.raw(http.MethodGet, "/_sandbank/tenants/"+key+"/journal/abc", "", ""); code != 404 || e.Code != "not_found" {
		t.Fatalf("journal/abc: %d %+v", code, e)
	}
	if code, _, e := h.raw(http.MethodPost, "/_sandbank/import?replace=maybe", "application/json", `{}`); code != 400 || e.Field != "replace" {
		t.Fatalf("replace=maybe: %d %+v", code, e)
	}
	if code, _, e := h.raw(http.MethodPost, "/_sandbank/faults", "application/json", `{"status": 503, "colour": "red"}`); code != 400 || e.Field != "colour" {
		t.Fatalf("fault rule with an unknown field: %d %+v", code, e)
	}
}

// TestBadInput sends what a client should not: each answer has the right
// status and code, and nothing changes.
func TestBadInput(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	tn := h.tenant("app-1")
	key := tn.Key
	tenants := "/_sandbank/tenants"
	newTenant := `{"provider": "fintecture", "credential": "app-2"}`

	for _, c := range []struct {
		name, method, path, contentType, body string
		status                                int
		code, field                           string
	}{
		{"unknown field", "POST", tenants, "application/json", `{"provider": "fintecture", "credential": "app-2", "colour": "red"}`, 400, "invalid", "colour"},
		{"malformed JSON", "POST", tenants, "application/json", `{"provider": "fintecture",`, 400, "invalid", "body"},
		{"syntax error", "POST", tenants, "application/json", `{"provider" "fintecture"}`, 400, "invalid", "body"},
		{"wrong type", "POST", tenants, "application/json", `{"provider": "fintecture", "credential": "app-2", "seed": "x"}`, 400, "invalid", "seed"},
		{"not an object", "POST", tenants, "application/json", `["fintecture"]`, 400, "invalid", "body"},
		{"trailing data", "POST", tenants, "application/json", newTenant + ` {}`, 400, "invalid", "body"},
		{"bad time", "POST", tenants, "application/json", `{"provider": "fintecture", "credential": "app-2", "at": "tomorrow"}`, 400, "invalid", ""},
		{"wrong content type", "POST", tenants, "text/plain", newTenant, 415, "unsupported_type", ""},
		{"form content type", "POST", tenants, "application/x-www-form-urlencoded", newTenant, 415, "unsupported_type", ""},
		{"no body", "POST", tenants, "application/json", "", 400, "missing", "body"},
		{"too large", "POST", tenants, "application/json", `{"provider": "fintecture", "credential": "app-2", "label": "` + strings.Repeat("x", 1<<20) + `"}`, 413, "too_large", ""},
		{"label missing", "PATCH", tenants + "/" + key, "application/json", `{}`, 400, "missing", "label"},
		{"label not a string", "PATCH", tenants + "/" + key, "application/json", `{"label": 3}`, 400, "invalid", "label"},
		{"reset with options", "POST", tenants + "/" + key + "/reset", "application/json", `{"hard": true}`, 400, "invalid", "hard"},
		{"bad duration", "POST", tenants + "/" + key + "/clock", "application/json", `{"by": "5x"}`, 400, "invalid", "by"},
		{"by and freeze", "POST", tenants + "/" + key + "/clock", "application/json", `{"by": "1d", "freeze": true}`, 400, "invalid", ""},
		{"clock unknown field", "POST", tenants + "/" + key + "/clock", "application/json", `{"advance": "1d"}`, 400, "invalid", "advance"},
		{"clock text body", "POST", tenants + "/" + key + "/clock", "text/plain", `{"by": "1d"}`, 415, "unsupported_type", ""},
		{"unknown tenant", "GET", tenants + "/000000000000", "", "", 404, "not_found", ""},
		{"unknown tenant label", "PATCH", tenants + "/000000000000", "application/json", `{"label": "x"}`, 404, "not_found", ""},
		{"unknown tenant clock", "POST", tenants + "/000000000000/clock", "application/json", `{"by": "1d"}`, 404, "not_found", ""},
		{"unknown route", "GET", "/_sandbank/nope", "", "", 404, "route_not_found", ""},
		{"prefix alone", "GET", "/_sandbank", "", "", 404, "route_not_found", ""},
		{"unknown sub-route", "GET", tenants + "/" + key + "/nope", "", "", 404, "route_not_found", ""},
		{"wrong method", "PUT", tenants, "application/json", newTenant, 405, "method_not_allowed", ""},
		{"wrong method on a tenant", "POST", tenants + "/" + key, "application/json", `{}`, 405, "method_not_allowed", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, hdr, e := h.raw(c.method, c.path, c.contentType, c.body)
			if code != c.status || e == nil || e.Code != c.code || (c.field != "" && e.Field != c.field) {
				t.Fatalf("got %d %+v, want %d %s (field %q)", code, e, c.status, c.code, c.field)
			}
			if e.Message == "" {
				t.Fatal("an error without a message")
			}
			if c.status == 405 && hdr.Get("Allow") == "" {
				t.Fatal("405 without Allow")
			}
		})
	}
	if _, hdr, _ := h.raw("PUT", tenants, "", ""); hdr.Get("Allow") != "GET, POST" {
		t.Fatalf("Allow on /tenants: %q", hdr.Get("Allow"))
	}
	if _, hdr, _ := h.raw("PUT", tenants+"/"+key, "", ""); hdr.Get("Allow") != "DELETE, GET, PATCH" {
		t.Fatalf("Allow on /tenants/{key}: %q", hdr.Get("Allow"))
	}

	// Nothing changed.
	list, err := h.c.Tenants(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("tenants after bad input: %+v %v", list, err)
	}
	if got := list[0]; !reflect.DeepEqual(got, tn) {
		t.Fatalf("tenant changed by bad input:\n%+v\n%+v", tn, got)
	}

	// JSON with a charset or a +json type is JSON.
	if code, _, e := h.raw("POST", tenants, "application/json; charset=utf-8", newTenant); code != 201 {
		t.Fatalf("charset: %d %+v", code, e)
	}
	if code, _, e := h.raw("PATCH", tenants+"/"+client.TenantKey("fintecture", "app-2"), "application/merge-patch+json", `{"label": ""}`); code != 200 {
		t.Fatalf("+json: %d %+v", code, e)
	}
	// A body without a Content-Type is read as JSON.
	if code, _, e := h.raw("POST", tenants+"/"+key+"/clock", "", `{"freeze": true}`); code != 200 {
		t.Fatalf("no content type: %d %+v", code, e)
	}
}

// TestInternalErrorsAreLoggedNotShown breaks the database under the
// service: the answer is a bare 500, the details go to the log.
func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	h := newHarness(t)
	h.tenant("app-1")
	h.st.Close()
	_, err := h.c.Health(context.Background())
	wantError(t, err, http.StatusInternalServerError, "internal", "")
	if e := err.(*client.Error); e.Message != "internal error" {
		t.Fatalf("500 shows details: %q", e.Message)
	}
	if !strings.Contains(h.log.String(), "control plane request failed") || !strings.Contains(h.log.String(), "/_sandbank/health") {
		t.Fatalf("not logged: %s", h.log.String())
	}
}

// TestErrorsAreJSON checks the error envelope as a client without this
// package sees it.
func TestErrorsAreJSON(t *testing.T) {
	h := newHarness(t)
	res, err := h.srv.Client().Get(h.srv.URL + "/_sandbank/tenants/000000000000")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]map[string]string
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 404 || body["error"]["code"] != "not_found" || body["error"]["message"] == "" {
		t.Fatalf("%d %v", res.StatusCode, body)
	}
	if _, ok := body["error"]["field"]; ok {
		t.Fatalf("empty field sent: %v", body)
	}
	var ce *client.Error
	_, err = h.c.Tenant(context.Background(), "000000000000")
	if !errors.As(err, &ce) || ce.Status != 404 || !strings.Contains(ce.Error(), "not_found") {
		t.Fatalf("client error: %v", err)
	}
}
