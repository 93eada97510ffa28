package kontomatik_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sandbank/sandbank/emulator/browsertest"
)

// returnedQuery reads the client page's query after a journey.
func returnedQuery(t *testing.T, ctx context.Context) url.Values {
	t.Helper()
	raw, err := chromedp.Run(ctx, browsertest.TextOf(`//*[@id="result"]`))
	if err != nil {
		t.Fatal(err)
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// logInAtKontoBank types KontoBank's test user (notes §6) and the
// one-time code Sandbank's KontoBank asks for.
func logInAtKontoBank(password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		browsertest.Await(`//*[@id="username"]`),
		browsertest.Fill("username", "test"),
		browsertest.Fill("password", password),
		browsertest.Press("Log in"),
	)
}

// TestBrowserSignInRedirection clicks the live SignIn redirection in real
// Chromium: Kontomatik's list narrowed to Poland's PSD2 targets for
// Multiple Access, KontoBank's login (a wrong password first), one-time
// code and consent, then the return to the client, whose redirectionId
// yields the session that imports.
func TestBrowserSignInRedirection(t *testing.T) {
	h := newHarness(t)
	app := browsertest.ClientApp(t)
	r := h.do(req{url: live + "/signin/redirection", json: `{"redirectUri":"` + app.URL + `/back","ownerExternalId":"web-1","country":"pl","psd2":{"accessMode":"MULTIPLE"}}`})
	var started struct{ RedirectionID, RedirectionLink string }
	if err := json.Unmarshal(r.Body, &started); err != nil || r.Status != 200 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}

	ctx := browsertest.New(t)
	var banks []string
	err := chromedp.Do(ctx,
		chromedp.Navigate(started.RedirectionLink),
		browsertest.Await(`//h1[normalize-space()="Choose your bank"]`),
	)
	if err == nil {
		banks, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("button[name=bank_id]")].map(b => b.textContent.trim())`))
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range banks {
		if !strings.HasSuffix(b, "(PSD2)") {
			t.Errorf("Multiple Access offers %q, which is not a PSD2 target", b)
		}
	}
	if !slices.Contains(banks, "KontoBank (PSD2)") || !slices.Contains(banks, "PKO Bank Polski (PSD2)") || slices.Contains(banks, "Česká spořitelna (PSD2)") {
		t.Fatalf("the SignIn list for Poland: %q", banks)
	}

	err = chromedp.Do(ctx,
		browsertest.Press("KontoBank (PSD2)"),
		logInAtKontoBank("wrong"),
		browsertest.Await(`//*[@role="alert"]`),
		logInAtKontoBank("Test123"),
		browsertest.Await(`//*[@id="otp"]`),
		browsertest.Fill("otp", "123456"),
		browsertest.Press("Confirm"),
		browsertest.Press("Approve"),
		browsertest.Await(`//*[@id="result"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if q := returnedQuery(t, ctx); q.Get("redirectionId") != started.RedirectionID {
		t.Fatalf("the client got %v", q)
	}
	s := h.liveStatus(t, started.RedirectionID)
	if s.Status != "successful" || s.Params.Target != "KontoBankApi" || s.Params.MultipleAccessID == "" {
		t.Fatalf("status after the browser: %+v", s)
	}
	if done := h.importNow(s.Params.SessionID, s.Params.SessionIDSignature, nil); done.Command.State != "successful" || done.OwnerExternalID != "web-1" {
		t.Fatalf("import: %+v", done.Command)
	}
}

// TestBrowserSignInDenied denies the given contract's redirection at
// KontoBank: the client gets its sessionId back and the status is FAILED.
func TestBrowserSignInDenied(t *testing.T) {
	h := newHarness(t)
	app := browsertest.ClientApp(t)
	r := h.do(req{url: spec + "/signin/redirection", json: `{"target":"KontoBank","accessMode":"SINGLE","redirectUrl":"` + app.URL + `/back"}`})
	var started struct{ SessionID, RedirectURL string }
	if err := json.Unmarshal(r.Body, &started); err != nil || r.Status != 200 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	ctx := browsertest.New(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(started.RedirectURL),
		logInAtKontoBank("Test123"),
		browsertest.Await(`//*[@id="otp"]`),
		browsertest.Fill("otp", "123456"),
		browsertest.Press("Confirm"),
		browsertest.Press("Deny"),
		browsertest.Await(`//*[@id="result"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if q := returnedQuery(t, ctx); q.Get("sessionId") != started.SessionID {
		t.Fatalf("the client got %v", q)
	}
	var st struct{ Status string }
	if err := json.Unmarshal(h.do(req{url: spec + "/signin/redirection-status?sessionId=" + started.SessionID}).Body, &st); err != nil || st.Status != "FAILED" {
		t.Fatalf("status after deny: %+v %v", st, err)
	}
}
