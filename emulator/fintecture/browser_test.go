package fintecture_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sandbank/sandbank/emulator/browsertest"
)

// logInAsTestPSU fills the bank's login and one-time code pages with
// Fintecture's documented test PSU.
func logInAsTestPSU() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		browsertest.Await(`//*[@id="username"]`),
		browsertest.Fill("username", "078000000P"),
		browsertest.Fill("password", "123456"),
		browsertest.Press("Log in"),
		browsertest.Await(`//*[@id="otp"]`),
		browsertest.Fill("otp", "123456"),
		browsertest.Press("Confirm"),
	)
}

// TestBrowserConnectJourney clicks a whole Fintecture connect journey in
// real Chromium: the hosted bank list, the bank's login, one-time code and
// consent, and the redirect back to the client, whose code then yields
// the accounts.
func TestBrowserConnectJourney(t *testing.T) {
	h := newHarness(t)
	app := browsertest.ClientApp(t)
	h.customersToken(appID, appSecret)
	r := h.do(req{url: "/fintecture/ais/v2/connect?state=web&redirect_uri=" + url.QueryEscape(app.URL+"/cb"), header: map[string]string{"app_id": appID}})
	var c struct{ Meta struct{ URL string } }
	r.Decode(t, &c)

	ctx := browsertest.New(t)
	var query string
	err := chromedp.Do(ctx,
		chromedp.Navigate(c.Meta.URL),
		browsertest.Press("CIC"),
		logInAsTestPSU(),
		browsertest.Press("Approve"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if query, err = chromedp.Run(ctx, browsertest.TextOf(`//*[@id="result"]`)); err != nil {
		t.Fatal(err)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("state") != "web" || q.Get("provider") != "cmcifrpp" || q.Get("code") == "" {
		t.Fatalf("client got %q", query)
	}
	tok := h.aisToken(appID, appSecret, q.Get("code"))
	var accts accountsBody
	h.get("/fintecture/ais/v1/customer/"+q.Get("customer_id")+"/accounts", tok.AccessToken).Decode(t, &accts)
	if len(accts.Data) != 2 {
		t.Fatalf("accounts after the browser journey: %+v", accts)
	}
}

// TestBrowserDenyAndDecoupled denies a redirect journey in the browser and
// approves a decoupled one on the phone page while the API polls.
func TestBrowserDenyAndDecoupled(t *testing.T) {
	h := newHarness(t)
	app := browsertest.ClientApp(t)
	page, _ := h.authorizeURL(t, "bsabesbb", "state=no&redirect_uri="+url.QueryEscape(app.URL+"/cb"), nil)
	ctx := browsertest.New(t)
	var query string
	err := chromedp.Do(ctx,
		chromedp.Navigate(page),
		logInAsTestPSU(),
		browsertest.Press("Deny"),
	)
	if err == nil {
		query, err = chromedp.Run(ctx, browsertest.TextOf(`//*[@id="result"]`))
	}
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(query, "error=provider_error") || !strings.Contains(query, "provider_error=access_denied") || !strings.Contains(query, "state=no") {
		t.Fatalf("deny returned %q", query)
	}

	phone, session := h.authorizeURL(t, "handse", "", map[string]string{"x-psu-id": "193805010844"})
	if d := h.pollDecoupled(t, session); d.Status != "PENDING" {
		t.Fatalf("before the phone: %+v", d)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(phone),
		browsertest.Press("Approve"),
		browsertest.Await(`//h1[starts-with(normalize-space(), "Approved")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if d := h.pollDecoupled(t, session); d.Status != "COMPLETED" || d.Code == "" {
		t.Fatalf("after the phone: %+v", d)
	}
}
