package finqlink_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/browsertest"
)

// The WebUI and the bank pages in real headless Chromium: a payer and an
// account holder click through FinqLink's journeys as they would, and each
// ux_template theme is measured on a phone-sized screen.

// statusIs finds the WebUI's live status line showing a FinqLink status.
func statusIs(statuses ...string) string {
	cond := ""
	for i, s := range statuses {
		if i > 0 {
			cond += " or "
		}
		cond += fmt.Sprintf(`@data-status=%q`, s)
	}
	return `//*[@id="status"][` + cond + `]`
}

// toBank picks a bank on a WebUI page and continues to it.
func toBank(webURL, bankID string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(webURL),
		browsertest.Await(`//legend[normalize-space()="Choose your bank"]`),
		browsertest.Click(`//label[@for="bank-`+bankID+`"]`),
		browsertest.Press("Continue to your bank"),
	)
}

// logInAtRZB logs in at rzb_ro as its documented sandbox PSU, whose login
// field rzb_ro calls "PSU ID".
func logInAtRZB() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		browsertest.Await(`//label[@for="username"][normalize-space()="PSU ID"]`),
		browsertest.Fill("username", "9999999998"),
		browsertest.Fill("password", "123456"),
		browsertest.Press("Log in"),
		browsertest.Await(`//*[@id="otp"]`),
		browsertest.Fill("otp", "123456"),
		browsertest.Press("Confirm"),
	)
}

// returnToApp follows the WebUI's "Return to" link and reads the query the
// client page was given.
func returnToApp(t *testing.T, ctx context.Context) url.Values {
	t.Helper()
	err := chromedp.Do(ctx,
		browsertest.Click(`//a[starts-with(normalize-space(), "Return to `+clientID+`")]`),
		browsertest.Await(browsertest.ResultXPath),
	)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := chromedp.Run(ctx, browsertest.TextOf(browsertest.ResultXPath))
	if err != nil {
		t.Fatal(err)
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestBrowserPaymentApproved pays a link: the WebUI's bank list, rzb_ro's
// login in its own words, the payment authorized from the second of the
// payer's accounts, then the WebUI following the status by itself to
// completed, and the way back to the client.
func TestBrowserPaymentApproved(t *testing.T) {
	u := newWebUI(t)
	app := browsertest.ClientApp(t)
	m := u.link(webuiIntent("Shop SRL", "Order 42"), `,"options":{"redirect_url":"`+app.URL+`/back"}`)
	ctx := browsertest.New(t)
	err := chromedp.Do(ctx,
		toBank(m.WebURL, "rzb_ro"),
		logInAtRZB(),
		browsertest.Await(`//h1[normalize-space()="Authorize payment of 1,234.50 RON to Shop SRL"]`),
		browsertest.Click(`//label[@for="account-1"]`),
		browsertest.Press("Approve"),
		browsertest.Await(statusIs("received")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The payment was taken from the one account chosen.
	l := u.stored(m.WebID)
	x, err := u.In.Store.SCASession(context.Background(), u.tenant(), l.SCASessionID)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := u.In.Store.ConnectionAccounts(context.Background(), u.tenant(), x.ConnectionID)
	if err != nil {
		t.Fatal(err)
	}
	if len(shared) != 1 || shared[0].IBAN == "RO03RZBR0000069999999999" {
		t.Fatalf("paid from %+v, want the second account only", shared)
	}

	// The bank moves the payment on; the page, refreshing itself, shows it.
	u.advance(10 * time.Second)
	if err := chromedp.Do(ctx, browsertest.Await(statusIs("completed"))); err != nil {
		t.Fatal(err)
	}
	words, err := chromedp.Run(ctx, browsertest.TextOf(`//*[@id="status"]/span[1]`))
	if err != nil || words != "Payment completed" {
		t.Fatalf("status words %q %v", words, err)
	}
	q := returnToApp(t, ctx)
	if q.Get("status") != "completed" || q.Get("link_id") != m.ID || q.Get("web_id") != m.WebID {
		t.Fatalf("the client got %v", q)
	}
}

// TestBrowserPaymentDenied denies the payment at the bank: the WebUI shows
// it failed and leads back to the client with that status.
func TestBrowserPaymentDenied(t *testing.T) {
	u := newWebUI(t)
	app := browsertest.ClientApp(t)
	m := u.link(webuiIntent("Shop SRL", ""), `,"options":{"redirect_url":"`+app.URL+`/back","ux_template":"sheet"}`)
	ctx := browsertest.New(t)
	err := chromedp.Do(ctx,
		toBank(m.WebURL, "rzb_ro"),
		logInAtRZB(),
		browsertest.Await(`//h1[starts-with(normalize-space(), "Authorize payment of")]`),
		browsertest.Press("Deny"),
		browsertest.Await(statusIs("failed")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if q := returnToApp(t, ctx); q.Get("status") != "failed" || q.Get("link_id") != m.ID {
		t.Fatalf("the client got %v", q)
	}
	if got := u.stored(m.WebID).Status; got != emulator.LinkFailed {
		t.Fatalf("link %s", got)
	}
}

// TestBrowserConsentApproved authorizes an AIS consent: the bank keeps
// its account checkboxes, and the WebUI shows the consent active.
func TestBrowserConsentApproved(t *testing.T) {
	u := newWebUI(t)
	app := browsertest.ClientApp(t)
	c := u.consent(`,"consent":{},"options":{"redirect_url":"` + app.URL + `/back","ux_template":"glass"}`)
	ctx := browsertest.New(t)
	err := chromedp.Do(ctx,
		toBank(c.WebURL, "rzb_ro"),
		logInAtRZB(),
		browsertest.Await(`//h1[normalize-space()="Share your accounts"]`),
		browsertest.Await(`//input[@type="checkbox"][@name="account"]`),
		browsertest.Press("Approve"),
		browsertest.Await(statusIs("authorized", "active")),
	)
	if err != nil {
		t.Fatal(err)
	}
	u.advance(time.Minute)
	if err := chromedp.Do(ctx, browsertest.Await(statusIs("active"))); err != nil {
		t.Fatal(err)
	}
	if q := returnToApp(t, ctx); q.Get("status") != "active" || q.Get("consent_id") != c.ID || q.Get("web_id") != c.WebID {
		t.Fatalf("the client got %v", q)
	}
}

// TestBrowserConsentDenied denies a consent at the bank.
func TestBrowserConsentDenied(t *testing.T) {
	u := newWebUI(t)
	app := browsertest.ClientApp(t)
	c := u.consent(`,"consent":{},"options":{"redirect_url":"` + app.URL + `/back","ux_template":"compact"}`)
	ctx := browsertest.New(t)
	err := chromedp.Do(ctx,
		toBank(c.WebURL, "rzb_ro"),
		logInAtRZB(),
		browsertest.Press("Deny"),
		browsertest.Await(statusIs("failed")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if q := returnToApp(t, ctx); q.Get("status") != "failed" || q.Get("consent_id") != c.ID {
		t.Fatalf("the client got %v", q)
	}
}

// themeReport is what a theme's payment page measures at 390×844.
type themeReport struct {
	BodyClass   string  `json:"bodyClass"`
	ScrollWidth float64 `json:"scrollWidth"`
	InnerWidth  float64 `json:"innerWidth"`
	// The bank choice and the main button, each scrolled into view:
	// their height and whether they are then wholly on screen.
	BankHeight, MainHeight, CancelHeight float64
	BankOnScreen, MainOnScreen           bool
	// MinFont is the smallest font size of any element with text of its
	// own; NameFont the bank name's.
	MinFont, NameFont float64
	// Layout is a signature of layout properties only (no colour); Style
	// adds the look.
	Layout, Style string
}

// measureTheme is the page script that fills a themeReport.
const measureTheme = `(() => {
	const q = s => document.querySelector(s);
	const cs = (e, props) => { const s = getComputedStyle(e); return props.map(p => p + "=" + s.getPropertyValue(p)).join(";"); };
	const onScreen = e => { e.scrollIntoView({block: "center"}); const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
		return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && s.visibility === "visible" && s.opacity !== "0"; };
	const bank = q(".fq-bank-label"), main = q("button.fq-primary"), list = q(".fq-bank-list"), radio = q(".fq-radio");
	let minFont = 1e9;
	for (const e of document.body.querySelectorAll("*")) {
		const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== "");
		if (own && e.getClientRects().length) minFont = Math.min(minFont, parseFloat(getComputedStyle(e).fontSize));
	}
	const labels = [...document.querySelectorAll(".fq-bank-label")].map(l => l.getBoundingClientRect());
	const layout = [
		cs(q(".fq-details"), ["display"]), cs(list, ["display", "row-gap"]),
		"columns=" + getComputedStyle(list).gridTemplateColumns.split(" ").length,
		"side-by-side=" + (labels.length > 1 && Math.abs(labels[0].top - labels[1].top) < 1),
		cs(bank, ["flex-direction", "border-top-left-radius", "text-align"]), cs(radio, ["opacity"]),
		cs(q(".fq-actions"), ["flex-direction"]), cs(q(".fq-panel"), ["border-top-left-radius", "border-bottom-left-radius", "padding-left"]),
		cs(q(".fq-main"), ["max-width", "display"]),
	].join("|");
	const style = layout + "|" + [cs(document.body, ["background-image", "background-color", "font-family"]), cs(main, ["background-color", "border-top-left-radius"])].join("|");
	return {
		bodyClass: document.body.className, scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth,
		BankHeight: bank.getBoundingClientRect().height, MainHeight: main.getBoundingClientRect().height,
		CancelHeight: q("button.fq-secondary").getBoundingClientRect().height,
		BankOnScreen: onScreen(bank), MainOnScreen: onScreen(main),
		MinFont: minFont, NameFont: parseFloat(getComputedStyle(q(".fq-bank-name")).fontSize),
		Layout: layout, Style: style,
	};
})()`

// TestBrowserThemesOnAPhone renders each ux_template's payment page at
// 390×844: no sideways scrolling, a bank choice and a main button on
// screen and at least 44 px tall, readable text, and six layouts that all
// differ from each other.
func TestBrowserThemesOnAPhone(t *testing.T) {
	u := newWebUI(t)
	// A long creditor name and description must wrap, not widen the page.
	intent := webuiIntent("Societatea Comercială Foarte Lungă Pentru Teste De Afișare SRL", "Factura-0000000000000000000000000000000000000042")
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	reports := map[string]themeReport{}
	for _, theme := range emulator.UXTemplates {
		m := u.link(intent, `,"options":{"ux_template":"`+theme+`"}`)
		err := chromedp.Do(ctx, chromedp.Navigate(m.WebURL), browsertest.Await(`//button[normalize-space()="Continue to your bank"]`))
		if err != nil {
			t.Fatalf("%s: %v", theme, err)
		}
		r, err := chromedp.Run(ctx, chromedp.Evaluate[themeReport](measureTheme))
		if err != nil {
			t.Fatalf("%s: %v", theme, err)
		}
		switch {
		case r.BodyClass != "fq theme-"+theme:
			t.Errorf("%s: body class %q", theme, r.BodyClass)
		case r.InnerWidth != 390:
			t.Errorf("%s: the page is %v px wide, not the phone's 390", theme, r.InnerWidth)
		case r.ScrollWidth > r.InnerWidth:
			t.Errorf("%s: scrolls sideways (%v > %v)", theme, r.ScrollWidth, r.InnerWidth)
		case !r.BankOnScreen || !r.MainOnScreen:
			t.Errorf("%s: bank choice on screen %v, main button %v", theme, r.BankOnScreen, r.MainOnScreen)
		case r.BankHeight < 44 || r.MainHeight < 44 || r.CancelHeight < 44:
			t.Errorf("%s: touch targets bank %v, main %v, cancel %v px tall", theme, r.BankHeight, r.MainHeight, r.CancelHeight)
		case r.MinFont < 12 || r.NameFont < 14:
			t.Errorf("%s: smallest text %v px, bank names %v px", theme, r.MinFont, r.NameFont)
		}
		reports[theme] = r
	}
	for i, a := range emulator.UXTemplates {
		for _, b := range emulator.UXTemplates[i+1:] {
			if reports[a].Layout == reports[b].Layout {
				t.Errorf("themes %s and %s have the same layout: %s", a, b, reports[a].Layout)
			}
			if reports[a].Style == reports[b].Style {
				t.Errorf("themes %s and %s look the same", a, b)
			}
		}
	}
	if t.Failed() {
		for theme, r := range reports {
			t.Logf("%s: %+v", theme, r)
		}
	}
}
