package finqlink_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// Each flow type answers its web_url: the WebUI page for link and
// wrapped_sca, the bank's page for direct_sca and redirect_sca, whose
// journeys (and wrapped_sca's) exist from the start.
func TestConsentCreateFlows(t *testing.T) {
	a := newAIS(t)
	key := a.tenantKey()
	webui := a.Srv.URL + "/webui/finqlink/" + key + "/consent/"
	bankPage := a.Srv.URL + "/bank/" + key + "/sca/"

	c := a.create("", "")
	if !uuidRE.MatchString(c.ConsentID) || c.WebID == "" || c.WebURL != webui+c.WebID || c.ConsentValidityDays != 90 || c.APIClientApp == "" || c.RequestID == "" {
		t.Fatalf("link: %+v", c)
	}
	if got := mustTime(t, c.ExpiresAt).Sub(mustTime(t, c.CreatedAt)); got != 24*time.Hour || !mustTime(t, c.CreatedAt).Equal(start) {
		t.Fatalf("the default link life is a day from the tenant's now: %s..%s", c.CreatedAt, c.ExpiresAt)
	}
	g := a.get(c.ConsentID)
	if g.Status != "created" || g.AuthorizedUntil != nil || g.WebURL == nil || *g.WebURL != c.WebURL || g.Provider != nil || g.AisMethod != nil || g.Accounts != nil ||
		!slices.Equal(g.Scope, []string{"accounts", "balances", "transactions"}) || g.WebID != c.WebID {
		t.Fatalf("get link: %+v", g)
	}

	w := a.create(`"ais_method":{"provider_id":"bt_ro"},"consent":{"scope":["balances","accounts"],"validity_days":30}`, `"type":"wrapped_sca","expires_in":600,"ux_template":"glass"`)
	if w.WebURL != webui+w.WebID || w.ConsentValidityDays != 30 || mustTime(t, w.ExpiresAt).Sub(mustTime(t, w.CreatedAt)) != 10*time.Minute {
		t.Fatalf("wrapped_sca: %+v", w)
	}
	x := a.session(w.ConsentID)
	if x.BankID != "bt_ro" || x.RedirectURI != w.WebURL || x.State != w.WebID || x.Status != emulator.SCAPending || !x.ExpiresAt.Equal(start.Add(10*time.Minute)) {
		t.Fatalf("wrapped_sca journey (its life capped at the link's): %+v", x)
	}
	g = a.get(w.ConsentID)
	if g.Status != "sca_url_retrieved" || !slices.Equal(g.Scope, []string{"accounts", "balances"}) || g.Provider == nil || g.Provider.ProviderID != "bt_ro" ||
		g.AisMethod == nil || g.AisMethod.InterfaceEnv != "sandbox" {
		t.Fatalf("get wrapped_sca: %+v", g)
	}

	d := a.create(`"ais_method":{"provider_id":"rzb_ro"}`, `"type":"direct_sca","redirect_url":"https://client.example/cb?x=1"`)
	x = a.session(d.ConsentID)
	if d.WebURL != bankPage+x.ID || x.RedirectURI != "https://client.example/cb?x=1" || x.State != d.WebID || !x.ExpiresAt.Equal(start.Add(15*time.Minute)) {
		t.Fatalf("direct_sca: %+v %+v", d, x)
	}
	if g = a.get(d.ConsentID); g.WebURL != nil || g.Status != "sca_url_retrieved" {
		t.Fatalf("get direct_sca: web_url is null: %+v", g)
	}

	rd := a.create(`"ais_method":{"provider_id":"cec_ro","account_owner_type":["retail"]}`, `"type":"redirect_sca"`)
	x = a.session(rd.ConsentID)
	if rd.WebURL != bankPage+x.ID || x.RedirectURI != webui+rd.WebID {
		t.Fatalf("redirect_sca: %+v %+v", rd, x)
	}
	if g = a.get(rd.ConsentID); g.WebURL == nil || *g.WebURL != rd.WebURL {
		t.Fatalf("get redirect_sca: %+v", g)
	}
	// The bank page the web_url names is there.
	if r := a.send(http.MethodGet, strings.TrimPrefix(rd.WebURL, a.Srv.URL), "", nil, nil); r.Status != http.StatusOK {
		t.Fatalf("bank page %s: %d", rd.WebURL, r.Status)
	}
	for _, c := range []createdConsent{w, d, rd} {
		if got := a.hookStatuses(c.ConsentID); !slices.Equal(got, []string{"sca_url_retrieved"}) {
			t.Fatalf("%s: webhooks %v", c.ConsentID, got)
		}
	}
	if got := a.hookStatuses(c.ConsentID); len(got) != 0 {
		t.Fatalf("a created link consent has sent %v", got)
	}
}

// A link consent goes through the WebUI, the bank and the clock; every
// step writes its webhook, in order, with FinqLink's body.
func TestConsentLifecycle(t *testing.T) {
	a := newAIS(t)
	c := a.create(`"consent":{"validity_days":2}`, "")
	ctx := context.Background()
	if _, err := a.store().OpenConsent(ctx, a.tenant(), c.WebID); err != nil {
		t.Fatal(err)
	}
	if s := a.status(c.ConsentID); s != "started" {
		t.Fatalf("opened: %s", s)
	}
	_, x, err := a.store().ChooseConsentBank(ctx, a.tenant(), c.WebID, "rzb_ro", "https://webui.example/return", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	g := a.get(c.ConsentID)
	if g.Status != "sca_url_retrieved" || g.Provider == nil || g.Provider.ProviderID != "rzb_ro" || g.AisMethod == nil {
		t.Fatalf("bank chosen: %+v", g)
	}
	p := a.psu("rzb_ro", "9999999998")
	if _, err := a.store().AdvanceSCA(ctx, a.tenant(), x.ID, emulator.StepOTP, "", p.ID); err != nil {
		t.Fatal(err)
	}
	if s := a.status(c.ConsentID); s != "awaiting_authz" {
		t.Fatalf("logged in: %s", s)
	}
	accts, err := a.store().PSUAccounts(ctx, a.tenant(), p.ID)
	if err != nil || len(accts) < 2 {
		t.Fatalf("PSU accounts: %v %v", accts, err)
	}
	a.Clock.Advance(time.Minute)
	if _, err := a.store().ApproveSCAAs(ctx, a.tenant(), x.ID, "", "", []string{accts[0].ID}, time.Minute); err != nil {
		t.Fatal(err)
	}
	authorizedAt := start.Add(time.Minute)
	g = a.get(c.ConsentID)
	if g.Status != "authorized" || g.AuthorizedUntil == nil || !mustTime(t, *g.AuthorizedUntil).Equal(authorizedAt.Add(48*time.Hour)) || g.Accounts != nil {
		t.Fatalf("authorized: %+v", g)
	}
	if e := a.call("/v2/ais/accounts/list", fmt.Sprintf(`"consent_id":%q`, c.ConsentID)).failure(t, 400); e.Code != "consent_not_active" {
		t.Fatalf("data while authorized: %+v", e)
	}
	a.advance(time.Second)
	g = a.get(c.ConsentID)
	if g.Status != "active" || len(g.Accounts) != 1 || g.Accounts[0].AccountID != accts[0].ID || len(g.Accounts[0].Balances) == 0 {
		t.Fatalf("active with the one shared account: %+v", g)
	}
	// The link's expiry passes unused once authorized.
	a.advance(24 * time.Hour)
	if s := a.status(c.ConsentID); s != "active" {
		t.Fatalf("after the link's expiry: %s", s)
	}
	a.advance(24*time.Hour - 2*time.Second)
	if s := a.status(c.ConsentID); s != "active" {
		t.Fatalf("just before authorized_until: %s", s)
	}
	a.advance(time.Second)
	if s := a.status(c.ConsentID); s != "expired" {
		t.Fatalf("at authorized_until: %s", s)
	}
	if e := a.call("/v2/ais/accounts/list", fmt.Sprintf(`"consent_id":%q`, c.ConsentID)).failure(t, 400); e.Code != "consent_not_active" {
		t.Fatalf("data once expired: %+v", e)
	}
	hooks := a.hooks(c.ConsentID)
	var got []string
	for _, h := range hooks {
		want := fmt.Sprintf(`{"type":"consent_status_update","consent_id":%q,"web_id":%q,"status":%q}`, c.ConsentID, c.WebID, h.Status)
		if h.raw != want || h.url != a.hook {
			t.Fatalf("webhook body %s to %s, want %s to %s", h.raw, h.url, want, a.hook)
		}
		got = append(got, h.Status)
	}
	if want := []string{"started", "sca_url_retrieved", "awaiting_authz", "authorized", "active", "expired"}; !slices.Equal(got, want) {
		t.Fatalf("webhooks %v, want %v", got, want)
	}
}

// A consent never authorized expires with its link; a refused or timed
// out journey fails it, and so does cancelling on the WebUI.
func TestConsentEndsUnauthorized(t *testing.T) {
	a := newAIS(t)
	ctx := context.Background()
	unused := a.create("", `"expires_in":3600`)
	cancelled := a.create("", "")
	denied := a.create(`"ais_method":{"provider_id":"bt_ro"}`, `"type":"wrapped_sca"`)
	timedOut := a.create(`"ais_method":{"provider_id":"cec_ro"}`, `"type":"redirect_sca"`)
	atBank := a.create("", `"expires_in":7200`)
	x := a.toBank(atBank, "libra_ro")

	if _, err := a.store().CancelConsent(ctx, a.tenant(), cancelled.WebID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store().FailSCA(ctx, a.tenant(), a.session(denied.ConsentID).ID, emulator.FailDenied); err != nil {
		t.Fatal(err)
	}
	a.advance(15 * time.Minute) // the journeys' life
	a.advance(45 * time.Minute)
	for c, want := range map[createdConsent]string{unused: "expired", cancelled: "failed", denied: "failed", timedOut: "failed", atBank: "failed"} {
		if s := a.status(c.ConsentID); s != want {
			t.Errorf("%s: %s, want %s", c.ConsentID, s, want)
		}
	}
	if got := a.hookStatuses(unused.ConsentID); !slices.Equal(got, []string{"expired"}) {
		t.Fatalf("unused: %v", got)
	}
	if got := a.hookStatuses(denied.ConsentID); !slices.Equal(got, []string{"sca_url_retrieved", "failed"}) {
		t.Fatalf("denied: %v", got)
	}
	if got := a.hookStatuses(cancelled.ConsentID); !slices.Equal(got, []string{"failed"}) {
		t.Fatalf("cancelled: %v", got)
	}
	if x, _ = a.store().SCASession(ctx, a.tenant(), x.ID); x.Status != emulator.SCAFailed {
		t.Fatalf("journey: %+v", x)
	}
}

// A journey whose life outlasts the link ends with it: the consent
// expires rather than fails.
func TestConsentLinkExpiryEndsTheJourney(t *testing.T) {
	a := newAIS(t)
	c := a.create(`"ais_method":{"provider_id":"rzb_ro"}`, `"type":"wrapped_sca","expires_in":60`)
	x := a.session(c.ConsentID)
	if !x.ExpiresAt.Equal(start.Add(time.Minute)) {
		t.Fatalf("journey life: %s", x.ExpiresAt)
	}
	a.advance(time.Minute)
	if s := a.status(c.ConsentID); s != "expired" {
		t.Fatalf("status %s", s)
	}
	if got := a.hookStatuses(c.ConsentID); !slices.Equal(got, []string{"sca_url_retrieved", "expired"}) {
		t.Fatalf("webhooks %v", got)
	}
}

// A scenario's suspend_after suspends an active consent; its data are
// refused then, and it can still be revoked.
func TestConsentSuspended(t *testing.T) {
	a := newAISScenario(t)
	c := a.active("bt_ro", "testbt", "")
	a.advance(2*time.Hour - 2*time.Second)
	if s := a.status(c.ConsentID); s != "active" {
		t.Fatalf("before: %s", s)
	}
	a.advance(time.Second)
	if s := a.status(c.ConsentID); s != "suspended" {
		t.Fatalf("after suspend_after: %s", s)
	}
	if e := a.call("/v2/ais/balances/list", fmt.Sprintf(`"consent_id":%q`, c.ConsentID)).failure(t, 400); e.Code != "consent_not_active" {
		t.Fatalf("data while suspended: %+v", e)
	}
	if got := a.hookStatuses(c.ConsentID); !slices.Equal(got, []string{"started", "sca_url_retrieved", "awaiting_authz", "authorized", "active", "suspended"}) {
		t.Fatalf("webhooks %v", got)
	}
	r := a.call("/v2/ais/consents/revoke", fmt.Sprintf(`"consent_id":%q`, c.ConsentID))
	r.WantStatus(t, 200)
	if s := a.status(c.ConsentID); s != "revoked" {
		t.Fatalf("revoked: %s", s)
	}
}

type revokeOut struct {
	RequestID    string `json:"request_id"`
	APIClientApp string `json:"api_client_app"`
	ConsentID    string `json:"consent_id"`
	Status       string `json:"status"`
}

// Revoking ends a consent for good; revoking again answers it; a consent
// already over or unknown, or another client's, is refused.
func TestConsentRevoke(t *testing.T) {
	a := newAIS(t)
	c := a.active("rzb_ro", "9999999998", "")
	atBank := a.create(`"ais_method":{"provider_id":"bt_ro"}`, `"type":"direct_sca","redirect_url":"https://client.example/cb"`)
	expired := a.create("", `"expires_in":60`)
	a.advance(time.Minute)

	var out revokeOut
	r := a.call("/v2/ais/consents/revoke", fmt.Sprintf(`"consent_id":%q`, c.ConsentID))
	r.WantStatus(t, 200)
	r.Decode(t, &out)
	if out.Status != "revoked" || out.ConsentID != c.ConsentID || out.APIClientApp == "" || out.RequestID == "" {
		t.Fatalf("revoke: %+v", out)
	}
	if got := a.hookStatuses(c.ConsentID); got[len(got)-1] != "revoked" {
		t.Fatalf("webhooks %v", got)
	}
	if e := a.call("/v2/ais/transactions/list", fmt.Sprintf(`"consent_id":%q`, c.ConsentID)).failure(t, 400); e.Code != "consent_not_active" {
		t.Fatalf("data once revoked: %+v", e)
	}
	before := a.snapshot()
	r = a.call("/v2/ais/consents/revoke", fmt.Sprintf(`"consent_id":%q`, c.ConsentID))
	r.WantStatus(t, 200)
	r.Decode(t, &out)
	if out.Status != "revoked" || a.snapshot() != before {
		t.Fatalf("revoking twice changed something: %+v", out)
	}

	x := a.session(atBank.ConsentID)
	a.call("/v2/ais/consents/revoke", fmt.Sprintf(`"consent_id":%q`, atBank.ConsentID)).WantStatus(t, 200)
	if x, _ = a.store().SCASession(context.Background(), a.tenant(), x.ID); x.Status != emulator.SCAFailed {
		t.Fatalf("the journey of a revoked consent is over: %+v", x)
	}
	if got := a.hookStatuses(atBank.ConsentID); !slices.Equal(got, []string{"sca_url_retrieved", "revoked"}) {
		t.Fatalf("revoked at the bank: %v", got)
	}

	before = a.snapshot()
	if e := a.call("/v2/ais/consents/revoke", fmt.Sprintf(`"consent_id":%q`, expired.ConsentID)).failure(t, 400); e.Code != "consent_not_active" {
		t.Fatalf("revoke an expired consent: %+v", e)
	}
	if e := a.call("/v2/ais/consents/revoke", `"consent_id":"00000000-0000-4000-8000-000000000000"`).failure(t, 404); e.Code != "not_found" {
		t.Fatalf("unknown: %+v", e)
	}
	other := &ais{harness: a.harness, client: "fq-other", secret: "other-secret", hook: a.hook}
	for _, op := range []string{"get", "revoke"} {
		if e := other.call("/v2/ais/consents/"+op, fmt.Sprintf(`"consent_id":%q`, atBank.ConsentID)).failure(t, 404); e.Code != "not_found" {
			t.Fatalf("another client's consent (%s): %+v", op, e)
		}
	}
	if a.snapshot() != before {
		t.Fatal("a refused revoke changed state")
	}
}

type redirectOut struct {
	RequestID    string `json:"request_id"`
	Status       string `json:"status"`
	APIClientApp string `json:"api_client_app"`
	ConsentID    string `json:"consent_id"`
	WebID        string `json:"web_id"`
}

func (a *ais) handOver(query string, wait bool, status int) redirectOut {
	a.T.Helper()
	var out redirectOut
	a.fetch("/v2/ais/consents/redirect", fmt.Sprintf(`"query_string":%q,"wait":%v`, query, wait), status, &out)
	return out
}

// callback is the query the bank sends a finished journey back with.
func (a *ais) callback(x emulator.SCASession) string {
	a.T.Helper()
	x, err := a.store().SCASession(context.Background(), a.tenant(), x.ID)
	if err != nil {
		a.T.Fatal(err)
	}
	q := "state=" + x.State
	if x.Status == emulator.SCACompleted {
		return q + "&code=" + x.Code
	}
	return q + "&error=access_denied&error_description=" + string(x.Failure)
}

// direct_sca: the approval counts once the client hands the callback
// over; 202 before the bank is done, 200 on the first hand-over, 201 on
// the next; wait makes it active at once; an error fails the consent.
func TestConsentRedirect(t *testing.T) {
	a := newAIS(t)
	direct := func() createdConsent {
		return a.create(`"ais_method":{"provider_id":"bt_ro"}`, `"type":"direct_sca","redirect_url":"https://client.example/cb"`)
	}
	c := direct()
	x := a.session(c.ConsentID)
	before := a.snapshot()
	out := a.handOver("?state="+c.WebID+"&code=early", false, 202)
	if out.Status != "redirect_in_progress" || out.ConsentID != c.ConsentID || out.WebID != c.WebID || a.snapshot() != before {
		t.Fatalf("pending: %+v", out)
	}
	x = a.approve(x, "testbt")
	if s := a.status(c.ConsentID); s != "awaiting_authz" {
		t.Fatalf("approved at the bank, not handed over: %s", s)
	}
	before = a.snapshot()
	if e := a.call("/v2/ais/consents/redirect", fmt.Sprintf(`"query_string":"state=%s&code=forged"`, c.WebID)).failure(t, 400); e.Code != "validation_error" {
		t.Fatalf("a forged code: %+v", e)
	}
	if a.snapshot() != before {
		t.Fatal("a refused hand-over changed state")
	}
	if out = a.handOver(a.callback(x), false, 200); out.Status != "authorized" {
		t.Fatalf("handed over: %+v", out)
	}
	if out = a.handOver(a.callback(x), false, 201); out.Status != "authorized" {
		t.Fatalf("again: %+v", out)
	}
	a.advance(time.Second)
	if out = a.handOver(a.callback(x), true, 201); out.Status != "active" {
		t.Fatalf("a second later: %+v", out)
	}
	if got := a.hookStatuses(c.ConsentID); !slices.Equal(got, []string{"sca_url_retrieved", "awaiting_authz", "authorized", "active"}) {
		t.Fatalf("webhooks %v", got)
	}

	w := direct()
	wx := a.approve(a.session(w.ConsentID), "testbt")
	if out = a.handOver(a.callback(wx), true, 200); out.Status != "active" {
		t.Fatalf("wait: %+v", out)
	}
	if got := a.hookStatuses(w.ConsentID); !slices.Equal(got, []string{"sca_url_retrieved", "awaiting_authz", "authorized", "active"}) {
		t.Fatalf("wait webhooks %v", got)
	}

	d := direct()
	if out = a.handOver("state="+d.WebID+"&error=access_denied", false, 200); out.Status != "failed" {
		t.Fatalf("error: %+v", out)
	}
	if out = a.handOver("state="+d.WebID+"&error=access_denied", false, 201); out.Status != "failed" {
		t.Fatalf("error again: %+v", out)
	}
	if x := a.session(d.ConsentID); x.Status != emulator.SCAFailed {
		t.Fatalf("journey after the error: %+v", x)
	}

	// The bank refused first: the hand-over reports it.
	f := direct()
	fx := a.session(f.ConsentID)
	if _, err := a.store().FailSCA(context.Background(), a.tenant(), fx.ID, emulator.FailDenied); err != nil {
		t.Fatal(err)
	}
	if out = a.handOver(a.callback(fx), false, 200); out.Status != "failed" {
		t.Fatalf("denied at the bank: %+v", out)
	}

	link := a.create("", "")
	bare := direct()
	before = a.snapshot()
	for _, bad := range []struct {
		fields string
		status int
		code   string
	}{
		{`"query_string":"state=nobody&code=x"`, 404, "not_found"},
		{fmt.Sprintf(`"query_string":"state=%s&code=x"`, link.WebID), 400, "validation_error"},
		{fmt.Sprintf(`"query_string":"state=%s"`, bare.WebID), 400, "validation_error"},
		{`"query_string":"code=x"`, 400, "validation_error"},
		{`"query_string":"state=%zz"`, 400, "validation_error"},
		{`"wait":true`, 400, "validation_error"},
		{`"query_string":42`, 400, "validation_error"},
	} {
		if e := a.call("/v2/ais/consents/redirect", bad.fields).failure(t, bad.status); e.Code != bad.code {
			t.Errorf("%s: %+v", bad.fields, e)
		}
	}
	if a.snapshot() != before {
		t.Fatal("a refused hand-over changed state")
	}
}

// Bad create requests are refused in FinqLink's envelope and create
// nothing.
func TestConsentCreateBadInput(t *testing.T) {
	a := newAIS(t)
	a.create("", "")
	before := a.snapshot()
	for _, bad := range []struct {
		name, fields string
		status       int
		code         string
	}{
		{"no consent", `"options":{}`, 400, "validation_error"},
		{"one scope", `"consent":{"scope":["accounts"]}`, 400, "validation_error"},
		{"transactions without balances", `"consent":{"scope":["accounts","transactions"]}`, 400, "validation_error"},
		{"scope twice", `"consent":{"scope":["accounts","balances","balances"]}`, 400, "validation_error"},
		{"validity 0", `"consent":{"validity_days":0}`, 400, "validation_error"},
		{"validity 181", `"consent":{"validity_days":181}`, 400, "validation_error"},
		{"validity a string", `"consent":{"validity_days":"90"}`, 400, "validation_error"},
		{"expires_in over 45 days", `"consent":{},"options":{"expires_in":3888001}`, 400, "validation_error"},
		{"expires_in 0", `"consent":{},"options":{"expires_in":0}`, 400, "validation_error"},
		{"unknown type", `"consent":{},"options":{"type":"popup"}`, 400, "validation_error"},
		{"unknown template", `"consent":{},"options":{"ux_template":"neon"}`, 400, "validation_error"},
		{"relative webhook", `"consent":{},"options":{"webhook_url":"/hooks"}`, 400, "validation_error"},
		{"ftp redirect", `"consent":{},"options":{"redirect_url":"ftp://client.example/cb"}`, 400, "validation_error"},
		{"unknown provider", `"consent":{},"ais_method":{"provider_id":"nope_ro"}`, 400, "validation_error"},
		{"wrapped without provider", `"consent":{},"options":{"type":"wrapped_sca"}`, 400, "validation_error"},
		{"redirect_sca without provider", `"consent":{},"options":{"type":"redirect_sca"}`, 400, "validation_error"},
		{"direct without redirect_url", `"consent":{},"ais_method":{"provider_id":"bt_ro"},"options":{"type":"direct_sca"}`, 400, "validation_error"},
		{"no corporate AIS at cec_ro", `"consent":{},"ais_method":{"provider_id":"cec_ro","account_owner_type":["corporate"]}`, 400, "method_selection_error"},
		{"no prod AIS anywhere", `"consent":{},"ais_method":{"interface_env":"prod"}`, 400, "method_selection_error"},
		{"bad owner type", `"consent":{},"ais_method":{"account_owner_type":["company"]}`, 400, "validation_error"},
		{"bad tracking id", `"consent":{},"tracking_ids":{"end_user_id":"-bad"}`, 400, "validation_error"},
		{"not an object", `"consent":[]`, 400, "validation_error"},
	} {
		if e := a.call("/v2/ais/consents/create", bad.fields).failure(t, bad.status); e.Code != bad.code {
			t.Errorf("%s: %+v", bad.name, e)
		}
	}
	if e := a.post("/v2/ais/consents/create", `{"client_id":"`+a.client+`","client_secret":"wrong","consent":{}}`, nil).failure(t, 401); e.Code != "unauthorized" {
		t.Errorf("wrong secret: %+v", e)
	}
	if e := a.send(http.MethodPost, base+"/v2/ais/consents/create", "application/json", strings.NewReader(`{"client_id":`), nil).failure(t, 400); e.Code == "" {
		t.Errorf("malformed JSON: %+v", e)
	}
	if a.snapshot() != before {
		t.Fatal("a refused create changed state")
	}
	// get: unknown and malformed ids.
	if e := a.call("/v2/ais/consents/get", `"consent_id":"00000000-0000-4000-8000-000000000000"`).failure(t, 404); e.Code != "not_found" {
		t.Errorf("get unknown: %+v", e)
	}
	if e := a.call("/v2/ais/consents/get", "").failure(t, 400); e.Code != "validation_error" {
		t.Errorf("get without id: %+v", e)
	}
	if e := a.call("/v2/ais/consents/get", `"consent_id":""`).failure(t, 400); e.Code != "validation_error" {
		t.Errorf("get with an empty id: %+v", e)
	}
	// The quick start's /test/consents/create reaches the same operation.
	if r := a.post("/test/consents/create", a.body(`"consent":{}`), nil); r.Status != 200 {
		t.Fatalf("/test/consents/create: %d %s", r.Status, r.Body)
	}
}
