package bank_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/browsertest"
)

// returned waits for the test's /return page and gives its URL's query.
func (f *fixture) returned(t *testing.T, ctx context.Context) url.Values {
	t.Helper()
	result, err := chromedp.Run(ctx, browsertest.TextOf(`//*[@id="result"]`))
	if err != nil {
		t.Fatal(err)
	}
	location, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(location, f.srv.URL+"/return?") {
		t.Fatalf("browser at %s, want the return URL", location)
	}
	u, err := url.Parse(location)
	if err != nil {
		t.Fatal(err)
	}
	if result != u.RawQuery {
		t.Fatalf("return page shows %q, location query %q", result, u.RawQuery)
	}
	return u.Query()
}

// toConsent clicks a redirect journey through login and OTP.
func toConsent(journeyURL string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(journeyURL),
		browsertest.Await(`//*[@id="username"]`),
		browsertest.Fill("username", "alice"),
		browsertest.Fill("password", "pw"),
		browsertest.Press("Log in"),
		browsertest.Await(`//*[@id="otp"]`),
		browsertest.Fill("otp", "111111"),
		browsertest.Press("Confirm"),
		browsertest.Await(`//button[normalize-space()="Approve"]`),
	)
}

func TestBrowserRedirectJourneyApproves(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, toConsent(f.journeyURL(s.ID)), browsertest.Press("Approve")); err != nil {
		t.Fatal(err)
	}
	q := f.returned(t, ctx)
	got := f.reload(t, s.ID)
	if q.Get("outcome") != "COMPLETED" || q.Get("code") == "" || q.Get("code") != got.Code {
		t.Fatalf("returned with %v; session code %q", q, got.Code)
	}
	if ids := f.connectionAccounts(t, got.ConnectionID); len(ids) != 2 {
		t.Fatalf("shared accounts %v, want both (checked by default)", ids)
	}
}

func TestBrowserConsentDeny(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, toConsent(f.journeyURL(s.ID)), browsertest.Press("Deny")); err != nil {
		t.Fatal(err)
	}
	if q := f.returned(t, ctx); q.Get("outcome") != "FAILED" || q.Get("code") != "" {
		t.Fatalf("returned with %v", q)
	}
	if got := f.reload(t, s.ID); got.Failure != emulator.FailDenied {
		t.Fatalf("failure %q", got.Failure)
	}
}

func TestBrowserPhoneApproves(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, emulator.SCASession{BankID: "bnkdec", Model: emulator.SCADecoupled, Step: emulator.StepLogin, RedirectURI: "-"})
	ctx := browsertest.New(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.phoneURL(s.ID)),
		browsertest.Await(`//*[@id="psu_id"]`),
		browsertest.Fill("psu_id", "900100"),
		browsertest.Press("Continue"),
		browsertest.Press("Approve"),
		browsertest.Await(`//h1[starts-with(normalize-space(), "Approved")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if heading != "Approved — return to the app" {
		t.Fatalf("heading %q", heading)
	}
	if got := f.reload(t, s.ID); got.Status != emulator.SCACompleted || got.PSUID != "psu-dora" {
		t.Fatalf("status %s psu %q", got.Status, got.PSUID)
	}
}
