package faults_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator/faults"
)

func TestAfterLetsTheFirstCallsThrough(t *testing.T) {
	h := newHarness(t, 42)
	h.add("", faults.Rule{Status: 500, After: 2})
	if got, want := h.statuses(4, "app", "/fintecture/accounts"), []int{200, 200, 500, 500}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

func TestEveryFiresOnEveryNthCall(t *testing.T) {
	h := newHarness(t, 42)
	h.add("", faults.Rule{Status: 503, Every: 3})
	if got, want := h.statuses(6, "app", "/fintecture/accounts"), []int{200, 200, 503, 200, 200, 503}; !slices.Equal(got, want) {
		t.Errorf("every 3: statuses %v, want %v", got, want)
	}
	// Every counts from the end of After.
	h.add("other", faults.Rule{Status: 503, After: 1, Every: 2})
	if got, want := h.statuses(5, "other", "/fintecture/payments"), []int{200, 200, 503, 200, 503}; !slices.Equal(got, want) {
		t.Errorf("after 1, every 2: statuses %v, want %v", got, want)
	}
}

// TestTimesStopsTheRule: the rule stops after firing Times times, and
// its counters say so.
func TestTimesStopsTheRule(t *testing.T) {
	h := newHarness(t, 42)
	r := h.add("", faults.Rule{Status: 500, Times: 2})
	if got, want := h.statuses(4, "app", "/fintecture/accounts"), []int{500, 500, 200, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if s := status(t, h.eng.List(), r.ID); s.Matched != 4 || s.Fired != 2 {
		t.Errorf("counters matched %d fired %d, want 4 and 2", s.Matched, s.Fired)
	}
}

// TestCountersArePerTenant: one tenant's calls do not move another's
// "after" count, and ResetCounters starts a tenant's count again.
func TestCountersArePerTenant(t *testing.T) {
	h := newHarness(t, 42)
	r := h.add("", faults.Rule{Status: 500, After: 1})
	if got, want := h.statuses(2, "app", "/fintecture/accounts"), []int{200, 500}; !slices.Equal(got, want) {
		t.Errorf("app: statuses %v, want %v", got, want)
	}
	if got, want := h.statuses(2, "other", "/fintecture/accounts"), []int{200, 500}; !slices.Equal(got, want) {
		t.Errorf("other: statuses %v, want %v", got, want)
	}
	if s := status(t, h.eng.ForTenant(h.tenants["app"].Key()), r.ID); s.Matched != 2 || s.Fired != 1 {
		t.Errorf("app's counters matched %d fired %d, want 2 and 1", s.Matched, s.Fired)
	}
	if s := status(t, h.eng.List(), r.ID); s.Matched != 4 || s.Fired != 2 {
		t.Errorf("total counters matched %d fired %d, want 4 and 2", s.Matched, s.Fired)
	}
	h.eng.ResetCounters(h.tenants["app"].Key())
	if got, want := h.statuses(2, "app", "/fintecture/accounts"), []int{200, 500}; !slices.Equal(got, want) {
		t.Errorf("app after ResetCounters: statuses %v, want %v", got, want)
	}
	if got := h.call("other", "/fintecture/accounts", nil).status; got != 500 {
		t.Errorf("other after app's reset: status %d, want 500 (its count kept)", got)
	}
}

// TestProbabilityIsDeterministic: two engines over two databases, the
// same rule and the same seed fail the same calls; the share of failures
// is about the probability; another seed fails other calls.
func TestProbabilityIsDeterministic(t *testing.T) {
	const n, p = 200, 0.3
	rule := faults.Rule{Status: 503, Probability: p}
	run := func(seed int64) []int {
		h := newHarness(t, seed)
		h.add("", rule)
		return h.statuses(n, "app", "/fintecture/accounts")
	}
	first, second := run(42), run(42)
	if !slices.Equal(first, second) {
		t.Fatalf("same seed and rule gave different sequences:\n%v\n%v", first, second)
	}
	failed := 0
	for _, s := range first {
		if s == 503 {
			failed++
		}
	}
	t.Logf("%d of %d calls failed at probability %v", failed, n, p)
	// Expected 60, standard deviation about 6.5: the sequence is fixed by
	// the seed, so this bound cannot flake.
	if failed < 35 || failed > 85 {
		t.Errorf("%d of %d calls failed at probability %v", failed, n, p)
	}
	if slices.Equal(first, run(43)) {
		t.Errorf("seeds 42 and 43 failed the same %d calls", n)
	}
}

// TestRateLimitWindows: more than Calls calls in one window answer 429
// with Retry-After until the window ends on the tenant's clock; the next
// window starts afresh.
func TestRateLimitWindows(t *testing.T) {
	h := newHarness(t, 42)
	h.add("", faults.Rule{Name: "2 a minute", RateLimit: &faults.RateLimit{Calls: 2, Per: dur(time.Minute)}})
	if got, want := h.statuses(2, "app", "/fintecture/accounts"), []int{200, 200}; !slices.Equal(got, want) {
		t.Fatalf("within the budget: statuses %v, want %v", got, want)
	}
	a := h.call("app", "/fintecture/accounts", nil)
	if a.status != 429 || a.header.Get("Retry-After") != "60" {
		t.Fatalf("third call: %d Retry-After %q, want 429 and 60", a.status, a.header.Get("Retry-After"))
	}
	h.clock.Advance(30*time.Second + 500*time.Millisecond)
	a = h.call("app", "/fintecture/accounts", nil)
	if a.status != 429 || a.header.Get("Retry-After") != "30" {
		t.Fatalf("half a minute on: %d Retry-After %q, want 429 and 30 (29.5s rounded up)", a.status, a.header.Get("Retry-After"))
	}
	// Another tenant has its own budget.
	if got := h.call("other", "/fintecture/accounts", nil).status; got != 200 {
		t.Errorf("other tenant: status %d, want 200", got)
	}
	// Two and a half windows on, the app's window is the third since its
	// first call, so only 30s of it are left.
	h.clock.Advance(2 * time.Minute)
	if got, want := h.statuses(3, "app", "/fintecture/accounts"), []int{200, 200, 429}; !slices.Equal(got, want) {
		t.Fatalf("new window: statuses %v, want %v", got, want)
	}
	if got := h.call("app", "/fintecture/accounts", nil).header.Get("Retry-After"); got != "30" {
		t.Errorf("windows aligned to the first call: Retry-After %q, want 30", got)
	}
}
