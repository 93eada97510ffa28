package fintecture

import (
	"net/http"
	"slices"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// The /res/v1 resources of the live contract (specs/fintecture/live/resources.yaml).
// The npm client reads them with the app_id header alone; their attribute
// names are Sandbank's, as no source shows the real ones.

type providerResource struct {
	ID         string             `json:"id"`
	Type       string             `json:"type"`
	Attributes providerAttributes `json:"attributes"`
}

type providerAttributes struct {
	Provider   string   `json:"provider"`
	FullName   string   `json:"full_name"`
	Country    string   `json:"country"`
	BIC        string   `json:"bic,omitempty"`
	PSUType    []string `json:"psu_type"`
	AuthModels []string `json:"auth_models"`
	AIS        []string `json:"ais"`
	PIS        []string `json:"pis"`
}

type providerList struct {
	Data []providerResource `json:"data"`
	Meta countJSON          `json:"meta"`
}

type oneProvider struct {
	Data providerResource `json:"data"`
}

type testAccountResource struct {
	ID         string                `json:"id"`
	Type       string                `json:"type"`
	Attributes testAccountAttributes `json:"attributes"`
}

type testAccountAttributes struct {
	Provider string `json:"provider"`
	Username string `json:"username"`
	Password string `json:"password,omitempty"`
	OTP      string `json:"otp,omitempty"`
	PSUID    string `json:"psu_id,omitempty"`
	FullName string `json:"full_name,omitempty"`
}

type testAccountList struct {
	Data []testAccountResource `json:"data"`
}

type applicationResource struct {
	ID         string                `json:"id"`
	Type       string                `json:"type"`
	Attributes applicationAttributes `json:"attributes"`
}

type applicationAttributes struct {
	AppID                string   `json:"app_id"`
	Environment          string   `json:"environment"`
	Scopes               []string `json:"scopes"`
	PublicKeyFingerprint *string  `json:"public_key_fingerprint"`
	SignaturesRequired   bool     `json:"signatures_required"`
}

type oneApplication struct {
	Data applicationResource `json:"data"`
}

// providerOf describes one of the tenant's banks. Every Sandbank bank
// serves accounts, transactions and holders to retail and corporate PSUs;
// the auto-approving bank is a redirect bank whose pages need no one.
func providerOf(b emulator.Bank) providerResource {
	model := "redirect"
	if b.Model == emulator.SCADecoupled {
		model = "decoupled"
	}
	return providerResource{ID: b.ID, Type: "providers", Attributes: providerAttributes{
		Provider: b.ID, FullName: b.Name, Country: b.Country, BIC: b.BIC,
		PSUType: []string{"retail", "corporate"}, AuthModels: []string{model},
		AIS: []string{"accounts", "transactions", "account_holders"}, PIS: []string{"sepa"},
	}}
}

// listProviders serves GET /res/v1/providers with the filters the npm
// client's own tests send (filter[country], filter[ais], filter[pis],
// filter[psu_type], sort[full_name]) and filter[auth_model].
func (p *Provider) listProviders(w http.ResponseWriter, r *http.Request) error {
	t := httpapi.TenantFrom(r.Context())
	banks, err := p.store.Banks(r.Context(), t)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	out := providerList{Data: []providerResource{}}
	for _, b := range banks {
		pr := providerOf(b)
		a := pr.Attributes
		if c := q.Get("filter[country]"); c != "" && !strings.EqualFold(c, a.Country) ||
			!offers(a.AIS, q.Get("filter[ais]")) || !offers(a.PIS, q.Get("filter[pis]")) ||
			!offers(a.PSUType, q.Get("filter[psu_type]")) || !offers(a.AuthModels, q.Get("filter[auth_model]")) {
			continue
		}
		out.Data = append(out.Data, pr)
	}
	switch q.Get("sort[full_name]") {
	case "asc":
		slices.SortStableFunc(out.Data, func(a, b providerResource) int { return strings.Compare(a.Attributes.FullName, b.Attributes.FullName) })
	case "desc":
		slices.SortStableFunc(out.Data, func(a, b providerResource) int { return strings.Compare(b.Attributes.FullName, a.Attributes.FullName) })
	}
	out.Meta.Count = len(out.Data)
	return httpapi.JSON(w, http.StatusOK, out)
}

// offers reports whether a capability list holds want ("" matches all).
func offers(list []string, want string) bool {
	return want == "" || slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, want) })
}

// getProvider serves GET /res/v1/providers/{provider_id}.
func (p *Provider) getProvider(w http.ResponseWriter, r *http.Request) error {
	t := httpapi.TenantFrom(r.Context())
	id := httpapi.Var(r, "provider_id")
	b, err := p.store.Bank(r.Context(), t, id)
	if err != nil {
		return emulator.NotFound("provider", id)
	}
	return httpapi.JSON(w, http.StatusOK, oneProvider{Data: providerOf(b)})
}

// listTestAccounts serves GET /res/v1/testaccounts: the credentials of the
// tenant's PSUs, bank by bank, with the x-psu-id of decoupled banks.
func (p *Provider) listTestAccounts(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	q := r.URL.Query()
	banks, err := p.store.Banks(ctx, t)
	if err != nil {
		return err
	}
	if q.Get("sort[provider]") == "desc" {
		slices.Reverse(banks)
	} else if q.Get("sort[provider]") == "asc" {
		slices.SortStableFunc(banks, func(a, b emulator.Bank) int { return strings.Compare(a.ID, b.ID) })
	}
	out := testAccountList{Data: []testAccountResource{}}
	for _, b := range banks {
		if id := q.Get("filter[provider_id]"); id != "" && id != b.ID {
			continue
		}
		psus, err := p.store.PSUs(ctx, t, b.ID)
		if err != nil {
			return err
		}
		for _, u := range psus {
			a := testAccountAttributes{Provider: b.ID, Username: u.Login, Password: u.Password, OTP: u.OTP, FullName: u.FullName}
			if b.Model == emulator.SCADecoupled {
				a.PSUID = u.DecoupledID
			}
			out.Data = append(out.Data, testAccountResource{ID: u.ID, Type: "testaccounts", Attributes: a})
		}
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// getApplication serves GET /res/v1/application: the calling app and what
// its console registration holds.
func (p *Provider) getApplication(w http.ResponseWriter, r *http.Request) error {
	t := httpapi.TenantFrom(r.Context())
	a := applicationAttributes{
		AppID: t.Credential, Environment: "sandbox", Scopes: []string{"AIS", "PIS", "customers"},
		PublicKeyFingerprint: optional(t.App.Fingerprint()), SignaturesRequired: t.App.RequireSignatures,
	}
	return httpapi.JSON(w, http.StatusOK, oneApplication{Data: applicationResource{ID: t.Credential, Type: "applications", Attributes: a}})
}
