package finqlink

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
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
	meta, known := fixtures.FinqLinkProviderNamed(b.ID)
	if !known {
		// A bank a scenario adds: a retail SEPA bank with API access.
		meta = fixtures.FinqLinkProvider{
			PaymentMethods: []fixtures.FinqLinkPaymentMethod{{RemitterType: []fixtures.FinqLinkRemitterType{fixtures.FinqLinkRetail}, PaymentScheme: fixtures.FinqLinkSEPA, Env: fixtures.FinqLinkSandbox}},
			AisMethods:     []fixtures.FinqLinkAisMethod{{AccountOwnerType: []fixtures.FinqLinkRemitterType{fixtures.FinqLinkRetail}, InterfaceType: "api", InterfaceEnv: fixtures.FinqLinkSandbox}},
		}
	} else if meta.LogoPath != "" {
		logo := meta.LogoURL(httpapi.BaseURL(r))
		out.LogoURL = &logo
	}
	var ais []aisMethodJSON
	for _, m := range meta.AisMethods {
		if o.AisMethodsFilter == nil || o.AisMethodsFilter.matches(m) {
			ais = append(ais, aisMethodJSON{AccountOwnerType: strs(m.AccountOwnerType), InterfaceType: m.InterfaceType, InterfaceEnv: string(m.InterfaceEnv)})
		}
	}
	if o.AisMethodsFilter != nil && len(ais) == 0 {
		return out, false
	}
	if o.ShowAisMethods {
		out.AisMethods = ais
	}
	if o.ShowPaymentMethods {
		for _, m := range meta.PaymentMethods {
			pm := paymentMethodJSON{RemitterType: strs(m.RemitterType), PaymentScheme: string(m.PaymentScheme), Env: string(m.Env), Features: strs(m.Features)}
			if pm.Features == nil {
				pm.Features = []string{}
			}
			if o.ShowValidationSchema {
				pm.ValidationSchema = intentSchema
			}
			out.PaymentMethods = append(out.PaymentMethods, pm)
		}
	}
	return out, true
}

func (f *aisFilter) matches(m fixtures.FinqLinkAisMethod) bool {
	if len(f.AccountOwnerType) > 0 && !slices.ContainsFunc(f.AccountOwnerType, func(o string) bool {
		return slices.Contains(m.AccountOwnerType, fixtures.FinqLinkRemitterType(o))
	}) {
		return false
	}
	if f.InterfaceType != "" && f.InterfaceType != m.InterfaceType {
		return false
	}
	return f.InterfaceEnv == "" || f.InterfaceEnv == string(m.InterfaceEnv)
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
