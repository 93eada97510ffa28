package fintecture_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

type customerBody struct {
	ID, FirstName, LastName, Email, ExternalID, CreatedAt string
}

func (h *harness) createCustomer(tok string, body any) customerBody {
	h.T.Helper()
	r := h.postJSON("/fintecture/v1/customers", tok, body)
	if r.Status != 201 {
		h.T.Fatalf("create customer: %d %s", r.Status, r.Body)
	}
	var c struct {
		ID         string `json:"id"`
		FirstName  string `json:"first_name"`
		LastName   string `json:"last_name"`
		Email      string `json:"email"`
		ExternalID string `json:"external_id"`
		CreatedAt  string `json:"created_at"`
	}
	r.Decode(h.T, &c)
	return customerBody{c.ID, c.FirstName, c.LastName, c.Email, c.ExternalID, c.CreatedAt}
}

func TestCustomersCreateGetList(t *testing.T) {
	h := newHarness(t)
	tok := h.customersToken(appID, appSecret)
	c := h.createCustomer(tok, map[string]any{"first_name": "Léa", "last_name": "Durand", "email": "lea@example.com", "external_id": "crm-1"})
	if len(c.ID) != 32 || c.FirstName != "Léa" || c.ExternalID != "crm-1" || c.CreatedAt != "2026-03-02T09:30:00Z" {
		t.Fatalf("created customer: %+v", c)
	}
	var got struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	}
	h.get("/fintecture/v1/customers/"+c.ID, tok).Decode(t, &got)
	if got.ID != c.ID || got.Email != "lea@example.com" {
		t.Fatalf("get: %+v", got)
	}
	for i := 0; i < 4; i++ {
		h.createCustomer(tok, map[string]any{"first_name": fmt.Sprint("F", i), "last_name": "L", "email": fmt.Sprintf("f%d@example.com", i)})
	}
	var page struct {
		Data []struct{ ID, Email string } `json:"data"`
		Meta struct{ Count int }          `json:"meta"`
	}
	h.get("/fintecture/v1/customers?page[number]=2&page[size]=2", tok).Decode(t, &page)
	if page.Meta.Count != 5 || len(page.Data) != 2 || page.Data[0].Email != "f1@example.com" {
		t.Fatalf("page 2 of size 2: %+v", page)
	}
	h.get("/fintecture/v1/customers?page%5Bnumber%5D=3&page%5Bsize%5D=2", tok).Decode(t, &page)
	if len(page.Data) != 1 {
		t.Fatalf("last page should hold 1 customer, got %d", len(page.Data))
	}
	h.get("/fintecture/v1/customers?external_id=crm-1", tok).Decode(t, &page)
	if page.Meta.Count != 1 || page.Data[0].ID != c.ID {
		t.Fatalf("external_id filter: %+v", page)
	}
	for _, q := range []string{"page[size]=0", "page[size]=101", "page[number]=0", "page[number]=x"} {
		r := h.get("/fintecture/v1/customers?"+q, tok)
		if code := r.errorCode(t, 400); code != "invalid_field" || !strings.Contains(r.message(t), "page[") {
			t.Errorf("%s: %s %s", q, code, r.Body)
		}
	}
	if code := h.get("/fintecture/v1/customers/0123456789abcdef0123456789abcdef", tok).errorCode(t, 400); code != "customer_unknown" {
		t.Fatalf("unknown customer: %s", code)
	}
}

func TestCustomerCreateRejectsBadInputAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	tok := h.customersToken(appID, appSecret)
	cases := []struct {
		name, body, code, field string
	}{
		{"missing email", `{"first_name":"A","last_name":"B"}`, "mandatory_field_missing", "email"},
		{"missing first name", `{"last_name":"B","email":"a@example.com"}`, "mandatory_field_missing", "first_name"},
		{"blank last name", `{"first_name":"A","last_name":" ","email":"a@example.com"}`, "mandatory_field_missing", "last_name"},
		{"bad email", `{"first_name":"A","last_name":"B","email":"not-an-email"}`, "invalid_field", "email"},
		{"wrong type", `{"first_name":5,"last_name":"B","email":"a@example.com"}`, "invalid_field", "first_name"},
		{"malformed JSON", `{"first_name":"A",`, "invalid_field", "body"},
		{"not an object", `[1,2]`, "invalid_field", "body"},
		{"empty body", ``, "mandatory_field_missing", "body"},
	}
	for _, c := range cases {
		r := h.postJSON("/fintecture/v1/customers", tok, c.body)
		if code := r.errorCode(t, 400); code != c.code || !strings.Contains(r.message(t), c.field) {
			t.Errorf("%s: want %s naming %s, got %s: %s", c.name, c.code, c.field, code, r.Body)
		}
	}
	r := h.do(req{method: "POST", url: "/fintecture/v1/customers", body: []byte("first_name=A"), ctype: "text/plain", bearer: tok})
	if code := r.errorCode(t, 415); code != "unsupported_media_type" {
		t.Errorf("wrong content type: %s", code)
	}
	big := `{"first_name":"` + strings.Repeat("a", 2<<20) + `","last_name":"B","email":"a@example.com"}`
	if code := h.postJSON("/fintecture/v1/customers", tok, big).errorCode(t, 413); code != "payload_too_large" {
		t.Errorf("oversized body: %s", code)
	}
	var list struct{ Meta struct{ Count int } }
	h.get("/fintecture/v1/customers", tok).Decode(t, &list)
	if list.Meta.Count != 0 {
		t.Fatalf("failed requests created %d customers", list.Meta.Count)
	}
	// An AIS token is not a Customers token.
	_, ais := h.connected(appID, appSecret)
	if code := h.get("/fintecture/v1/customers", ais).errorCode(t, 401); code != "invalid_scopes" {
		t.Fatalf("AIS token on Customers API: %s", code)
	}
}

func TestCustomerBankAccounts(t *testing.T) {
	h := newHarness(t)
	tok := h.customersToken(appID, appSecret)
	c := h.createCustomer(tok, map[string]any{"first_name": "Léa", "last_name": "Durand", "email": "lea@example.com"})
	base := "/fintecture/v1/customers/" + c.ID + "/bank-accounts"
	r := h.postJSON(base, tok, map[string]any{"iban": "FR14 2004 1010 0505 0001 3M02 606", "holder_name": "Léa Durand", "bic": "PSSTFRPPPAR"})
	if r.Status != 201 {
		t.Fatalf("create bank account: %d %s", r.Status, r.Body)
	}
	var ba struct {
		ID, IBAN, Currency string
		Verified           bool
	}
	r.Decode(t, &ba)
	if ba.IBAN != "FR1420041010050500013M02606" || ba.Currency != "EUR" || ba.Verified {
		t.Fatalf("bank account: %+v", ba)
	}
	for name, body := range map[string]string{
		"bad check digits": `{"iban":"FR1520041010050500013M02606","holder_name":"X"}`,
		"wrong length":     `{"iban":"FR14200410100505","holder_name":"X"}`,
		"missing holder":   `{"iban":"FR1420041010050500013M02606"}`,
		"bad currency":     `{"iban":"FR1420041010050500013M02606","holder_name":"X","currency":"euro"}`,
		"bad bic":          `{"iban":"FR1420041010050500013M02606","holder_name":"X","bic":"12"}`,
	} {
		r := h.postJSON(base, tok, body)
		r.errorCode(t, 400)
		field := map[string]string{"missing holder": "holder_name", "bad currency": "currency", "bad bic": "bic"}[name]
		if field == "" {
			field = "iban"
		}
		if !strings.Contains(r.message(t), field) {
			t.Errorf("%s: message should name %s: %s", name, field, r.Body)
		}
	}
	var list struct{ Data []struct{ ID string } }
	h.get(base, tok).Decode(t, &list)
	if len(list.Data) != 1 || list.Data[0].ID != ba.ID {
		t.Fatalf("rejected accounts were stored: %+v", list)
	}
	if h.get(base+"/"+ba.ID, tok).Status != 200 {
		t.Fatal("get bank account failed")
	}
	if code := h.get(base+"/ffffffffffffffffffffffffffffffff", tok).errorCode(t, 400); code != "account_unknown" {
		t.Fatalf("unknown bank account: %s", code)
	}
	if code := h.get("/fintecture/v1/customers/nope/bank-accounts", tok).errorCode(t, 400); code != "customer_unknown" {
		t.Fatalf("unknown customer: %s", code)
	}
}

func TestCustomerVerificationsMoveOnTheTenantClock(t *testing.T) {
	h := newHarness(t)
	tok := h.customersToken(appID, appSecret)
	c := h.createCustomer(tok, map[string]any{"first_name": "Léa", "last_name": "Durand", "email": "lea@example.com"})
	base := "/fintecture/v1/customers/" + c.ID
	type verification struct {
		ID         string   `json:"id"`
		Status     string   `json:"status"`
		MatchScore *float64 `json:"match_score"`
		ProviderID string   `json:"provider_id"`
		VerifiedAt string   `json:"verified_at"`
	}
	start := func(body any) verification {
		r := h.postJSON(base+"/verification", tok, body)
		if r.Status != 201 {
			t.Fatalf("initiate: %d %s", r.Status, r.Body)
		}
		var v verification
		r.Decode(t, &v)
		return v
	}
	good := start(map[string]any{"provider_id": "cmcifrpp", "expected_name": "DURAND Lea"})
	bad := start(map[string]any{"provider_id": "cmcifrpp", "expected_name": "Jean Dupont"})
	if good.Status != "pending" || good.MatchScore != nil || good.VerifiedAt != "" {
		t.Fatalf("a new verification is pending: %+v", good)
	}
	h.Clock.Advance(29 * time.Second)
	h.runDue(appID)
	var v verification
	h.get(base+"/verification/"+good.ID, tok).Decode(t, &v)
	if v.Status != "pending" {
		t.Fatalf("still pending before 30s: %+v", v)
	}
	h.Clock.Advance(time.Second)
	h.runDue(appID)
	h.get(base+"/verification/"+good.ID, tok).Decode(t, &v)
	if v.Status != "verified" || v.MatchScore == nil || *v.MatchScore < 0.85 || v.VerifiedAt == "" {
		t.Fatalf("matching name should verify: %+v", v)
	}
	h.get(base+"/verification/"+bad.ID, tok).Decode(t, &v)
	if v.Status != "unverified" || v.MatchScore == nil || *v.MatchScore >= 0.85 {
		t.Fatalf("other name should not verify: %+v", v)
	}
	var hist struct{ Data []verification }
	h.get(base+"/verifications", tok).Decode(t, &hist)
	if len(hist.Data) != 2 || hist.Data[0].ID != good.ID || hist.Data[1].ID != bad.ID {
		t.Fatalf("history: %+v", hist)
	}
	r := h.postJSON(base+"/verification", tok, map[string]any{"provider_id": "nosuchbank"})
	if code := r.errorCode(t, 400); code != "invalid_field" || !strings.Contains(r.message(t), "provider_id") {
		t.Fatalf("unknown provider: %s", r.Body)
	}
	if code := h.get(base+"/verification/nope", tok).errorCode(t, 404); code != "not_found" {
		t.Fatalf("unknown verification: %s", code)
	}
}

func TestTenantsAreIsolated(t *testing.T) {
	h := newHarness(t)
	tokA := h.customersToken("app-a", "sa")
	tokB := h.customersToken("app-b", "sb")
	c := h.createCustomer(tokA, map[string]any{"first_name": "A", "last_name": "A", "email": "a@example.com"})
	if code := h.get("/fintecture/v1/customers/"+c.ID, tokB).errorCode(t, 400); code != "customer_unknown" {
		t.Fatalf("B sees A's customer: %s", code)
	}
	var list struct{ Meta struct{ Count int } }
	h.get("/fintecture/v1/customers", tokB).Decode(t, &list)
	if list.Meta.Count != 0 {
		t.Fatalf("B lists %d customers", list.Meta.Count)
	}
	custA, _ := h.connected("app-a", "sa")
	_, aisB := h.connected("app-b", "sb")
	if code := h.get("/fintecture/ais/v1/customer/"+custA+"/accounts", aisB).errorCode(t, 400); code != "customer_unknown" {
		t.Fatalf("B reads A's connection: %s", code)
	}
	_ = url.Values{}
}
