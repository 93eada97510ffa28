// Package instance wires one Sandbank together: the store on its database,
// the scheduler, the providers, the bank pages and the HTTP handler. The
// binary, the test suites and the benchmarks all start Sandbank through it,
// so they run exactly the same thing.
package instance

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/bank"
	"github.com/sandbank/sandbank/emulator/fintecture"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/server"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/emulator/world"
	"github.com/sandbank/sandbank/fixtures"
	"github.com/sandbank/sandbank/scenarios"
)

// Options configure an Instance.
type Options struct {
	// DB is the SQLite file, or ":memory:".
	DB    string
	Clock emulator.Clock
	Log   *slog.Logger
	// PublicURL, when set, is the base of every URL put in responses.
	PublicURL string
	// Seed, when non-zero, replaces the scenario's seed for new tenants.
	Seed int64
	// Scenario is the scenario new tenants start from (default "default").
	Scenario          string
	ValidateResponses bool
	OnViolation       func(r *http.Request, op httpapi.ContractOperation, err error)
	Version           string
	// SchedulerInterval is how often due events are looked for on every
	// tenant's clock (default 200ms).
	SchedulerInterval time.Duration
}

// Instance is one running Sandbank.
type Instance struct {
	Store   *store.Store
	Handler http.Handler
	stop    context.CancelFunc
	done    chan struct{}
}

// Contracts lists the contracts this build serves, with their mounts.
var Contracts = []struct{ Name, Mount, Description string }{
	{"fintecture", "/fintecture", "Fintecture AIS v2 + Customers v1, the given OpenAPI documents"},
}

// New opens the database and builds the handler; the scheduler runs until
// Close.
func New(ctx context.Context, opts Options) (*Instance, error) {
	if opts.Clock == nil {
		opts.Clock = emulator.SystemClock{}
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Scenario == "" {
		opts.Scenario = scenarios.Default
	}
	if opts.SchedulerInterval == 0 {
		opts.SchedulerInterval = 200 * time.Millisecond
	}
	sc, err := scenarios.Builtin(opts.Scenario)
	if err != nil {
		return nil, err
	}
	seed := sc.Seed
	if opts.Seed != 0 {
		seed = opts.Seed
	}
	build, err := worldBuilder(opts.Scenario, sc)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Options{
		Path: opts.DB, Clock: opts.Clock, BuildWorld: build,
		DefaultScenario: opts.Scenario, DefaultSeed: seed,
	})
	if err != nil {
		return nil, err
	}
	fin := fintecture.New(st, opts.Log)
	pages, err := bank.New(bank.Options{
		Store: st, Log: opts.Log, CodeTTL: fintecture.CodeTTL,
		Finishers: map[emulator.Provider]bank.Finisher{emulator.Fintecture: fin},
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	var names []string
	var mounts []server.Mount
	for _, c := range Contracts {
		names = append(names, c.Name)
		mounts = append(mounts, server.Mount{Name: c.Name, Path: c.Mount, Description: c.Description})
	}
	var demo []server.DemoCredential
	for _, d := range Demo {
		demo = append(demo, server.DemoCredential{Provider: string(d.Provider), Credential: d.Credential, Secret: d.Secret})
	}
	home, err := server.NewHome(opts.Log, mounts, demo)
	if err != nil {
		st.Close()
		return nil, err
	}
	h, err := server.New(server.Config{
		Log: opts.Log, Clock: opts.Clock, Version: opts.Version, PublicURL: opts.PublicURL,
		ValidateResponses: opts.ValidateResponses, OnViolation: opts.OnViolation, Contracts: names,
	}, []server.Provider{fin}, []server.Pages{pages, home})
	if err != nil {
		st.Close()
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	in := &Instance{Store: st, Handler: h, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(in.done)
		st.RunScheduler(runCtx, opts.SchedulerInterval, opts.Log)
	}()
	return in, nil
}

// Close stops the scheduler and closes the database.
func (in *Instance) Close() error {
	in.stop()
	<-in.done
	return in.Store.Close()
}

// worldBuilder generates new tenants' worlds from their scenario and seed.
// The bank catalogues and the default scenario are parsed once here, not on
// every tenant creation.
func worldBuilder(defaultName string, def *scenarios.Scenario) (store.WorldBuilder, error) {
	banks := map[emulator.Provider][]emulator.Bank{}
	for _, p := range []emulator.Provider{emulator.Fintecture} {
		b, err := fixtures.Banks(p)
		if err != nil {
			return nil, err
		}
		banks[p] = b
	}
	return func(t emulator.Tenant, now time.Time) (emulator.World, error) {
		sc := def
		if t.Scenario != defaultName {
			var err error
			if sc, err = scenarios.Builtin(t.Scenario); err != nil {
				return emulator.World{}, err
			}
		}
		if banks[t.Provider] == nil {
			return emulator.World{}, fmt.Errorf("no bank catalogue for provider %q", t.Provider)
		}
		return world.Generate(sc, t.Seed, banks[t.Provider], t.Clock.At(now))
	}, nil
}

// DemoTenant is a well-known tenant printed at start-up (DESIGN.md §3).
type DemoTenant struct {
	Provider   emulator.Provider
	Credential string
	Secret     string
}

// Demo lists the demo tenants.
var Demo = []DemoTenant{
	{Provider: emulator.Fintecture, Credential: "sandbank-demo", Secret: "sandbank-demo-secret"},
}

// EnsureDemoTenants creates the demo tenants (and fixes their secrets) if
// they do not exist yet.
func (in *Instance) EnsureDemoTenants(ctx context.Context) error {
	for _, d := range Demo {
		t, err := in.Store.EnsureTenant(ctx, d.Provider, d.Credential)
		if err != nil {
			return fmt.Errorf("demo tenant %s: %w", d.Credential, err)
		}
		if err := in.Store.CheckSecret(ctx, t, d.Secret); err != nil {
			return fmt.Errorf("demo tenant %s: its secret was changed in this database: %w", d.Credential, err)
		}
	}
	return nil
}
