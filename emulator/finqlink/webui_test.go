package finqlink_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/finqlink"
)

// The WebUI's pages over HTTP: what they show, how they refuse bad forms
// (changing nothing), and the bank pages' FinqLink wording. The same
// journeys in a real browser are in browser_test.go.

// webui is a harness seen from the WebUI: links and consents made through
// the API, pages read and forms posted without following redirects.
type webui struct{ *harness }

func newWebUI(t *testing.T) *webui { return &webui{newHarness(t)} }

// webuiMade is what create-link or create-consent answered.
type webuiMade struct {
	ID     string // link_id or consent_id
	WebID  string
	WebURL string
}

// webuiIntent is a payment intent of 1234.5 RON to creditor.
func webuiIntent(creditor, description string) string {
	b, _ := json.Marshal(map[string]any{
		"amount": "1234.5", "currency": "RON", "description": description,
		"creditor": map[string]string{"name": creditor, "iban": "RO10RZBR0000069999999970"},
	})
	return `"payment_intent":` + string(b)
}

// link creates a payment link with the intent and the body's other
// fields in extra (each starting with a comma).
func (u *webui) link(intent, extra string) webuiMade {
	u.T.Helper()
	r := u.post("/v2/links/create", creds(","+intent+extra), nil)
	r.WantStatus(u.T, http.StatusOK)
	var out struct {
		LinkID string  `json:"link_id"`
		WebID  string  `json:"web_id"`
		WebURL *string `json:"web_url"`
	}
	r.Decode(u.T, &out)
	m := webuiMade{ID: out.LinkID, WebID: out.WebID}
	if out.WebURL != nil {
		m.WebURL = *out.WebURL
	}
	return m
}

// consent creates an AIS consent with the body's fields in extra.
func (u *webui) consent(extra string) webuiMade {
	u.T.Helper()
	r := u.post("/v2/ais/consents/create", creds(extra), nil)
	r.WantStatus(u.T, http.StatusOK)
	var out struct {
		ConsentID string `json:"consent_id"`
		WebID     string `json:"web_id"`
		WebURL    string `json:"web_url"`
	}
	r.Decode(u.T, &out)
	return webuiMade{ID: out.ConsentID, WebID: out.WebID, WebURL: out.WebURL}
}

func (u *webui) tenant() *emulator.Tenant {
	u.T.Helper()
	tn, err := u.In.Store.Tenant(context.Background(), emulator.FinqLink, clientID)
	if err != nil {
		u.T.Fatal(err)
	}
	return tn
}

// stored is the link as the store holds it.
func (u *webui) stored(webID string) emulator.PayLink {
	u.T.Helper()
	l, err := u.In.Store.LinkByWebID(context.Background(), u.tenant(), webID)
	if err != nil {
		u.T.Fatal(err)
	}
	return l
}

func (u *webui) storedConsent(webID string) emulator.AISConsent {
	u.T.Helper()
	c, err := u.In.Store.ConsentByWebID(context.Background(), u.tenant(), webID)
	if err != nil {
		u.T.Fatal(err)
	}
	return c
}

// advance moves the clock and runs the tenant's due events.
func (u *webui) advance(d time.Duration) {
	u.T.Helper()
	u.Clock.Advance(d)
	u.RunDue(emulator.FinqLink, clientID)
}

// webPage is a page or redirect as a browser would receive it.
type webPage struct {
	status   int
	header   http.Header
	body     string
	location string
}

func (u *webui) open(method, target string, body io.Reader) webPage {
	u.T.Helper()
	ctype := ""
	if body != nil {
		ctype = "application/x-www-form-urlencoded"
	}
	r := u.Do(u.NewRequest(method, target, ctype, body, nil))
	return webPage{status: r.Status, header: r.Header, body: string(r.Body), location: r.Header.Get("Location")}
}

// page GETs a page.
func (u *webui) page(target string) webPage {
	u.T.Helper()
	return u.open(http.MethodGet, target, nil)
}

// submit posts a form.
func (u *webui) submit(target string, form url.Values) webPage {
	u.T.Helper()
	return u.open(http.MethodPost, target, strings.NewReader(form.Encode()))
}

// want checks a page's status, the headers every WebUI page carries, and
// that it contains each string.
func (p webPage) want(t *testing.T, status int, contains ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", p.status, status, p.body)
	}
	for k, v := range map[string]string{
		"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "X-Frame-Options": "DENY",
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
	} {
		if got := p.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	for _, s := range append([]string{`<html lang="en">`, "<main", "<h1", `name="viewport"`, "/bank/static/finqlink.css"}, contains...) {
		if !strings.Contains(p.body, s) {
			t.Errorf("page lacks %q; body:\n%s", s, p.body)
		}
	}
	if strings.Contains(strings.ToLower(p.body), "<script") {
		t.Errorf("page has a script:\n%s", p.body)
	}
	// Every visible input has a label, every button a name.
	for _, m := range regexp.MustCompile(`<input[^>]*>`).FindAllString(p.body, -1) {
		if strings.Contains(m, `type="hidden"`) {
			continue
		}
		id := regexp.MustCompile(`\bid="([^"]+)"`).FindStringSubmatch(m)
		if id == nil || !strings.Contains(p.body, `<label class="fq-bank-label" for="`+id[1]+`"`) && !strings.Contains(p.body, `<label for="`+id[1]+`"`) {
			t.Errorf("input without a label: %s", m)
		}
	}
	for _, m := range regexp.MustCompile(`(?s)<button[^>]*>(.*?)</button>`).FindAllStringSubmatch(p.body, -1) {
		if strings.TrimSpace(m[1]) == "" || !strings.Contains(m[0], `type="submit"`) {
			t.Errorf("button without a name or type: %s", m[0])
		}
	}
}

// wantRedirect checks a 303 and returns where it leads.
func (p webPage) wantRedirect(t testing.TB) string {
	t.Helper()
	if p.status != http.StatusSeeOther || p.location == "" {
		t.Fatalf("got %d to %q, want a 303; body:\n%s", p.status, p.location, p.body)
	}
	return p.location
}

// field reads the value of the first input named name.
func (p webPage) field(t testing.TB, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `"[^>]*\bvalue="([^"]*)"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no %s field in:\n%s", name, p.body)
	}
	return html.UnescapeString(m[1])
}

// banks lists the bank_id values a page offers.
func (p webPage) banks() []string {
	var out []string
	for _, m := range regexp.MustCompile(`name="bank_id" value="([^"]*)"`).FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1])
	}
	return out
}

// choose posts the page's form with its token, choosing bank.
func (u *webui) choose(webURL, bank string) webPage {
	u.T.Helper()
	token := u.page(webURL).field(u.T, "token")
	return u.submit(webURL, url.Values{"token": {token}, "action": {"choose"}, "bank_id": {bank}})
}

func TestWebUIPaymentPage(t *testing.T) {
	u := newWebUI(t)
	const evil = `<script>alert(1)</script> SRL`
	m := u.link(webuiIntent(evil, `Order "42" <b>`), `,"options":{"redirect_url":"https://shop.example/back?cart=7"}`)
	if !strings.HasPrefix(m.WebURL, u.Srv.URL+finqlink.WebUIPrefix+"/") || !strings.HasSuffix(m.WebURL, "/pay/"+url.PathEscape(m.WebID)) {
		t.Fatalf("web_url %q", m.WebURL)
	}
	if got := u.stored(m.WebID).Status; got != emulator.LinkCreated {
		t.Fatalf("before the payer opens it, the link is %s", got)
	}
	p := u.page(m.WebURL)
	p.want(t, http.StatusOK, `class="fq theme-default"`, "Pay 1,234.50 RON", "RO10 RZBR 0000 0699 9999 9970",
		"&lt;script&gt;alert(1)&lt;/script&gt; SRL", "Order &#34;42&#34; &lt;b&gt;", "Choose your bank", ">Continue to your bank</button>", ">Cancel</button>",
		`src="/bank/static/logos/finqlink/rzb_ro.svg"`, "Raiffeisen Bank Romania", "Banca Transilvania", "CEC Bank", "Libra Internet Bank")
	if strings.Contains(p.body, evil) || strings.Contains(p.body, "<b>") {
		t.Fatalf("raw markup on the page:\n%s", p.body)
	}
	if got := u.stored(m.WebID).Status; got != emulator.LinkStarted {
		t.Fatalf("opening the page left the link %s, want started", got)
	}
	if got := p.banks(); !slices.Equal(got, []string{"rzb_ro", "bt_ro", "cec_ro", "libra_ro"}) {
		t.Fatalf("banks offered %v", got)
	}
	if strings.Contains(p.body, `http-equiv="refresh"`) {
		t.Fatal("the bank choice refreshes itself")
	}
	// A second visit changes nothing.
	u.page(m.WebURL).want(t, http.StatusOK, "Choose your bank")
	if got := u.stored(m.WebID).Status; got != emulator.LinkStarted {
		t.Fatalf("second visit: %s", got)
	}
}

// The link's payment_method filter decides the banks offered; a link
// naming a provider offers it alone, chosen in advance.
func TestWebUIPaymentFilter(t *testing.T) {
	u := newWebUI(t)
	intent := webuiIntent("Shop SRL", "")
	for _, c := range []struct {
		filter string
		want   []string
	}{
		// Corporate instant payments: only libra_ro's instant method
		// takes corporate payers.
		{`{"remitter_type":["corporate"],"payment_scheme":"instant"}`, []string{"libra_ro"}},
		{`{"payment_scheme":"sepa"}`, []string{"rzb_ro", "bt_ro"}},
		{`{"remitter_type":["corporate"],"payment_scheme":"domestic"}`, []string{"rzb_ro", "bt_ro", "cec_ro", "libra_ro"}},
	} {
		m := u.link(intent, `,"payment_method":`+c.filter)
		p := u.page(m.WebURL)
		p.want(t, http.StatusOK)
		if got := p.banks(); !slices.Equal(got, c.want) {
			t.Errorf("filter %s offers %v, want %v", c.filter, got, c.want)
		}
	}
	m := u.link(intent, `,"payment_method":{"provider_id":"bt_ro"}`)
	p := u.page(m.WebURL)
	p.want(t, http.StatusOK, `value="bt_ro" required checked`)
	if got := p.banks(); !slices.Equal(got, []string{"bt_ro"}) {
		t.Fatalf("provider_id bt_ro offers %v", got)
	}
}

// Bad forms answer 4xx and change nothing: the stored link is the same
// after each.
func TestWebUIBadPostsChangeNothing(t *testing.T) {
	u := newWebUI(t)
	m := u.link(webuiIntent("Shop SRL", ""), `,"payment_method":{"payment_scheme":"sepa"}`)
	token := u.page(m.WebURL).field(t, "token")
	before := u.stored(m.WebID)
	for _, c := range []struct {
		name   string
		form   url.Values
		status int
		shows  string
	}{
		{"no token", url.Values{"action": {"choose"}, "bank_id": {"rzb_ro"}}, http.StatusForbidden, "Nothing was changed"},
		{"wrong token", url.Values{"token": {strings.Repeat("0", len(token))}, "action": {"choose"}, "bank_id": {"rzb_ro"}}, http.StatusForbidden, "Nothing was changed"},
		{"another page's token", url.Values{"token": {u.page(u.link(webuiIntent("Other", ""), "").WebURL).field(t, "token")}, "action": {"cancel"}}, http.StatusForbidden, "Nothing was changed"},
		{"no bank", url.Values{"token": {token}, "action": {"choose"}}, http.StatusBadRequest, "Choose one of the banks listed."},
		{"unknown bank", url.Values{"token": {token}, "action": {"choose"}, "bank_id": {`"><b>nobank`}}, http.StatusBadRequest, "Choose one of the banks listed."},
		{"a bank the filter excludes", url.Values{"token": {token}, "action": {"choose"}, "bank_id": {"cec_ro"}}, http.StatusBadRequest, "Choose one of the banks listed."},
		{"unknown action", url.Values{"token": {token}, "action": {"pay"}}, http.StatusBadRequest, "no such button"},
	} {
		p := u.submit(m.WebURL, c.form)
		p.want(t, c.status, c.shows)
		if strings.Contains(p.body, "<b>nobank") {
			t.Errorf("%s: raw markup", c.name)
		}
		if after := u.stored(m.WebID); !reflect.DeepEqual(after, before) {
			t.Fatalf("%s changed the link:\n before %+v\n after  %+v", c.name, before, after)
		}
	}
	// A form too large for the page is refused too.
	big := u.submit(m.WebURL, url.Values{"token": {token}, "action": {"choose"}, "bank_id": {strings.Repeat("x", 20<<10)}})
	if big.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized form: %d", big.status)
	}
	if after := u.stored(m.WebID); !reflect.DeepEqual(after, before) {
		t.Fatal("an oversized form changed the link")
	}
}

func TestWebUIUnknownPages(t *testing.T) {
	u := newWebUI(t)
	m := u.link(webuiIntent("Shop SRL", ""), "")
	base := strings.TrimSuffix(m.WebURL, "/pay/"+url.PathEscape(m.WebID))
	fin := emulator.TenantKey(emulator.Fintecture, clientID)
	for _, target := range []string{
		base + "/pay/no-such-link",
		base + "/consent/" + url.PathEscape(m.WebID), // a link's web_id is no consent's
		u.Srv.URL + finqlink.WebUIPrefix + "/000000000000/pay/" + url.PathEscape(m.WebID),
		u.Srv.URL + finqlink.WebUIPrefix + "/" + fin + "/pay/" + url.PathEscape(m.WebID),
	} {
		u.page(target).want(t, http.StatusNotFound, "is unknown")
		u.submit(target, url.Values{"action": {"cancel"}}).want(t, http.StatusNotFound, "is unknown")
	}
}

func TestWebUIExpiredLink(t *testing.T) {
	u := newWebUI(t)
	m := u.link(webuiIntent("Shop SRL", ""), `,"options":{"expires_in":60}`)
	token := u.page(m.WebURL).field(t, "token")
	u.advance(61 * time.Second)
	before := u.stored(m.WebID)
	u.page(m.WebURL).want(t, http.StatusGone, "This payment link has expired", "Ask "+clientID+" for a new one")
	u.submit(m.WebURL, url.Values{"token": {token}, "action": {"choose"}, "bank_id": {"rzb_ro"}}).want(t, http.StatusGone, "This payment link has expired")
	if after := u.stored(m.WebID); !reflect.DeepEqual(after, before) || after.SCASessionID != "" {
		t.Fatalf("an expired link moved: %+v", after)
	}
}

func TestWebUICancel(t *testing.T) {
	u := newWebUI(t)
	m := u.link(webuiIntent("Shop SRL", ""), `,"options":{"redirect_url":"https://shop.example/back?cart=7","ux_template":"cards"}`)
	token := u.page(m.WebURL).field(t, "token")
	if to := u.submit(m.WebURL, url.Values{"token": {token}, "action": {"cancel"}}).wantRedirect(t); !strings.HasSuffix(m.WebURL, to) {
		t.Fatalf("cancel leads to %s", to)
	}
	p := u.page(m.WebURL)
	back := "https://shop.example/back?cart=7&amp;link_id=" + m.ID + "&amp;status=revoked&amp;web_id=" + url.QueryEscape(m.WebID)
	p.want(t, http.StatusOK, "theme-cards", `data-status="revoked"`, "Payment cancelled", `href="`+back+`"`, "Return to "+clientID)
	if strings.Contains(p.body, `http-equiv="refresh"`) || strings.Contains(p.body, "Choose your bank") {
		t.Fatalf("a cancelled link:\n%s", p.body)
	}
	// Posting again shows the link as it stands: refused, never a 500.
	u.submit(m.WebURL, url.Values{"token": {token}, "action": {"cancel"}}).want(t, http.StatusConflict, "can no longer be cancelled", `data-status="revoked"`)
	u.submit(m.WebURL, url.Values{"token": {token}, "action": {"choose"}, "bank_id": {"rzb_ro"}}).want(t, http.StatusConflict, "can no longer go to a bank", `data-status="revoked"`)
	if l := u.stored(m.WebID); l.Status != emulator.LinkRevoked || l.SCASessionID != "" {
		t.Fatalf("after the refusals: %+v", l)
	}
}

// bankStep posts one step of a bank journey page and follows its redirect.
func (u *webui) bankStep(journey string, form url.Values) string {
	u.T.Helper()
	return u.submit(journey, form).wantRedirect(u.T)
}

// TestWebUIPaymentJourney pays a link through the WebUI and rzb_ro's bank
// pages over HTTP: the bank speaks of the payment in rzb_ro's words, the
// payer pays from one account, and the WebUI follows the status to
// completed and then leads back to the client.
func TestWebUIPaymentJourney(t *testing.T) {
	u := newWebUI(t)
	m := u.link(webuiIntent("Shop SRL", "Order 42"), `,"options":{"redirect_url":"https://shop.example/back"}`)
	token := u.page(m.WebURL).field(t, "token")
	journey := u.submit(m.WebURL, url.Values{"token": {token}, "action": {"choose"}, "bank_id": {"rzb_ro"}}).wantRedirect(t)
	l := u.stored(m.WebID)
	if l.Status != emulator.LinkRequested || l.BankID != "rzb_ro" || !strings.HasSuffix(journey, "/sca/"+l.SCASessionID) {
		t.Fatalf("after choosing: %+v, sent to %s", l, journey)
	}
	// The same choice again (a second tab) gets the same journey back;
	// another bank is refused, showing where the link stands.
	if again := u.submit(m.WebURL, url.Values{"token": {token}, "action": {"choose"}, "bank_id": {"rzb_ro"}}).wantRedirect(t); again != journey {
		t.Fatalf("second choice leads to %s, want %s", again, journey)
	}
	u.submit(m.WebURL, url.Values{"token": {token}, "action": {"choose"}, "bank_id": {"bt_ro"}}).want(t, http.StatusConflict, "can no longer go to a bank", `data-status="requested"`, "Continue at Raiffeisen Bank Romania")
	if got := u.stored(m.WebID); got.BankID != "rzb_ro" || got.SCASessionID != l.SCASessionID {
		t.Fatalf("a refused second bank changed the link: %+v", got)
	}

	login := u.page(journey)
	login.want200Bank(t, `<label for="username">PSU ID</label>`, `<label for="password">Password</label>`, "payment of 1,234.50 RON to Shop SRL")
	u.submit(journey, url.Values{"action": {"login"}, "username": {"9999999998"}, "password": {"wrong"}}).want200Bank(t, "Wrong PSU ID or password")
	u.bankStep(journey, url.Values{"action": {"login"}, "username": {"9999999998"}, "password": {"123456"}})
	u.page(journey).want200Bank(t, `<label for="otp">One-time code</label>`)
	u.bankStep(journey, url.Values{"action": {"otp"}, "otp": {"123456"}})
	consent := u.page(journey)
	consent.want200Bank(t, "Authorize payment of 1,234.50 RON to Shop SRL", `type="radio"`, "Account to pay from", "Order 42", ">Approve</button>", ">Deny</button>")
	if strings.Contains(consent.body, `type="checkbox"`) || strings.Count(consent.body, " checked") != 1 {
		t.Fatalf("a payment is taken from one account:\n%s", consent.body)
	}
	accounts := regexp.MustCompile(`name="account" value="([^"]+)"`).FindAllStringSubmatch(consent.body, -1)
	if len(accounts) < 2 {
		t.Fatalf("the payer's accounts: %v", accounts)
	}
	// Two accounts for one payment: refused, nothing changes.
	u.submit(journey, url.Values{"action": {"approve"}, "account": {accounts[0][1], accounts[1][1]}}).want200Bank(t)
	if u.stored(m.WebID).Status != emulator.LinkAwaitingAuthz {
		t.Fatalf("after a forged approval: %s", u.stored(m.WebID).Status)
	}
	back := u.bankStep(journey, url.Values{"action": {"approve"}, "account": {accounts[0][1]}})
	if !strings.HasPrefix(back, m.WebURL+"?") || !strings.Contains(back, "code=") || !strings.Contains(back, "state="+url.QueryEscape(m.WebID)) {
		t.Fatalf("the bank returns to %s", back)
	}

	p := u.page(back)
	p.want(t, http.StatusOK, `data-status="received"`, `<meta http-equiv="refresh" content="2">`, "Payment of 1,234.50 RON", "Raiffeisen Bank Romania")
	if strings.Contains(p.body, "Return to") || strings.Contains(p.body, "did not match") {
		t.Fatalf("a payment on its way:\n%s", p.body)
	}
	u.advance(10 * time.Second)
	p = u.page(back)
	want := "https://shop.example/back?link_id=" + m.ID + "&amp;status=completed&amp;web_id=" + url.QueryEscape(m.WebID)
	p.want(t, http.StatusOK, `data-status="completed"`, "Payment completed", `href="`+want+`"`)
	if strings.Contains(p.body, `http-equiv="refresh"`) {
		t.Fatal("a completed payment at rzb_ro still refreshes")
	}
}

// want200Bank checks a bank page shown with 200.
func (p webPage) want200Bank(t *testing.T, contains ...string) {
	t.Helper()
	if p.status != http.StatusOK && p.status != http.StatusBadRequest {
		t.Fatalf("bank page %d:\n%s", p.status, p.body)
	}
	for _, s := range contains {
		if !strings.Contains(p.body, s) {
			t.Errorf("bank page lacks %q:\n%s", s, p.body)
		}
	}
}

// A redirect_sca link goes straight to the bank; the bank's callback
// comes through the WebUI, which sends the browser on to the client.
func TestWebUIRedirectSCA(t *testing.T) {
	u := newWebUI(t)
	m := u.link(webuiIntent("Shop SRL", ""), `,"payment_method":{"provider_id":"bt_ro"},"options":{"type":"redirect_sca","redirect_url":"https://shop.example/back"}`)
	l := u.stored(m.WebID)
	if !strings.Contains(m.WebURL, "/bank/") || l.SCASessionID == "" {
		t.Fatalf("redirect_sca web_url %q, link %+v", m.WebURL, l)
	}
	u.page(m.WebURL).want200Bank(t, `<label for="username">Username</label>`)
	u.bankStep(m.WebURL, url.Values{"action": {"login"}, "username": {"testbt"}, "password": {"testbt"}})
	u.page(m.WebURL).want200Bank(t, `<label for="otp">PIN</label>`, "Enter your PIN.")
	u.submit(m.WebURL, url.Values{"action": {"otp"}, "otp": {"0000000"}}).want200Bank(t, "Wrong PIN")
	u.bankStep(m.WebURL, url.Values{"action": {"otp"}, "otp": {"1234567"}})
	back := u.bankStep(m.WebURL, url.Values{"action": {"deny"}})
	page := u.Srv.URL + finqlink.WebUIPrefix + "/" + u.tenant().Key() + "/pay/" + url.PathEscape(m.WebID)
	if !strings.HasPrefix(back, page+"?") {
		t.Fatalf("the bank returns to %s, want the WebUI", back)
	}
	to := u.page(back).wantRedirect(t)
	if to != "https://shop.example/back?link_id="+m.ID+"&status=failed&web_id="+url.QueryEscape(m.WebID) {
		t.Fatalf("the WebUI sends the payer to %s", to)
	}
	// A callback whose state is not this link's is shown, not passed on.
	u.page(page+"?state=other&code=x").want(t, http.StatusOK, "did not match", `data-status="failed"`)
}

// A wrapped_sca link is at its bank from creation: its page shows the
// payment and leads on to the bank journey.
func TestWebUIWrappedSCA(t *testing.T) {
	u := newWebUI(t)
	m := u.link(webuiIntent("Shop SRL", ""), `,"payment_method":{"provider_id":"rzb_ro"},"options":{"type":"wrapped_sca"}`)
	l := u.stored(m.WebID)
	if !strings.Contains(m.WebURL, finqlink.WebUIPrefix) || l.SCASessionID == "" {
		t.Fatalf("wrapped_sca web_url %q, link %+v", m.WebURL, l)
	}
	p := u.page(m.WebURL)
	p.want(t, http.StatusOK, "Payment of 1,234.50 RON", `data-status="requested"`, ">Continue at Raiffeisen Bank Romania</a>", "/sca/"+l.SCASessionID)
	if strings.Contains(p.body, "Choose your bank") {
		t.Fatal("a wrapped_sca link offers a bank choice")
	}
}

// The WebUI's logo paths and the API's logo_url lead to served images.
func TestWebUILogos(t *testing.T) {
	u := newWebUI(t)
	r := u.post("/v2/providers/list", creds(""), nil)
	r.WantStatus(t, http.StatusOK)
	var list struct {
		Providers []struct {
			ProviderID string  `json:"provider_id"`
			LogoURL    *string `json:"logo_url"`
		} `json:"providers"`
	}
	r.Decode(t, &list)
	seen := 0
	for _, p := range list.Providers {
		if p.LogoURL == nil {
			continue
		}
		seen++
		img := u.page(*p.LogoURL)
		if img.status != http.StatusOK || img.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(img.body, "<svg") || strings.Contains(img.body, "<script") {
			t.Errorf("%s logo %s: %d %s", p.ProviderID, *p.LogoURL, img.status, img.header.Get("Content-Type"))
		}
	}
	if seen < 4 {
		t.Fatalf("only %d providers have a logo", seen)
	}
	if css := u.page("/bank/static/finqlink.css"); css.status != http.StatusOK || !strings.Contains(css.body, ".theme-sheet") {
		t.Fatalf("finqlink.css: %d", css.status)
	}
}

// Each ux_template is the page's theme; a consent carries its own.
func TestWebUIThemes(t *testing.T) {
	u := newWebUI(t)
	for _, theme := range emulator.UXTemplates {
		m := u.link(webuiIntent("Shop SRL", ""), `,"options":{"ux_template":"`+theme+`"}`)
		u.page(m.WebURL).want(t, http.StatusOK, `<body class="fq theme-`+theme+`">`)
	}
	c := u.consent(`,"consent":{},"options":{"ux_template":"glass"}`)
	u.page(c.WebURL).want(t, http.StatusOK, `<body class="fq theme-glass">`)
}

func TestWebUIConsentPage(t *testing.T) {
	u := newWebUI(t)
	c := u.consent(`,"consent":{"scope":["accounts","balances"],"validity_days":30},"ais_method":{"account_owner_type":["corporate"]},"options":{"redirect_url":"https://app.example/done"}`)
	if !strings.HasSuffix(c.WebURL, "/consent/"+url.PathEscape(c.WebID)) {
		t.Fatalf("web_url %s", c.WebURL)
	}
	p := u.page(c.WebURL)
	p.want(t, http.StatusOK, "Share your account data with "+clientID, "Their balances", "30 days after you authorize", "Choose your bank")
	if strings.Contains(p.body, "Their transactions") {
		t.Fatal("a consent without transactions says it shares them")
	}
	// Corporate AIS: cec_ro reads retail accounts only.
	if got := p.banks(); !slices.Equal(got, []string{"rzb_ro", "bt_ro", "libra_ro"}) {
		t.Fatalf("banks offered %v", got)
	}
	if got := u.storedConsent(c.WebID).Status; got != emulator.ConsentStarted {
		t.Fatalf("opened consent is %s", got)
	}
	before := u.storedConsent(c.WebID)
	u.choose(c.WebURL, "cec_ro").want(t, http.StatusBadRequest, "Choose one of the banks listed.")
	u.submit(c.WebURL, url.Values{"action": {"choose"}, "bank_id": {"bt_ro"}}).want(t, http.StatusForbidden)
	if after := u.storedConsent(c.WebID); !reflect.DeepEqual(before, after) {
		t.Fatalf("a refused form changed the consent: %+v", after)
	}

	journey := u.choose(c.WebURL, "bt_ro").wantRedirect(t)
	if got := u.storedConsent(c.WebID); got.Status != emulator.ConsentSCAURLRetrieved || got.BankID != "bt_ro" {
		t.Fatalf("after choosing: %+v", got)
	}
	u.page(journey).want200Bank(t, `<label for="username">Username</label>`, "share your accounts")
	u.bankStep(journey, url.Values{"action": {"login"}, "username": {"testbt"}, "password": {"testbt"}})
	u.bankStep(journey, url.Values{"action": {"otp"}, "otp": {"1234567"}})
	// AIS keeps the account checkboxes.
	u.page(journey).want200Bank(t, "Share your accounts", `type="checkbox"`)
	back := u.bankStep(journey, url.Values{"action": {"approve"}, "account": {
		regexp.MustCompile(`name="account" value="([^"]+)"`).FindStringSubmatch(u.page(journey).body)[1]}})
	u.advance(time.Minute)
	done := u.page(back)
	want := "https://app.example/done?consent_id=" + c.ID + "&amp;status=active&amp;web_id=" + url.QueryEscape(c.WebID)
	done.want(t, http.StatusOK, `data-status="active"`, "Access granted", `href="`+want+`"`)
}

func TestWebUIExpiredConsent(t *testing.T) {
	u := newWebUI(t)
	c := u.consent(`,"consent":{},"options":{"expires_in":60}`)
	u.advance(2 * time.Minute)
	u.page(c.WebURL).want(t, http.StatusGone, "This consent link has expired")
	if got := u.storedConsent(c.WebID); got.SCASessionID != "" || got.Status == emulator.ConsentStarted {
		t.Fatalf("an expired consent was opened: %+v", got)
	}
}
