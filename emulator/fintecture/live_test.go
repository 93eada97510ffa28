package fintecture_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
)

// The live contract (/live/fintecture) over HTTP: every response is
// validated against specs/fintecture/live by the harness.

const live = "/live/fintecture"

type liveAccountsBody struct {
	Meta struct {
		CustomerID string `json:"customer_id"`
		Provider   string `json:"provider"`
	} `json:"meta"`
	Data []liveAccountBody `json:"data"`
}

type liveAccountBody struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes struct {
		AccountID        string   `json:"account_id"`
		IBAN             string   `json:"iban"`
		Currency         string   `json:"currency"`
		AccountType      *string  `json:"account_type"`
		Balance          *float64 `json:"balance"`
		BalanceAvailable *float64 `json:"balance_available"`
	} `json:"attributes"`
}

type liveTransactionsBody struct {
	Data []struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		Attributes struct {
			Amount        string `json:"amount"`
			Communication string `json:"communication"`
			Status        string `json:"status"`
			BookingDate   string `json:"booking_date"`
		} `json:"attributes"`
	} `json:"data"`
	Links struct {
		Self string `json:"self"`
		Next string `json:"next"`
	} `json:"links"`
}

// liveConnect completes a journey at the auto-approving bank through the
// live contract with the app_id header, as the npm client does, and
// exchanges the code.
func (h *harness) liveConnect(app, secret string) (customerID string, tok tokenJSON) {
	h.T.Helper()
	r := h.do(req{url: live + "/ais/v1/provider/cmmcfr/authorize?response_type=code&state=s1&redirect_uri=" + url.QueryEscape(clientCB), header: map[string]string{"app_id": app}})
	if r.Status != http.StatusOK {
		h.T.Fatalf("authorize: %d %s", r.Status, r.Body)
	}
	var a struct{ Provider, Model, URL string }
	r.Decode(h.T, &a)
	if a.Provider != "cmmcfr" || a.Model != "redirect" || a.URL == "" {
		h.T.Fatalf("live authorize answers flat provider, model and url: %s", r.Body)
	}
	back := h.do(req{url: h.do(req{url: a.URL}).location(h.T).String()}).location(h.T)
	q := back.Query()
	if q.Get("state") != "s1" || q.Get("provider") != "cmmcfr" {
		h.T.Fatalf("redirect back: %s", back)
	}
	r = h.postForm(live+"/oauth/accesstoken", url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "scope": {"AIS"}}, [2]string{app, secret})
	if r.Status != http.StatusOK {
		h.T.Fatalf("code exchange: %d %s", r.Status, r.Body)
	}
	r.Decode(h.T, &tok)
	return q.Get("customer_id"), tok
}

func TestLiveOneWorldWithTheSpecContract(t *testing.T) {
	h := newHarness(t)
	h.customersToken(appID, appSecret)

	// Made through the live contract, read through the spec one.
	cust, tok := h.liveConnect(appID, appSecret)
	var spec accountsBody
	h.get("/fintecture/ais/v1/customer/"+cust+"/accounts", tok.AccessToken).Decode(t, &spec)
	var lv liveAccountsBody
	h.get(live+"/ais/v1/customer/"+cust+"/accounts", tok.AccessToken).Decode(t, &lv)
	if len(spec.Data) == 0 || len(spec.Data) != len(lv.Data) {
		t.Fatalf("spec sees %d accounts, live %d", len(spec.Data), len(lv.Data))
	}
	for i := range lv.Data {
		if lv.Data[i].ID != spec.Data[i].ID || lv.Data[i].Attributes.IBAN != spec.Data[i].IBAN || lv.Data[i].Type != "accounts" {
			t.Errorf("account %d: live %+v, spec %+v", i, lv.Data[i], spec.Data[i])
		}
	}
	if lv.Meta.CustomerID != cust || lv.Meta.Provider != "cmmcfr" {
		t.Errorf("meta: %+v", lv.Meta)
	}

	// Made through the spec contract, read through the live one.
	cust2, tok2 := h.connected(appID, appSecret)
	if r := h.get(live+"/ais/v1/customer/"+cust2+"/accountholders", tok2); r.Status != 200 {
		t.Fatalf("holders of a spec-made connection: %d %s", r.Status, r.Body)
	}
}

func TestLiveAccounts(t *testing.T) {
	h := newHarness(t)
	h.customersToken(appID, appSecret)
	cust, tok := h.liveConnect(appID, appSecret)
	base := live + "/ais/v1/customer/" + cust

	var plain, with liveAccountsBody
	h.get(base+"/accounts", tok.AccessToken).Decode(t, &plain)
	h.get(base+"/accounts?withBalances=true", tok.AccessToken).Decode(t, &with)
	a := plain.Data[0].Attributes
	if a.AccountID != plain.Data[0].ID || a.Balance == nil || a.BalanceAvailable != nil || a.AccountType == nil || *a.AccountType != "CACC" {
		t.Fatalf("without withBalances: %+v", a)
	}
	if with.Data[0].Attributes.BalanceAvailable == nil || *with.Data[0].Attributes.BalanceAvailable > *with.Data[0].Attributes.Balance {
		t.Fatalf("withBalances=true: balance_available must be there and at most the balance: %+v", with.Data[0].Attributes)
	}
	r := h.get(base+"/accounts", tok.AccessToken)
	if !strings.Contains(string(r.Body), `"balance_available":null`) {
		t.Fatalf("attributes without a value are null: %s", r.Body)
	}
	if r := h.get(base+"/accounts?remove_nulls=true", tok.AccessToken); strings.Contains(string(r.Body), "null") {
		t.Fatalf("remove_nulls=true leaves nulls out: %s", r.Body)
	}

	var one struct {
		Meta struct {
			CustomerID string `json:"customer_id"`
		} `json:"meta"`
		Data liveAccountBody `json:"data"`
	}
	h.get(base+"/accounts/"+plain.Data[0].ID, tok.AccessToken).Decode(t, &one)
	if one.Data.ID != plain.Data[0].ID || one.Meta.CustomerID != cust {
		t.Fatalf("one account is an object with the customer in meta: %+v", one)
	}

	if code := h.get(base+"/accounts/nope", tok.AccessToken).errorCode(t, 400); code != "account_unknown" {
		t.Fatalf("unknown account: %s", code)
	}
	if code := h.get(live+"/ais/v1/customer/nope/accounts", tok.AccessToken).errorCode(t, 400); code != "customer_unknown" {
		t.Fatalf("unknown customer: %s", code)
	}
	if code := h.get(base+"/accounts?withBalances=maybe", tok.AccessToken).errorCode(t, 400); code != "invalid_field" {
		t.Fatalf("bad boolean: %s", code)
	}
	if code := h.get(base+"/accounts", "not-a-token").errorCode(t, 401); code != "invalid_token" {
		t.Fatalf("bad token: %s", code)
	}

	var holders struct {
		Meta struct {
			Provider           string `json:"provider"`
			LastAuthentication string `json:"last_authentication"`
		} `json:"meta"`
		Data []struct {
			Type       string
			Attributes struct {
				FullName string `json:"full_name"`
			}
		} `json:"data"`
	}
	h.get(base+"/accountholders", tok.AccessToken).Decode(t, &holders)
	if len(holders.Data) != 1 || holders.Data[0].Type != "accountholders" || holders.Data[0].Attributes.FullName == "" ||
		holders.Meta.Provider != "cmmcfr" || holders.Meta.LastAuthentication == "" {
		t.Fatalf("holders: %+v", holders)
	}
}

// walk follows links.next from first to the end and returns every
// transaction id in order.
func (h *harness) walk(t *testing.T, first, token string) (ids []string, dates []string, pages int) {
	t.Helper()
	next := first
	for next != "" {
		pages++
		if pages > 1000 {
			t.Fatal("links.next never ends")
		}
		var page liveTransactionsBody
		r := h.get(next, token)
		if r.Status != 200 {
			t.Fatalf("page %d (%s): %d %s", pages, next, r.Status, r.Body)
		}
		r.Decode(t, &page)
		if !strings.HasPrefix(page.Links.Self, h.Srv.URL+live+"/") {
			t.Fatalf("links.self %q must be an absolute URL on Sandbank", page.Links.Self)
		}
		if page.Links.Next != "" && len(page.Data) != 50 {
			t.Fatalf("a page with a next one holds 50 transactions, this one %d", len(page.Data))
		}
		for _, x := range page.Data {
			ids = append(ids, x.ID)
			dates = append(dates, x.Attributes.BookingDate)
		}
		next = page.Links.Next
	}
	return ids, dates, pages
}

func TestLiveTransactionsPages(t *testing.T) {
	h := newHarness(t)
	h.customersToken(appID, appSecret)
	cust, tok := h.liveConnect(appID, appSecret)
	var accts liveAccountsBody
	h.get(live+"/ais/v1/customer/"+cust+"/accounts", tok.AccessToken).Decode(t, &accts)
	txURL := live + "/ais/v1/customer/" + cust + "/accounts/" + accts.Data[0].ID + "/transactions"

	// The whole history, brackets percent-encoded as the npm client sends them.
	ids, dates, pages := h.walk(t, txURL+"?filter%5Bdate_from%5D=max", tok.AccessToken)
	key, _ := h.In.Control.Tenants(t.Context())
	var want int
	for _, tn := range key {
		if tn.Credential == appID {
			txs, err := h.In.Control.Transactions(t.Context(), tn.Key, accts.Data[0].ID, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			want = len(txs)
		}
	}
	if want <= 50 || len(ids) != want || pages != (want+49)/50 {
		t.Fatalf("walked %d transactions in %d pages; the account has %d", len(ids), pages, want)
	}
	if seen := slices.Compact(slices.Sorted(slices.Values(ids))); len(seen) != len(ids) {
		t.Fatalf("a transaction appears on two pages")
	}
	if !slices.IsSortedFunc(dates, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Fatal("transactions are not newest booking first")
	}

	// Raw brackets work too, and the default window is 90 days.
	today := emulator.Day(h.Clock.Now())
	_, recent, _ := h.walk(t, txURL, tok.AccessToken)
	from := emulator.Day(h.Clock.Now().Add(-90 * 24 * time.Hour))
	if len(recent) == 0 || len(recent) >= len(ids) || slices.ContainsFunc(recent, func(d string) bool { return d < from }) {
		t.Fatalf("default window: %d transactions, oldest %s, want none before %s", len(recent), recent[len(recent)-1], from)
	}
	_, window, _ := h.walk(t, txURL+"?filter[date_from]="+from+"&filter[date_to]="+today, tok.AccessToken)
	if slices.ContainsFunc(window, func(d string) bool { return d > today }) {
		t.Fatal("filter[date_to] lets later transactions through")
	}

	var page liveTransactionsBody
	h.get(txURL+"?filter%5Bdate_from%5D=max", tok.AccessToken).Decode(t, &page)
	if page.Data[0].Attributes.Status != "PENDING" || page.Data[len(page.Data)-1].Attributes.Status != "BOOKED" {
		t.Fatalf("pending transactions come first with status PENDING: %+v", page.Data[0])
	}

	for _, bad := range []string{"?filter%5Bdate_from%5D=yesterday", "?filter%5Bdate_to%5D=2026-13-01", "?filter%5Bdate_from%5D=2026-03-01&filter%5Bdate_to%5D=2026-02-01", "?page%5Bnumber%5D=0"} {
		if code := h.get(txURL+bad, tok.AccessToken).errorCode(t, 400); code != "invalid_field" {
			t.Errorf("%s: %s", bad, code)
		}
	}
}

func TestLiveJourneys(t *testing.T) {
	h := newHarness(t)
	h.customersToken(appID, appSecret)
	app := map[string]string{"app_id": appID}

	t.Run("app_id mode needs response_type", func(t *testing.T) {
		r := h.do(req{url: live + "/ais/v1/provider/cmcifrpp/authorize?redirect_uri=" + url.QueryEscape(clientCB), header: app})
		if code := r.errorCode(t, 400); code != "mandatory_field_missing" || !strings.Contains(r.message(t), "response_type") {
			t.Fatalf("%s", r.Body)
		}
	})
	t.Run("decoupled, approved through the control plane", func(t *testing.T) {
		hdr := map[string]string{"app_id": appID, "x-psu-id": "193805010844", "x-psu-ip-address": "127.0.0.1"}
		r := h.do(req{url: live + "/ais/v1/provider/handse/authorize?response_type=code&model=decoupled", header: hdr})
		var a struct {
			Provider, Model, URL string
			PollingID            string `json:"polling_id"`
		}
		r.Decode(t, &a)
		if a.Model != "decoupled" || a.PollingID == "" || !strings.HasSuffix(a.URL, "/authorize/decoupled/"+a.PollingID) {
			t.Fatalf("decoupled authorize: %s", r.Body)
		}
		poll := func() map[string]string {
			var d map[string]string
			r := h.do(req{url: a.URL, header: app})
			if r.Status != 200 {
				t.Fatalf("poll: %d %s", r.Status, r.Body)
			}
			r.Decode(t, &d)
			return d
		}
		if d := poll(); d["status"] != "PENDING" || d["provider"] != "handse" {
			t.Fatalf("before approval: %v", d)
		}
		tenants, _ := h.In.Control.Tenants(t.Context())
		key := tenants[slices.IndexFunc(tenants, func(tn client.Tenant) bool { return tn.Credential == appID })].Key
		if _, err := h.In.Control.ApproveSCA(t.Context(), key, a.PollingID, client.SCAApproval{}); err != nil {
			t.Fatal(err)
		}
		d := poll()
		if d["status"] != "COMPLETED" || d["code"] == "" || d["customer_id"] == "" || d["connection_id"] != d["customer_id"] {
			t.Fatalf("after approval: %v", d)
		}
		if r := h.do(req{url: live + "/ais/v1/provider/handse/authorize/decoupled/nope", header: app}); r.errorCode(t, 400) != "session_id_invalid_or_expired" {
			t.Fatalf("unknown polling id: %s", r.Body)
		}
	})
	t.Run("connect", func(t *testing.T) {
		r := h.do(req{url: live + "/ais/v2/connect?state=abc&redirect_uri=" + url.QueryEscape(clientCB), header: map[string]string{"app_id": appID, "x-provider": "cmcifrpp", "x-country": "FR"}})
		var c struct {
			Meta struct {
				URL       string `json:"url"`
				ConnectID string `json:"connect_id"`
				SessionID string `json:"session_id"`
			} `json:"meta"`
		}
		r.Decode(t, &c)
		if c.Meta.URL == "" || c.Meta.ConnectID == "" || c.Meta.ConnectID != c.Meta.SessionID {
			t.Fatalf("connect: %s", r.Body)
		}
		if r := h.do(req{url: live + "/ais/v2/connect?state=abc", header: app}); r.errorCode(t, 400) != "mandatory_field_missing" {
			t.Fatalf("connect without redirect_uri: %s", r.Body)
		}
	})
	t.Run("delete answers 200 customer_deleted", func(t *testing.T) {
		cust, tok := h.liveConnect(appID, appSecret)
		r := h.do(req{method: http.MethodDelete, url: live + "/ais/v1/customer/" + cust, bearer: tok.AccessToken})
		if r.Status != 200 || string(r.Body) != `{"meta":{"status":200,"code":"customer_deleted"}}`+"\n" {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if r := h.get(live+"/ais/v1/customer/"+cust+"/accounts", tok.AccessToken); r.Status != 401 {
			t.Fatalf("the connection's token dies with it: %d", r.Status)
		}
	})
}

func TestLiveTokens(t *testing.T) {
	h := newHarness(t)
	basic := [2]string{appID, appSecret}
	r := h.postForm(live+"/oauth/accesstoken", url.Values{"grant_type": {"client_credentials"}, "app_id": {appID}, "scope": {"customers"}}, basic)
	if r.Status != 200 {
		t.Fatalf("client credentials: %d %s", r.Status, r.Body)
	}
	_, tok := h.liveConnect(appID, appSecret)
	// Both refresh paths; each refresh kills the access token it replaces.
	old := tok.AccessToken
	for _, path := range []string{"/oauth/refreshtoken", "/oauth/refresh_token"} {
		r := h.postForm(live+path, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, basic)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		var next tokenJSON
		r.Decode(t, &next)
		if r := h.get(live+"/res/v1/application", next.AccessToken); r.Status != 200 {
			t.Fatalf("%s: the new token does not work: %d %s", path, r.Status, r.Body)
		}
		if code := h.get(live+"/ais/v1/customer/x/accounts", old).errorCode(t, 401); code != "invalid_token" {
			t.Fatalf("%s: the replaced token still works (%s)", path, code)
		}
		old, tok = next.AccessToken, next
	}
	if code := h.postForm(live+"/oauth/accesstoken", url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}}, basic).errorCode(t, 401); code != "invalid_code" {
		t.Fatalf("bad code: %s", code)
	}
	if code := h.postForm(live+"/oauth/accesstoken", url.Values{"grant_type": {"client_credentials"}, "scope": {"everything"}}, basic).errorCode(t, 401); code != "invalid_scopes" {
		t.Fatalf("bad scope: %s", code)
	}
	if code := h.postForm(live+"/oauth/accesstoken", url.Values{"grant_type": {"client_credentials"}}, [2]string{appID, "wrong"}).errorCode(t, 401); code != "invalid_app_id" {
		t.Fatalf("wrong secret: %s", code)
	}
	if code := h.postForm(live+"/oauth/accesstoken", url.Values{"grant_type": {"password"}}, basic).errorCode(t, 400); code != "invalid_field" {
		t.Fatalf("unknown grant: %s", code)
	}
}

func TestLiveResources(t *testing.T) {
	h := newHarness(t)
	app := map[string]string{"app_id": appID}
	type provider struct {
		ID         string
		Attributes struct {
			FullName   string   `json:"full_name"`
			Country    string   `json:"country"`
			AuthModels []string `json:"auth_models"`
		}
	}
	var list struct{ Data []provider }
	h.do(req{url: live + "/res/v1/providers?filter%5Bcountry%5D=ES&sort%5Bfull_name%5D=desc", header: app}).Decode(t, &list)
	var names []string
	for _, p := range list.Data {
		if p.Attributes.Country != "ES" {
			t.Errorf("filter[country]=ES let %s (%s) through", p.ID, p.Attributes.Country)
		}
		names = append(names, p.Attributes.FullName)
	}
	if len(names) < 2 || !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Fatalf("sort[full_name]=desc: %q", names)
	}
	h.do(req{url: live + "/res/v1/providers?filter[auth_model]=decoupled", header: app}).Decode(t, &list)
	if len(list.Data) != 1 || list.Data[0].ID != "handse" {
		t.Fatalf("decoupled providers: %+v", list.Data)
	}
	var one struct{ Data provider }
	h.do(req{url: live + "/res/v1/providers/cmcifrpp", header: app}).Decode(t, &one)
	if one.Data.Attributes.FullName != "CIC" {
		t.Fatalf("one provider: %+v", one)
	}
	if code := h.do(req{url: live + "/res/v1/providers/nope", header: app}).errorCode(t, 404); code != "not_found" {
		t.Fatalf("unknown provider: %s", code)
	}

	var accounts struct {
		Data []struct {
			Attributes struct {
				Provider string `json:"provider"`
				Username string `json:"username"`
				Password string `json:"password"`
				PSUID    string `json:"psu_id"`
			}
		}
	}
	h.do(req{url: live + "/res/v1/testaccounts?filter%5Bprovider_id%5D=handse", header: app}).Decode(t, &accounts)
	if len(accounts.Data) == 0 || accounts.Data[0].Attributes.Provider != "handse" || accounts.Data[0].Attributes.PSUID != "193805010844" {
		t.Fatalf("handse test accounts: %+v", accounts)
	}
	h.do(req{url: live + "/res/v1/testaccounts?filter%5Bprovider_id%5D=cmcifrpp", header: app}).Decode(t, &accounts)
	if !slices.ContainsFunc(accounts.Data, func(a struct {
		Attributes struct {
			Provider string `json:"provider"`
			Username string `json:"username"`
			Password string `json:"password"`
			PSUID    string `json:"psu_id"`
		}
	}) bool {
		return a.Attributes.Username == "078000000P" && a.Attributes.Password == "123456"
	}) {
		t.Fatalf("the documented test PSU 078000000P/123456 is listed at cmcifrpp: %+v", accounts)
	}

	var appBody struct {
		Data struct {
			ID         string
			Attributes struct {
				SignaturesRequired bool     `json:"signatures_required"`
				Scopes             []string `json:"scopes"`
			}
		}
	}
	h.do(req{url: live + "/res/v1/application", header: app}).Decode(t, &appBody)
	if appBody.Data.ID != appID || len(appBody.Data.Attributes.Scopes) != 3 {
		t.Fatalf("application: %+v", appBody)
	}
	if code := h.do(req{url: live + "/res/v1/providers"}).errorCode(t, 401); code != "invalid_token" {
		t.Fatalf("no credentials: %s", code)
	}
}

func TestLiveCustomers(t *testing.T) {
	h := newHarness(t)
	tok := h.token(appID, appSecret, url.Values{"grant_type": {"client_credentials"}, "app_id": {appID}, "scope": {"customers"}}).AccessToken
	r := h.postJSON(live+"/v1/customers", tok, map[string]string{"first_name": "Ana", "last_name": "Pop", "email": "ana@example.com", "external_id": "crm-7"})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var c struct{ ID string }
	r.Decode(t, &c)
	h.postJSON(live+"/v1/customers", tok, map[string]string{"first_name": "Bo", "last_name": "Li", "email": "bo@example.com", "external_id": "crm-8"})
	var list struct {
		Data []struct{ ID string }
		Meta struct{ Count int }
	}
	h.get(live+"/v1/customers?external_id=crm-7", tok).Decode(t, &list)
	if list.Meta.Count != 1 || list.Data[0].ID != c.ID {
		t.Fatalf("external_id filter: %+v", list)
	}
	r = h.postJSON(live+"/v1/customers/"+c.ID+"/bank_accounts", tok, map[string]string{"iban": "FR7630006000011234567890189", "holder_name": "Ana Pop"})
	if r.Status != 201 {
		t.Fatalf("bank account: %d %s", r.Status, r.Body)
	}
	var ba struct{ ID string }
	r.Decode(t, &ba)
	if r := h.get(live+"/v1/customers/"+c.ID+"/bank_accounts/"+ba.ID, tok); r.Status != 200 {
		t.Fatalf("get bank account: %d %s", r.Status, r.Body)
	}
	// The spec contract sees the same customer under its own path.
	if r := h.get("/fintecture/v1/customers/"+c.ID+"/bank-accounts", tok); r.Status != 200 || !strings.Contains(string(r.Body), ba.ID) {
		t.Fatalf("spec contract: %d %s", r.Status, r.Body)
	}
	if r := h.get(live+"/v1/customers/"+c.ID+"/bank-accounts", tok); r.Status != 404 {
		t.Fatalf("the live contract serves bank_accounts only: %d", r.Status)
	}
	if code := h.postJSON(live+"/v1/customers", tok, map[string]string{"first_name": "X"}).errorCode(t, 400); code != "mandatory_field_missing" {
		t.Fatalf("missing fields: %s", code)
	}
}

// TestLiveScenarios checks that the built-in scenarios act on the live
// contract as on the spec one: their fault rules match by bank (or by the
// shared operationIds), their SCA outcomes act on the same journeys.
func TestLiveScenarios(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ app, scenario string }{{"down-app", "bank_down"}, {"deny-app", "sca_denied"}} {
		if _, err := h.In.Control.CreateTenant(t.Context(), client.NewTenant{Provider: "fintecture", Credential: tc.app, Secret: appSecret, Scenario: tc.scenario}); err != nil {
			t.Fatal(err)
		}
	}
	authorize := func(app, bank string) resp {
		return h.do(req{url: live + "/ais/v1/provider/" + bank + "/authorize?response_type=code&redirect_uri=" + url.QueryEscape(clientCB), header: map[string]string{"app_id": app}})
	}
	t.Run("bank_down", func(t *testing.T) {
		if code := authorize("down-app", "cmcifrpp").errorCode(t, 503); code != "service_unavailable" {
			t.Fatalf("CIC is down: %s", code)
		}
		if r := authorize("down-app", "bschesmm"); r.Status != 200 {
			t.Fatalf("the other banks work: %d %s", r.Status, r.Body)
		}
	})
	t.Run("sca_denied", func(t *testing.T) {
		var a struct{ URL string }
		authorize("deny-app", "cmcifrpp").Decode(t, &a)
		h.form(a.URL, url.Values{"action": {"login"}, "username": {"078000000P"}, "password": {"123456"}}).location(t)
		back := h.form(a.URL, url.Values{"action": {"otp"}, "otp": {"123456"}}).location(t)
		if q := back.Query(); q.Get("error") != "provider_error" || q.Get("provider_error") != "access_denied" || q.Get("code") != "" {
			t.Fatalf("denied after login: %s", back)
		}
	})
}
