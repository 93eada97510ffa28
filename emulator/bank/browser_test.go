package bank_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sandbank/sandbank/emulator"
)

// newBrowser starts a real headless Chromium for one test. A missing
// browser fails the test: the pages' promise is that they work in one.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no Chromium at %s: install Debian's chromium (apt-get install -y chromium)", path)
	}
	// Made before the cancels are registered, so it is removed after
	// Chromium has exited.
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	return browserCtx
}

// button finds a button by its visible name, as a person (or a screen
// reader) would.
func button(name string) chromedp.Search {
	return chromedp.Search(`//button[normalize-space()="` + name + `"]`)
}

// returned waits for the test's /return page and gives its URL's query.
func (f *fixture) returned(t *testing.T, ctx context.Context) url.Values {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#result"))); err != nil {
		t.Fatal(err)
	}
	location, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	result, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#result")))
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
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#password"), "pw"),
		chromedp.Click(button("Log in")),
		chromedp.WaitVisible(chromedp.CSS("#otp")),
		chromedp.SendKeys(chromedp.CSS("#otp"), "111111"),
		chromedp.Click(button("Confirm")),
		chromedp.WaitVisible(button("Approve")),
	)
}

func TestBrowserRedirectJourneyApproves(t *testing.T) {
	f := newFixture(t)
	s := f.redirectSession(t)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, toConsent(f.journeyURL(s.ID)), chromedp.Click(button("Approve"))); err != nil {
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
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, toConsent(f.journeyURL(s.ID)), chromedp.Click(button("Deny"))); err != nil {
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
	ctx := newBrowser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.phoneURL(s.ID)),
		chromedp.WaitVisible(chromedp.CSS("#psu_id")),
		chromedp.SendKeys(chromedp.CSS("#psu_id"), "900100"),
		chromedp.Click(button("Continue")),
		chromedp.WaitVisible(button("Approve")),
		chromedp.Click(button("Approve")),
		chromedp.WaitVisible(chromedp.Search(`//h1[starts-with(normalize-space(), "Approved")]`)),
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
