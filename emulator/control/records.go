package control

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/faults"
)

// Journal lists a tenant's journal, newest first.
func (s *Service) Journal(ctx context.Context, key string, q client.JournalQuery) ([]client.JournalEntry, error) {
	t, err := s.journalTenant(ctx, key)
	if err != nil {
		return nil, err
	}
	return s.opts.Journal.Entries(ctx, t, q)
}

// JournalEntry shows one journal entry.
func (s *Service) JournalEntry(ctx context.Context, key string, id int64) (client.JournalEntry, error) {
	t, err := s.journalTenant(ctx, key)
	if err != nil {
		return client.JournalEntry{}, err
	}
	return s.opts.Journal.Entry(ctx, t, id)
}

// JournalHAR exports a tenant's journal as HAR 1.2.
func (s *Service) JournalHAR(ctx context.Context, key string, q client.JournalQuery) ([]byte, error) {
	t, err := s.journalTenant(ctx, key)
	if err != nil {
		return nil, err
	}
	return s.opts.Journal.HAR(ctx, t, q)
}

// ClearJournal empties a tenant's journal.
func (s *Service) ClearJournal(ctx context.Context, key string) (int, error) {
	t, err := s.journalTenant(ctx, key)
	if err != nil {
		return 0, err
	}
	return s.opts.Journal.Clear(ctx, t)
}

// journalTenant finds the tenant whose journal a call reads, answering
// unavailable when this control plane has no journal.
func (s *Service) journalTenant(ctx context.Context, key string) (*emulator.Tenant, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return nil, err
	}
	if s.opts.Journal == nil {
		return nil, errNotWired("journal")
	}
	return t, nil
}

// flushJournal lands every request answered so far before a change that
// replaces or removes a tenant's stored state, or reads all of it.
func (s *Service) flushJournal(ctx context.Context) error {
	if s.opts.Journal == nil {
		return nil
	}
	return s.opts.Journal.Flush(ctx)
}

// Faults lists fault rules: all of them, or (key set) a tenant's and the
// global ones.
func (s *Service) Faults(ctx context.Context, key string) ([]client.Fault, error) {
	if key != "" {
		if _, err := s.tenant(ctx, key); err != nil {
			return nil, err
		}
	}
	if s.opts.Faults == nil {
		return nil, errNotWired("fault rules")
	}
	return s.opts.Faults.Rules(key), nil
}

// AddFault adds a rule at run time: for the tenant its match names, or for
// every tenant.
func (s *Service) AddFault(ctx context.Context, r faults.Rule) (client.Fault, error) {
	if s.opts.Faults == nil {
		return client.Fault{}, errNotWired("fault rules")
	}
	var t *emulator.Tenant
	if r.Match.Tenant != "" {
		var err error
		if t, err = s.tenant(ctx, r.Match.Tenant); err != nil {
			return client.Fault{}, emulator.FieldError(emulator.CodeInvalid, "match.tenant", "no tenant with key %q", r.Match.Tenant)
		}
	}
	return s.opts.Faults.Add(ctx, t, r)
}

// RemoveFault removes a rule.
func (s *Service) RemoveFault(ctx context.Context, id string) error {
	if s.opts.Faults == nil {
		return errNotWired("fault rules")
	}
	return s.opts.Faults.Remove(ctx, id)
}

// FaultEngine shows a fault engine to the control plane as its
// FaultRules, in the wire types.
func FaultEngine(e *faults.Engine) FaultRules { return engineRules{e} }

type engineRules struct{ e *faults.Engine }

func (f engineRules) Rules(key string) []client.Fault {
	var st []faults.Status
	if key == "" {
		st = f.e.List()
	} else {
		st = f.e.ForTenant(key)
	}
	out := make([]client.Fault, 0, len(st))
	for _, s := range st {
		out = append(out, client.Fault{Rule: s.Rule, Source: s.Source, Matched: s.Matched, Fired: s.Fired})
	}
	return out
}

func (f engineRules) Add(ctx context.Context, t *emulator.Tenant, r faults.Rule) (client.Fault, error) {
	r, err := f.e.Add(ctx, t, r)
	if err != nil {
		return client.Fault{}, err
	}
	return client.Fault{Rule: r, Source: faults.SourceAPI}, nil
}

func (f engineRules) Remove(ctx context.Context, id string) error { return f.e.Remove(ctx, id) }
func (f engineRules) Reload(ctx context.Context) error            { return f.e.Load(ctx) }
func (f engineRules) ResetCounters(key string)                    { f.e.ResetCounters(key) }

// bundleFormat names Sandbank bundles; bundleVersion changes when their
// layout does.
const (
	bundleFormat  = "sandbank-bundle"
	bundleVersion = 1
)

// Export writes one tenant as a bundle: its state (world, journeys,
// connections, tokens, customers, events, fault rules, journal), its clock
// and its scenario.
func (s *Service) Export(ctx context.Context, key string) (client.Bundle, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.Bundle{}, err
	}
	if s.opts.Bundles == nil {
		return client.Bundle{}, errNotWired("bundles")
	}
	if err := s.flushJournal(ctx); err != nil {
		return client.Bundle{}, err
	}
	state, err := s.opts.Bundles.Export(ctx, t)
	if err != nil {
		return client.Bundle{}, err
	}
	ct, err := s.describe(ctx, t)
	if err != nil {
		return client.Bundle{}, err
	}
	return client.Bundle{
		Format: bundleFormat, Version: bundleVersion, Sandbank: s.opts.Version, ExportedAt: s.store.Clock().Now(),
		Tenant: ct, Scenario: client.Scenario{Name: t.Scenario, Seed: t.Seed, Source: t.ScenarioSrc}, State: state,
	}, nil
}

// Import loads a bundle, under its own credential or another one. An
// existing tenant with that credential is replaced only when asked.
func (s *Service) Import(ctx context.Context, b client.Bundle, credential string, replace bool) (client.Tenant, error) {
	if s.opts.Bundles == nil {
		return client.Tenant{}, errNotWired("bundles")
	}
	if b.Format != bundleFormat {
		return client.Tenant{}, emulator.FieldError(emulator.CodeInvalid, "format", "not a Sandbank bundle (format %q)", b.Format)
	}
	if b.Version != bundleVersion {
		return client.Tenant{}, emulator.FieldError(emulator.CodeInvalid, "version", "bundle version %d is not supported (this Sandbank reads version %d)", b.Version, bundleVersion)
	}
	if len(b.State) == 0 || !json.Valid(b.State) {
		return client.Tenant{}, emulator.FieldError(emulator.CodeInvalid, "state", "the bundle has no state")
	}
	if err := s.flushJournal(ctx); err != nil {
		return client.Tenant{}, err
	}
	t, err := s.opts.Bundles.Import(ctx, b.State, credential, replace)
	if err != nil {
		return client.Tenant{}, err
	}
	if err := s.reloadFaults(ctx, t.Key()); err != nil {
		return client.Tenant{}, fmt.Errorf("reload faults: %w", err)
	}
	return s.describe(ctx, t)
}

// errNotWired answers for a part of the control plane this Service was
// built without (a test may build one over a bare store).
func errNotWired(what string) error {
	return emulator.Errorf(emulator.CodeUnavailable, "this control plane has no %s", what)
}
