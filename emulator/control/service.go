// Package control is Sandbank's control plane: the operations a test suite,
// the CLI and the dashboard use to put any tenant into any state (tenants,
// scenarios, clocks, pending SCA, the journal, fault rules, bundles), and
// their JSON API under /_sandbank. Everything here is provider-neutral: it
// works on the store's domain, so every provider gets it by construction.
package control

import (
	"context"
	"log/slog"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/faults"
	"github.com/sandbank/sandbank/emulator/store"
)

// FaultRules is what the control plane needs of the fault engine.
type FaultRules interface {
	// Rules lists the rules with their counters: every rule when key is
	// empty, else the tenant's and the global ones.
	Rules(key string) []client.Fault
	// Add stores a rule, for one tenant or (t nil) for every tenant.
	Add(ctx context.Context, t *emulator.Tenant, r faults.Rule) (client.Fault, error)
	Remove(ctx context.Context, id string) error
	// Reload re-reads the rules after a tenant was reset, loaded,
	// imported or deleted.
	Reload(ctx context.Context) error
	// ResetCounters starts a tenant's call counts again, so a replay after
	// a reset fails the same way as the first run.
	ResetCounters(key string)
}

// Journal is what the control plane needs of the request journal.
type Journal interface {
	Entries(ctx context.Context, t *emulator.Tenant, q client.JournalQuery) ([]client.JournalEntry, error)
	Entry(ctx context.Context, t *emulator.Tenant, id int64) (client.JournalEntry, error)
	Clear(ctx context.Context, t *emulator.Tenant) (int, error)
	HAR(ctx context.Context, t *emulator.Tenant, q client.JournalQuery) ([]byte, error)
	// Flush makes every request answered so far readable.
	Flush(ctx context.Context) error
}

// Bundler exports a tenant's stored state and imports it elsewhere.
type Bundler interface {
	Export(ctx context.Context, t *emulator.Tenant) ([]byte, error)
	Import(ctx context.Context, state []byte, credential string, replace bool) (*emulator.Tenant, error)
}

// Options are what the control plane works on.
type Options struct {
	Store   *store.Store
	Faults  FaultRules
	Journal Journal
	Bundles Bundler
	Log     *slog.Logger
	Version string
	// Contracts lists the contracts served, for health.
	Contracts []client.Contract
	// Scenarios lists the scenarios known (built-in and --scenarios DIR);
	// Scenario returns one with its source.
	Scenarios func() []client.Scenario
	Scenario  func(name string) (client.Scenario, error)
	// CodeTTL is how long the authorization code of an approval made
	// through the control plane is valid, per provider.
	CodeTTL func(p emulator.Provider) time.Duration
	// DefaultScenario is the scenario of tenants created without one.
	DefaultScenario string
	// JourneyPath is the path of a journey's page for a browser.
	JourneyPath func(t *emulator.Tenant, s emulator.SCASession) string
	// FlushWebhooks delivers the tenant's webhooks that are due, after a
	// clock change has run the due events (which may have enqueued some);
	// nil when no dispatcher runs.
	FlushWebhooks func(ctx context.Context, t *emulator.Tenant) error
}

// Service carries out control-plane operations.
type Service struct {
	opts    Options
	store   *store.Store
	started time.Time
}

// New returns the control plane over a store.
func New(opts Options) *Service {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Service{opts: opts, store: opts.Store, started: opts.Store.Clock().Now()}
}

// Health reports version, uptime, contracts and counts.
func (s *Service) Health(ctx context.Context) (client.Health, error) {
	c, err := s.store.CountAll(ctx)
	if err != nil {
		return client.Health{}, err
	}
	return client.Health{
		Status: "ok", Version: s.opts.Version,
		Uptime:    s.store.Clock().Now().Sub(s.started).Round(time.Second).String(),
		Contracts: s.opts.Contracts,
		Counts:    client.Counts{Tenants: c.Tenants, Connections: c.Connections, PendingSCA: c.PendingSCA, Faults: c.Faults, Journal: c.Journal},
	}, nil
}

// tenant finds a tenant by key, answering not_found for an unknown one.
func (s *Service) tenant(ctx context.Context, key string) (*emulator.Tenant, error) {
	return s.store.TenantByKey(ctx, key)
}
