package finqlink

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/fixtures"
)

// The providers catalogue (Pay): the banks of the tenant's world, each
// with what FinqLink's catalogue says of it (fixtures/finqlink_providers.yaml).

type aisFilter struct {
	AccountOwnerType []string `json:"account_owner_type"`
	InterfaceType    string   `json:"interface_type"`
	InterfaceEnv     string   `json:"interface_env"`
}

type providerOptions struct {
	ShowPaymentMethods   bool       `json:"show_payment_methods"`
	ShowValidationSchema bool       `json:"show_validation_schema"`
	ShowAisMethods       bool       `json:"show_ais_methods"`
	AisMethodsFilter     *aisFilter `json:"ais_methods_filter"`
}

type providerJSON struct {
	ProviderID     string              `json:"provider_id"`
	Name           string              `json:"name"`
	Country        string              `json:"country"`
	LogoURL        *string             `json:"logo_url"`
	PaymentMethods []paymentMethodJSON `json:"payment_methods,omitempty"`
	AisMethods     []aisMethodJSON     `json:"ais_methods,omitempty"`
}

type paymentMethodJSON struct {
	RemitterType     []string        `json:"remitter_type"`
	PaymentScheme    string          `json:"payment_scheme"`
	Env              string          `json:"env"`
	Features         []string        `json:"features"`
	ValidationSchema json.RawMessage `json:"validation_schema,omitempty"`
}

type aisMethodJSON struct {
	AccountOwnerType []string `json:"account_owner_type"`
	InterfaceType    string   `json:"interface_type"`
	InterfaceEnv     string   `json:"interface_env"`
}

type listProvidersRequest struct {
	Options providerOptions `json:"options"`
}

type listProvidersReply struct {
	RequestID    string         `json:"request_id"`
	APIClientApp string         `json:"api_client_app"`
	ClientID     string         `json:"client_id"`
	Providers    []providerJSON `json:"providers"`
}

type getProviderRequest struct {
	ProviderID string          `json:"provider_id"`
	Options    providerOptions `json:"options"`
}

type getProviderReply struct {
	RequestID    string       `json:"request_id"`
	APIClientApp string       `json:"api_client_app"`
	Provider     providerJSON `json:"provider"`
}

// listProviders serves POST /v2/providers/list. With an ais_methods_filter
// only the providers with a matching AIS method are listed, and only
// their matching methods shown.
func (p *Provider) listProviders(w http.ResponseWriter, r *http.Request) error {
	var in listProvidersRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	t := httpapi.TenantFrom(r.Context())
	banks, err := p.store.Banks(r.Context(), t)
	if err != nil {
		return err
	}
	out := listProvidersReply{RequestID: httpapi.RequestID(r.Context()), APIClientApp: appName(t), ClientID: t.Credential, Providers: []providerJSON{}}
	for _, b := range banks {
		pj, ok := providerOf(r, b, in.Options)
		if ok {
			out.Providers = append(out.Providers, pj)
		}
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// getProvider serves POST /v2/providers/get.
func (p *Provider) getProvider(w http.ResponseWriter, r *http.Request) error {
	var in getProviderRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	t := httpapi.TenantFrom(r.Context())
	b, err := p.store.Bank(r.Context(), t, in.ProviderID)
	if err != nil {
		return emulator.NotFound("provider", in.ProviderID)
	}
	pj, _ := providerOf(r, b, in.Options)
	return httpapi.JSON(w, http.StatusOK, getProviderReply{RequestID: httpapi.RequestID(r.Context()), APIClientApp: appName(t), Provider: pj})
}

// providerOf describes a bank as FinqLink's catalogue does; ok is false
// when an AIS filter was given and no method of the bank matches it.
func providerOf(r *http.Request, b emulator.Bank, o providerOptions) (providerJSON, bool) {
	out := providerJSON{ProviderID: b.ID, Name: b.Name, Country: b.Country}
	meta := catalogueEntry(b)
	if meta.LogoPath != "" {
		logo := meta.LogoURL(httpapi.BaseURL(r))
		out.LogoURL = &logo
	}
	ais := meta.AisMethods
	if f := o.AisMethodsFilter; f != nil {
		ais = aisMethods(meta, emulator.AISMethodFilter{AccountOwnerType: f.AccountOwnerType, InterfaceType: f.InterfaceType, InterfaceEnv: f.InterfaceEnv})
		if len(ais) == 0 {
			return out, false
		}
	}
	if o.ShowAisMethods {
		for _, m := range ais {
			out.AisMethods = append(out.AisMethods, aisMethodWire(m))
		}
	}
	if o.ShowPaymentMethods {
		for _, m := range meta.PaymentMethods {
			pm := paymentMethodJSON{RemitterType: strs(m.RemitterType), PaymentScheme: string(m.PaymentScheme), Env: string(m.Env), Features: features(m)}
			if o.ShowValidationSchema {
				pm.ValidationSchema = intentSchema
			}
			out.PaymentMethods = append(out.PaymentMethods, pm)
		}
	}
	return out, true
}

// aisMethodWire is an AIS method as the contract's AisMethod.
func aisMethodWire(m fixtures.FinqLinkAisMethod) aisMethodJSON {
	return aisMethodJSON{AccountOwnerType: strs(m.AccountOwnerType), InterfaceType: m.InterfaceType, InterfaceEnv: string(m.InterfaceEnv)}
}

// features is a payment method's features on the wire: a list, never
// null.
func features(m fixtures.FinqLinkPaymentMethod) []string {
	if len(m.Features) == 0 {
		return []string{}
	}
	return strs(m.Features)
}

// catalogueEntry is what FinqLink's catalogue says of a bank. A bank a
// scenario adds is not in it: providers/list, create-link, create-consent
// and the WebUI all take it for a retail SEPA bank with API access in the
// sandbox, without a logo.
func catalogueEntry(b emulator.Bank) fixtures.FinqLinkProvider {
	if meta, ok := fixtures.FinqLinkProviderNamed(b.ID); ok {
		return meta
	}
	retail := []fixtures.FinqLinkRemitterType{fixtures.FinqLinkRetail}
	return fixtures.FinqLinkProvider{
		ID: b.ID, Name: b.Name,
		PaymentMethods: []fixtures.FinqLinkPaymentMethod{{RemitterType: retail, PaymentScheme: fixtures.FinqLinkSEPA, Env: fixtures.FinqLinkSandbox}},
		AisMethods:     []fixtures.FinqLinkAisMethod{{AccountOwnerType: retail, InterfaceType: "api", InterfaceEnv: fixtures.FinqLinkSandbox}},
	}
}

// The filters of a link's payment_method and a consent's ais_method
// (notes §3) are decided here alone: create-link and create-consent refuse
// a filter that leaves no bank, get-link and get-consent show the method
// chosen, providers/list filters with ais_methods_filter, and the WebUI
// offers the banks left.

// payMethods lists, in catalogue order, the payment methods of a provider
// that a link's filter allows: each field the client set must match, and
// of remitter_type one of the listed kinds is enough.
func payMethods(meta fixtures.FinqLinkProvider, f emulator.LinkMethodFilter) []fixtures.FinqLinkPaymentMethod {
	var out []fixtures.FinqLinkPaymentMethod
	for _, m := range meta.PaymentMethods {
		if overlaps(f.RemitterType, m.RemitterType) &&
			(f.PaymentScheme == "" || f.PaymentScheme == string(m.PaymentScheme)) &&
			(f.Env == "" || f.Env == string(m.Env)) {
			out = append(out, m)
		}
	}
	return out
}

// aisMethods is payMethods for a consent's ais_method filter.
func aisMethods(meta fixtures.FinqLinkProvider, f emulator.AISMethodFilter) []fixtures.FinqLinkAisMethod {
	var out []fixtures.FinqLinkAisMethod
	for _, m := range meta.AisMethods {
		if overlaps(f.AccountOwnerType, m.AccountOwnerType) &&
			(f.InterfaceType == "" || f.InterfaceType == m.InterfaceType) &&
			(f.InterfaceEnv == "" || f.InterfaceEnv == string(m.InterfaceEnv)) {
			out = append(out, m)
		}
	}
	return out
}

// overlaps reports whether want is empty (no filter) or names one of have.
func overlaps(want []string, have []fixtures.FinqLinkRemitterType) bool {
	if len(want) == 0 {
		return true
	}
	return slices.ContainsFunc(want, func(w string) bool {
		return slices.Contains(have, fixtures.FinqLinkRemitterType(w))
	})
}

// payAllows and aisAllows report whether a provider has a method a link's
// or a consent's filter allows.
func payAllows(f emulator.LinkMethodFilter) func(fixtures.FinqLinkProvider) bool {
	return func(meta fixtures.FinqLinkProvider) bool { return len(payMethods(meta, f)) > 0 }
}

func aisAllows(f emulator.AISMethodFilter) func(fixtures.FinqLinkProvider) bool {
	return func(meta fixtures.FinqLinkProvider) bool { return len(aisMethods(meta, f)) > 0 }
}

// banksAllowing lists, in the world's order, the tenant's banks that a
// filter allows: only the bank only, when set, and of those the ones
// whose catalogue entry allows accepts. known is false when only is not a
// bank of the world.
func banksAllowing(ctx context.Context, st *store.Store, t *emulator.Tenant, only string, allows func(fixtures.FinqLinkProvider) bool) (kept []emulator.Bank, known bool, err error) {
	banks, err := st.Banks(ctx, t)
	if err != nil {
		return nil, false, err
	}
	known = only == ""
	for _, b := range banks {
		if only != "" && b.ID != only {
			continue
		}
		known = true
		if allows(catalogueEntry(b)) {
			kept = append(kept, b)
		}
	}
	return kept, known, nil
}

func strs[T ~string](in []T) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

// appName is the api_client_app of replies: the client's label when the
// dashboard gave it one, else its client_id.
func appName(t *emulator.Tenant) string {
	if t.Label != "" {
		return t.Label
	}
	return t.Credential
}

// intentSchema is the JSON Schema of a payment intent as create-link takes
// it (show_validation_schema): the contract's own rules for the amount,
// currency and creditor.
var intentSchema = json.RawMessage(`{"type":"object","required":["amount","currency","creditor"],"properties":{` +
	`"amount":{"type":"string","pattern":"^(0|[1-9][0-9]*)(\\.[0-9]+)?$"},` +
	`"currency":{"type":"string","pattern":"^[A-Z]{3}$"},` +
	`"creditor":{"type":"object","required":["name","iban"],"properties":{"name":{"type":"string"},"iban":{"type":"string"}}},` +
	`"description":{"type":"string","maxLength":140}}}`)
