package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// tenantView is the data of a tenant's page.
type tenantView struct {
	layout
	T    client.Tenant
	Href string
	// KeyType describes the registered public key ("RSA 2048"), if any.
	KeyType string
	// Failed names the form that was refused and Form holds its fields,
	// so they show again as typed (see Echo).
	Failed string
	Form   url.Values

	Clock    clockView
	Advances []advance

	Scenarios []client.Scenario
	Scenario  string // chosen in the picker
	Seed      string // typed in the picker

	Pending     []scaRow
	Banks       []client.Bank
	Connections []connectionRow
	PSUs        []psuRow
	Accounts    []accountRow

	Faults []faultRow
	// FaultsNote says why fault rules cannot be shown, when they cannot.
	FaultsNote string

	// Webhooks are the newest deliveries; WebhooksMore says older ones
	// exist. JWKS is where receivers get the keys (FinqLink tenants).
	Webhooks     []webhookRow
	WebhooksMore bool
	JWKS         string
}

// clockView is a tenant's clock.
type clockView struct {
	Now     stamp
	Frozen  bool
	Offset  string
	Pending int
	NextDue *stamp
}

// advance is one of the clock's one-click buttons.
type advance struct{ By, Label string }

// advances are the clock's buttons: the steps that cross common token,
// consent and job lifetimes (an hour, a day, a week, PSD2's 90 days).
var advances = []advance{
	{"1h", "+1 hour"}, {"1d", "+1 day"}, {"7d", "+7 days"}, {"30d", "+30 days"}, {"90d", "+90 days"},
}

// scaRow is one pending journey.
type scaRow struct {
	client.SCA
	Created, Expires stamp
	// NeedsBank says the PSU has not chosen a bank yet, so approving
	// needs one.
	NeedsBank bool
}

// connectionRow is one connection (consent).
type connectionRow struct {
	client.Connection
	Created stamp
	Expires *stamp
	State   string
}

// psuRow is one PSU with what its outcome means.
type psuRow struct {
	client.PSU
	Behaviour string
}

// accountRow is one account with its balances formatted.
type accountRow struct {
	client.Account
	PSULogin         string
	Booked, Expected money
	Href             string
}

// tenant serves a tenant's page.
func (d *Dashboard) tenant(w http.ResponseWriter, r *http.Request) error {
	v, err := d.loadTenant(r.Context(), httpapi.Var(r, "key"))
	if err != nil {
		return err
	}
	v.Done = flash(r)
	return d.render(w, http.StatusOK, "dashboard_tenant.html", v)
}

// loadTenant gathers everything a tenant's page shows. An unknown key
// fails with not_found, which becomes the 404 page.
func (d *Dashboard) loadTenant(ctx context.Context, key string) (*tenantView, error) {
	t, err := d.ctl.Tenant(ctx, key)
	if err != nil {
		return nil, err
	}
	v := &tenantView{T: t, Href: tenantPath(key), Advances: advances, Scenario: t.Scenario}
	v.KeyType = emulator.AppSettings{PublicKey: t.App.PublicKey}.KeyType()
	v.Title = tenantName(t)
	v.Crumbs = []crumb{{"Sandbank", "/"}}
	v.Clock = clockView{
		Now: stamp(t.Clock.Now), Frozen: t.Clock.Frozen, Offset: t.Clock.Offset,
		Pending: t.Clock.Pending, NextDue: stampPtr(t.Clock.NextDue),
	}
	v.Scenarios = scenarioChoices(d.ctl.Scenarios(), t.Scenario)

	world, err := d.ctl.World(ctx, key)
	if err != nil {
		return nil, err
	}
	v.Banks = world.Banks
	logins := make(map[string]string, len(world.PSUs))
	for _, p := range world.PSUs {
		logins[p.ID] = p.Login
		v.PSUs = append(v.PSUs, psuRow{PSU: p, Behaviour: outcomePhrase(p.Outcome)})
	}
	for _, a := range world.Accounts {
		v.Accounts = append(v.Accounts, accountRow{
			Account: a, PSULogin: logins[a.PSU],
			Booked: money{a.BookedCents, a.Currency}, Expected: money{a.ExpectedCents, a.Currency},
			Href: v.Href + "/accounts/" + url.PathEscape(a.ID),
		})
	}

	pending, err := d.ctl.PendingSCA(ctx, key)
	if err != nil {
		return nil, err
	}
	for _, s := range pending {
		v.Pending = append(v.Pending, scaRow{
			SCA: s, Created: stamp(s.CreatedAt), Expires: stamp(s.ExpiresAt),
			NeedsBank: s.Bank == "",
		})
	}

	conns, err := d.ctl.Connections(ctx, key)
	if err != nil {
		return nil, err
	}
	for _, c := range conns {
		state := "active"
		if c.Expired {
			state = "expired"
		}
		v.Connections = append(v.Connections, connectionRow{Connection: c, Created: stamp(c.CreatedAt), Expires: stampPtr(c.ExpiresAt), State: state})
	}

	rules, err := d.ctl.Faults(ctx, key)
	switch {
	case emulator.IsCode(err, emulator.CodeUnavailable):
		// A control plane built without fault rules (a test's) still
		// shows the rest of the page.
		v.FaultsNote = emulator.AsError(err).Message
	case err != nil:
		return nil, err
	}
	for _, f := range rules {
		v.Faults = append(v.Faults, newFaultRow(f))
	}
	if err := d.loadWebhooks(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// scenarioChoices lists the scenarios to pick from, with the tenant's own
// even when it is no longer known (a file removed since, or an import).
func scenarioChoices(known []client.Scenario, current string) []client.Scenario {
	for _, s := range known {
		if s.Name == current {
			return known
		}
	}
	if current == "" {
		return known
	}
	return append([]client.Scenario{{Name: current, Description: "this tenant's scenario"}}, known...)
}

// outcomePhrase says what a scenario's SCA outcome makes the bank do, in
// the words of someone clicking through the bank pages.
func outcomePhrase(outcome string) string {
	switch emulator.SCAOutcome(outcome) {
	case emulator.OutcomeApprove, "":
		return "approves or denies as the PSU chooses"
	case emulator.OutcomeDeny:
		return "the bank refuses after login"
	case emulator.OutcomeTimeout:
		return "the bank never answers: the journey times out"
	case emulator.OutcomeNeverReturn:
		return "approved at the bank, but the browser never returns to the client"
	case emulator.OutcomeWrongState:
		return "returns to the client with a wrong state parameter"
	case emulator.OutcomeNoCode:
		return "returns to the client without an authorization code"
	}
	return outcome
}

// refuse shows the tenant's page again with why the posted form was
// refused and its fields as typed, under the error's 4xx status. Errors
// that are not the visitor's (5xx), and an unknown tenant, get the error
// page instead.
func (d *Dashboard) refuse(w http.ResponseWriter, r *http.Request, key, form string, err error) error {
	pe := classify(err)
	if pe.status >= 500 {
		return err
	}
	v, lerr := d.loadTenant(r.Context(), key)
	if lerr != nil {
		return lerr
	}
	v.Error, v.Failed, v.Form = pe.msg, form, r.PostForm
	if form == "scenario" {
		v.Scenario, v.Seed = r.PostForm.Get("scenario"), r.PostForm.Get("seed")
	}
	return d.render(w, pe.status, "dashboard_tenant.html", v)
}

// Echo is a field of the form named, as typed, when that form was just
// refused; otherwise empty. Several forms share field names (bank, seed),
// so only the refused one gets its values back.
func (v *tenantView) Echo(form, field string) string {
	if v.Failed != form {
		return ""
	}
	return v.Form.Get(field)
}

// setLabel changes the tenant's free note.
func (d *Dashboard) setLabel(w http.ResponseWriter, r *http.Request) error {
	key := httpapi.Var(r, "key")
	if err := parseForm(w, r); err != nil {
		return err
	}
	if _, err := d.ctl.SetLabel(r.Context(), key, strings.TrimSpace(r.PostForm.Get("label"))); err != nil {
		return d.refuse(w, r, key, "label", err)
	}
	return done(w, r, tenantPath(key), "Label saved", "")
}

// loadScenario rebuilds the tenant on the scenario and seed picked.
func (d *Dashboard) loadScenario(w http.ResponseWriter, r *http.Request) error {
	key := httpapi.Var(r, "key")
	if err := parseForm(w, r); err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostForm.Get("scenario"))
	if name == "" {
		return d.refuse(w, r, key, "scenario", emulator.FieldError(emulator.CodeMissing, "scenario", "Choose a scenario to load."))
	}
	seed, err := optionalInt("seed", "The seed", r.PostForm.Get("seed"))
	if err != nil {
		return d.refuse(w, r, key, "scenario", err)
	}
	t, err := d.ctl.LoadScenario(r.Context(), key, client.LoadScenario{Name: name, Seed: seed})
	if err != nil {
		return d.refuse(w, r, key, "scenario", err)
	}
	return done(w, r, tenantPath(key), "Scenario "+t.Scenario+" loaded with seed "+strconv.FormatInt(t.Seed, 10), "scenario")
}

// reset puts the tenant back to its scenario's initial state.
func (d *Dashboard) reset(w http.ResponseWriter, r *http.Request) error {
	key := httpapi.Var(r, "key")
	if err := parseForm(w, r); err != nil {
		return err
	}
	t, err := d.ctl.ResetTenant(r.Context(), key)
	if err != nil {
		return d.refuse(w, r, key, "reset", err)
	}
	return done(w, r, tenantPath(key), "Tenant reset to scenario "+t.Scenario, "scenario")
}

// deleteView is the data of the delete confirmation page.
type deleteView struct {
	layout
	T    client.Tenant
	Href string
}

// confirmDelete asks before deleting: without JavaScript there is no
// confirm() dialog, so the question is a page of its own.
func (d *Dashboard) confirmDelete(w http.ResponseWriter, r *http.Request) error {
	key := httpapi.Var(r, "key")
	t, err := d.ctl.Tenant(r.Context(), key)
	if err != nil {
		return err
	}
	v := deleteView{T: t, Href: tenantPath(key)}
	v.Title = "Delete " + t.Credential + "?"
	v.Crumbs = tenantCrumbs(t)
	return d.render(w, http.StatusOK, "dashboard_delete.html", v)
}

// deleteTenant removes the tenant and everything it owns.
func (d *Dashboard) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	key := httpapi.Var(r, "key")
	if err := parseForm(w, r); err != nil {
		return err
	}
	t, err := d.ctl.Tenant(r.Context(), key)
	if err != nil {
		return err
	}
	if err := d.ctl.DeleteTenant(r.Context(), key); err != nil {
		return err
	}
	return done(w, r, "/", "Tenant "+t.Credential+" ("+t.Provider+") deleted", "tenants")
}
