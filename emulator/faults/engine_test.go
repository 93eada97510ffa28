package faults_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/faults"
)

// TestAddRemoveListLoad: rules go through the store, so a fresh engine
// over the same database lists and applies the same rules.
func TestAddRemoveListLoad(t *testing.T) {
	h := newHarness(t, 42)
	ctx := context.Background()
	global := h.add("", faults.Rule{Name: "down", Status: 503, RetryAfter: dur(90 * 24 * time.Hour), Match: faults.Match{Provider: "fintecture"}})
	// An ID given by the caller is ignored: the store assigns it.
	mine := h.add("app", faults.Rule{ID: "999", Name: "slow", Latency: dur(time.Millisecond)})
	if global.ID == "" || mine.ID == "" || mine.ID == "999" || global.ID == mine.ID {
		t.Fatalf("ids %q and %q, want two distinct store ids", global.ID, mine.ID)
	}
	list := h.eng.List()
	if len(list) != 2 || list[0].Rule.ID != global.ID || list[1].Rule.ID != mine.ID {
		t.Fatalf("List = %+v, want the two rules in the order added", list)
	}
	if list[0].Source != faults.SourceAPI || list[0].Rule.Match.Tenant != "" || list[0].Rule.RetryAfter != global.RetryAfter {
		t.Errorf("global rule listed as %+v", list[0])
	}
	if list[1].Rule.Match.Tenant != h.tenants["app"].Key() || list[1].Rule.Name != "slow" {
		t.Errorf("tenant rule listed as %+v", list[1])
	}

	fresh := faults.New(h.st, nil)
	if err := fresh.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fresh.List(); len(got) != 2 || got[0].Rule.ID != global.ID || got[1].Rule.Match.Tenant != mine.Match.Tenant {
		t.Errorf("a fresh engine lists %+v", got)
	}

	if err := h.eng.Remove(ctx, global.ID); err != nil {
		t.Fatal(err)
	}
	if got := h.eng.List(); len(got) != 1 || got[0].Rule.ID != mine.ID {
		t.Errorf("after Remove: %+v", got)
	}
	if got := h.call("app", "/fintecture/accounts", nil).status; got != 200 {
		t.Errorf("after Remove: status %d, want 200", got)
	}
	for _, id := range []string{global.ID, "abc", "0", ""} {
		if err := h.eng.Remove(ctx, id); !emulator.IsCode(err, emulator.CodeNotFound) {
			t.Errorf("Remove(%q) = %v, want not found", id, err)
		}
	}
	// The other engine still has the removed rule until it reloads.
	if got := len(fresh.List()); got != 2 {
		t.Fatalf("fresh engine before Load: %d rules", got)
	}
	if err := fresh.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(fresh.List()); got != 1 {
		t.Errorf("fresh engine after Load: %d rules, want 1", got)
	}
}

// TestAddRefusesBadRules: Add validates, and refuses a provider the
// tenant does not have or a tenant key that does not exist.
func TestAddRefusesBadRules(t *testing.T) {
	h := newHarness(t, 42)
	ctx := context.Background()
	for _, tc := range []struct {
		tenant *emulator.Tenant
		rule   faults.Rule
		field  string
	}{
		{nil, faults.Rule{Status: 200}, "status"},
		{h.tenants["app"], faults.Rule{Status: 500, Match: faults.Match{Provider: "finqlink"}}, "match.provider"},
		{nil, faults.Rule{Status: 500, Match: faults.Match{Tenant: "nobody"}}, "match.tenant"},
		{h.tenants["app"], faults.Rule{Status: 500, Match: faults.Match{Tenant: h.tenants["other"].Key()}}, "match.tenant"},
	} {
		_, err := h.eng.Add(ctx, tc.tenant, tc.rule)
		if e := emulator.AsError(err); err == nil || e.Code != emulator.CodeInvalid || e.Field != tc.field {
			t.Errorf("Add(%+v) = %v, want an invalid %s", tc.rule, err, tc.field)
		}
	}
	if got := h.eng.List(); len(got) != 0 {
		t.Errorf("refused rules were stored: %+v", got)
	}
}

// TestLoadReadsRulesWrittenBehindItsBack: rules the store got without the
// engine (a scenario's, or hand-edited rows) apply after Load; a row that
// does not decode is skipped, not fatal.
func TestLoadReadsRulesWrittenBehindItsBack(t *testing.T) {
	h := newHarness(t, 42)
	ctx := context.Background()
	var logs syncBuffer
	eng := faults.New(h.st, slog.New(slog.NewTextHandler(&logs, nil)))
	if _, err := h.st.AddFault(ctx, h.tenants["app"].ID, faults.SourceScenario, []byte(`{"status":500,"times":1}`)); err != nil {
		t.Fatal(err)
	}
	// A global row naming a tenant in its JSON matches that tenant only.
	if _, err := h.st.AddFault(ctx, 0, faults.SourceAPI, []byte(`{"status":502,"match":{"tenant":"`+h.tenants["other"].Key()+`"}}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.AddFault(ctx, 0, faults.SourceAPI, []byte(`{"status":302}`)); err != nil {
		t.Fatal(err)
	}
	if err := eng.Load(ctx); err != nil {
		t.Fatal(err)
	}
	list := eng.List()
	if len(list) != 2 || list[0].Source != faults.SourceScenario || list[0].Rule.Match.Tenant != h.tenants["app"].Key() {
		t.Fatalf("List = %+v, want the scenario rule bound to app and the tenant-naming rule", list)
	}
	if !strings.Contains(logs.String(), "fault rule skipped") {
		t.Errorf("the invalid row was not reported: %s", logs.String())
	}
	if got := eng.ForTenant(h.tenants["fq"].Key()); len(got) != 0 {
		t.Errorf("fq's rules: %+v, want none", got)
	}
	if got := eng.ForTenant(h.tenants["other"].Key()); len(got) != 1 || got[0].Rule.Status != 502 {
		t.Errorf("other's rules: %+v, want the rule naming it", got)
	}
}

// TestFiredFaultsAreLogged: each fired fault leaves an Info line naming
// the rule, the operation and the tenant.
func TestFiredFaultsAreLogged(t *testing.T) {
	h := newHarness(t, 42)
	r := h.add("", faults.Rule{Name: "flaky", Status: 500})
	h.call("app", "/fintecture/accounts", nil)
	line := h.logs.String()
	for _, want := range []string{"fault fired", "rule=" + r.ID, "name=flaky", "operation=getAccounts", "tenant=" + h.tenants["app"].Key()} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
}
