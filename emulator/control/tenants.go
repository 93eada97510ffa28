package control

import (
	"context"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/store"
)

// Tenants lists every tenant, oldest first.
func (s *Service) Tenants(ctx context.Context) ([]client.Tenant, error) {
	ts, err := s.store.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]client.Tenant, 0, len(ts))
	for i := range ts {
		ct, err := s.describe(ctx, &ts[i])
		if err != nil {
			return nil, err
		}
		out = append(out, ct)
	}
	return out, nil
}

// Tenant shows one tenant.
func (s *Service) Tenant(ctx context.Context, key string) (client.Tenant, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.Tenant{}, err
	}
	return s.describe(ctx, t)
}

func (s *Service) describe(ctx context.Context, t *emulator.Tenant) (client.Tenant, error) {
	c, err := s.store.CountTenant(ctx, t)
	if err != nil {
		return client.Tenant{}, err
	}
	clock, err := s.clock(ctx, t)
	if err != nil {
		return client.Tenant{}, err
	}
	return client.Tenant{
		Key: t.Key(), Provider: string(t.Provider), Credential: t.Credential, HasSecret: t.SecretHash != "",
		Scenario: t.Scenario, Seed: t.Seed, Label: t.Label, App: wireApp(t.App), Clock: clock, CreatedAt: t.CreatedAt,
		Banks: c.Banks, PSUs: c.PSUs, Accounts: c.Accounts, Connections: c.Connections, PendingSCA: c.PendingSCA,
	}, nil
}

// CreateTenant creates a tenant with its credentials and settings. A
// tenant that exists already is a conflict: its state is never replaced by
// accident.
func (s *Service) CreateTenant(ctx context.Context, in client.NewTenant) (client.Tenant, error) {
	spec := store.TenantSpec{
		Provider: emulator.Provider(in.Provider), Credential: in.Credential, Secret: in.Secret,
		Scenario: in.Scenario, Seed: in.Seed, Label: in.Label,
	}
	if spec.Scenario == "" {
		spec.Scenario = s.opts.DefaultScenario
	}
	if in.PublicKey != "" || in.RequireSignatures {
		spec.App = &emulator.AppSettings{PublicKey: in.PublicKey, RequireSignatures: in.RequireSignatures}
	}
	now := s.store.Clock().Now()
	switch {
	case in.Frozen:
		at := now
		if in.At != nil {
			at = in.At.UTC()
		}
		spec.Clock.FrozenAt = &at
	case in.At != nil:
		spec.Clock.Offset = in.At.Sub(now)
	}
	exists := func() error {
		return emulator.FieldError(emulator.CodeConflict, "credential", "a %s tenant with credential %q exists already (reset or delete it)", in.Provider, in.Credential)
	}
	// Checked first too, so an existing tenant is a conflict even when the
	// rest of the request is also wrong.
	if _, err := s.store.Tenant(ctx, spec.Provider, spec.Credential); err == nil {
		return client.Tenant{}, exists()
	}
	t, created, err := s.store.CreateTenantFrom(ctx, spec)
	if err != nil {
		return client.Tenant{}, err
	}
	if !created {
		return client.Tenant{}, exists()
	}
	if err := s.reloadFaults(ctx, t.Key()); err != nil {
		return client.Tenant{}, err
	}
	return s.describe(ctx, t)
}

// DeleteTenant removes a tenant and everything it owns.
func (s *Service) DeleteTenant(ctx context.Context, key string) error {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return err
	}
	// Entries still queued for the tenant must land before it goes, or
	// they would refer to a tenant that no longer exists.
	if err := s.flushJournal(ctx); err != nil {
		return err
	}
	if err := s.store.DeleteTenant(ctx, t); err != nil {
		return err
	}
	return s.reloadFaults(ctx, t.Key())
}

// ResetTenant puts a tenant back to its scenario's initial state.
func (s *Service) ResetTenant(ctx context.Context, key string) (client.Tenant, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.Tenant{}, err
	}
	if err := s.flushJournal(ctx); err != nil {
		return client.Tenant{}, err
	}
	if t, err = s.store.ResetTenant(ctx, t); err != nil {
		return client.Tenant{}, err
	}
	if err := s.reloadFaults(ctx, t.Key()); err != nil {
		return client.Tenant{}, err
	}
	return s.describe(ctx, t)
}

// LoadScenario rebuilds a tenant on another scenario and seed (zero: the
// scenario's own).
func (s *Service) LoadScenario(ctx context.Context, key string, in client.LoadScenario) (client.Tenant, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.Tenant{}, err
	}
	if in.Name == "" {
		return client.Tenant{}, emulator.FieldError(emulator.CodeMissing, "name", "name the scenario to load")
	}
	if err := s.flushJournal(ctx); err != nil {
		return client.Tenant{}, err
	}
	if t, err = s.store.LoadScenario(ctx, t, in.Name, in.Seed); err != nil {
		return client.Tenant{}, err
	}
	if err := s.reloadFaults(ctx, t.Key()); err != nil {
		return client.Tenant{}, err
	}
	return s.describe(ctx, t)
}

// SetLabel changes a tenant's label.
func (s *Service) SetLabel(ctx context.Context, key, label string) (client.Tenant, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.Tenant{}, err
	}
	if t, err = s.store.SetLabel(ctx, t, label); err != nil {
		return client.Tenant{}, err
	}
	return s.describe(ctx, t)
}

// SetApp replaces a tenant's app settings (registered public key, whether
// requests must be signed). The fingerprint is computed; one sent along
// (as a client echoing a shown tenant would) must be the key's.
func (s *Service) SetApp(ctx context.Context, key string, in client.App) (client.Tenant, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.Tenant{}, err
	}
	app := emulator.AppSettings{PublicKey: in.PublicKey, RequireSignatures: in.RequireSignatures}
	if err := app.Validate(); err != nil {
		return client.Tenant{}, err
	}
	if in.Fingerprint != "" && in.Fingerprint != app.Fingerprint() {
		return client.Tenant{}, emulator.FieldError(emulator.CodeInvalid, "fingerprint", "%q is not the fingerprint of public_key (%s); it is computed, so leave it out", in.Fingerprint, dashIfEmpty(app.Fingerprint()))
	}
	if t, err = s.store.SetApp(ctx, t, app); err != nil {
		return client.Tenant{}, err
	}
	return s.describe(ctx, t)
}

// wireApp shows app settings with the key's fingerprint.
func wireApp(a emulator.AppSettings) client.App {
	return client.App{PublicKey: a.PublicKey, Fingerprint: a.Fingerprint(), RequireSignatures: a.RequireSignatures}
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "no key"
	}
	return s
}

// reloadFaults makes the fault engine see a tenant's new rules (and, when
// keys are given, forget those tenants' call counts).
func (s *Service) reloadFaults(ctx context.Context, keys ...string) error {
	if s.opts.Faults == nil {
		return nil
	}
	for _, k := range keys {
		s.opts.Faults.ResetCounters(k)
	}
	return s.opts.Faults.Reload(ctx)
}

// Scenarios lists the scenarios known.
func (s *Service) Scenarios() []client.Scenario {
	if s.opts.Scenarios == nil {
		return nil
	}
	return s.opts.Scenarios()
}

// Scenario shows one scenario with its source.
func (s *Service) Scenario(name string) (client.Scenario, error) {
	if s.opts.Scenario == nil {
		return client.Scenario{}, emulator.NotFound("scenario", name)
	}
	return s.opts.Scenario(name)
}

// Clock shows a tenant's clock.
func (s *Service) Clock(ctx context.Context, key string) (client.Clock, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.Clock{}, err
	}
	return s.clock(ctx, t)
}

func (s *Service) clock(ctx context.Context, t *emulator.Tenant) (client.Clock, error) {
	real := s.store.Clock().Now()
	now := t.Clock.At(real)
	n, next, err := s.store.ScheduledEvents(ctx, t)
	if err != nil {
		return client.Clock{}, err
	}
	off := now.Sub(real)
	offset := emulator.FormatDuration(off)
	if off < 0 {
		offset = "-" + emulator.FormatDuration(-off)
	}
	return client.Clock{Now: now, Frozen: t.Clock.FrozenAt != nil, Offset: offset, Pending: n, NextDue: next}, nil
}

// ChangeClock advances, sets, freezes or unfreezes a tenant's clock.
// Advancing (and setting forward) runs every event that became due, in
// order, before it answers (DESIGN.md §6).
func (s *Service) ChangeClock(ctx context.Context, key string, in client.ClockChange) (client.Clock, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.Clock{}, err
	}
	asked := 0
	for _, set := range []bool{in.By != "", in.At != nil, in.Freeze, in.Unfreeze} {
		if set {
			asked++
		}
	}
	if asked != 1 {
		return client.Clock{}, emulator.Errorf(emulator.CodeInvalid, "send exactly one of by, at, freeze or unfreeze")
	}
	real := s.store.Clock().Now()
	now := t.Clock.At(real)
	c := t.Clock
	switch {
	case in.By != "":
		d, err := emulator.ParseDuration(in.By)
		if err != nil {
			return client.Clock{}, emulator.FieldError(emulator.CodeInvalid, "by", "%v", err)
		}
		c = shift(c, d)
	case in.At != nil:
		c = shift(c, in.At.Sub(now))
	case in.Freeze:
		if c.FrozenAt == nil {
			c = emulator.TenantClock{FrozenAt: &now}
		}
	case in.Unfreeze:
		if c.FrozenAt != nil {
			c = emulator.TenantClock{Offset: c.FrozenAt.Sub(real)}
		}
	}
	if t, err = s.store.SetClock(ctx, t, c); err != nil {
		return client.Clock{}, err
	}
	ran, err := s.store.RunDue(ctx, t)
	if err != nil {
		return client.Clock{}, err
	}
	// Webhooks that became due go out before the call returns, as due
	// events do (DESIGN.md §6): a delivery failing is recorded on it and
	// retried, never an error of the clock change.
	if s.opts.FlushWebhooks != nil {
		if err := s.opts.FlushWebhooks(ctx, t); err != nil {
			s.opts.Log.Warn("control: flush webhooks after a clock change", "tenant", t.Key(), "err", err)
		}
	}
	out, err := s.clock(ctx, t)
	out.EventsRun = ran
	return out, err
}

// shift moves a clock by d, frozen or not.
func shift(c emulator.TenantClock, d time.Duration) emulator.TenantClock {
	if c.FrozenAt != nil {
		at := c.FrozenAt.Add(d)
		return emulator.TenantClock{FrozenAt: &at}
	}
	return emulator.TenantClock{Offset: c.Offset + d}
}
