package store

import (
	"context"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/testkeys"
)

// appStore opens a store on a file whose scenarios "plain" (no app
// section) and "signed" (an app section requiring signatures with key)
// resolve without the scenarios package.
func appStore(t *testing.T, path, key string) *Store {
	t.Helper()
	resolve := func(name, src string) (ScenarioData, error) {
		switch name {
		case "plain":
			return ScenarioData{Name: name, Source: "name: plain\n", Seed: 3}, nil
		case "signed":
			return ScenarioData{Name: name, Source: "name: signed\n", Seed: 4, App: &emulator.AppSettings{PublicKey: key, RequireSignatures: true}}, nil
		}
		return ScenarioData{}, fmt.Errorf("no scenario %q", name)
	}
	s, err := Open(context.Background(), Options{Path: path, Clock: emulator.NewManualClock(bundleT0), BuildWorld: bundleWorld, Scenario: resolve, DefaultScenario: "plain"})
	noErr(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// storedApp reads a tenant's app settings from its row, past the cache.
func storedApp(t *testing.T, s *Store, tn *emulator.Tenant) emulator.AppSettings {
	t.Helper()
	got, err := findTenantByID(context.Background(), s.read, tn.ID)
	noErr(t, err)
	return got.App
}

func TestSetApp(t *testing.T) {
	ctx := context.Background()
	rk, ek := testkeys.RSA(), testkeys.EC()
	path := filepath.Join(t.TempDir(), "app.db")
	s := appStore(t, path, "")
	tn, err := s.EnsureTenant(ctx, emulator.Fintecture, "app")
	noErr(t, err)
	if tn.App != (emulator.AppSettings{}) {
		t.Fatalf("a new tenant has app settings: %+v", tn.App)
	}

	rsaPEM := testkeys.PublicPEM(&rk.PublicKey)
	want := emulator.AppSettings{PublicKey: rsaPEM, RequireSignatures: true}
	got, err := s.SetApp(ctx, tn, want)
	noErr(t, err)
	if got.App != want {
		t.Fatalf("SetApp answered %+v", got.App)
	}
	if cached, _ := s.Tenant(ctx, emulator.Fintecture, "app"); cached.App != want {
		t.Fatalf("the cache holds %+v", cached.App)
	}
	if storedApp(t, s, tn) != want {
		t.Fatalf("the row holds %+v", storedApp(t, s, tn))
	}

	// PKCS#1 and EC keys are accepted as well.
	pkcs1 := testkeys.PEM("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rk.PublicKey))
	for _, k := range []string{pkcs1, testkeys.PublicPEM(&ek.PublicKey)} {
		if got, err := s.SetApp(ctx, tn, emulator.AppSettings{PublicKey: k}); err != nil || got.App.PublicKey != k {
			t.Fatalf("SetApp %.30q: %+v %v", k, got, err)
		}
	}
	tn, err = s.SetApp(ctx, tn, want)
	noErr(t, err)

	// Refusals name the field and change nothing.
	for _, c := range []struct {
		app   emulator.AppSettings
		field string
	}{
		{emulator.AppSettings{PublicKey: "not a key"}, "public_key"},
		{emulator.AppSettings{PublicKey: testkeys.PEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk))}, "public_key"},
		{emulator.AppSettings{RequireSignatures: true}, "require_signatures"},
	} {
		_, err := s.SetApp(ctx, tn, c.app)
		if e := emulator.AsError(err); e.Code != emulator.CodeInvalid || e.Field != c.field {
			t.Errorf("SetApp(%+.40v): want invalid %s, got %v", c.app, c.field, err)
		}
	}
	if cached, _ := s.Tenant(ctx, emulator.Fintecture, "app"); cached.App != want || storedApp(t, s, tn) != want {
		t.Fatalf("a refused SetApp changed the tenant: cache %+v, row %+v", cached.App, storedApp(t, s, tn))
	}

	// The settings survive a restart.
	s.Close()
	s = appStore(t, path, "")
	again, err := s.Tenant(ctx, emulator.Fintecture, "app")
	noErr(t, err)
	if again.App != want {
		t.Fatalf("after reopening: %+v", again.App)
	}

	// Clearing takes the key away.
	cleared, err := s.SetApp(ctx, again, emulator.AppSettings{})
	noErr(t, err)
	if cleared.App != (emulator.AppSettings{}) || storedApp(t, s, cleared) != (emulator.AppSettings{}) {
		t.Fatalf("cleared: %+v", cleared.App)
	}
}

// TestAppFollowsScenarios: a scenario with an app section sets the
// tenant's settings on create, load and reset; one without leaves them.
func TestAppFollowsScenarios(t *testing.T) {
	ctx := context.Background()
	rk, ek := testkeys.RSA(), testkeys.EC()
	scenarioKey := testkeys.PublicPEM(&rk.PublicKey)
	ownKey := testkeys.PublicPEM(&ek.PublicKey)
	s := appStore(t, filepath.Join(t.TempDir(), "app.db"), scenarioKey)
	fromScenario := emulator.AppSettings{PublicKey: scenarioKey, RequireSignatures: true}
	own := emulator.AppSettings{PublicKey: ownKey}

	signed, _, err := s.CreateTenantFrom(ctx, TenantSpec{Provider: emulator.Fintecture, Credential: "signed", Scenario: "signed"})
	noErr(t, err)
	if signed.App != fromScenario {
		t.Fatalf("created from a scenario with an app section: %+v", signed.App)
	}
	// The spec's settings win over the scenario's.
	over, _, err := s.CreateTenantFrom(ctx, TenantSpec{Provider: emulator.Fintecture, Credential: "over", Scenario: "signed", App: &own})
	noErr(t, err)
	if over.App != own {
		t.Fatalf("created with its own settings: %+v", over.App)
	}
	_, _, err = s.CreateTenantFrom(ctx, TenantSpec{Provider: emulator.Fintecture, Credential: "bad", Scenario: "plain", App: &emulator.AppSettings{RequireSignatures: true}})
	if e := emulator.AsError(err); e.Code != emulator.CodeInvalid || e.Field != "require_signatures" {
		t.Fatalf("created with signatures required and no key: %v", err)
	}
	if _, err := s.Tenant(ctx, emulator.Fintecture, "bad"); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Fatalf("a refused create made the tenant: %v", err)
	}

	plain, err := s.EnsureTenant(ctx, emulator.Fintecture, "plain")
	noErr(t, err)
	plain, err = s.SetApp(ctx, plain, own)
	noErr(t, err)
	// A reset onto a scenario without an app section keeps the key.
	plain, err = s.ResetTenant(ctx, plain)
	noErr(t, err)
	if plain.App != own || storedApp(t, s, plain) != own {
		t.Fatalf("reset on a plain scenario: %+v", plain.App)
	}
	// Loading a scenario with an app section takes its settings...
	plain, err = s.LoadScenario(ctx, plain, "signed", 0)
	noErr(t, err)
	if plain.App != fromScenario {
		t.Fatalf("loaded a signed scenario: %+v", plain.App)
	}
	// ...and a reset puts them back after a change.
	plain, err = s.SetApp(ctx, plain, own)
	noErr(t, err)
	plain, err = s.ResetTenant(ctx, plain)
	noErr(t, err)
	if plain.App != fromScenario {
		t.Fatalf("reset on a signed scenario: %+v", plain.App)
	}
	// Loading a plain scenario leaves them as they are.
	plain, err = s.LoadScenario(ctx, plain, "plain", 0)
	noErr(t, err)
	if plain.App != fromScenario || storedApp(t, s, plain) != fromScenario {
		t.Fatalf("loaded a plain scenario: %+v", plain.App)
	}
}

func TestBundleCarriesApp(t *testing.T) {
	ctx := context.Background()
	rk := testkeys.RSA()
	src, _ := bundleStore(t)
	tn, err := src.EnsureTenant(ctx, emulator.Fintecture, "app")
	noErr(t, err)
	want := emulator.AppSettings{PublicKey: testkeys.PublicPEM(&rk.PublicKey), RequireSignatures: true}
	tn, err = src.SetApp(ctx, tn, want)
	noErr(t, err)
	d, err := src.ExportTenant(ctx, tn)
	noErr(t, err)
	d = jsonTrip(t, d)
	if _, ok := d.Tenant["app"]; !ok {
		t.Fatalf("the dump's tenants row has no app column: %v", d.Tenant)
	}

	dst, _ := bundleStore(t)
	got, err := dst.ImportTenant(ctx, d, ImportOptions{})
	noErr(t, err)
	if got.App != want {
		t.Fatalf("imported app: %+v", got.App)
	}
	sameTenant(t, tn, got)

	// A bundle with settings this Sandbank would refuse is refused, and
	// leaves nothing behind.
	for name, raw := range map[string]string{
		"bad key":            `{"public_key": "junk"}`,
		"required, no key":   `{"require_signatures": true}`,
		"not JSON":           `{`,
		"an unknown setting": `{"webhook_url": "https://x"}`,
	} {
		bad := *d
		bad.Tenant = map[string]any{}
		for k, v := range d.Tenant {
			bad.Tenant[k] = v
		}
		bad.Tenant["app"] = raw
		_, err := dst.ImportTenant(ctx, &bad, ImportOptions{Credential: "other"})
		if e := emulator.AsError(err); e.Code != emulator.CodeInvalid || e.Field != "tenants.app" {
			t.Errorf("%s: want invalid tenants.app, got %v", name, err)
		}
		if _, err := dst.Tenant(ctx, emulator.Fintecture, "other"); !emulator.IsCode(err, emulator.CodeNotFound) {
			t.Errorf("%s: the refused import left a tenant: %v", name, err)
		}
	}
}
