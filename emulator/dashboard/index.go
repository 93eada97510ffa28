package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// indexView is the data of the page at "/".
type indexView struct {
	layout
	// Base is Sandbank's public origin, to show full base URLs.
	Base      string
	Contracts []client.Contract
	Demo      []demoRow
	Tenants   []tenantRow
	// Providers and Scenarios fill the create-tenant form's selects.
	Providers []string
	Scenarios []client.Scenario
	// Form holds the create-tenant form as typed when it was refused.
	Form  url.Values
	Magic magicView
}

// demoRow is one demo tenant, with a link when it exists.
type demoRow struct {
	Demo
	Href string // empty until the tenant exists
}

// tenantRow is one line of the tenants table.
type tenantRow struct {
	client.Tenant
	Now  stamp
	Href string
}

// magicView is what the first demo tenant's world and fault rules make
// special: logins a developer can type on the bank pages to get a failure
// without any setup (DESIGN.md §8).
type magicView struct {
	// Credential and Scenario name the tenant the logins come from; empty
	// when no demo tenant exists.
	Credential, Scenario, Href string
	Logins                     []magicLogin
	// PSUs are every distinct login of that world, to type on the pages.
	PSUs []client.PSU
	// AutoBanks approve at once with plain redirects, for headless tests.
	AutoBanks []client.Bank
	// Note says what could not be read, if anything.
	Note string
}

// magicLogin is one PSU login with a special behaviour.
type magicLogin struct {
	Login, Password, OTP string
	Behaviour            []string
}

func (d *Dashboard) index(w http.ResponseWriter, r *http.Request) error {
	v, err := d.loadIndex(r)
	if err != nil {
		return err
	}
	v.Done = flash(r)
	return d.render(w, http.StatusOK, "dashboard_index.html", v)
}

func (d *Dashboard) loadIndex(r *http.Request) (*indexView, error) {
	ctx := r.Context()
	v := &indexView{Base: httpapi.BaseURL(r), Contracts: d.contracts, Providers: d.providers(), Scenarios: d.ctl.Scenarios()}
	v.Title = "Sandbank"
	tenants, err := d.ctl.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]client.Tenant, len(tenants))
	for _, t := range tenants {
		byKey[t.Key] = t
		v.Tenants = append(v.Tenants, tenantRow{Tenant: t, Now: stamp(t.Clock.Now), Href: tenantPath(t.Key)})
	}
	for _, demo := range d.demo {
		row := demoRow{Demo: demo}
		if t, ok := byKey[demoKey(demo)]; ok {
			row.Href = tenantPath(t.Key)
		}
		v.Demo = append(v.Demo, row)
	}
	if v.Magic, err = d.magic(ctx, byKey); err != nil {
		return nil, err
	}
	return v, nil
}

func demoKey(d Demo) string { return emulator.TenantKey(emulator.Provider(d.Provider), d.Credential) }

// providers are the providers a tenant can be created for: those whose
// contracts are served ("live/fintecture" serves fintecture too), or all
// three when no contract was named.
func (d *Dashboard) providers() []string {
	var out []string
	for _, c := range d.contracts {
		p := strings.TrimPrefix(c.Name, "live/")
		if slices.Contains(emulator.Providers, emulator.Provider(p)) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		for _, p := range emulator.Providers {
			out = append(out, string(p))
		}
	}
	return out
}

// magic reads the magic logins from the first demo tenant that exists
// (tenants are the index's, by key): PSUs whose scenario outcome is not a
// plain approval, and fault rules that match a PSU.
func (d *Dashboard) magic(ctx context.Context, tenants map[string]client.Tenant) (magicView, error) {
	var v magicView
	var t client.Tenant
	found := false
	for _, demo := range d.demo {
		if t, found = tenants[demoKey(demo)]; found {
			break
		}
	}
	if !found {
		return v, nil
	}
	key := t.Key
	v.Credential, v.Scenario, v.Href = t.Credential, t.Scenario, tenantPath(key)
	world, err := d.ctl.World(ctx, key)
	if err != nil {
		return v, err
	}
	for _, b := range world.Banks {
		if emulator.SCAModel(b.Model) == emulator.SCAAuto {
			v.AutoBanks = append(v.AutoBanks, b)
		}
	}
	// A PSU is present at several banks under one login: list it once.
	byLogin := map[string]int{}
	add := func(login, behaviour string) {
		i, ok := byLogin[login]
		if !ok {
			i = len(v.Logins)
			byLogin[login] = i
			v.Logins = append(v.Logins, magicLogin{Login: login, Password: "—", OTP: "—"})
		}
		if !slices.Contains(v.Logins[i].Behaviour, behaviour) {
			v.Logins[i].Behaviour = append(v.Logins[i].Behaviour, behaviour)
		}
	}
	seen := map[string]client.PSU{}
	for _, p := range world.PSUs {
		if _, ok := seen[p.Login]; !ok {
			seen[p.Login] = p
			v.PSUs = append(v.PSUs, p)
		}
		if p.Outcome != "" && emulator.SCAOutcome(p.Outcome) != emulator.OutcomeApprove {
			add(p.Login, outcomePhrase(p.Outcome))
		}
	}
	rules, err := d.ctl.Faults(ctx, key)
	switch {
	case emulator.IsCode(err, emulator.CodeUnavailable):
		v.Note = "Fault rules are not available here, so logins made special by a fault rule are not listed."
	case err != nil:
		return v, err
	}
	for _, f := range rules {
		if f.Match.PSU != "" {
			add(f.Match.PSU, summary(f.Rule))
		}
	}
	for i := range v.Logins {
		if p, ok := seen[v.Logins[i].Login]; ok {
			v.Logins[i].Password, v.Logins[i].OTP = p.Password, p.OTP
		}
	}
	return v, nil
}

// createTenant creates a tenant from the index page's form and opens its
// page.
func (d *Dashboard) createTenant(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	in := client.NewTenant{
		Provider:   strings.TrimSpace(f.Get("provider")),
		Credential: strings.TrimSpace(f.Get("credential")),
		// The secret is kept exactly as typed: it is compared byte for
		// byte with what the client sends.
		Secret:   f.Get("secret"),
		Scenario: strings.TrimSpace(f.Get("scenario")),
		Label:    strings.TrimSpace(f.Get("label")),
	}
	seed, err := optionalInt("seed", "The seed", f.Get("seed"))
	if err == nil {
		in.Seed = seed
		var t client.Tenant
		if t, err = d.ctl.CreateTenant(r.Context(), in); err == nil {
			return done(w, r, tenantPath(t.Key), "Tenant "+t.Credential+" ("+t.Provider+") created", "")
		}
	}
	pe := classify(err)
	if pe.status >= 500 {
		return err
	}
	v, lerr := d.loadIndex(r)
	if lerr != nil {
		return lerr
	}
	v.Error, v.Form = pe.msg, f
	return d.render(w, pe.status, "dashboard_index.html", v)
}
