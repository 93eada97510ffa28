package faults

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// point is where in the API a wrapped handler sits.
type point struct {
	contract string
	op       string
}

// firing is the rule that fires on a request and what it answers.
type firing struct {
	rule  *compiled
	retry time.Duration // until a rate limit's window ends
}

// Wrap applies the rules to one contract operation; it is an
// httpapi.FaultWrapper, so main passes e.Wrap in MountOptions.Faults. It
// sits after the provider's auth, so the tenant is known: a request
// without one passes untouched. Rules are read afresh on every request,
// so a rule added at run time applies to operations wrapped long before.
func (e *Engine) Wrap(c *httpapi.Contract, op httpapi.ContractOperation, ew httpapi.ErrorWriter, subject httpapi.SubjectFunc, next http.Handler) http.Handler {
	at := point{contract: c.Name, op: op.ID}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Without rules a request costs one atomic load.
		rules := *e.rules.Load()
		if len(rules) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		t := httpapi.TenantFrom(r.Context())
		if t == nil {
			next.ServeHTTP(w, r)
			return
		}
		f, ok := e.decide(rules, t, at, subject, r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		e.apply(w, r, f, t, at, ew, next)
	})
}

// decide finds the rules a request matches, counts the call for each, and
// returns the first that fires. The Subject is resolved at most once, and
// only when a rule that could match needs it: resolving it may cost a
// store lookup.
func (e *Engine) decide(rules []*compiled, t *emulator.Tenant, at point, subject httpapi.SubjectFunc, r *http.Request) (firing, bool) {
	var buf [8]*compiled
	hits := buf[:0]
	var subj httpapi.Subject
	resolved, rated := false, false
	key := ""
	for _, c := range rules {
		m := &c.rule.Match
		switch {
		case c.tenantID != 0:
			if c.tenantID != t.ID {
				continue
			}
		case m.Tenant != "":
			if key == "" {
				key = t.Key()
			}
			if m.Tenant != key {
				continue
			}
		}
		if m.Provider != "" && m.Provider != string(t.Provider) ||
			m.Contract != "" && m.Contract != at.contract ||
			len(m.Operations) > 0 && !slices.Contains(m.Operations, at.op) {
			continue
		}
		if c.needsSubject {
			if !resolved {
				resolved = true
				if subject != nil {
					subj = subject(r)
				}
			}
			if !c.matchesSubject(&subj) {
				continue
			}
		}
		hits = append(hits, c)
		rated = rated || c.rule.RateLimit != nil
	}
	if len(hits) == 0 {
		return firing{}, false
	}
	var now time.Time
	if rated {
		now = e.st.Now(t)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var f firing
	for _, c := range hits {
		k := countKey{rule: c.id, tenant: t.ID}
		cnt := e.counts[k]
		if cnt == nil {
			cnt = &counter{tenant: t.Key()}
			e.counts[k] = cnt
		}
		if fire, retry := c.gate(cnt, t.Seed, now); fire && f.rule == nil {
			cnt.fired++
			f = firing{rule: c, retry: retry}
		}
	}
	return f, f.rule != nil
}

// matchesSubject checks the parts of Match only the Subject can tell. An
// account rule matches the account's id or its IBAN, however the IBAN is
// spaced or cased, since users copy IBANs from wherever they see them.
func (c *compiled) matchesSubject(s *httpapi.Subject) bool {
	m := &c.rule.Match
	if m.Bank != "" && !strings.EqualFold(m.Bank, s.Bank) {
		return false
	}
	if m.PSU != "" && m.PSU != s.PSU {
		return false
	}
	if m.Account != "" && m.Account != s.Account && (s.IBAN == "" || c.account != normIBAN(s.IBAN)) {
		return false
	}
	return true
}
