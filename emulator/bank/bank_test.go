package bank_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/bank"
	"github.com/sandbank/sandbank/emulator/store"
)

// testFinisher sends the browser to RedirectURI with the outcome in the
// query, so tests can read how a journey ended from the Location alone.
type testFinisher struct{}

func (testFinisher) Brand() string { return "Fintecture" }

func (testFinisher) ReturnURL(_ *emulator.Tenant, s emulator.SCASession) (string, error) {
	q := url.Values{"outcome": {string(s.Status)}}
	if s.Code != "" {
		q.Set("code", s.Code)
	}
	if s.Failure != "" {
		q.Set("failure", string(s.Failure))
	}
	return s.RedirectURI + "?" + q.Encode(), nil
}

const scriptName = "<script>alert(1)</script>"

// testWorld is a small hand-made world: one bank per SCA model.
func testWorld(emulator.Tenant, time.Time) (emulator.World, error) {
	return emulator.World{
		Banks: []emulator.Bank{
			{ID: "bnkred", Name: "Banque Rouge", Country: "FR", BIC: "ROUGFRPP", Model: emulator.SCARedirect},
			{ID: "bnkdec", Name: "Banque Déco", Country: "FR", BIC: "DECOFRPP", Model: emulator.SCADecoupled},
			{ID: "bnkauto", Name: "Banque Auto", Country: "FR", BIC: "AUTOFRPP", Model: emulator.SCAAuto},
		},
		PSUs: []emulator.PSU{
			{ID: "psu-alice", BankID: "bnkred", Login: "alice", Password: "pw", OTP: "111111", FullName: "Alice Martin"},
			{ID: "psu-eve", BankID: "bnkred", Login: "eve", Password: "pw", OTP: "222222", FullName: scriptName},
			{ID: "psu-dora", BankID: "bnkdec", Login: "dora", Password: "pw", OTP: "333333", DecoupledID: "900100", FullName: "Dora Durand"},
			// The auto bank's first PSU has no account, so the bank must
			// skip to the next one.
			{ID: "psu-empty", BankID: "bnkauto", Login: "empty", Password: "pw", OTP: "444444", FullName: "Empty"},
			{ID: "psu-otto", BankID: "bnkauto", Login: "otto", Password: "pw", OTP: "555555", FullName: "Otto Auto"},
		},
		Accounts: []emulator.Account{
			{ID: "acc-a1", PSUID: "psu-alice", BankID: "bnkred", IBAN: "FR7630006000011234567890189", Currency: "EUR", Name: "Compte courant", Type: emulator.AccountCurrent},
			{ID: "acc-a2", PSUID: "psu-alice", BankID: "bnkred", IBAN: "FR7630004000031234567890143", Currency: "EUR", Name: "Livret A", Type: emulator.AccountSavings},
			// An account at another bank never shows on this bank's pages.
			{ID: "acc-a9", PSUID: "psu-alice", BankID: "bnkauto", IBAN: "FR7610107001011234567890129", Currency: "EUR", Name: "Elsewhere", Type: emulator.AccountCurrent},
			{ID: "acc-e1", PSUID: "psu-eve", BankID: "bnkred", IBAN: "FR7630001007941234567890185", Currency: "EUR", Name: scriptName, Type: emulator.AccountCurrent},
			{ID: "acc-d1", PSUID: "psu-dora", BankID: "bnkdec", IBAN: "FR1420041010050500013M02606", Currency: "EUR", Name: "Compte Dora", Type: emulator.AccountCurrent},
			{ID: "acc-o1", PSUID: "psu-otto", BankID: "bnkauto", IBAN: "FR7630002032531234567890168", Currency: "EUR", Name: "Compte Otto", Type: emulator.AccountCurrent},
			{ID: "acc-o2", PSUID: "psu-otto", BankID: "bnkauto", IBAN: "FR7617569000306453924654F42", Currency: "USD", Name: "Dollar account", Type: emulator.AccountCurrent},
		},
	}, nil
}

type fixture struct {
	store  *store.Store
	clock  *emulator.ManualClock
	tenant *emulator.Tenant
	srv    *httptest.Server
	client *http.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, testFinisher{})
}

// newFixtureWith is newFixture with the Fintecture tenant's journeys
// finished (and worded) by fin.
func newFixtureWith(t *testing.T, fin bank.Finisher) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := emulator.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "t.db"), Clock: clock, BuildWorld: testWorld})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tenant, err := st.CreateTenant(ctx, emulator.Fintecture, "app-1", "test", 7)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := bank.New(bank.Options{
		Store:     st,
		Finishers: map[emulator.Provider]bank.Finisher{emulator.Fintecture: fin},
		CodeTTL:   10 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	pages.Mount(r)
	r.HandleFunc("/return", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>Returned</title><p id=\"result\">%s</p>", html.EscapeString(r.URL.RawQuery))
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &fixture{store: st, clock: clock, tenant: tenant, srv: srv, client: client}
}

// session starts a journey returning to the test server's /return.
func (f *fixture) session(t *testing.T, s emulator.SCASession) emulator.SCASession {
	t.Helper()
	s.Provider = emulator.Fintecture
	if s.RedirectURI == "-" {
		s.RedirectURI = ""
	} else if s.RedirectURI == "" {
		s.RedirectURI = f.srv.URL + "/return"
	}
	s, err := f.store.CreateSCASession(context.Background(), f.tenant, s, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) redirectSession(t *testing.T) emulator.SCASession {
	return f.session(t, emulator.SCASession{BankID: "bnkred", Model: emulator.SCARedirect, Step: emulator.StepLogin, State: "st-1"})
}

func (f *fixture) journeyURL(id string) string { return bank.JourneyURL(f.srv.URL, f.tenant, id) }
func (f *fixture) phoneURL(id string) string   { return bank.PhoneURL(f.srv.URL, f.tenant, id) }

func (f *fixture) reload(t *testing.T, id string) emulator.SCASession {
	t.Helper()
	s, err := f.store.SCASession(context.Background(), f.tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type response struct {
	status   int
	header   http.Header
	body     string
	location string
}

func (f *fixture) do(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := response{status: res.StatusCode, header: res.Header, body: string(body), location: res.Header.Get("Location")}
	if out.location != "" {
		loc, err := res.Location()
		if err != nil {
			t.Fatal(err)
		}
		out.location = loc.String()
	}
	return out
}

func (f *fixture) get(t *testing.T, u string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f.do(t, req)
}

func (f *fixture) post(t *testing.T, u string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.do(t, req)
}

// wantPage checks the status and the rules every page follows: headers,
// document language, a main landmark, a heading, a viewport, labelled
// inputs and named buttons.
func wantPage(t *testing.T, r response, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body:\n%s", r.status, status, r.body)
	}
	for k, v := range map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "X-Frame-Options": "DENY"} {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	for _, s := range []string{`<html lang="en">`, "<main>", "<h1", `name="viewport"`} {
		if !strings.Contains(r.body, s) {
			t.Errorf("page lacks %s", s)
		}
	}
	for _, m := range regexp.MustCompile(`<input[^>]*>`).FindAllString(r.body, -1) {
		if strings.Contains(m, `type="hidden"`) {
			continue
		}
		id := regexp.MustCompile(`\bid="([^"]+)"`).FindStringSubmatch(m)
		if id == nil || !strings.Contains(r.body, `<label for="`+id[1]+`"`) {
			t.Errorf("input without a label: %s", m)
		}
	}
	for _, m := range regexp.MustCompile(`(?s)<button[^>]*>(.*?)</button>`).FindAllStringSubmatch(r.body, -1) {
		if strings.TrimSpace(m[1]) == "" || !strings.Contains(m[0], `type="submit"`) {
			t.Errorf("button without a name or type: %s", m[0])
		}
	}
	for _, s := range contains {
		if !strings.Contains(r.body, s) {
			t.Errorf("page lacks %q; body:\n%s", s, r.body)
		}
	}
}

func wantRedirect(t *testing.T, r response, status int, location string) {
	t.Helper()
	if r.status != status || r.location != location {
		t.Fatalf("got %d to %q, want %d to %q; body:\n%s", r.status, r.location, status, location, r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("redirect Cache-Control = %q", r.header.Get("Cache-Control"))
	}
}

// wantReturn checks a redirect to the client and returns its query.
func (f *fixture) wantReturn(t *testing.T, r response, status int) url.Values {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body:\n%s", r.status, status, r.body)
	}
	u, err := url.Parse(r.location)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != f.srv.URL+"/return" {
		t.Fatalf("redirected to %s, want the return URL", r.location)
	}
	return u.Query()
}

// loginToConsent walks a redirect journey to its consent page.
func (f *fixture) loginToConsent(t *testing.T, id, user, pw, otp string) {
	t.Helper()
	u := f.journeyURL(id)
	wantRedirect(t, f.post(t, u, url.Values{"action": {"login"}, "username": {user}, "password": {pw}}), http.StatusSeeOther, u)
	wantRedirect(t, f.post(t, u, url.Values{"action": {"otp"}, "otp": {otp}}), http.StatusSeeOther, u)
}

func (f *fixture) connectionAccounts(t *testing.T, connectionID string) []string {
	t.Helper()
	accounts, err := f.store.ConnectionAccounts(context.Background(), f.tenant, connectionID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range accounts {
		ids = append(ids, a.ID)
	}
	return ids
}

func TestRedirectJourney(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	u := f.journeyURL(s.ID)

	wantPage(t, f.get(t, u), http.StatusOK, "<h1>Banque Rouge</h1>", `<label for="username">Username</label>`,
		`<label for="password">Password</label>`, `type="password"`, ">Log in</button>", ">Deny</button>")

	wantRedirect(t, f.post(t, u, url.Values{"action": {"login"}, "username": {"alice"}, "password": {"pw"}}), http.StatusSeeOther, u)
	if got := f.reload(t, s.ID); got.Step != emulator.StepOTP || got.PSUID != "psu-alice" {
		t.Fatalf("after login: step %s psu %q", got.Step, got.PSUID)
	}
	wantPage(t, f.get(t, u), http.StatusOK, `<label for="otp">One-time code</label>`, `inputmode="numeric"`,
		`autocomplete="one-time-code"`, ">Confirm</button>", ">Deny</button>")

	wantRedirect(t, f.post(t, u, url.Values{"action": {"otp"}, "otp": {" 111111 "}}), http.StatusSeeOther, u)
	consent := f.get(t, u)
	wantPage(t, consent, http.StatusOK, "Alice Martin", "Fintecture", "Compte courant", "FR76 3000 6000 0112 3456 7890 189",
		"Livret A", "FR76 3000 4000 0312 3456 7890 143", `value="acc-a1" checked`, `value="acc-a2" checked`, ">Approve</button>", ">Deny</button>")
	if strings.Contains(consent.body, "Elsewhere") {
		t.Error("the consent page shows an account at another bank")
	}

	q := f.wantReturn(t, f.post(t, u, url.Values{"action": {"approve"}, "account": {"acc-a2"}}), http.StatusSeeOther)
	got := f.reload(t, s.ID)
	if q.Get("outcome") != "COMPLETED" || q.Get("code") == "" || q.Get("code") != got.Code {
		t.Fatalf("return query %v, session code %q", q, got.Code)
	}
	if got.Status != emulator.SCACompleted {
		t.Fatalf("status %s", got.Status)
	}
	if ids := f.connectionAccounts(t, got.ConnectionID); !slices.Equal(ids, []string{"acc-a2"}) {
		t.Fatalf("shared accounts %v, want [acc-a2]", ids)
	}
}

func TestConnectJourneyChoosesBank(t *testing.T) {
	f := newFixture(t)
	connect := func() emulator.SCASession {
		return f.session(t, emulator.SCASession{Model: emulator.SCARedirect, Step: emulator.StepSelectBank})
	}

	s := connect()
	u := f.journeyURL(s.ID)
	wantPage(t, f.get(t, u), http.StatusOK, "<title>Fintecture — choose your bank</title>",
		`value="bnkred">Banque Rouge</button>`, `value="bnkdec">Banque Déco</button>`, `value="bnkauto">Banque Auto</button>`)
	wantRedirect(t, f.post(t, u, url.Values{"action": {"select"}, "bank_id": {"bnkred"}}), http.StatusSeeOther, u)
	wantPage(t, f.get(t, u), http.StatusOK, "<h1>Banque Rouge</h1>", `id="username"`)
	if got := f.reload(t, s.ID); got.BankID != "bnkred" || got.Step != emulator.StepLogin {
		t.Fatalf("after select: bank %q step %s", got.BankID, got.Step)
	}

	s = connect()
	u = f.journeyURL(s.ID)
	wantRedirect(t, f.post(t, u, url.Values{"action": {"select"}, "bank_id": {"bnkdec"}}), http.StatusSeeOther, f.phoneURL(s.ID))
	if got := f.reload(t, s.ID); got.Model != emulator.SCADecoupled || got.BankID != "bnkdec" {
		t.Fatalf("after choosing a decoupled bank: model %s bank %q", got.Model, got.BankID)
	}
	wantRedirect(t, f.get(t, u), http.StatusFound, f.phoneURL(s.ID))

	s = connect()
	u = f.journeyURL(s.ID)
	wantRedirect(t, f.post(t, u, url.Values{"action": {"select"}, "bank_id": {"bnkauto"}}), http.StatusSeeOther, u+"/auto")
	q := f.wantReturn(t, f.get(t, u+"/auto"), http.StatusFound)
	if q.Get("outcome") != "COMPLETED" || q.Get("code") == "" {
		t.Fatalf("return query %v", q)
	}
}

func TestWrongCredentialsKeepStep(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	u := f.journeyURL(s.ID)
	for _, c := range []struct{ user, pw string }{{"alice", "nope"}, {"nobody", "pw"}, {"dora", "pw"}} {
		r := f.post(t, u, url.Values{"action": {"login"}, "username": {c.user}, "password": {c.pw}})
		wantPage(t, r, http.StatusOK, `role="alert"`, "Wrong username or password", `value="`+c.user+`"`)
		if got := f.reload(t, s.ID); got.Step != emulator.StepLogin || got.PSUID != "" {
			t.Fatalf("%s/%s: step %s psu %q", c.user, c.pw, got.Step, got.PSUID)
		}
	}

	wantRedirect(t, f.post(t, u, url.Values{"action": {"login"}, "username": {"alice"}, "password": {"pw"}}), http.StatusSeeOther, u)
	wantPage(t, f.post(t, u, url.Values{"action": {"otp"}, "otp": {"999999"}}), http.StatusOK, `role="alert"`, "Wrong one-time code")
	if got := f.reload(t, s.ID); got.Step != emulator.StepOTP {
		t.Fatalf("after a wrong code: step %s", got.Step)
	}
}

func TestDeny(t *testing.T) {
	f := newFixture(t)
	for _, atConsent := range []bool{false, true} {
		s := f.redirectSession(t)
		if atConsent {
			f.loginToConsent(t, s.ID, "alice", "pw", "111111")
		}
		q := f.wantReturn(t, f.post(t, f.journeyURL(s.ID), url.Values{"action": {"deny"}}), http.StatusSeeOther)
		if q.Get("outcome") != "FAILED" || q.Get("code") != "" {
			t.Fatalf("return query %v", q)
		}
		if got := f.reload(t, s.ID); got.Status != emulator.SCAFailed || got.Failure != emulator.FailDenied {
			t.Fatalf("status %s failure %s", got.Status, got.Failure)
		}
	}
}

func TestApproveWithoutAccounts(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	f.loginToConsent(t, s.ID, "alice", "pw", "111111")
	r := f.post(t, f.journeyURL(s.ID), url.Values{"action": {"approve"}})
	wantPage(t, r, http.StatusOK, `role="alert"`, "Choose at least one account", `value="acc-a1">`)
	if got := f.reload(t, s.ID); got.Status != emulator.SCAPending || got.Step != emulator.StepConsent {
		t.Fatalf("status %s step %s", got.Status, got.Step)
	}
}

func TestBadFormsChangeNothing(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	u := f.journeyURL(s.ID)
	wantPage(t, f.post(t, u, url.Values{"action": {"fly"}}), http.StatusBadRequest, "Unknown action")
	// A form from a step the journey is not on, as after the back button.
	wantPage(t, f.post(t, u, url.Values{"action": {"otp"}, "otp": {"111111"}}), http.StatusConflict, "out of date")
	f.loginToConsent(t, s.ID, "alice", "pw", "111111")
	// Eve's account is at the same bank but not Alice's.
	wantPage(t, f.post(t, u, url.Values{"action": {"approve"}, "account": {"acc-a1", "acc-e1"}}), http.StatusBadRequest, "acc-e1")
	if got := f.reload(t, s.ID); got.Status != emulator.SCAPending || got.Step != emulator.StepConsent {
		t.Fatalf("status %s step %s", got.Status, got.Step)
	}
	// Ticking the same account twice shares it once.
	f.wantReturn(t, f.post(t, u, url.Values{"action": {"approve"}, "account": {"acc-a1", "acc-a1"}}), http.StatusSeeOther)
	if ids := f.connectionAccounts(t, f.reload(t, s.ID).ConnectionID); !slices.Equal(ids, []string{"acc-a1"}) {
		t.Fatalf("shared accounts %v", ids)
	}

	c := f.session(t, emulator.SCASession{Model: emulator.SCARedirect, Step: emulator.StepSelectBank})
	wantPage(t, f.post(t, f.journeyURL(c.ID), url.Values{"action": {"select"}, "bank_id": {"nobank"}}), http.StatusBadRequest, "Unknown bank")
	if got := f.reload(t, c.ID); got.BankID != "" {
		t.Fatalf("bank %q recorded", got.BankID)
	}

	big := url.Values{"action": {"deny"}, "pad": {strings.Repeat("x", 70<<10)}}
	wantPage(t, f.post(t, f.journeyURL(c.ID), big), http.StatusRequestEntityTooLarge)
	if got := f.reload(t, c.ID); got.Status != emulator.SCAPending {
		t.Fatalf("an oversized form changed the journey: %s", got.Status)
	}
}

func TestAutoBankIsTwoRedirects(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, emulator.SCASession{BankID: "bnkauto", Model: emulator.SCAAuto, Step: emulator.StepLogin})
	u := f.journeyURL(s.ID)

	first := f.get(t, u)
	wantRedirect(t, first, http.StatusFound, u+"/auto")
	second := f.get(t, first.location)
	q := f.wantReturn(t, second, http.StatusFound)
	if first.body != "" || second.body != "" {
		t.Errorf("auto hops have bodies: %q %q", first.body, second.body)
	}
	got := f.reload(t, s.ID)
	if q.Get("outcome") != "COMPLETED" || q.Get("code") != got.Code || got.PSUID != "psu-otto" {
		t.Fatalf("return query %v, session %+v", q, got)
	}
	if ids := f.connectionAccounts(t, got.ConnectionID); !slices.Equal(ids, []string{"acc-o1", "acc-o2"}) {
		t.Fatalf("shared accounts %v", ids)
	}

	// A redirect bank cannot be skipped through the auto URL.
	r := f.redirectSession(t)
	wantPage(t, f.get(t, f.journeyURL(r.ID)+"/auto"), http.StatusConflict)
	if got := f.reload(t, r.ID); got.Status != emulator.SCAPending {
		t.Fatalf("status %s", got.Status)
	}
}

func TestDecoupled(t *testing.T) {
	f := newFixture(t)
	for _, decision := range []string{"approve", "deny"} {
		t.Run(decision, func(t *testing.T) {
			s := f.session(t, emulator.SCASession{BankID: "bnkdec", Model: emulator.SCADecoupled, Step: emulator.StepLogin, RedirectURI: "-"})
			u := f.phoneURL(s.ID)
			wantRedirect(t, f.get(t, f.journeyURL(s.ID)), http.StatusFound, u)

			wantPage(t, f.get(t, u), http.StatusOK, `<label for="psu_id">PSU id</label>`, ">Continue</button>")
			wantPage(t, f.post(t, u, url.Values{"action": {"identify"}, "psu_id": {"123"}}), http.StatusOK, `role="alert"`, "Unknown PSU id")
			wantRedirect(t, f.post(t, u, url.Values{"action": {"identify"}, "psu_id": {"900100"}}), http.StatusSeeOther, u)
			wantPage(t, f.get(t, u), http.StatusOK, "Banque Déco — Dora Durand", "Approve access to your accounts for Fintecture?",
				">Approve</button>", ">Deny</button>")

			wantRedirect(t, f.post(t, u, url.Values{"action": {decision}}), http.StatusSeeOther, u)
			got := f.reload(t, s.ID)
			if decision == "approve" {
				wantPage(t, f.get(t, u), http.StatusOK, "Approved — return to the app")
				if got.Status != emulator.SCACompleted || got.PSUID != "psu-dora" {
					t.Fatalf("status %s psu %q", got.Status, got.PSUID)
				}
				if ids := f.connectionAccounts(t, got.ConnectionID); !slices.Equal(ids, []string{"acc-d1"}) {
					t.Fatalf("shared accounts %v", ids)
				}
				return
			}
			wantPage(t, f.get(t, u), http.StatusOK, "Denied — return to the app")
			if got.Status != emulator.SCAFailed || got.Failure != emulator.FailDenied {
				t.Fatalf("status %s failure %s", got.Status, got.Failure)
			}
		})
	}

	// A redirect journey cannot be approved on the phone page.
	r := f.redirectSession(t)
	wantPage(t, f.post(t, f.phoneURL(r.ID), url.Values{"action": {"approve"}}), http.StatusConflict)
	if got := f.reload(t, r.ID); got.Status != emulator.SCAPending {
		t.Fatalf("status %s", got.Status)
	}
}

func TestUnknownJourneyIs404(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	other := &emulator.Tenant{Provider: emulator.Fintecture, Credential: "nobody"}
	for _, u := range []string{
		f.journeyURL("0000"),
		f.journeyURL("0000") + "/auto",
		f.phoneURL("0000"),
		bank.JourneyURL(f.srv.URL, other, s.ID),
		bank.PhoneURL(f.srv.URL, other, s.ID),
	} {
		wantPage(t, f.get(t, u), http.StatusNotFound, "unknown")
		if !strings.HasSuffix(u, "/auto") { // the auto bank answers GET only
			wantPage(t, f.post(t, u, url.Values{"action": {"deny"}}), http.StatusNotFound)
		}
	}
	if got := f.reload(t, s.ID); got.Status != emulator.SCAPending {
		t.Fatalf("status %s", got.Status)
	}
}

func TestPagesEscapeData(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	f.loginToConsent(t, s.ID, "eve", "pw", "222222")
	r := f.get(t, f.journeyURL(s.ID))
	wantPage(t, r, http.StatusOK, "&lt;script&gt;alert(1)&lt;/script&gt;")
	if strings.Contains(r.body, scriptName) {
		t.Fatalf("raw markup in the page:\n%s", r.body)
	}
	wantPage(t, f.post(t, f.journeyURL(s.ID), url.Values{"action": {"approve"}, "account": {`"><b>x`}}), http.StatusBadRequest, "&#34;&gt;&lt;b&gt;x")
}

func TestFinishedJourneyShowsOutcome(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	f.loginToConsent(t, s.ID, "alice", "pw", "111111")
	ret := f.post(t, f.journeyURL(s.ID), url.Values{"action": {"approve"}, "account": {"acc-a1"}})
	f.wantReturn(t, ret, http.StatusSeeOther)

	r := f.get(t, f.journeyURL(s.ID))
	wantPage(t, r, http.StatusOK, "Access approved", "You can close this window", "Return to the application",
		`href="`+html.EscapeString(ret.location)+`"`)
	if r.location != "" {
		t.Fatalf("a finished journey redirects to %s", r.location)
	}
	// A form posted again after the end shows the outcome, changing nothing.
	wantPage(t, f.post(t, f.journeyURL(s.ID), url.Values{"action": {"deny"}}), http.StatusOK, "Access approved")
	if got := f.reload(t, s.ID); got.Status != emulator.SCACompleted {
		t.Fatalf("status %s", got.Status)
	}

	// Without a redirect URI the journey ends on its own page.
	n := f.session(t, emulator.SCASession{BankID: "bnkred", Model: emulator.SCARedirect, Step: emulator.StepLogin, RedirectURI: "-"})
	wantRedirect(t, f.post(t, f.journeyURL(n.ID), url.Values{"action": {"deny"}}), http.StatusSeeOther, f.journeyURL(n.ID))
	done := f.get(t, f.journeyURL(n.ID))
	wantPage(t, done, http.StatusOK, "Access denied", "You can close this window")
	if strings.Contains(done.body, "Return to the application") {
		t.Error("a journey without a redirect URI links back")
	}
}

func TestTimedOutJourney(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	f.clock.Advance(time.Hour + time.Second)
	wantPage(t, f.post(t, f.journeyURL(s.ID), url.Values{"action": {"login"}, "username": {"alice"}, "password": {"pw"}}),
		http.StatusOK, "This request timed out")
	got := f.reload(t, s.ID)
	if got.Status != emulator.SCAFailed || got.Failure != emulator.FailTimeout || got.PSUID != "" {
		t.Fatalf("status %s failure %s psu %q", got.Status, got.Failure, got.PSUID)
	}
}

func TestStaticAssets(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, f.srv.URL+"/bank/static/style.css")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Fatalf("style.css: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if r := f.get(t, f.srv.URL+"/bank/static/"); r.status != http.StatusNotFound {
		t.Fatalf("static directory listing: %d", r.status)
	}
}
