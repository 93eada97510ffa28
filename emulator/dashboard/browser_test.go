package dashboard_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/browsertest"
	"github.com/sandbank/sandbank/emulator/instance"
)

// TestBrowserDrivesATenant clicks through the dashboard in headless
// Chromium over a whole Sandbank (instance.New, with its journal and fault
// engine), as a developer would: open the demo tenant, load a scenario,
// advance its clock, approve a journey a client started, and read that
// client's request in the journal.
func TestBrowserDrivesATenant(t *testing.T) {
	ctx := context.Background()
	clock := emulator.NewManualClock(start)
	in, err := instance.New(ctx, instance.Options{
		DB: filepath.Join(t.TempDir(), "sandbank.db"), Clock: clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.EnsureDemoTenants(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(in.Handler)
	t.Cleanup(func() { srv.Close(); in.Close() })
	demo := instance.Demo[0]
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if home := readAll(t, res); !strings.Contains(home, "/dashboard/static/dashboard.css") {
		// Said at once, rather than as a browser step timing out.
		t.Fatal("instance.New does not mount the dashboard: / is another page")
	}
	key := emulator.TenantKey(demo.Provider, demo.Credential)

	b := browsertest.New(t)
	// The first action starts the browser, under the browser's own
	// deadline. Each later step gets a deadline of its own, so a step that
	// waits for something that never shows fails with the page it was on
	// rather than using up the browser's whole time.
	if err := chromedp.Do(b, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(b, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, steps...); err != nil {
			loc, _ := chromedp.Run(b, chromedp.Location())
			page, _ := chromedp.Run(b, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, page)
		}
	}
	text := func(xpath string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(b, 15*time.Second)
		defer cancel()
		s, err := chromedp.Run(ctx, browsertest.TextOf(xpath))
		if err != nil {
			t.Fatalf("read %s: %v", xpath, err)
		}
		return strings.TrimSpace(s)
	}
	status := func(prefix string) string {
		return `//p[@role="status"][starts-with(normalize-space(), "` + prefix + `")]`
	}

	// The index lists the demo tenant; its link opens the tenant's page.
	run("open the tenant",
		browsertest.Click(`//a[@aria-label="Open tenant `+demo.Credential+` (`+string(demo.Provider)+`)"]`),
		browsertest.Await(`//h1/code[normalize-space()="`+demo.Credential+`"]`),
	)

	// Load a scenario through the picker.
	run("load a scenario",
		browsertest.Fill("scenario-name", "happy_path"),
		browsertest.Fill("scenario-seed", "4242"),
		browsertest.Press("Load scenario"),
		browsertest.Await(status("Scenario happy_path loaded with seed 4242")),
	)
	if got, err := in.Control.Tenant(ctx, key); err != nil || got.Scenario != "happy_path" || got.Seed != 4242 {
		t.Fatalf("after the picker: %+v, %v", got, err)
	}

	// Advance the clock with a button and see the new time.
	run("advance the clock", browsertest.Press("+1 day"), browsertest.Await(status("Clock advanced by 1d")))
	if now, want := text(`//time[@id="clock-now"]`), "2026-03-03 10:00:00 UTC"; now != want {
		t.Fatalf("clock shows %q after +1 day, want %q", now, want)
	}

	// A client starts a journey; it shows as pending once the page is
	// reloaded, and the Approve button of its row approves it.
	id := startJourney(t, srv.URL, demo.Credential)
	row := `//tr[@id="sca-` + id + `"]`
	run("approve the journey",
		chromedp.Reload(),
		browsertest.Click(row+`//button[normalize-space()="Approve"]`),
		browsertest.Await(status("Journey "+id+" approved")),
	)
	if gone, err := chromedp.Run(b, chromedp.Evaluate[bool](`document.getElementById("sca-`+id+`") === null`)); err != nil || !gone {
		t.Fatalf("the approved journey is still on the pending table (%v)", err)
	}
	if s, err := in.Control.SCA(ctx, key, id); err != nil || s.Status != string(emulator.SCACompleted) {
		t.Fatalf("journey after Approve: %+v, %v", s, err)
	}

	// The journal shows the client's request; its details open on a click.
	entry := `//tbody[contains(@class, "entry")][1]`
	run("open the journal",
		browsertest.Click(`//nav[@aria-label="On this page"]//a[normalize-space()="Journal"]`),
		browsertest.Await(`//h1[starts-with(normalize-space(), "Journal of")]`),
		browsertest.Click(entry+`//summary`),
		browsertest.Await(entry+`//pre[contains(@class, "headers")]`),
	)
	operation, exchange := text(entry+`//td[@class="op"]`), text(entry+`//div[@class="messages"]`)
	if operation != "getAisV1ProviderAuthorization" {
		t.Fatalf("newest journal entry is operation %q", operation)
	}
	for _, want := range []string{"GET ", "/authorize?", "200", `"url"`} {
		if !strings.Contains(exchange, want) {
			t.Fatalf("journal entry lacks %q:\n%s", want, exchange)
		}
	}
	if strings.Contains(exchange, "sandbank-demo-secret") {
		t.Fatal("the journal shows a secret")
	}

	// On a phone-width screen no page scrolls sideways: wide tables
	// scroll inside their own region.
	const phone = 375
	run("phone width", chromedp.EmulateViewport(phone, 800))
	for _, path := range []string{"/", "/dashboard/tenants/" + key, "/dashboard/tenants/" + key + "/journal"} {
		run("open "+path+" on a phone", chromedp.Navigate(srv.URL+path), browsertest.Await("//h1"))
		width, err := chromedp.Run(b, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
		if err != nil {
			t.Fatal(err)
		}
		if width > phone {
			t.Errorf("%s is %dpx wide on a %dpx screen", path, width, phone)
		}
	}
}

// startJourney asks Fintecture's authorize operation for a bank journey,
// as a client would, and returns the journey's id from its URL.
func startJourney(t *testing.T, base, appID string) string {
	t.Helper()
	q := url.Values{"redirect_uri": {"https://client.example/cb"}, "state": {"st-1"}}
	req, err := http.NewRequest(http.MethodGet, base+"/fintecture/ais/v1/provider/cmcifrpp/authorize?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("app_id", appID)
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("authorize: %d %s", res.StatusCode, body)
	}
	i := strings.Index(body, "/sca/")
	if i < 0 {
		t.Fatalf("authorize answered no journey URL: %s", body)
	}
	id := body[i+len("/sca/"):]
	if j := strings.IndexAny(id, `"/?`); j >= 0 {
		id = id[:j]
	}
	return id
}
