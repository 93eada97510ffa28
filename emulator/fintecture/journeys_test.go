package fintecture_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// form posts a bank-page form and returns the response.
func (h *harness) form(pageURL string, v url.Values) resp {
	return h.do(req{method: http.MethodPost, url: pageURL, body: []byte(v.Encode()), ctype: "application/x-www-form-urlencoded"})
}

// accountValues lists the account checkboxes of a consent page.
func accountValues(t *testing.T, page []byte) []string {
	t.Helper()
	var out []string
	rest := string(page)
	for {
		i := strings.Index(rest, `name="account" value="`)
		if i < 0 {
			break
		}
		rest = rest[i+len(`name="account" value="`):]
		out = append(out, rest[:strings.Index(rest, `"`)])
	}
	if len(out) == 0 {
		t.Fatalf("no account checkboxes on the page")
	}
	return out
}

func (h *harness) authorizeURL(t *testing.T, provider, query string, headers map[string]string) (string, string) {
	t.Helper()
	if headers == nil {
		headers = map[string]string{}
	}
	headers["app_id"] = appID
	r := h.do(req{url: "/fintecture/ais/v1/provider/" + provider + "/authorize?" + query, header: headers})
	if r.Status != 200 {
		t.Fatalf("authorize %s: %d %s", provider, r.Status, r.Body)
	}
	var a struct {
		Meta struct {
			URL       string `json:"url"`
			SessionID string `json:"session_id"`
			Decoupled bool   `json:"decoupled"`
		} `json:"meta"`
	}
	r.Decode(t, &a)
	if !strings.HasPrefix(a.Meta.URL, h.Srv.URL+"/bank/") {
		t.Fatalf("authorize URL %q should be on Sandbank's own bank pages", a.Meta.URL)
	}
	return a.Meta.URL, a.Meta.SessionID
}

func TestRedirectJourneyThroughBankPages(t *testing.T) {
	h := newHarness(t)
	page, _ := h.authorizeURL(t, "cmcifrpp", "response_type=code&state=xyz%201&redirect_uri="+url.QueryEscape(clientCB+"?keep=1"), nil)
	if r := h.do(req{url: page}); r.Status != 200 || !strings.Contains(string(r.Body), `name="username"`) {
		t.Fatalf("bank login page: %d %s", r.Status, r.Body)
	}
	if r := h.form(page, url.Values{"action": {"login"}, "username": {"078000000P"}, "password": {"bad"}}); r.Status != 200 || !strings.Contains(string(r.Body), "Wrong username or password") {
		t.Fatalf("wrong password should re-render with an error: %d", r.Status)
	}
	h.form(page, url.Values{"action": {"login"}, "username": {"078000000P"}, "password": {"123456"}}).location(t)
	h.form(page, url.Values{"action": {"otp"}, "otp": {"123456"}}).location(t)
	r := h.do(req{url: page})
	if !strings.Contains(string(r.Body), "Approve") || !strings.Contains(string(r.Body), "Camille Martin") {
		t.Fatalf("consent page: %s", r.Body)
	}
	back := h.form(page, url.Values{"action": {"approve"}, "account": accountValues(t, r.Body)}).location(t)
	q := back.Query()
	if back.Host != "client.example" || q.Get("keep") != "1" || q.Get("state") != "xyz 1" || q.Get("provider") != "cmcifrpp" || len(q.Get("customer_id")) != 32 || len(q.Get("code")) != 32 {
		t.Fatalf("redirect back: %s", back)
	}
	tok := h.aisToken(appID, appSecret, q.Get("code"))
	var accts accountsBody
	h.get("/fintecture/ais/v1/customer/"+q.Get("customer_id")+"/accounts", tok.AccessToken).Decode(t, &accts)
	if len(accts.Data) != 2 {
		t.Fatalf("want both accounts shared, got %d", len(accts.Data))
	}
	// The same code can be exchanged again until it expires (notes §1.2),
	// and not after.
	h.aisToken(appID, appSecret, q.Get("code"))
	h.Clock.Advance(11 * time.Minute)
	if code := h.postForm("/fintecture/oauth/accesstoken", url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}}, [2]string{appID, appSecret}).errorCode(t, 401); code != "invalid_code" {
		t.Fatalf("expired code: %s", code)
	}
}

func TestRedirectJourneySharesOnlyChosenAccounts(t *testing.T) {
	h := newHarness(t)
	page, _ := h.authorizeURL(t, "bschesmm", "redirect_uri="+url.QueryEscape(clientCB), nil)
	h.form(page, url.Values{"action": {"login"}, "username": {"078000000P"}, "password": {"123456"}}).location(t)
	h.form(page, url.Values{"action": {"otp"}, "otp": {"123456"}}).location(t)
	body := string(h.do(req{url: page}).Body)
	i := strings.Index(body, `name="account" value="`)
	if i < 0 {
		t.Fatalf("no account checkbox: %s", body)
	}
	first := body[i+len(`name="account" value="`):]
	first = first[:strings.Index(first, `"`)]
	back := h.form(page, url.Values{"action": {"approve"}, "account": {first}}).location(t)
	tok := h.aisToken(appID, appSecret, back.Query().Get("code"))
	var accts accountsBody
	h.get("/fintecture/ais/v1/customer/"+back.Query().Get("customer_id")+"/accounts", tok.AccessToken).Decode(t, &accts)
	if len(accts.Data) != 1 || accts.Data[0].ID != first || !strings.HasPrefix(accts.Data[0].IBAN, "ES") {
		t.Fatalf("want only %s, got %+v", first, accts.Data)
	}
}

func TestDenyRedirectsWithProviderError(t *testing.T) {
	h := newHarness(t)
	page, _ := h.authorizeURL(t, "cmcifrpp", "state=abc&redirect_uri="+url.QueryEscape(clientCB), nil)
	h.form(page, url.Values{"action": {"login"}, "username": {"078000000P"}, "password": {"123456"}}).location(t)
	back := h.form(page, url.Values{"action": {"deny"}}).location(t)
	q := back.Query()
	if q.Get("error") != "provider_error" || q.Get("provider_error") != "access_denied" || q.Get("state") != "abc" || q.Get("code") != "" {
		t.Fatalf("deny redirect: %s", back)
	}
	// The journey is over: posting again changes nothing.
	if r := h.form(page, url.Values{"action": {"approve"}}); r.Status >= 300 && r.Status < 400 && strings.Contains(r.Header.Get("Location"), "code=") {
		t.Fatalf("a denied journey was approved later: %s", r.Header.Get("Location"))
	}
}

type decoupledBody struct {
	Status     string `json:"status"`
	Code       string `json:"code"`
	CustomerID string `json:"customer_id"`
}

func (h *harness) pollDecoupled(t *testing.T, session string) decoupledBody {
	t.Helper()
	r := h.do(req{url: "/fintecture/ais/v1/provider/handse/authorize/decoupled?session_id=" + session, header: map[string]string{"app_id": appID}})
	if r.Status != 200 {
		t.Fatalf("poll: %d %s", r.Status, r.Body)
	}
	var d decoupledBody
	r.Decode(t, &d)
	return d
}

func TestDecoupledModel(t *testing.T) {
	h := newHarness(t)
	h.customersToken(appID, appSecret)
	psu := map[string]string{"x-psu-id": "193805010844", "x-psu-ip-address": "127.0.0.1"}

	t.Run("approve on the phone", func(t *testing.T) {
		phone, session := h.authorizeURL(t, "handse", "", psu)
		if d := h.pollDecoupled(t, session); d.Status != "PENDING" || d.Code != "" {
			t.Fatalf("before approval: %+v", d)
		}
		if r := h.do(req{url: phone}); r.Status != 200 || !strings.Contains(string(r.Body), "Approve") {
			t.Fatalf("phone page: %d %s", r.Status, r.Body)
		}
		h.form(phone, url.Values{"action": {"approve"}})
		d := h.pollDecoupled(t, session)
		if d.Status != "COMPLETED" || len(d.Code) != 32 || len(d.CustomerID) != 32 {
			t.Fatalf("after approval: %+v", d)
		}
		tok := h.aisToken(appID, appSecret, d.Code)
		var accts accountsBody
		h.get("/fintecture/ais/v1/customer/"+d.CustomerID+"/accounts", tok.AccessToken).Decode(t, &accts)
		if len(accts.Data) == 0 || !strings.HasPrefix(accts.Data[0].IBAN, "SE") {
			t.Fatalf("Handelsbanken accounts: %+v", accts)
		}
	})
	t.Run("deny on the phone", func(t *testing.T) {
		phone, session := h.authorizeURL(t, "handse", "model=decoupled", psu)
		h.form(phone, url.Values{"action": {"deny"}})
		if d := h.pollDecoupled(t, session); d.Status != "FAILED" || d.Code != "" {
			t.Fatalf("after deny: %+v", d)
		}
	})
	t.Run("timeout on the tenant clock", func(t *testing.T) {
		_, session := h.authorizeURL(t, "handse", "", psu)
		h.Clock.Advance(4 * time.Minute)
		h.runDue(appID)
		if d := h.pollDecoupled(t, session); d.Status != "PENDING" {
			t.Fatalf("before the timeout: %+v", d)
		}
		h.Clock.Advance(time.Minute)
		h.runDue(appID)
		if d := h.pollDecoupled(t, session); d.Status != "FAILED" {
			t.Fatalf("after the timeout: %+v", d)
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		r := h.do(req{url: "/fintecture/ais/v1/provider/handse/authorize", header: map[string]string{"app_id": appID, "x-psu-id": "000"}})
		if code := r.errorCode(t, 400); code != "invalid_field" || !strings.Contains(r.message(t), "x-psu-id") {
			t.Fatalf("unknown PSU id: %s", r.Body)
		}
		r = h.do(req{url: "/fintecture/ais/v1/provider/cmcifrpp/authorize?model=decoupled", header: map[string]string{"app_id": appID}})
		if code := r.errorCode(t, 400); code != "invalid_field" || !strings.Contains(r.message(t), "model") {
			t.Fatalf("decoupled at a redirect bank: %s", r.Body)
		}
		r = h.do(req{url: "/fintecture/ais/v1/provider/handse/authorize/decoupled?session_id=nope", header: map[string]string{"app_id": appID}})
		if code := r.errorCode(t, 400); code != "session_id_invalid_or_expired" {
			t.Fatalf("unknown session: %s", code)
		}
		r = h.do(req{url: "/fintecture/ais/v1/provider/handse/authorize/decoupled", header: map[string]string{"app_id": appID}})
		if code := r.errorCode(t, 400); code != "mandatory_field_missing" || !strings.Contains(r.message(t), "session_id") {
			t.Fatalf("missing session_id: %s", r.Body)
		}
	})
}

func TestAuthorizeRejectsBadInput(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		path, code, field string
		status            int
	}{
		{"/fintecture/ais/v1/provider/nosuch/authorize?redirect_uri=" + url.QueryEscape(clientCB), "invalid_field", "nosuch", 400},
		{"/fintecture/ais/v1/provider/cmcifrpp/authorize", "mandatory_field_missing", "redirect_uri", 400},
		{"/fintecture/ais/v1/provider/cmcifrpp/authorize?redirect_uri=not%20a%20url", "invalid_field", "redirect_uri", 400},
		{"/fintecture/ais/v1/provider/cmcifrpp/authorize?redirect_uri=ftp://x/y", "invalid_field", "redirect_uri", 400},
		{"/fintecture/ais/v1/provider/cmcifrpp/authorize?psu_type=robot&redirect_uri=" + url.QueryEscape(clientCB), "invalid_field", "psu_type", 400},
		{"/fintecture/ais/v1/provider/cmcifrpp/authorize?response_type=token&redirect_uri=" + url.QueryEscape(clientCB), "invalid_field", "response_type", 400},
		{"/fintecture/ais/v2/connect", "mandatory_field_missing", "redirect_uri", 400},
	}
	for _, c := range cases {
		r := h.do(req{url: c.path, header: map[string]string{"app_id": appID}})
		if code := r.errorCode(t, c.status); code != c.code || !strings.Contains(r.message(t), c.field) {
			t.Errorf("%s: want %s naming %s, got %s", c.path, c.code, c.field, r.Body)
		}
	}
	r := h.do(req{url: "/fintecture/ais/v1/provider/cmcifrpp/authorize?redirect_uri=" + url.QueryEscape(clientCB)})
	if code := r.errorCode(t, 401); code != "invalid_token" {
		t.Fatalf("authorize without app_id or token: %s", code)
	}
	if code := h.do(req{url: "/fintecture/ais/v9/nothing"}).errorCode(t, 404); code != "not_found" {
		t.Fatalf("unknown route: %s", code)
	}
	if code := h.do(req{method: "PUT", url: "/fintecture/v1/customers"}).errorCode(t, 405); code != "method_not_allowed" {
		t.Fatalf("wrong method: %s", code)
	}
}

func TestConnectBankSelection(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{url: "/fintecture/ais/v2/connect?state=st&redirect_uri=" + url.QueryEscape(clientCB), header: map[string]string{"app_id": appID}})
	var c struct {
		Meta struct {
			SessionID string `json:"session_id"`
			URL       string `json:"url"`
		} `json:"meta"`
	}
	r.Decode(t, &c)
	if c.Meta.SessionID == "" || !strings.HasPrefix(c.Meta.URL, h.Srv.URL) {
		t.Fatalf("connect: %s", r.Body)
	}
	page := h.do(req{url: c.Meta.URL})
	for _, bank := range []string{"CIC", "Handelsbanken", "Fintecture Demo Bank France"} {
		if !strings.Contains(string(page.Body), bank) {
			t.Fatalf("bank list lacks %s", bank)
		}
	}
	back := h.form(c.Meta.URL, url.Values{"action": {"select"}, "bank_id": {"cmmcfr"}}).location(t)
	for i := 0; back.Host != "client.example" && i < 3; i++ {
		back = h.do(req{url: back.String()}).location(t)
	}
	if back.Host != "client.example" || back.Query().Get("state") != "st" || back.Query().Get("provider") != "cmmcfr" || back.Query().Get("code") == "" {
		t.Fatalf("connect back: %s", back)
	}

	// x-provider preselects the bank: the URL opens on its login page.
	r = h.do(req{url: "/fintecture/ais/v2/connect?state=st&redirect_uri=" + url.QueryEscape(clientCB), header: map[string]string{"app_id": appID, "x-provider": "agfbfr"}})
	r.Decode(t, &c)
	if body := string(h.do(req{url: c.Meta.URL}).Body); !strings.Contains(body, `name="username"`) {
		t.Fatalf("preselected bank should show its login: %s", body)
	}
}

func TestDeleteConnection(t *testing.T) {
	h := newHarness(t)
	cust, pair := h.connectedFull(appID, appSecret)
	path := "/fintecture/ais/v1/customer/" + cust
	r := h.do(req{method: "DELETE", url: path, bearer: pair.AccessToken})
	if r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if code := h.get(path+"/accounts", pair.AccessToken).errorCode(t, 401); code != "invalid_token" {
		t.Fatalf("tokens of a deleted connection must be revoked: %s", code)
	}
	r = h.postForm("/fintecture/oauth/refreshtoken", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pair.RefreshToken}}, [2]string{appID, appSecret})
	if code := r.errorCode(t, 401); code != "invalid_code" {
		t.Fatalf("refresh after delete: %s", code)
	}
	_, other := h.connected(appID, appSecret)
	if code := h.do(req{method: "DELETE", url: path, bearer: other}).errorCode(t, 400); code != "customer_unknown" {
		t.Fatalf("deleting again: %s", code)
	}
}

func TestUnknownIDsAndBadDates(t *testing.T) {
	h := newHarness(t)
	cust, tok := h.connected(appID, appSecret)
	base := "/fintecture/ais/v1/customer/" + cust
	if code := h.get(base+"/account/ffffffffffffffffffffffffffffffff", tok).errorCode(t, 400); code != "account_unknown" {
		t.Fatalf("unknown account: %s", code)
	}
	if code := h.get(base+"/account/x/transactions", tok).errorCode(t, 400); code != "account_unknown" {
		t.Fatalf("unknown account transactions: %s", code)
	}
	if code := h.get("/fintecture/ais/v1/customer/ffffffffffffffffffffffffffffffff/accounts", tok).errorCode(t, 400); code != "customer_unknown" {
		t.Fatalf("unknown customer: %s", code)
	}
	var accts accountsBody
	h.get(base+"/accounts", tok).Decode(t, &accts)
	tx := base + "/account/" + accts.Data[0].ID + "/transactions"
	for _, q := range []string{"from=2026-13-01", "to=yesterday", "from=2026-02-30", "from=2026-03-01&to=2026-02-01"} {
		r := h.get(tx+"?"+q, tok)
		field := strings.SplitN(q, "=", 2)[0]
		if code := r.errorCode(t, 400); code != "invalid_field" || !strings.Contains(r.message(t), field) {
			t.Errorf("%s: want invalid_field naming %s, got %s", q, field, r.Body)
		}
	}
}

func TestAISVerification(t *testing.T) {
	h := newHarness(t)
	cust, tok := h.connected(appID, appSecret)
	verify := func(name string) resp {
		return h.postJSON("/fintecture/ais/v1/verification", tok, map[string]any{
			"meta": map[string]any{"customer_id": cust},
			"data": map[string]any{"attributes": map[string]any{"provider_id": "cmmcfr", "expected_name": name}},
		})
	}
	type result struct {
		ID         string  `json:"id"`
		Status     string  `json:"status"`
		MatchScore float64 `json:"match_score"`
		VerifiedAt string  `json:"verified_at"`
	}
	for name, want := range map[string]string{"Camille Martin": "verified", "MARTIN Camille": "verified", "Mme Camille Martín": "verified", "Jean Dupont": "unverified"} {
		var v result
		r := verify(name)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", name, r.Status, r.Body)
		}
		r.Decode(t, &v)
		if v.Status != want || v.ID == "" || v.VerifiedAt == "" {
			t.Errorf("%s: want %s, got %+v", name, want, v)
		}
		if want == "verified" && v.MatchScore < 0.85 || want == "unverified" && v.MatchScore >= 0.85 {
			t.Errorf("%s: score %v disagrees with %s", name, v.MatchScore, want)
		}
	}
	r := verify("")
	if code := r.errorCode(t, 400); code != "mandatory_field_missing" || !strings.Contains(r.message(t), "expected_name") {
		t.Fatalf("missing name: %s", r.Body)
	}
	r = h.postJSON("/fintecture/ais/v1/verification", tok, `{"meta":{"customer_id":5}}`)
	if code := r.errorCode(t, 400); code != "invalid_field" || !strings.Contains(r.message(t), "customer_id") {
		t.Fatalf("wrong type: %s", r.Body)
	}
}
