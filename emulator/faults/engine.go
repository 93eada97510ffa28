package faults

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
)

// Where a rule came from. A tenant reset replaces its scenario's rules;
// the dashboard shows the source beside each rule.
const (
	SourceScenario = store.FaultSourceScenario
	SourceAPI      = "api"
)

// Engine holds the fault rules of one Sandbank and applies them to
// requests (Wrap). The rules live in the store, so they survive a restart;
// the engine keeps a compiled snapshot of them, swapped whole on Load, so
// requests read the rules with one atomic load and never wait for a
// change.
type Engine struct {
	st  *store.Store
	log *slog.Logger

	rules  atomic.Pointer[[]*compiled]
	loadMu sync.Mutex // one Load at a time, so snapshots are installed in order

	mu     sync.Mutex // guards counts
	counts map[countKey]*counter

	closeOnce sync.Once
	closed    chan struct{}
}

type countKey struct {
	rule   int64
	tenant int64
}

// compiled is a stored rule prepared for matching.
type compiled struct {
	id       int64
	tenantID int64 // 0: a rule of every tenant
	source   string
	// rule is the rule as List shows it: ID and Match.Tenant filled in.
	rule Rule
	// account is Match.Account as an IBAN compares: no spaces, upper case.
	account string
	// needsSubject says the rule matches by bank, PSU or account, which
	// only the provider's SubjectFunc can tell.
	needsSubject bool
	content      uint64 // contentHash, the rule's part of Probability's draw
}

// Status is a rule with what it has done since the engine started: the
// dashboard and the control plane show it, and tests assert on it.
type Status struct {
	Rule   Rule   `json:"rule"`
	Source string `json:"source"`
	// Matched counts the calls the rule matched; Fired the calls it
	// answered (or delayed, hung or dropped).
	Matched int64 `json:"matched"`
	Fired   int64 `json:"fired"`
}

// New returns an engine with no rules: call Load to read the stored ones.
// A nil log discards the engine's logs.
func New(st *store.Store, log *slog.Logger) *Engine {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{st: st, log: log, counts: map[countKey]*counter{}, closed: make(chan struct{})}
	e.rules.Store(new([]*compiled))
	return e
}

// Load (re)reads every rule from the store. Call it at start and after
// anything changes rules behind the engine's back (a tenant created, reset
// or deleted with its scenario's rules). Counters of rules that still
// exist are kept; those of removed rules are dropped. A stored rule that
// does not decode or validate is skipped with a warning rather than
// stopping every other rule: rules are validated before they are stored,
// so such a row was edited by hand.
func (e *Engine) Load(ctx context.Context) error {
	e.loadMu.Lock()
	defer e.loadMu.Unlock()
	rows, err := e.st.Faults(ctx)
	if err != nil {
		return err
	}
	rules := make([]*compiled, 0, len(rows))
	ids := make(map[int64]bool, len(rows))
	for _, row := range rows {
		c, err := compile(row)
		if err != nil {
			e.log.WarnContext(ctx, "fault rule skipped", "rule", row.ID, "error", err)
			continue
		}
		rules = append(rules, c)
		ids[c.id] = true
	}
	e.rules.Store(&rules)
	e.mu.Lock()
	for k := range e.counts {
		if !ids[k.rule] {
			delete(e.counts, k)
		}
	}
	e.mu.Unlock()
	return nil
}

func compile(row store.FaultRow) (*compiled, error) {
	var r Rule
	if err := json.Unmarshal(row.Rule, &r); err != nil {
		return nil, err
	}
	if row.TenantID != 0 {
		r.Match.Tenant = row.TenantKey
	}
	if err := Validate(r); err != nil {
		return nil, err
	}
	r.ID = strconv.FormatInt(row.ID, 10)
	m := r.Match
	return &compiled{
		id: row.ID, tenantID: row.TenantID, source: row.Source, rule: r,
		account:      normIBAN(m.Account),
		needsSubject: m.Bank != "" || m.PSU != "" || m.Account != "",
		content:      contentHash(r),
	}, nil
}

// Add validates a rule and stores it for one tenant, or for every tenant
// when tenant is nil, then reloads. A rule without a tenant whose
// Match.Tenant names one is bound to that tenant, so it goes when the
// tenant goes. The returned rule carries its new ID.
func (e *Engine) Add(ctx context.Context, tenant *emulator.Tenant, r Rule) (Rule, error) {
	r.ID = ""
	if tenant == nil && r.Match.Tenant != "" {
		t, err := e.st.TenantByKey(ctx, r.Match.Tenant)
		if emulator.IsCode(err, emulator.CodeNotFound) {
			return Rule{}, emulator.FieldError(emulator.CodeInvalid, "match.tenant", "no tenant has the key %q", r.Match.Tenant)
		}
		if err != nil {
			return Rule{}, err
		}
		tenant = t
	}
	var tenantID int64
	if tenant != nil {
		if r.Match.Provider != "" && r.Match.Provider != string(tenant.Provider) {
			return Rule{}, emulator.FieldError(emulator.CodeInvalid, "match.provider",
				"the rule is for a %s tenant; match.provider %q would never match", tenant.Provider, r.Match.Provider)
		}
		if r.Match.Tenant != "" && r.Match.Tenant != tenant.Key() {
			return Rule{}, emulator.FieldError(emulator.CodeInvalid, "match.tenant",
				"match.tenant %q names another tenant than the one the rule is added for", r.Match.Tenant)
		}
		tenantID = tenant.ID
		r.Match.Tenant = tenant.Key()
	}
	if err := Validate(r); err != nil {
		return Rule{}, err
	}
	// The row's tenant_id binds the rule; its JSON stays tenant-free like
	// a scenario's rules.
	stored := r
	stored.Match.Tenant = ""
	b, err := json.Marshal(stored)
	if err != nil {
		return Rule{}, err
	}
	row, err := e.st.AddFault(ctx, tenantID, SourceAPI, b)
	if err != nil {
		return Rule{}, err
	}
	r.ID = strconv.FormatInt(row.ID, 10)
	return r, e.Load(ctx)
}

// Remove deletes a rule by its ID; CodeNotFound when there is none.
func (e *Engine) Remove(ctx context.Context, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return emulator.NotFound("fault", id)
	}
	if err := e.st.RemoveFault(ctx, n); err != nil {
		return err
	}
	return e.Load(ctx)
}

// List returns every rule in the order they apply, with counters summed
// over all tenants.
func (e *Engine) List() []Status {
	return e.statuses(func(*compiled) bool { return true }, func(*counter) bool { return true })
}

// ForTenant returns the rules that apply to one tenant (its own and those
// of every tenant), with that tenant's counters only.
func (e *Engine) ForTenant(key string) []Status {
	return e.statuses(func(c *compiled) bool {
		return c.rule.Match.Tenant == "" || c.rule.Match.Tenant == key
	}, func(cnt *counter) bool { return cnt.tenant == key })
}

func (e *Engine) statuses(rule func(*compiled) bool, count func(*counter) bool) []Status {
	rules := *e.rules.Load()
	out := make([]Status, 0, len(rules))
	at := make(map[int64]int, len(rules))
	for _, c := range rules {
		if rule(c) {
			at[c.id] = len(out)
			out = append(out, Status{Rule: c.rule, Source: c.source})
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, cnt := range e.counts {
		if i, ok := at[k.rule]; ok && count(cnt) {
			out[i].Matched += cnt.matched
			out[i].Fired += cnt.fired
		}
	}
	return out
}

// ResetCounters forgets what the rules have counted for one tenant, so
// after a tenant reset "after 3 calls" and Probability's draws start
// again and a replayed run fails the same way.
func (e *Engine) ResetCounters(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, cnt := range e.counts {
		if cnt.tenant == key {
			delete(e.counts, k)
		}
	}
}

// Close releases every request that is hanging or waiting out a latency,
// so a server shutdown does not wait for them. Hanging requests are
// dropped; delayed ones are answered at once. Rules still apply after
// Close, without waits.
func (e *Engine) Close() {
	e.closeOnce.Do(func() { close(e.closed) })
}

// normIBAN writes an IBAN as rules compare it: without spaces, upper case.
func normIBAN(s string) string {
	return strings.ToUpper(strings.ReplaceAll(s, " ", ""))
}
