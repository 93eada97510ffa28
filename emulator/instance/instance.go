// Package instance wires one Sandbank together: the store on its database,
// the scheduler, the providers, the bank pages and the HTTP handler. The
// binary, the test suites and the benchmarks all start Sandbank through it,
// so they run exactly the same thing.
package instance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/bank"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/control"
	"github.com/sandbank/sandbank/emulator/dashboard"
	"github.com/sandbank/sandbank/emulator/faults"
	"github.com/sandbank/sandbank/emulator/finqlink"
	"github.com/sandbank/sandbank/emulator/fintecture"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/journal"
	"github.com/sandbank/sandbank/emulator/kontomatik"
	"github.com/sandbank/sandbank/emulator/server"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/emulator/webhooks"
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
	Scenario string
	// ScenariosDir adds the scenario files of a directory to the built-in
	// ones.
	ScenariosDir      string
	ValidateResponses bool
	OnViolation       func(r *http.Request, op httpapi.ContractOperation, err error)
	Version           string
	// SchedulerInterval is how often due events are looked for on every
	// tenant's clock (default 200ms).
	SchedulerInterval time.Duration
	// Journal tunes the request journal's retention and batching.
	Journal journal.Options
}

// Instance is one running Sandbank.
type Instance struct {
	Store     *store.Store
	Handler   http.Handler
	Control   *control.Service
	Faults    *faults.Engine
	Journal   *journal.Journal
	Scenarios *scenarios.Catalog
	// Webhooks delivers the outbox (DESIGN.md §7).
	Webhooks *webhooks.Dispatcher
	stop     context.CancelFunc
	done     chan struct{}
}

// Contracts lists the contracts this build serves, with their mounts.
var Contracts = []client.Contract{
	{Name: "fintecture", Mount: "/fintecture", Description: "Fintecture AIS v2 + Customers v1, the given OpenAPI documents"},
	{Name: "live/fintecture", Mount: "/live/fintecture", Description: "Fintecture's real API as its SDKs speak it (fintecture-client and others): same world and state"},
	{Name: "kontomatik", Mount: "/kontomatik/v1", Description: "Kontomatik AIS, the given OpenAPI document"},
	{Name: "live/kontomatik", Mount: "/live/kontomatik/v1", Description: "Kontomatik's real API as captured replies show it (XML replies): same world and state"},
	{Name: "finqlink", Mount: "/finqlink", Description: "FinqLink v2 (Finqware): Pay, Data, WebUI, OAuth2 and signed webhooks, on Sandbank's contract written from seed 002"},
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
	catalog, err := scenarios.NewCatalog(opts.ScenariosDir)
	if err != nil {
		return nil, err
	}
	if _, err := catalog.Get(opts.Scenario); err != nil {
		return nil, err
	}
	sources := newScenarioSources(catalog)
	build, err := worldBuilder(sources)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Options{
		Path: opts.DB, Clock: opts.Clock, BuildWorld: build, Scenario: sources.resolve,
		DefaultScenario: opts.Scenario, DefaultSeed: opts.Seed,
	})
	if err != nil {
		return nil, err
	}
	in := &Instance{Store: st, Scenarios: catalog, done: make(chan struct{})}
	if err := in.build(ctx, opts); err != nil {
		st.Close()
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	in.stop = stop
	go func() {
		defer close(in.done)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.Webhooks.Run(runCtx)
		}()
		st.RunScheduler(runCtx, opts.SchedulerInterval, opts.Log)
		wg.Wait()
	}()
	return in, nil
}

// build assembles the fault engine, the journal, the providers, the pages,
// the control plane and the handler over the store.
func (in *Instance) build(ctx context.Context, opts Options) error {
	st := in.Store
	in.Faults = faults.New(st, opts.Log)
	if err := in.Faults.Load(ctx); err != nil {
		return err
	}
	in.Journal = journal.New(st, opts.Clock, opts.Log, opts.Journal)
	fin := fintecture.New(st, opts.Log)
	km := kontomatik.New(st, opts.Log)
	keys := webhooks.NewKeys(st)
	disp, err := webhooks.New(webhooks.Options{Store: st, Keys: keys, Clock: opts.Clock, Log: opts.Log,
		Faults: func(t *emulator.Tenant) emulator.WebhookFaults { return t.Behaviour.Webhooks }})
	if err != nil {
		in.Journal.Close()
		return err
	}
	in.Webhooks = disp
	fq := finqlink.New(finqlink.Options{Store: st, Log: opts.Log, Keys: keys})
	pages, err := bank.New(bank.Options{
		Store: st, Log: opts.Log, CodeTTL: fintecture.CodeTTL,
		Finishers: map[emulator.Provider]bank.Finisher{emulator.Fintecture: fin, emulator.Kontomatik: km, emulator.FinqLink: fq},
	})
	if err != nil {
		in.Journal.Close()
		return err
	}
	// FinqLink's hosted WebUI, where its links' and consents' web_url
	// lead: the payer picks a bank there and follows the status.
	webui, err := finqlink.NewWebUI(st, opts.Log)
	if err != nil {
		in.Journal.Close()
		return err
	}
	in.Control = control.New(control.Options{
		Store: st, Faults: control.FaultEngine(in.Faults), Journal: journalView{in.Journal, opts.Version}, Bundles: bundles{st},
		Log: opts.Log, Version: opts.Version, Contracts: Contracts, DefaultScenario: opts.Scenario,
		Scenarios: func() []client.Scenario { return scenarioList(in.Scenarios) },
		Scenario:  func(name string) (client.Scenario, error) { return scenarioShow(in.Scenarios, name) },
		CodeTTL:   func(emulator.Provider) time.Duration { return fintecture.CodeTTL },
		FlushWebhooks: func(ctx context.Context, t *emulator.Tenant) error {
			_, err := disp.Flush(ctx, t)
			return err
		},
		JourneyPath: func(t *emulator.Tenant, s emulator.SCASession) string {
			if s.Model == emulator.SCADecoupled {
				return bank.PhoneURL("", t, s.ID)
			}
			return bank.JourneyURL("", t, s.ID)
		},
	})
	var names []string
	for _, c := range Contracts {
		names = append(names, c.Name)
	}
	var demo []dashboard.Demo
	for _, d := range Demo {
		demo = append(demo, dashboard.Demo{Provider: string(d.Provider), Credential: d.Credential, Secret: d.Secret})
	}
	dash, err := dashboard.New(dashboard.Options{Control: in.Control, Log: opts.Log, Contracts: Contracts, Demo: demo})
	if err != nil {
		in.Journal.Close()
		return err
	}
	h, err := server.New(server.Config{
		Log: opts.Log, Clock: opts.Clock, Version: opts.Version, PublicURL: opts.PublicURL,
		ValidateResponses: opts.ValidateResponses, OnViolation: opts.OnViolation, Contracts: names,
		Faults: in.Faults.Wrap, Inner: []server.Middleware{in.Journal.Middleware()},
	}, []server.Provider{fin, km, fq}, []server.Pages{pages, webui, in.Control, dash})
	if err != nil {
		in.Journal.Close()
		return err
	}
	in.Handler = h
	return nil
}

// Release lets go of requests held by hanging fault rules, so a server
// shutting down does not wait for them. Call it before http.Server.Shutdown.
func (in *Instance) Release() { in.Faults.Close() }

// Close stops the scheduler, writes the journal's last entries and closes
// the database.
func (in *Instance) Close() error {
	in.Faults.Close()
	in.stop()
	<-in.done
	jerr := in.Journal.Close()
	return errors.Join(jerr, in.Store.Close())
}

// DemoTenant is a well-known tenant printed at start-up (DESIGN.md §3).
type DemoTenant struct {
	Provider   emulator.Provider
	Credential string
	Secret     string // empty for providers that have none (Kontomatik)
}

// Demo lists the demo tenants, one per provider.
var Demo = []DemoTenant{
	{Provider: emulator.Fintecture, Credential: "sandbank-demo", Secret: "sandbank-demo-secret"},
	{Provider: emulator.Kontomatik, Credential: "sandbank-demo-kontomatik"},
	{Provider: emulator.FinqLink, Credential: "sandbank-demo-finqlink", Secret: "sandbank-demo-finqlink-secret"},
}

// Credentials says how a client presents the demo tenant, in the
// provider's own terms.
func (d DemoTenant) Credentials() string {
	switch d.Provider {
	case emulator.Kontomatik:
		return "X-Api-Key: " + d.Credential
	case emulator.FinqLink:
		return "client_id=" + d.Credential + " client_secret=" + d.Secret
	}
	return "app_id=" + d.Credential + " app_secret=" + d.Secret
}

// EnsureDemoTenants creates the demo tenants (and fixes their secrets) if
// they do not exist yet.
func (in *Instance) EnsureDemoTenants(ctx context.Context) error {
	for _, d := range Demo {
		t, err := in.Store.EnsureTenant(ctx, d.Provider, d.Credential)
		if err != nil {
			return fmt.Errorf("demo tenant %s: %w", d.Credential, err)
		}
		if d.Secret == "" {
			continue
		}
		if err := in.Store.CheckSecret(ctx, t, d.Secret); err != nil {
			return fmt.Errorf("demo tenant %s: its secret was changed in this database: %w", d.Credential, err)
		}
	}
	return nil
}
