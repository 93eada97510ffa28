package finqlink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/bank"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/instance"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/fixtures"
)

// The payment links API (Pay) over HTTP: links/create, links/get,
// links/list and links/redirect, with the payer driven through the WebUI's
// store calls and Sandbank's real bank pages, and the clock moved by the
// test.

// linkKit is a harness with a webhook receiver and, for the scenario
// tests, FinqLink tenants whose banks reject payments or funds.
type linkKit struct {
	*harness
	hook string // the webhook receiver's URL
}

// Credentials of the scenario tenants linkKit creates.
const (
	rejectingClient     = "fq-rejecting-0001"
	fundsRejectedClient = "fq-funds-rejected-0001"
)

// newLinkKit starts a Sandbank whose scenarios include the default one
// with payments.outcome rejected and funds_rejected, and a webhook
// receiver that accepts everything.
func newLinkKit(t *testing.T) *linkKit {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, outcome := range []string{"rejected", "funds_rejected"} {
		doc := strings.Replace(string(src), "name: default\n", "name: payments_"+outcome+"\n", 1)
		doc = strings.Replace(doc, "\nbehaviour:\n", "\nbehaviour:\n  payments:\n    outcome: "+outcome+"\n", 1)
		if err := os.WriteFile(filepath.Join(dir, "payments_"+outcome+".yaml"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, func(o *instance.Options) { o.ScenariosDir = dir })
	for cred, sc := range map[string]string{rejectingClient: "payments_rejected", fundsRejectedClient: "payments_funds_rejected"} {
		if _, err := h.In.Control.CreateTenant(context.Background(), client.NewTenant{Provider: "finqlink", Credential: cred, Secret: clientSecret, Scenario: sc}); err != nil {
			t.Fatal(err)
		}
	}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(recv.Close)
	return &linkKit{harness: h, hook: recv.URL + "/hooks"}
}

// call posts to a links operation as client id (secret clientSecret)
// with the body's other fields in extra (starting with a comma).
func (k *linkKit) call(id, op, extra string) resp {
	k.T.Helper()
	return k.post("/v2/links/"+op, fmt.Sprintf(`{"client_id":%q,"client_secret":%q%s}`, id, clientSecret, extra), nil)
}

// tenant is the client's tenant (made by its first call).
func (k *linkKit) tenant(id string) *emulator.Tenant {
	k.T.Helper()
	tn, err := k.In.Store.Tenant(context.Background(), emulator.FinqLink, id)
	if err != nil {
		k.T.Fatal(err)
	}
	return tn
}

type createdLink struct {
	RequestID    string  `json:"request_id"`
	CreatedAt    string  `json:"created_at"`
	ExpiresAt    string  `json:"expires_at"`
	APIClientApp string  `json:"api_client_app"`
	LinkID       string  `json:"link_id"`
	WebID        string  `json:"web_id"`
	WebURL       *string `json:"web_url"`
}

type gotLink struct {
	Status        string  `json:"status"`
	ExpiresAt     string  `json:"expires_at"`
	IsExpired     bool    `json:"is_expired"`
	LinkID        string  `json:"link_id"`
	WebID         string  `json:"web_id"`
	WebURL        *string `json:"web_url"`
	PaymentMethod *struct {
		ProviderID    string   `json:"provider_id"`
		RemitterType  []string `json:"remitter_type"`
		PaymentScheme string   `json:"payment_scheme"`
		Env           string   `json:"env"`
		Features      []string `json:"features"`
	} `json:"payment_method"`
	ServiceProvider *struct {
		ProviderID string `json:"provider_id"`
		Name       string `json:"name"`
	} `json:"service_provider"`
}

// intent is a valid payment intent to a documented creditor.
const intent = `"payment_intent":{"amount":"125.50","currency":"RON","creditor":{"name":"Shop SRL","iban":"RO10RZBR0000069999999970"},"description":"Order 42"}`

// create makes a link for client id and returns the reply; extra holds
// the body's fields beside payment_intent.
func (k *linkKit) create(id, extra string) createdLink {
	k.T.Helper()
	r := k.call(id, "create", ","+intent+extra)
	r.WantStatus(k.T, 200)
	var c createdLink
	r.Decode(k.T, &c)
	return c
}

func (k *linkKit) get(id, linkID string) gotLink {
	k.T.Helper()
	r := k.call(id, "get", fmt.Sprintf(`,"link_id":%q`, linkID))
	r.WantStatus(k.T, 200)
	var g gotLink
	r.Decode(k.T, &g)
	return g
}

// wantLinkStatus asserts the status get-link answers.
func (k *linkKit) wantLinkStatus(id, linkID, want string) {
	k.T.Helper()
	if got := k.get(id, linkID).Status; got != want {
		k.T.Fatalf("link %s is %s, want %s", linkID, got, want)
	}
}

// hooks returns the client's webhook bodies, oldest first.
func (k *linkKit) hooks(id string) []string {
	k.T.Helper()
	ds, err := k.In.Store.WebhookDeliveries(context.Background(), k.tenant(id), store.WebhookFilter{Limit: store.WebhookLimitMax})
	if err != nil {
		k.T.Fatal(err)
	}
	var out []string
	for _, d := range slices.Backward(ds) {
		if d.Type != "link_status_update" || d.URL != k.hook || d.Provider != emulator.FinqLink {
			k.T.Fatalf("delivery %+v", d.Webhook)
		}
		out = append(out, string(d.Body))
	}
	return out
}

// wantHooks asserts the client's webhooks, in order, are exactly these
// statuses of one link.
func (k *linkKit) wantHooks(id string, c createdLink, statuses ...string) {
	k.T.Helper()
	var want []string
	for _, st := range statuses {
		want = append(want, fmt.Sprintf(`{"type":"link_status_update","link_id":"%s","web_id":"%s","status":"%s"}`, c.LinkID, c.WebID, st))
	}
	if got := k.hooks(id); !slices.Equal(got, want) {
		k.T.Fatalf("webhooks:\n got  %q\n want %q", got, want)
	}
}

// advance moves the tenant clocks and runs what fell due.
func (k *linkKit) advance(id string, d time.Duration) {
	k.T.Helper()
	k.Clock.Advance(d)
	k.RunDue(emulator.FinqLink, id)
}

// journey is the bank journey of a link.
func (k *linkKit) journey(id, linkID string) emulator.SCASession {
	k.T.Helper()
	ctx := context.Background()
	tn := k.tenant(id)
	l, err := k.In.Store.Link(ctx, tn, linkID)
	if err != nil {
		k.T.Fatal(err)
	}
	x, err := k.In.Store.SCASession(ctx, tn, l.SCASessionID)
	if err != nil {
		k.T.Fatal(err)
	}
	return x
}

// bankForm posts one form of the bank's pages.
func (k *linkKit) bankForm(u string, form url.Values) resp {
	k.T.Helper()
	return k.send(http.MethodPost, u, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), nil)
}

// logIn logs the PSU in and passes the one-time code on the bank's
// pages, as the payer does.
func (k *linkKit) logIn(journeyURL, login, password, otp string) {
	k.T.Helper()
	if r := k.bankForm(journeyURL, url.Values{"action": {"login"}, "username": {login}, "password": {password}}); r.Status != http.StatusSeeOther {
		k.T.Fatalf("login: %d %s", r.Status, r.Body)
	}
	if r := k.bankForm(journeyURL, url.Values{"action": {"otp"}, "otp": {otp}}); r.Status != http.StatusSeeOther {
		k.T.Fatalf("otp: %d %s", r.Status, r.Body)
	}
}

// payAtBank logs in, passes the OTP and approves on Sandbank's bank
// pages, returning where the bank sends the browser back.
func (k *linkKit) payAtBank(id string, x emulator.SCASession, login, password, otp string) *url.URL {
	k.T.Helper()
	tn := k.tenant(id)
	u := bank.JourneyURL(k.Srv.URL, tn, x.ID)
	k.logIn(u, login, password, otp)
	psu, err := k.In.Store.PSUByLogin(context.Background(), tn, x.BankID, login)
	if err != nil {
		k.T.Fatal(err)
	}
	accounts, err := k.In.Store.PSUAccounts(context.Background(), tn, psu.ID)
	if err != nil {
		k.T.Fatal(err)
	}
	// A payment is taken from one account: the PSU's first at the bank.
	form := url.Values{"action": {"approve"}}
	for _, a := range accounts {
		if a.BankID == x.BankID {
			form.Set("account", a.ID)
			break
		}
	}
	r := k.bankForm(u, form)
	if r.Status != http.StatusSeeOther {
		k.T.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	back, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		k.T.Fatal(err)
	}
	return back
}

// snapshot is what a refused request must leave as it was: the client's
// links as links/list shows them and its webhooks.
func (k *linkKit) snapshot(id string) string {
	k.T.Helper()
	r := k.call(id, "list", `,"pagination":{"limit":250}`)
	r.WantStatus(k.T, 200)
	var body struct {
		Links json.RawMessage `json:"links"`
	}
	r.Decode(k.T, &body)
	return string(body.Links) + "\n" + strings.Join(k.hooks(id), "\n")
}

// Every flow type answers its web_url: the WebUI page for link and
// wrapped_sca, the bank's SCA page for direct_sca and redirect_sca; the
// flows that go straight to the bank start its journey at creation.
func TestCreateLinkFlows(t *testing.T) {
	k := newLinkKit(t)
	base := k.Srv.URL + "/webui/finqlink/"
	first := k.create(clientID, "") // the tenant exists from here on
	tn := k.tenant(clientID)
	webui := func(webID string) string { return base + tn.Key() + "/pay/" + webID }
	if first.WebURL == nil || *first.WebURL != webui(first.WebID) {
		t.Fatalf("link: %+v", first)
	}
	if first.CreatedAt != "2026-05-04T08:00:00.000000Z" || first.ExpiresAt != "2026-05-05T08:00:00.000000Z" || first.APIClientApp != clientID || first.RequestID == "" {
		t.Fatalf("link instants and envelope: %+v", first)
	}
	if len(first.LinkID) != 36 || first.WebID == "" {
		t.Fatalf("ids: %+v", first)
	}
	g := k.get(clientID, first.LinkID)
	if g.Status != "created" || g.IsExpired || g.WebURL == nil || *g.WebURL != webui(first.WebID) || g.PaymentMethod != nil || g.ServiceProvider != nil {
		t.Fatalf("get link: %+v", g)
	}

	wrapped := k.create(clientID, `,"payment_method":{"provider_id":"rzb_ro","payment_scheme":"instant"},"options":{"type":"wrapped_sca","expires_in":600,"ux_template":"glass"}`)
	if wrapped.WebURL == nil || *wrapped.WebURL != webui(wrapped.WebID) || wrapped.ExpiresAt != "2026-05-04T08:10:00.000000Z" {
		t.Fatalf("wrapped_sca: %+v", wrapped)
	}
	x := k.journey(clientID, wrapped.LinkID)
	if x.Provider != emulator.FinqLink || x.BankID != "rzb_ro" || x.State != wrapped.WebID || x.RedirectURI != webui(wrapped.WebID) ||
		x.Status != emulator.SCAPending || !x.ExpiresAt.Equal(start.Add(10*time.Minute)) {
		t.Fatalf("wrapped_sca journey: %+v (the link lives 10 minutes, the journey at most as long)", x)
	}
	g = k.get(clientID, wrapped.LinkID)
	if g.Status != "requested" || g.ServiceProvider == nil || g.ServiceProvider.ProviderID != "rzb_ro" || g.ServiceProvider.Name != "Raiffeisen Bank Romania" ||
		g.PaymentMethod == nil || g.PaymentMethod.ProviderID != "rzb_ro" || g.PaymentMethod.PaymentScheme != "instant" || !slices.Equal(g.PaymentMethod.RemitterType, []string{"retail"}) {
		t.Fatalf("get wrapped_sca: %+v %+v %+v", g, g.ServiceProvider, g.PaymentMethod)
	}

	direct := k.create(clientID, `,"payment_method":{"provider_id":"bt_ro"},"options":{"type":"direct_sca","redirect_url":"https://shop.example/back?from=bank"}`)
	x = k.journey(clientID, direct.LinkID)
	if direct.WebURL == nil || *direct.WebURL != bank.JourneyURL(k.Srv.URL, tn, x.ID) || x.RedirectURI != "https://shop.example/back?from=bank" || x.BankID != "bt_ro" {
		t.Fatalf("direct_sca: %+v, journey %+v", direct, x)
	}
	if g = k.get(clientID, direct.LinkID); g.WebURL != nil || g.Status != "requested" {
		t.Fatalf("get direct_sca: web_url must be null: %+v", g)
	}

	redirect := k.create(clientID, `,"payment_method":{"provider_id":"cec_ro"},"options":{"type":"redirect_sca","redirect_url":"https://shop.example/done"}`)
	x = k.journey(clientID, redirect.LinkID)
	if redirect.WebURL == nil || *redirect.WebURL != bank.JourneyURL(k.Srv.URL, tn, x.ID) || x.RedirectURI != webui(redirect.WebID) {
		t.Fatalf("redirect_sca: %+v, journey %+v", redirect, x)
	}
	if g = k.get(clientID, redirect.LinkID); g.WebURL == nil || *g.WebURL != *redirect.WebURL {
		t.Fatalf("get redirect_sca: %+v", g)
	}

	// The flows that start the journey said so by webhook; no receiver
	// was given here, so none was written.
	if hooks := k.hooks(clientID); len(hooks) != 0 {
		t.Fatalf("webhooks without a webhook_url: %q", hooks)
	}
	// The stored link keeps what the client asked for.
	l, err := k.In.Store.Link(context.Background(), tn, wrapped.LinkID)
	if err != nil || l.Template != "glass" || l.Amount != "125.50" || l.Currency != "RON" || l.CreditorIBAN != "RO10RZBR0000069999999970" || l.Description != "Order 42" {
		t.Fatalf("stored: %+v %v", l, err)
	}
	// Another client sees none of these links.
	if e := k.call("fq-other-0001", "get", fmt.Sprintf(`,"link_id":%q`, first.LinkID)).failure(t, 404); e.Code != "not_found" {
		t.Fatalf("another client's link: %+v", e)
	}
}

// A link flow paid at libra_ro through the WebUI and the bank's real
// pages: every status once, in order, each with its webhook, and the
// funds reported last.
func TestLinkPaysThroughTheBankPages(t *testing.T) {
	k := newLinkKit(t)
	ctx := context.Background()
	c := k.create(clientID, fmt.Sprintf(`,"tracking_ids":{"end_user_id":"user-1","merchant_id":"m-1"},"options":{"webhook_url":%q,"redirect_url":"https://shop.example/thanks"}`, k.hook))
	tn := k.tenant(clientID)
	webui := k.In.Store
	if _, err := webui.OpenLink(ctx, tn, c.WebID); err != nil {
		t.Fatal(err)
	}
	k.wantLinkStatus(clientID, c.LinkID, "started")
	_, x, err := webui.ChooseLinkBank(ctx, tn, c.WebID, "libra_ro", "https://webui.example/back", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	g := k.get(clientID, c.LinkID)
	if g.Status != "requested" || g.ServiceProvider == nil || g.ServiceProvider.ProviderID != "libra_ro" || g.PaymentMethod == nil ||
		!slices.Equal(g.PaymentMethod.Features, []string{"funds_received"}) {
		t.Fatalf("bank chosen: %+v", g)
	}
	u := bank.JourneyURL(k.Srv.URL, tn, x.ID)
	if r := k.bankForm(u, url.Values{"action": {"login"}, "username": {"testlibra"}, "password": {"testlibra"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	k.wantLinkStatus(clientID, c.LinkID, "intent_accepted")
	if r := k.bankForm(u, url.Values{"action": {"otp"}, "otp": {"123456"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("otp: %d %s", r.Status, r.Body)
	}
	k.wantLinkStatus(clientID, c.LinkID, "awaiting_authz")
	// payAtBank logs in again on a journey past login: approve directly.
	psu, err := k.In.Store.PSUByLogin(ctx, tn, "libra_ro", "testlibra")
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := k.In.Store.PSUAccounts(ctx, tn, psu.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := k.bankForm(u, url.Values{"action": {"approve"}, "account": {accounts[0].ID}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	back, _ := url.Parse(r.Header.Get("Location"))
	if back.Host != "webui.example" || back.Query().Get("state") != c.WebID || back.Query().Get("code") == "" {
		t.Fatalf("the bank sends the payer to %s", back)
	}
	k.wantLinkStatus(clientID, c.LinkID, "received")
	k.advance(clientID, store.LinkSubmitDelay-time.Second)
	k.wantLinkStatus(clientID, c.LinkID, "received")
	k.advance(clientID, time.Second)
	k.wantLinkStatus(clientID, c.LinkID, "submitted")
	k.advance(clientID, store.LinkCompleteDelay)
	k.wantLinkStatus(clientID, c.LinkID, "completed")
	k.advance(clientID, store.LinkFundsDelay)
	k.wantLinkStatus(clientID, c.LinkID, "funds_received")
	k.wantHooks(clientID, c, "started", "requested", "intent_accepted", "awaiting_authz", "received", "submitted", "completed", "funds_received")
	// Nothing moves any more.
	k.advance(clientID, time.Hour)
	k.wantLinkStatus(clientID, c.LinkID, "funds_received")
}

// The scenario's payments outcome: funds sent back at libra_ro, payments
// rejected at rzb_ro; and a bank that does not report funds stops at
// completed.
func TestLinkPaymentOutcomes(t *testing.T) {
	k := newLinkKit(t)
	for _, c := range []struct {
		client, provider, login, password string
		want                              []string
	}{
		{fundsRejectedClient, "libra_ro", "testlibra", "testlibra", []string{"requested", "intent_accepted", "awaiting_authz", "received", "submitted", "completed", "funds_rejected"}},
		{rejectingClient, "rzb_ro", "9999999998", "123456", []string{"requested", "intent_accepted", "awaiting_authz", "received", "failed"}},
		{clientID, "cec_ro", "testcecapi", "testcecapi", []string{"requested", "intent_accepted", "awaiting_authz", "received", "submitted", "completed"}},
	} {
		t.Run(c.client, func(t *testing.T) {
			k.T = t
			l := k.create(c.client, fmt.Sprintf(`,"payment_method":{"provider_id":%q},"options":{"type":"redirect_sca","webhook_url":%q}`, c.provider, k.hook))
			back := k.payAtBank(c.client, k.journey(c.client, l.LinkID), c.login, c.password, "123456")
			if back.Query().Get("state") != l.WebID || !strings.HasPrefix(back.String(), k.Srv.URL+"/webui/finqlink/") {
				t.Fatalf("the bank sends the payer to %s", back)
			}
			k.advance(c.client, time.Minute)
			k.wantLinkStatus(c.client, l.LinkID, c.want[len(c.want)-1])
			k.wantHooks(c.client, l, c.want...)
		})
	}
	k.T = t
}

// A payer who denies, one the bank refuses (magic login deny), one who
// never finishes, one who is not the prefilled debtor, and one who
// cancels on the WebUI: each ends the link.
func TestLinkEndsEarly(t *testing.T) {
	k := newLinkKit(t)
	ctx := context.Background()
	opts := fmt.Sprintf(`,"payment_method":{"provider_id":"rzb_ro"},"options":{"type":"wrapped_sca","webhook_url":%q}`, k.hook)

	denied := k.create(clientID, opts)
	tn := k.tenant(clientID)
	u := bank.JourneyURL(k.Srv.URL, tn, k.journey(clientID, denied.LinkID).ID)
	k.logIn(u, "9999999998", "123456", "123456")
	r := k.bankForm(u, url.Values{"action": {"deny"}})
	if back, _ := url.Parse(r.Header.Get("Location")); r.Status != http.StatusSeeOther || back.Query().Get("error") != "access_denied" {
		t.Fatalf("deny: %d %s", r.Status, r.Header.Get("Location"))
	}
	k.wantLinkStatus(clientID, denied.LinkID, "failed")
	k.wantHooks(clientID, denied, "requested", "intent_accepted", "awaiting_authz", "failed")

	refused := k.create(clientID, opts)
	u = bank.JourneyURL(k.Srv.URL, tn, k.journey(clientID, refused.LinkID).ID)
	k.logIn(u, "deny", "123456", "123456")
	k.wantLinkStatus(clientID, refused.LinkID, "failed")

	// The journey times out at the link's expiry when that comes first.
	late := k.create(clientID, fmt.Sprintf(`,"payment_method":{"provider_id":"rzb_ro"},"options":{"type":"wrapped_sca","expires_in":300,"webhook_url":%q}`, k.hook))
	k.advance(clientID, 5*time.Minute)
	if g := k.get(clientID, late.LinkID); g.Status != "failed" || !g.IsExpired {
		t.Fatalf("late: %+v", g)
	}
	if x := k.journey(clientID, late.LinkID); x.Failure != emulator.FailTimeout {
		t.Fatalf("late journey: %+v", x)
	}

	stranger := k.create(clientID, `,"payment_intent":{"amount":"1","currency":"RON","creditor":{"name":"Shop","iban":"RO10RZBR0000069999999970"},"debtor":{"name":"Mihai","iban":"RO03RZBR0000069999999999"}},"payment_method":{"provider_id":"rzb_ro"},"options":{"type":"redirect_sca"}`)
	u = bank.JourneyURL(k.Srv.URL, tn, k.journey(clientID, stranger.LinkID).ID)
	if r := k.bankForm(u, url.Values{"action": {"login"}, "username": {"deny"}, "password": {"123456"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	k.wantLinkStatus(clientID, stranger.LinkID, "failed")
	// The documented debtor pays the same kind of link.
	debtor := k.create(clientID, `,"payment_intent":{"amount":"1","currency":"RON","creditor":{"name":"Shop","iban":"RO10RZBR0000069999999970"},"debtor":{"iban":"RO03RZBR0000069999999999","psu_id":"9999999998"}},"payment_method":{"provider_id":"rzb_ro"},"options":{"type":"redirect_sca"}`)
	k.payAtBank(clientID, k.journey(clientID, debtor.LinkID), "9999999998", "123456", "123456")
	k.wantLinkStatus(clientID, debtor.LinkID, "received")

	cancelled := k.create(clientID, fmt.Sprintf(`,"options":{"webhook_url":%q}`, k.hook))
	if _, err := k.In.Store.OpenLink(ctx, tn, cancelled.WebID); err != nil {
		t.Fatal(err)
	}
	if l, err := k.In.Store.CancelLink(ctx, tn, cancelled.WebID); err != nil || l.Status != emulator.LinkRevoked {
		t.Fatalf("cancel: %+v %v", l, err)
	}
	k.wantLinkStatus(clientID, cancelled.LinkID, "revoked")
	hooks := k.hooks(clientID)
	want := []string{
		fmt.Sprintf(`{"type":"link_status_update","link_id":"%s","web_id":"%s","status":"started"}`, cancelled.LinkID, cancelled.WebID),
		fmt.Sprintf(`{"type":"link_status_update","link_id":"%s","web_id":"%s","status":"revoked"}`, cancelled.LinkID, cancelled.WebID),
	}
	if !slices.Equal(hooks[len(hooks)-2:], want) {
		t.Fatalf("cancel webhooks: %q", hooks[len(hooks)-2:])
	}
}

type redirectReply struct {
	RequestID    string `json:"request_id"`
	Status       string `json:"status"`
	APIClientApp string `json:"api_client_app"`
	LinkID       string `json:"link_id"`
	WebID        string `json:"web_id"`
}

// redirect hands a callback query over and returns the reply's status
// code and link status.
func (k *linkKit) redirect(query string, wait bool) (int, redirectReply) {
	k.T.Helper()
	r := k.call(clientID, "redirect", fmt.Sprintf(`,"query_string":%q,"wait":%t`, query, wait))
	var out redirectReply
	r.Decode(k.T, &out)
	return r.Status, out
}

// links/redirect for direct_sca: 202 while at the bank, 200 for the
// hand-over that settles the link, 201 for a repeat; wait moves an
// approved payment on to submitted at once; a refusal answers failed.
func TestLinkRedirect(t *testing.T) {
	k := newLinkKit(t)
	opts := fmt.Sprintf(`,"payment_method":{"provider_id":"rzb_ro"},"options":{"type":"direct_sca","redirect_url":"https://shop.example/cb","webhook_url":%q}`, k.hook)
	c := k.create(clientID, opts)
	x := k.journey(clientID, c.LinkID)
	if st, out := k.redirect("state="+c.WebID, false); st != 202 || out.Status != "redirect_in_progress" || out.LinkID != c.LinkID || out.WebID != c.WebID {
		t.Fatalf("pending: %d %+v", st, out)
	}
	back := k.payAtBank(clientID, x, "9999999998", "123456", "123456")
	if back.Host != "shop.example" || back.Query().Get("state") != c.WebID {
		t.Fatalf("the bank sends the payer to %s", back)
	}
	// Approved at the bank, the link waits for its client.
	k.advance(clientID, time.Minute)
	k.wantLinkStatus(clientID, c.LinkID, "awaiting_authz")
	before := k.snapshot(clientID)
	for _, bad := range []string{"state=" + c.WebID, "state=" + c.WebID + "&code=forged", "?state=" + c.WebID + "&error=access_denied"} {
		if e := k.call(clientID, "redirect", fmt.Sprintf(`,"query_string":%q`, bad)).failure(t, 400); e.Code != "validation_error" {
			t.Fatalf("%s: %+v", bad, e)
		}
	}
	if after := k.snapshot(clientID); after != before {
		t.Fatalf("a refused hand-over changed state:\n%s\n%s", before, after)
	}
	if st, out := k.redirect("?"+back.RawQuery, false); st != 200 || out.Status != "received" {
		t.Fatalf("hand-over: %d %+v", st, out)
	}
	if st, out := k.redirect(back.RawQuery, true); st != 201 || out.Status != "received" {
		t.Fatalf("repeat: %d %+v", st, out)
	}
	k.advance(clientID, store.LinkSubmitDelay+store.LinkCompleteDelay)
	if st, out := k.redirect(back.RawQuery, false); st != 201 || out.Status != "completed" {
		t.Fatalf("repeat after completion: %d %+v", st, out)
	}
	k.wantHooks(clientID, c, "requested", "intent_accepted", "awaiting_authz", "received", "submitted", "completed")

	// wait: received and submitted within the call.
	w := k.create(clientID, opts)
	back = k.payAtBank(clientID, k.journey(clientID, w.LinkID), "9999999998", "123456", "123456")
	n := len(k.hooks(clientID))
	if st, out := k.redirect(back.RawQuery, true); st != 200 || out.Status != "submitted" {
		t.Fatalf("wait: %d %+v", st, out)
	}
	hooks := k.hooks(clientID)[n:]
	want := []string{
		fmt.Sprintf(`{"type":"link_status_update","link_id":"%s","web_id":"%s","status":"received"}`, w.LinkID, w.WebID),
		fmt.Sprintf(`{"type":"link_status_update","link_id":"%s","web_id":"%s","status":"submitted"}`, w.LinkID, w.WebID),
	}
	if !slices.Equal(hooks, want) {
		t.Fatalf("wait webhooks: %q", hooks)
	}
	k.advance(clientID, store.LinkCompleteDelay)
	k.wantLinkStatus(clientID, w.LinkID, "completed")

	// A refusal: the bank sends error=access_denied; the link is failed.
	d := k.create(clientID, opts)
	u := bank.JourneyURL(k.Srv.URL, k.tenant(clientID), k.journey(clientID, d.LinkID).ID)
	k.logIn(u, "9999999998", "123456", "123456")
	r := k.bankForm(u, url.Values{"action": {"deny"}})
	back, _ = url.Parse(r.Header.Get("Location"))
	if back.Query().Get("error") != "access_denied" {
		t.Fatalf("deny: %s", back)
	}
	if st, out := k.redirect(back.RawQuery, false); st != 200 || out.Status != "failed" {
		t.Fatalf("refusal: %d %+v", st, out)
	}
	if st, out := k.redirect(back.RawQuery, false); st != 201 || out.Status != "failed" {
		t.Fatalf("refusal repeated: %d %+v", st, out)
	}

	// A state no link of the client's has (a tampered one, another
	// client's) is unknown; a link of another flow takes no callback.
	before = k.snapshot(clientID)
	if e := k.call(clientID, "redirect", fmt.Sprintf(`,"query_string":"state=%s-tampered&code=x"`, c.WebID)).failure(t, 404); e.Code != "not_found" {
		t.Fatalf("tampered state: %+v", e)
	}
	other := k.create("fq-other-0001", opts)
	if e := k.call(clientID, "redirect", fmt.Sprintf(`,"query_string":"state=%s"`, other.WebID)).failure(t, 404); e.Code != "not_found" {
		t.Fatalf("another client's state: %+v", e)
	}
	wrapped := k.create(clientID, `,"payment_method":{"provider_id":"rzb_ro"},"options":{"type":"wrapped_sca"}`)
	before = k.snapshot(clientID)
	if e := k.call(clientID, "redirect", fmt.Sprintf(`,"query_string":"state=%s"`, wrapped.WebID)).failure(t, 400); e.Code != "validation_error" {
		t.Fatalf("wrapped_sca state: %+v", e)
	}
	for _, body := range []string{`,"query_string":"code=abc"`, `,"wait":true`, `,"query_string":"state=` + c.WebID + `","wait":"yes"`} {
		if e := k.call(clientID, "redirect", body).failure(t, 400); e.Code != "validation_error" {
			t.Fatalf("%s: %+v", body, e)
		}
	}
	if after := k.snapshot(clientID); after != before {
		t.Fatalf("a refused hand-over changed state:\n%s\n%s", before, after)
	}
}

type listedLinks struct {
	ClientID string `json:"client_id"`
	Links    []struct {
		LinkID     string  `json:"link_id"`
		Status     string  `json:"status"`
		InsertedAt string  `json:"inserted_at"`
		IsExpired  bool    `json:"is_expired"`
		WebURL     *string `json:"web_url"`
	} `json:"links"`
	Pagination struct {
		Count int     `json:"count"`
		More  bool    `json:"more?"`
		After *string `json:"after"`
	} `json:"pagination"`
}

func (k *linkKit) list(id, extra string) listedLinks {
	k.T.Helper()
	r := k.call(id, "list", extra)
	r.WantStatus(k.T, 200)
	var out listedLinks
	r.Decode(k.T, &out)
	return out
}

func (l listedLinks) ids() []string {
	var out []string
	for _, x := range l.Links {
		out = append(out, x.LinkID)
	}
	return out
}

// links/list: newest first, AND-ed filters, keyset pages that neither
// repeat nor skip, limit bounds, and only the client's own links.
func TestListLinks(t *testing.T) {
	k := newLinkKit(t)
	ctx := context.Background()
	// Links 0-2 a second apart from 08:00:00, links 3-6 from 08:01:00,
	// 5 and 6 at the same instant (the link_id orders those).
	var made []string // oldest first
	prev := 0
	for _, at := range []int{0, 1, 2, 60, 61, 62, 62} {
		k.Clock.Advance(time.Duration(at-prev) * time.Second)
		prev = at
		made = append(made, k.create(clientID, "").LinkID)
	}
	tn := k.tenant(clientID)
	started, err := k.In.Store.Link(ctx, tn, made[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.In.Store.OpenLink(ctx, tn, started.WebID); err != nil {
		t.Fatal(err)
	}
	k.create("fq-other-0001", "") // another client's
	newest := slices.Clone(made)
	slices.Reverse(newest)
	if newest[0] < newest[1] {
		newest[0], newest[1] = newest[1], newest[0]
	}

	all := k.list(clientID, "")
	if !slices.Equal(all.ids(), newest) || all.Pagination.Count != 7 || all.Pagination.More || all.Pagination.After != nil || all.ClientID != clientID {
		t.Fatalf("all: %+v", all)
	}
	if all.Links[0].InsertedAt != "2026-05-04T08:01:02.000000Z" || all.Links[0].WebURL == nil {
		t.Fatalf("summary: %+v", all.Links[0])
	}
	// Pages of three: 3 + 3 + 1, each with the next cursor.
	var paged []string
	after := ""
	for page := 0; ; page++ {
		extra := `,"pagination":{"limit":3}`
		if after != "" {
			extra = fmt.Sprintf(`,"pagination":{"limit":3,"after":%q}`, after)
		}
		p := k.list(clientID, extra)
		paged = append(paged, p.ids()...)
		if !p.Pagination.More {
			if p.Pagination.After != nil || page != 2 || p.Pagination.Count != 1 {
				t.Fatalf("last page %d: %+v", page, p.Pagination)
			}
			break
		}
		if p.Pagination.After == nil || *p.Pagination.After != p.Links[2].LinkID || p.Pagination.Count != 3 {
			t.Fatalf("page %d: %+v", page, p.Pagination)
		}
		after = *p.Pagination.After
	}
	if !slices.Equal(paged, newest) {
		t.Fatalf("pages: %q, want %q", paged, newest)
	}
	// Filters, AND-ed.
	if got := k.list(clientID, `,"filter":{"status":"started"}`).ids(); !slices.Equal(got, []string{made[1]}) {
		t.Fatalf("started: %q", got)
	}
	if got := k.list(clientID, `,"filter":{"inserted_at_from":"2026-05-04T08:00:30Z"}`).ids(); !slices.Equal(got, newest[:4]) {
		t.Fatalf("from: %q", got)
	}
	if got := k.list(clientID, `,"filter":{"inserted_at_to":"2026-05-04T08:01:00Z"}`).ids(); !slices.Equal(got, newest[4:]) {
		t.Fatalf("to (excluded): %q", got)
	}
	if got := k.list(clientID, `,"filter":{"status":"created","inserted_at_from":"2026-05-04T08:00:00Z","inserted_at_to":"2026-05-04T08:00:30Z"}`).ids(); !slices.Equal(got, []string{made[2], made[0]}) {
		t.Fatalf("status and window: %q", got)
	}
	// A cursor with a filter pages within the filter.
	if got := k.list(clientID, fmt.Sprintf(`,"filter":{"status":"created"},"pagination":{"after":%q}`, made[4])).ids(); !slices.Equal(got, []string{made[3], made[2], made[0]}) {
		t.Fatalf("after with a filter: %q", got)
	}
	if got := k.list(clientID, `,"pagination":{"limit":250}`).ids(); len(got) != 7 {
		t.Fatalf("limit 250: %q", got)
	}
	if got := k.list("fq-other-0001", "").ids(); len(got) != 1 || slices.Contains(made, got[0]) {
		t.Fatalf("the other client's list: %q", got)
	}
	// Expiry shows in the summaries.
	k.Clock.Advance(25 * time.Hour)
	if l := k.list(clientID, "").Links[0]; !l.IsExpired || l.Status != "created" {
		t.Fatalf("expired: %+v", l)
	}
}

// Every operation refuses bad input with a 4xx in FinqLink's envelope and
// changes nothing.
func TestLinkBadInputs(t *testing.T) {
	k := newLinkKit(t)
	existing := k.create(clientID, fmt.Sprintf(`,"options":{"webhook_url":%q}`, k.hook))
	if _, err := k.In.Store.OpenLink(context.Background(), k.tenant(clientID), existing.WebID); err != nil {
		t.Fatal(err)
	}
	other := k.create("fq-other-0001", "")
	creditor := `"creditor":{"name":"Shop SRL","iban":"RO10RZBR0000069999999970"}`
	withIntent := func(fields string) string { return `,"payment_intent":{` + fields + `}` }
	amount := func(a string) string { return withIntent(`"amount":` + a + `,"currency":"RON",` + creditor) }
	cases := []struct {
		name, op, body string
		status         int
		code           string
	}{
		{"no payment_intent", "create", ``, 400, "validation_error"},
		{"no amount", "create", withIntent(`"currency":"RON",` + creditor), 400, "validation_error"},
		{"no currency", "create", withIntent(`"amount":"1",` + creditor), 400, "validation_error"},
		{"no creditor", "create", withIntent(`"amount":"1","currency":"RON"`), 400, "validation_error"},
		{"no creditor iban", "create", withIntent(`"amount":"1","currency":"RON","creditor":{"name":"Shop"}`), 400, "validation_error"},
		{"leading zero", "create", amount(`"012.50"`), 400, "validation_error"},
		{"thousands separator", "create", amount(`"1,000"`), 400, "validation_error"},
		{"signed", "create", amount(`"-5"`), 400, "validation_error"},
		{"trailing dot", "create", amount(`"5."`), 400, "validation_error"},
		{"a number", "create", amount(`12.5`), 400, "validation_error"},
		{"zero", "create", amount(`"0"`), 400, "validation_error"},
		{"zero with decimals", "create", amount(`"0.00"`), 400, "validation_error"},
		{"lower-case currency", "create", withIntent(`"amount":"1","currency":"ron",` + creditor), 400, "validation_error"},
		{"bad creditor iban checksum", "create", withIntent(`"amount":"1","currency":"RON","creditor":{"name":"Shop","iban":"RO10RZBR0000069999999971"}`), 400, "validation_error"},
		{"creditor iban with spaces", "create", withIntent(`"amount":"1","currency":"RON","creditor":{"name":"Shop","iban":"RO10 RZBR 0000 0699 9999 9970"}`), 400, "validation_error"},
		{"bad debtor iban", "create", withIntent(`"amount":"1","currency":"RON",` + creditor + `,"debtor":{"iban":"RO03RZBR0000069999999990"}`), 400, "validation_error"},
		{"unknown provider", "create", "," + intent + `,"payment_method":{"provider_id":"nope_ro"}`, 400, "validation_error"},
		{"no method matches", "create", "," + intent + `,"payment_method":{"provider_id":"cec_ro","payment_scheme":"sepa"}`, 400, "method_selection_error"},
		{"no provider has the method", "create", "," + intent + `,"payment_method":{"env":"prod"}`, 400, "method_selection_error"},
		{"unknown remitter type", "create", "," + intent + `,"payment_method":{"remitter_type":["family"]}`, 400, "validation_error"},
		{"unknown flow", "create", "," + intent + `,"options":{"type":"qr"}`, 400, "validation_error"},
		{"wrapped_sca without provider", "create", "," + intent + `,"options":{"type":"wrapped_sca"}`, 400, "validation_error"},
		{"redirect_sca without provider", "create", "," + intent + `,"options":{"type":"redirect_sca"}`, 400, "validation_error"},
		{"direct_sca without provider", "create", "," + intent + `,"options":{"type":"direct_sca","redirect_url":"https://shop.example/cb"}`, 400, "validation_error"},
		{"direct_sca without redirect_url", "create", "," + intent + `,"payment_method":{"provider_id":"rzb_ro"},"options":{"type":"direct_sca"}`, 400, "validation_error"},
		{"unknown template", "create", "," + intent + `,"options":{"ux_template":"neon"}`, 400, "validation_error"},
		{"zero expires_in", "create", "," + intent + `,"options":{"expires_in":0}`, 400, "validation_error"},
		{"ftp webhook", "create", "," + intent + `,"options":{"webhook_url":"ftp://hooks.example/x"}`, 400, "validation_error"},
		{"relative webhook", "create", "," + intent + `,"options":{"webhook_url":"/hooks"}`, 400, "validation_error"},
		{"relative redirect", "create", "," + intent + `,"options":{"redirect_url":"back"}`, 400, "validation_error"},
		{"bad tracking id", "create", "," + intent + `,"tracking_ids":{"end_user_id":"User_1"}`, 400, "validation_error"},
		{"malformed JSON", "create", `,"payment_intent":`, 400, "bad_request"},
		{"get: no link_id", "get", ``, 400, "validation_error"},
		{"get: short link_id", "get", `,"link_id":"abc"`, 400, "validation_error"},
		{"get: unknown link_id", "get", `,"link_id":"00000000-0000-4000-a000-000000000000"`, 404, "not_found"},
		{"get: another client's link", "get", fmt.Sprintf(`,"link_id":%q`, other.LinkID), 404, "not_found"},
		{"list: limit 0", "list", `,"pagination":{"limit":0}`, 400, "validation_error"},
		{"list: limit 251", "list", `,"pagination":{"limit":251}`, 400, "validation_error"},
		{"list: made-up cursor", "list", `,"pagination":{"after":"bogus"}`, 400, "validation_error"},
		{"list: another client's cursor", "list", fmt.Sprintf(`,"pagination":{"after":%q}`, other.LinkID), 400, "validation_error"},
		{"list: unknown status", "list", `,"filter":{"status":"paid"}`, 400, "validation_error"},
		{"list: bad date", "list", `,"filter":{"inserted_at_from":"yesterday"}`, 400, "validation_error"},
		{"list: from after to", "list", `,"filter":{"inserted_at_from":"2026-05-05T00:00:00Z","inserted_at_to":"2026-05-04T00:00:00Z"}`, 400, "validation_error"},
		{"redirect: no query_string", "redirect", ``, 400, "validation_error"},
		{"redirect: unknown state", "redirect", `,"query_string":"state=nobody&code=1"`, 404, "not_found"},
	}
	before := k.snapshot(clientID)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if e := k.call(clientID, c.op, c.body).failure(t, c.status); e.Code != c.code {
				t.Fatalf("%+v, want %s", e, c.code)
			}
		})
	}
	// A wrong secret is refused on every operation.
	for _, op := range []string{"create", "get", "list", "redirect"} {
		body := fmt.Sprintf(`{"client_id":%q,"client_secret":"wrong",%s,"link_id":%q,"query_string":"state=%s"}`, clientID, intent, existing.LinkID, existing.WebID)
		if e := k.post("/v2/links/"+op, body, nil).failure(t, 401); e.Code != "unauthorized" {
			t.Fatalf("%s with a wrong secret: %+v", op, e)
		}
	}
	if after := k.snapshot(clientID); after != before {
		t.Fatalf("refused requests changed state:\n%s\n%s", before, after)
	}
	if pending, err := k.In.Store.PendingSCASessions(context.Background(), k.tenant(clientID)); err != nil || len(pending) != 0 {
		t.Fatalf("refused requests started journeys: %+v %v", pending, err)
	}
}

// An expired link still reads (is_expired) and creating goes on; the
// WebUI refuses it.
func TestLinkExpiry(t *testing.T) {
	k := newLinkKit(t)
	c := k.create(clientID, `,"options":{"expires_in":60}`)
	k.Clock.Advance(59 * time.Second)
	if g := k.get(clientID, c.LinkID); g.IsExpired || g.ExpiresAt != "2026-05-04T08:01:00.000000Z" {
		t.Fatalf("before expiry: %+v", g)
	}
	k.Clock.Advance(time.Second)
	if g := k.get(clientID, c.LinkID); !g.IsExpired || g.Status != "created" {
		t.Fatalf("at expiry: %+v", g)
	}
	if _, err := k.In.Store.OpenLink(context.Background(), k.tenant(clientID), c.WebID); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("open an expired link: %v", err)
	}
	if later := k.create(clientID, ""); later.CreatedAt != "2026-05-04T08:01:00.000000Z" {
		t.Fatalf("create after: %+v", later)
	}
}

// The store's one funds-reporting bank is the catalogue's: the providers
// whose payment methods have the feature funds_received.
func TestFundsReportingMatchesTheCatalogue(t *testing.T) {
	providers, err := fixtures.FinqLinkProviders()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range providers {
		reports := slices.ContainsFunc(p.PaymentMethods, func(m fixtures.FinqLinkPaymentMethod) bool {
			return slices.Contains(m.Features, fixtures.FinqLinkFundsReceived)
		})
		if reports != store.LinkFundsReported(p.ID) {
			t.Errorf("%s: the catalogue says funds_received %t, the store %t", p.ID, reports, store.LinkFundsReported(p.ID))
		}
	}
}
