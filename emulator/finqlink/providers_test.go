package finqlink_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"
)

type providersBody struct {
	RequestID    string `json:"request_id"`
	APIClientApp string `json:"api_client_app"`
	ClientID     string `json:"client_id"`
	Providers    []struct {
		ProviderID     string `json:"provider_id"`
		Name           string `json:"name"`
		PaymentMethods []struct {
			RemitterType     []string       `json:"remitter_type"`
			ValidationSchema map[string]any `json:"validation_schema"`
		} `json:"payment_methods"`
		AisMethods []struct {
			AccountOwnerType []string `json:"account_owner_type"`
		} `json:"ais_methods"`
	} `json:"providers"`
}

func creds(extra string) string {
	return fmt.Sprintf(`{"client_id":%q,"client_secret":%q%s}`, clientID, clientSecret, extra)
}

func TestProviders(t *testing.T) {
	h := newHarness(t)
	r := h.post("/v2/providers/list", creds(""), map[string]string{"x-request-id": "req-42"})
	var list providersBody
	if r.Status != 200 {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &list)
	ids := map[string]bool{}
	for _, p := range list.Providers {
		ids[p.ProviderID] = true
		if p.PaymentMethods != nil || p.AisMethods != nil {
			t.Fatalf("methods shown unasked: %s", r.Body)
		}
	}
	for _, want := range []string{"rzb_ro", "bt_ro", "cec_ro", "libra_ro"} {
		if !ids[want] {
			t.Errorf("sandbox provider %s missing: %s", want, r.Body)
		}
	}
	if list.RequestID != "req-42" || list.ClientID != clientID || list.APIClientApp == "" {
		t.Fatalf("envelope: %+v", list)
	}

	r = h.post("/v2/providers/list", creds(`,"options":{"show_payment_methods":true,"show_ais_methods":true,"ais_methods_filter":{"account_owner_type":["corporate"]}}`), nil)
	r.Decode(t, &list)
	if len(list.Providers) == 0 {
		t.Fatalf("no corporate AIS provider: %s", r.Body)
	}
	for _, p := range list.Providers {
		if len(p.PaymentMethods) == 0 || len(p.AisMethods) == 0 {
			t.Fatalf("methods not shown: %s", r.Body)
		}
		for _, m := range p.AisMethods {
			if !slices.Contains(m.AccountOwnerType, "corporate") {
				t.Fatalf("the filter let through %v", m.AccountOwnerType)
			}
		}
		if p.PaymentMethods[0].RemitterType == nil {
			t.Fatalf("remitter_type is an array: %s", r.Body)
		}
	}

	var one struct {
		Provider struct {
			ProviderID     string `json:"provider_id"`
			PaymentMethods []struct {
				ValidationSchema map[string]any `json:"validation_schema"`
			} `json:"payment_methods"`
		} `json:"provider"`
	}
	r = h.post("/v2/providers/get", creds(`,"provider_id":"bt_ro","options":{"show_payment_methods":true,"show_validation_schema":true}`), nil)
	if r.Status != 200 {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &one)
	if one.Provider.ProviderID != "bt_ro" || len(one.Provider.PaymentMethods) == 0 || one.Provider.PaymentMethods[0].ValidationSchema == nil {
		t.Fatalf("get: %s", r.Body)
	}
	if e := h.post("/v2/providers/get", creds(`,"provider_id":"nope_ro"`), nil).failure(t, 404); e.Code != "not_found" {
		t.Fatalf("unknown provider: %+v", e)
	}
	if e := h.post("/v2/providers/get", creds(""), nil).failure(t, 400); e.Code != "validation_error" {
		t.Fatalf("no provider_id: %+v", e)
	}
	if e := h.post("/v2/providers/list", creds(`,"options":{"show_payment_methods":"yes"}`), nil).failure(t, 400); e.Code != "validation_error" {
		t.Fatalf("a string for a boolean: %+v", e)
	}
}

// Every path form of notes §1 reaches the same operation.
func TestPathForms(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/v2/providers/list", "/v2/test/providers/list", "/test/providers/list", "/providers/list"} {
		if r := h.post(path, creds(""), nil); r.Status != 200 {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
	}
	if e := h.post("/v2/nothing/here", creds(""), nil).failure(t, 404); e.Code != "not_found" {
		t.Fatalf("unknown path: %+v", e)
	}
	if e := h.send("GET", base+"/v2/providers/list", "", nil, nil).failure(t, 405); e.Code != "method_not_allowed" {
		t.Fatalf("GET: %+v", e)
	}
}

// Test mode's client_secret and OAuth2's Bearer token both authenticate;
// client_id is required either way.
func TestAPIAuth(t *testing.T) {
	h := newHarness(t)
	list := func(body string, header map[string]string) resp { return h.post("/v2/providers/list", body, header) }
	if r := list(creds(""), nil); r.Status != 200 {
		t.Fatalf("secret: %d %s", r.Status, r.Body)
	}
	var tok tokenBody
	h.form(url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret}}, nil).Decode(t, &tok)
	bearer := map[string]string{"Authorization": "Bearer " + tok.AccessToken}
	if r := list(fmt.Sprintf(`{"client_id":%q}`, clientID), bearer); r.Status != 200 {
		t.Fatalf("bearer: %d %s", r.Status, r.Body)
	}
	for _, c := range []struct {
		name   string
		body   string
		header map[string]string
		status int
		code   string
	}{
		{"no client_id with a token", `{}`, bearer, 401, "unauthorized"},
		{"no secret, no token", fmt.Sprintf(`{"client_id":%q}`, clientID), nil, 401, "unauthorized"},
		{"wrong secret", fmt.Sprintf(`{"client_id":%q,"client_secret":"wrong"}`, clientID), nil, 401, "unauthorized"},
		{"another client's token", `{"client_id":"other-client-1"}`, bearer, 401, "unauthorized"},
		{"forged token", fmt.Sprintf(`{"client_id":%q}`, clientID), map[string]string{"Authorization": "Bearer 1.deadbeef"}, 401, "unauthorized"},
		{"client_id a number", `{"client_id":42,"client_secret":"x"}`, nil, 400, "validation_error"},
		{"malformed JSON", `{"client_id":`, nil, 400, "bad_request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if e := list(c.body, c.header).failure(t, c.status); e.Code != c.code {
				t.Fatalf("%+v, want %s", e, c.code)
			}
		})
	}
	if e := h.send("POST", base+"/v2/providers/list", "text/plain", nil, nil).failure(t, 415); e.Code != "bad_request" {
		t.Fatalf("text body: %+v", e)
	}
	// The token expires an hour later on the tenant clock.
	h.Clock.Advance(61 * time.Minute)
	if e := list(fmt.Sprintf(`{"client_id":%q}`, clientID), bearer).failure(t, 401); e.Code != "unauthorized" {
		t.Fatalf("expired token: %+v", e)
	}
}
