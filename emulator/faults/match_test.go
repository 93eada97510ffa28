package faults_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/sandbank/sandbank/emulator/faults"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// TestMatching: each field of Match selects requests on its own.
func TestMatching(t *testing.T) {
	const iban = "FR1420041010050500013M02606"
	type req struct {
		tenant, path string
		q            url.Values
	}
	accounts := req{"app", "/fintecture/accounts", nil}
	for _, tc := range []struct {
		name    string
		match   faults.Match
		fire    []req
		through []req
	}{
		{"operation", faults.Match{Operations: []string{"createPayment", "initiateRefund"}},
			[]req{{"app", "/fintecture/payments", nil}}, []req{accounts}},
		{"contract", faults.Match{Contract: "live/fintecture"},
			[]req{{"app", "/live/fintecture/accounts", nil}}, []req{accounts}},
		{"provider", faults.Match{Provider: "finqlink"},
			[]req{{"fq", "/fintecture/accounts", nil}}, []req{accounts}},
		// Tenant holds a credential here; the test puts in its key.
		{"tenant key", faults.Match{Tenant: "other"},
			[]req{{"other", "/fintecture/accounts", nil}}, []req{accounts}},
		{"bank", faults.Match{Bank: "cmcifrpp"},
			[]req{{"app", "/fintecture/accounts", url.Values{"bank": {"cmcifrpp"}}}},
			[]req{accounts, {"app", "/fintecture/accounts", url.Values{"bank": {"bnpafrpp"}}}}},
		{"psu", faults.Match{PSU: "alice"},
			[]req{{"app", "/fintecture/accounts", url.Values{"psu": {"alice"}}}},
			[]req{{"app", "/fintecture/accounts", url.Values{"psu": {"bob"}}}}},
		{"account id", faults.Match{Account: "acc-1"},
			[]req{{"app", "/fintecture/accounts", url.Values{"account": {"acc-1"}}}},
			[]req{{"app", "/fintecture/accounts", url.Values{"account": {"acc-2"}}}}},
		{"account iban", faults.Match{Account: "fr14 2004 1010 0505 0001 3m02 606"},
			[]req{{"app", "/fintecture/accounts", url.Values{"account": {"acc-1"}, "iban": {iban}}}},
			[]req{{"app", "/fintecture/accounts", url.Values{"account": {"acc-1"}}}}},
		{"all fields", faults.Match{Provider: "fintecture", Contract: "fintecture", Operations: []string{"getAccounts"}, Bank: "cmcifrpp", PSU: "alice"},
			[]req{{"app", "/fintecture/accounts", url.Values{"bank": {"cmcifrpp"}, "psu": {"alice"}}}},
			[]req{{"app", "/fintecture/accounts", url.Values{"bank": {"cmcifrpp"}, "psu": {"bob"}}},
				{"app", "/live/fintecture/accounts", url.Values{"bank": {"cmcifrpp"}, "psu": {"alice"}}}}},
		{"subject unknown to the provider", faults.Match{Bank: "cmcifrpp"},
			nil, []req{{"app", "/nosubject/accounts", url.Values{"bank": {"cmcifrpp"}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 42)
			m := tc.match
			if m.Tenant != "" {
				m.Tenant = h.tenants[m.Tenant].Key()
			}
			h.add("", faults.Rule{Status: 418, Match: m})
			for _, r := range tc.fire {
				if got := h.call(r.tenant, r.path, r.q).status; got != 418 {
					t.Errorf("%s %s?%s as %s: status %d, want the rule's 418", tc.name, r.path, r.q.Encode(), r.tenant, got)
				}
			}
			for _, r := range tc.through {
				if got := h.call(r.tenant, r.path, r.q).status; got != 200 {
					t.Errorf("%s %s?%s as %s: status %d, want the handler's 200", tc.name, r.path, r.q.Encode(), r.tenant, got)
				}
			}
		})
	}
}

// TestSubjectIsResolvedLazily: the SubjectFunc runs only when a rule that
// could match needs it, and at most once per request however many do.
func TestSubjectIsResolvedLazily(t *testing.T) {
	h := newHarness(t, 42)
	h.add("", faults.Rule{Status: 500, Match: faults.Match{Operations: []string{"getAccounts"}}, After: 100})
	h.add("", faults.Rule{Status: 500, Match: faults.Match{Operations: []string{"createPayment"}, Bank: "cmcifrpp"}})
	h.call("app", "/fintecture/accounts", url.Values{"bank": {"x"}})
	if n := h.subjects.Load(); n != 0 {
		t.Fatalf("subject resolved %d times for rules that do not need it", n)
	}
	h.add("", faults.Rule{Status: 500, Match: faults.Match{PSU: "alice"}})
	h.add("", faults.Rule{Status: 500, Match: faults.Match{Account: "acc-9"}})
	h.call("app", "/fintecture/accounts", url.Values{"bank": {"x"}})
	if n := h.subjects.Load(); n != 1 {
		t.Fatalf("subject resolved %d times for one request, want once", n)
	}
}

// TestGlobalAndTenantRules: a tenant's rule touches only that tenant; a
// global one touches all; ForTenant lists a tenant's and the global ones.
func TestGlobalAndTenantRules(t *testing.T) {
	h := newHarness(t, 42)
	mine := h.add("app", faults.Rule{Status: 500, Match: faults.Match{Operations: []string{"getAccounts"}}})
	all := h.add("", faults.Rule{Status: 503, Match: faults.Match{Operations: []string{"createPayment"}}})
	if mine.Match.Tenant != h.tenants["app"].Key() {
		t.Errorf("tenant rule has Match.Tenant %q, want the tenant's key", mine.Match.Tenant)
	}
	for _, tc := range []struct {
		tenant, path string
		want         int
	}{
		{"app", "/fintecture/accounts", 500},
		{"other", "/fintecture/accounts", 200},
		{"app", "/fintecture/payments", 503},
		{"other", "/fintecture/payments", 503},
	} {
		if got := h.call(tc.tenant, tc.path, nil).status; got != tc.want {
			t.Errorf("%s as %s: status %d, want %d", tc.path, tc.tenant, got, tc.want)
		}
	}
	if list := h.eng.ForTenant(h.tenants["app"].Key()); len(list) != 2 {
		t.Errorf("app's rules: %+v, want its own and the global one", list)
	}
	list := h.eng.ForTenant(h.tenants["other"].Key())
	if len(list) != 1 || list[0].Rule.ID != all.ID {
		t.Errorf("other's rules: %+v, want only the global one", list)
	}
	// ForTenant counts the tenant's calls only.
	if s := status(t, list, all.ID); s.Matched != 1 || s.Fired != 1 {
		t.Errorf("other's count of the global rule: matched %d fired %d, want 1 and 1", s.Matched, s.Fired)
	}
}

// TestFirstFiringRuleWins: when several rules fire, the first added
// answers, and the others keep their Times budget.
func TestFirstFiringRuleWins(t *testing.T) {
	h := newHarness(t, 42)
	first := h.add("", faults.Rule{Status: 500, Times: 1})
	second := h.add("", faults.Rule{Status: 503, Times: 1})
	if got := h.statuses(3, "app", "/fintecture/accounts"); got[0] != 500 || got[1] != 503 || got[2] != 200 {
		t.Errorf("statuses %v, want 500 then 503 then 200", got)
	}
	list := h.eng.List()
	if s := status(t, list, second.ID); s.Matched != 3 || s.Fired != 1 {
		t.Errorf("second rule: matched %d fired %d, want 3 and 1", s.Matched, s.Fired)
	}
	if s := status(t, list, first.ID); s.Matched != 3 || s.Fired != 1 {
		t.Errorf("first rule: matched %d fired %d, want 3 and 1", s.Matched, s.Fired)
	}
}

// TestNoRulesNoAllocation: with no rules, or none for the request's
// tenant, the wrapper costs no allocation.
func TestNoRulesNoAllocation(t *testing.T) {
	h := newHarness(t, 42)
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	wrapped := h.eng.Wrap(contractSandbox, opAccounts, writeError, h.subject, next)
	r := httptest.NewRequest(http.MethodGet, "/fintecture/accounts", nil)
	r = r.WithContext(httpapi.WithTenant(r.Context(), h.tenants["app"]))
	w := httptest.NewRecorder()
	if n := testing.AllocsPerRun(100, func() { wrapped.ServeHTTP(w, r) }); n != 0 {
		t.Errorf("no rules: %v allocations per request", n)
	}
	h.add("other", faults.Rule{Status: 500})
	h.add("", faults.Rule{Status: 500, Match: faults.Match{Operations: []string{"createPayment"}}})
	if n := testing.AllocsPerRun(100, func() { wrapped.ServeHTTP(w, r) }); n != 0 {
		t.Errorf("no matching rule: %v allocations per request", n)
	}
	if n := h.subjects.Load(); n != 0 {
		t.Errorf("subject resolved %d times", n)
	}
}
