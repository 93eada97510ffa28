package dashboard_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
)

func TestIndexShowsContractsDemoTenantsAndMagicLogins(t *testing.T) {
	h := newHarness(t)
	code, body := h.get(t, "/")
	if code != http.StatusOK {
		t.Fatalf("GET /: %d", code)
	}
	mustContain(t, "index", body,
		// contracts, as links with the full base URL
		`<a href="/fintecture"><code>`+h.srv.URL+`/fintecture</code></a>`,
		// demo credentials, linked to the tenant
		"sandbank-demo", "demo-secret", `href="/dashboard/tenants/`+h.demo.Key()+`"`,
		// the tenants table
		`<th scope="col">Credential</th>`, "2026-03-02 10:00:00 UTC",
		// the create form, labelled
		`<label for="new-credential">Credential</label>`, `<option value="calm">calm</option>`, "Create tenant",
		// the scenarios with their descriptions
		"Magic logins included.", "Nothing goes wrong.",
		// magic logins: a scenario outcome, a named rule, an unnamed one
		"<code>mallory</code>", "the bank refuses after login",
		"<code>bob</code>", "bob&#39;s bank is down", "<code>pw-bob</code>",
		"<code>otto</code>", "429 on getAccounts",
		// the auto-approving bank and every login
		"<code>bnkauto</code>", "<code>alice</code>",
	)
	if strings.Contains(body, "<code>alice</code></th><td><code>pw-alice</code></td><td><code>111111</code></td><td>the bank") {
		t.Error("alice approves normally but is listed as a magic login")
	}
}

func TestCreateTenant(t *testing.T) {
	h := newHarness(t)
	form := url.Values{"provider": {"fintecture"}, "credential": {"app-new"}, "secret": {"s3cret"}, "scenario": {"calm"}, "seed": {"42"}, "label": {"QA run"}}
	res, _ := h.post(t, "/dashboard/tenants", form)
	key := emulator.TenantKey(emulator.Fintecture, "app-new")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/dashboard/tenants/"+key+"?done=") {
		t.Fatalf("create: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	got := h.tenant(t, key)
	if got.Scenario != "calm" || got.Seed != 42 || got.Label != "QA run" || !got.HasSecret {
		t.Fatalf("created %+v", got)
	}
	_, body := h.get(t, "/")
	mustContain(t, "index after create", body, "<code>app-new</code>", "QA run", `href="/dashboard/tenants/`+key+`"`)

	// The same credential again is a conflict, shown on the index page
	// with the form as typed.
	body = h.refused(t, "/dashboard/tenants", form, http.StatusConflict)
	mustContain(t, "duplicate", body, `role="alert"`, "exists already", `value="app-new"`)
	form.Set("credential", "app-other")
	form.Set("seed", "many")
	body = h.refused(t, "/dashboard/tenants", form, http.StatusBadRequest)
	mustContain(t, "bad seed", body, "The seed must be a whole number", `value="many"`)
	form.Set("seed", "")
	form.Set("scenario", "nope")
	h.refused(t, "/dashboard/tenants", form, http.StatusBadRequest)
	form.Set("scenario", "")
	form.Set("credential", " ")
	h.refused(t, "/dashboard/tenants", form, http.StatusBadRequest)
}

func TestClockButtons(t *testing.T) {
	h := newHarness(t)
	key := h.demo.Key()
	page := h.page(key)
	_, body := h.get(t, page)
	mustContain(t, "tenant page", body, `<button type="submit" name="by" value="1d">&#43;1 day</button>`, `<label for="clock-by">Advance by</label>`, "Freeze")

	loc, body := h.done(t, page+"/clock", url.Values{"by": {"1d"}})
	if !strings.HasSuffix(loc, "#clock") {
		t.Errorf("redirect %q does not return to the clock", loc)
	}
	mustContain(t, "after +1 day", body, `role="status">Clock advanced by 1d: now 2026-03-03 10:00:00 UTC`, `<time id="clock-now" datetime="2026-03-03T10:00:00Z">`)
	if now := h.tenant(t, key).Clock.Now; !now.Equal(start.Add(24 * time.Hour)) {
		t.Fatalf("clock at %v after +1 day", now)
	}

	h.done(t, page+"/clock", url.Values{"by": {"36h"}})
	if now := h.tenant(t, key).Clock.Now; !now.Equal(start.Add(60 * time.Hour)) {
		t.Fatalf("clock at %v after +36h", now)
	}
	_, body = h.done(t, page+"/clock", url.Values{"freeze": {"1"}})
	mustContain(t, "frozen", body, "Unfreeze", ">frozen<")
	h.clock.Advance(time.Hour)
	if now := h.tenant(t, key).Clock.Now; !now.Equal(start.Add(60 * time.Hour)) {
		t.Fatalf("frozen clock moved to %v", now)
	}
	h.done(t, page+"/clock", url.Values{"at": {"2027-01-15T08:30"}})
	if c := h.tenant(t, key).Clock; !c.Frozen || !c.Now.Equal(time.Date(2027, 1, 15, 8, 30, 0, 0, time.UTC)) {
		t.Fatalf("clock %+v after set", c)
	}
	h.done(t, page+"/clock", url.Values{"unfreeze": {"1"}})
	if c := h.tenant(t, key).Clock; c.Frozen {
		t.Fatalf("clock %+v after unfreeze", c)
	}

	before := h.tenant(t, key).Clock.Now
	body = h.refused(t, page+"/clock", url.Values{"by": {"5x"}}, http.StatusBadRequest)
	mustContain(t, "bad duration", body, `role="alert"`, "5x", "use forms like 90d", `id="clock-by" name="by" autocomplete="off" spellcheck="false" placeholder="90d, 36h, 1h30m" value="5x"`)
	h.refused(t, page+"/clock", url.Values{"by": {""}}, http.StatusBadRequest)
	h.refused(t, page+"/clock", url.Values{"at": {"tomorrow"}}, http.StatusBadRequest)
	h.refused(t, page+"/clock", url.Values{}, http.StatusBadRequest)
	if now := h.tenant(t, key).Clock.Now; !now.Equal(before) {
		t.Fatalf("refused forms moved the clock from %v to %v", before, now)
	}
}

// session starts a pending journey for the demo tenant.
func (h *harness) session(t *testing.T, bank string) emulator.SCASession {
	t.Helper()
	s := emulator.SCASession{Provider: emulator.Fintecture, BankID: bank, Model: emulator.SCARedirect, Step: emulator.StepLogin, RedirectURI: "https://client.example/cb", State: "st"}
	if bank == "" {
		s.Step = emulator.StepSelectBank
	}
	s, err := h.st.CreateSCASession(context.Background(), h.demo, s, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (h *harness) sca(t *testing.T, id string) client.SCA {
	t.Helper()
	s, err := h.ctl.SCA(context.Background(), h.demo.Key(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPendingSCAActions(t *testing.T) {
	h := newHarness(t)
	page := h.page(h.demo.Key())
	onList := h.session(t, "")
	atBank := h.session(t, "bnkred")
	toDeny := h.session(t, "bnkred")
	toExpire := h.session(t, "bnkred")

	_, body := h.get(t, page)
	mustContain(t, "pending table", body,
		`<tr id="sca-`+onList.ID+`">`, `<label for="bank-`+onList.ID+`" class="vh">Bank for journey `+onList.ID+`</label>`,
		`<option value="bnkred">Banque Rouge (bnkred)</option>`,
		`aria-label="Approve journey `+atBank.ID+`">Approve</button>`,
		`aria-label="Deny journey `+toDeny.ID+`">Deny</button>`, `>Expire</button>`,
		`href="/bank/`+h.demo.Key()+`/sca/`+atBank.ID+`"`,
	)
	if strings.Contains(body, `id="bank-`+atBank.ID+`"`) {
		t.Error("a journey at its bank offers a bank select")
	}

	// A journey still on the bank list needs a bank.
	body = h.refused(t, page+"/sca/"+onList.ID+"/approve", url.Values{}, http.StatusBadRequest)
	mustContain(t, "approve without bank", body, "has not chosen a bank")
	_, body = h.done(t, page+"/sca/"+onList.ID+"/approve", url.Values{"bank": {"bnkred"}})
	if s := h.sca(t, onList.ID); s.Status != string(emulator.SCACompleted) || s.Bank != "bnkred" || s.Connection == "" {
		t.Fatalf("approved from the bank list: %+v", s)
	}
	mustContain(t, "after approve", body, "Journey "+onList.ID+" approved: connection", ">active<")

	_, body = h.done(t, page+"/sca/"+atBank.ID+"/approve", url.Values{})
	if s := h.sca(t, atBank.ID); s.Status != string(emulator.SCACompleted) {
		t.Fatalf("approved at bank: %+v", s)
	}
	if strings.Contains(body, `id="sca-`+atBank.ID+`"`) {
		t.Error("an approved journey is still on the pending table")
	}
	h.done(t, page+"/sca/"+toDeny.ID+"/deny", url.Values{})
	if s := h.sca(t, toDeny.ID); s.Status != string(emulator.SCAFailed) || s.Failure != string(emulator.FailDenied) {
		t.Fatalf("denied: %+v", s)
	}
	_, body = h.done(t, page+"/sca/"+toExpire.ID+"/expire", url.Values{})
	if s := h.sca(t, toExpire.ID); s.Status != string(emulator.SCAFailed) || s.Failure != string(emulator.FailExpired) {
		t.Fatalf("expired: %+v", s)
	}
	mustContain(t, "none pending", body, "No journey is waiting for its PSU.")

	// Acting twice is a conflict; an unknown journey is not found.
	body = h.refused(t, page+"/sca/"+toDeny.ID+"/approve", url.Values{}, http.StatusConflict)
	mustContain(t, "twice", body, "already FAILED")
	h.refused(t, page+"/sca/nope/deny", url.Values{}, http.StatusNotFound)
}

func TestBadAddressesAnswer4xxPages(t *testing.T) {
	h := newHarness(t)
	page := h.page(h.demo.Key())
	for _, c := range []struct {
		method, path string
		want         int
		says         string
	}{
		{"GET", "/dashboard/tenants/000000000000", 404, "tenant"},
		{"POST", "/dashboard/tenants/000000000000/clock", 404, "tenant"},
		{"POST", "/dashboard/tenants/000000000000/reset", 404, "tenant"},
		{"GET", "/dashboard/tenants/000000000000/journal", 404, "tenant"},
		{"POST", page + "/frobnicate", 404, "no dashboard page or action"},
		{"GET", "/dashboard/nothing", 404, "no dashboard page or action"},
		{"POST", page + "/sca/x/frobnicate", 404, "no dashboard page or action"},
		{"GET", page + "/clock", 405, "only takes a form"},
		{"POST", page, 405, "can only be read"},
		{"DELETE", page, 405, "can only be read"},
		{"GET", page + "/accounts/nope", 404, "account"},
		{"GET", page + "/accounts/acc-a1?page=zero", 400, "page number"},
		{"GET", page + "/journal?before=x", 400, "page cursor"},
		{"GET", page + "/journal?status=teapot", 400, "teapot"},
	} {
		var code int
		var body string
		if c.method == "GET" {
			code, body = h.get(t, c.path)
		} else {
			req, _ := http.NewRequest(c.method, h.srv.URL+c.path, nil)
			res, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			code, body = res.StatusCode, readAll(t, res)
		}
		if code != c.want || !strings.Contains(body, c.says) || !strings.Contains(body, `role="alert"`) {
			t.Errorf("%s %s: %d, want %d saying %q\n%s", c.method, c.path, code, c.want, c.says, body)
		}
	}
}

func TestCrossSitePostsAreRefused(t *testing.T) {
	h := newHarness(t)
	page := h.page(h.demo.Key())
	before := h.tenant(t, h.demo.Key()).Clock.Now
	for _, hdr := range []map[string]string{
		{"Origin": "http://evil.example"},
		{"Origin": "null"},
		{"Origin": "http://localhost:1"}, // same site, another port: another origin
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "cross-site", "Origin": h.srv.URL},
		{"Sec-Fetch-Site": "same-site", "Origin": "http://localhost:1"},
		{"Sec-Fetch-Site": "same-site"},
	} {
		res, body := h.postWith(t, page+"/clock", url.Values{"by": {"90d"}}, hdr)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "another web site") {
			t.Errorf("POST with %v: %d\n%s", hdr, res.StatusCode, body)
		}
		res, _ = h.postWith(t, "/dashboard/tenants", url.Values{"provider": {"fintecture"}, "credential": {"evil"}}, hdr)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("create with %v: %d", hdr, res.StatusCode)
		}
	}
	if now := h.tenant(t, h.demo.Key()).Clock.Now; !now.Equal(before) {
		t.Fatalf("a cross-site post moved the clock to %v", now)
	}
	// Same origin, and clients that are not browsers, get through.
	for _, hdr := range []map[string]string{
		{"Origin": h.srv.URL, "Sec-Fetch-Site": "same-origin"},
		{"Origin": h.srv.URL},
		// A browser vouches for its own same-origin post even when a
		// privacy setting hides the origin.
		{"Origin": "null", "Sec-Fetch-Site": "same-origin"},
		{},
	} {
		if res, _ := h.postWith(t, page+"/clock", url.Values{"by": {"1h"}}, hdr); res.StatusCode != http.StatusSeeOther {
			t.Errorf("POST with %v: %d", hdr, res.StatusCode)
		}
	}
}

func TestEverythingIsEscaped(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ct, err := h.ctl.CreateTenant(ctx, client.NewTenant{Provider: "fintecture", Credential: `app"><b>x`, Label: scriptLabel})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", h.page(ct.Key), h.page(ct.Key) + "/delete", h.page(ct.Key) + "/journal"} {
		code, body := h.get(t, path)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, code)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "<b>x") {
			t.Errorf("%s shows markup from data unescaped", path)
		}
	}
	_, body := h.get(t, h.page(ct.Key))
	mustContain(t, "tenant page", body, "&lt;script&gt;alert(1)&lt;/script&gt;", "app&#34;&gt;&lt;b&gt;x")
	// The flash message comes from the URL: escaped too.
	_, body = h.get(t, h.page(ct.Key)+"?done="+url.QueryEscape(scriptLabel))
	mustContain(t, "flash", body, `role="status">&lt;script&gt;`)
	// So is a refused form's echo.
	body = h.refused(t, h.page(ct.Key)+"/clock", url.Values{"by": {`"><script>x`}}, http.StatusBadRequest)
	if strings.Contains(body, "<script") {
		t.Error("a refused form echoes markup unescaped")
	}
}

func TestScenarioPickerAndReset(t *testing.T) {
	h := newHarness(t)
	key := h.demo.Key()
	page := h.page(key)
	_, body := h.get(t, page)
	mustContain(t, "picker", body, `<option value="default" selected>default — Magic logins included.</option>`, "Load scenario", "Reset tenant")

	_, body = h.done(t, page+"/scenario", url.Values{"scenario": {"calm"}, "seed": {"42"}})
	mustContain(t, "after load", body, "Scenario calm loaded with seed 42", `<option value="calm" selected>`)
	if got := h.tenant(t, key); got.Scenario != "calm" || got.Seed != 42 {
		t.Fatalf("loaded %+v", got)
	}
	// The calm scenario has no magic login left.
	_, body = h.get(t, "/")
	if strings.Contains(body, "the bank refuses after login") {
		t.Error("magic logins still listed after loading a calm scenario")
	}

	h.done(t, page+"/clock", url.Values{"by": {"7d"}})
	_, body = h.done(t, page+"/reset", url.Values{})
	mustContain(t, "after reset", body, "Tenant reset to scenario calm")
	if c := h.tenant(t, key).Clock; !c.Now.Equal(start) {
		t.Fatalf("reset left the clock at %v", c.Now)
	}

	body = h.refused(t, page+"/scenario", url.Values{"scenario": {"nope"}}, http.StatusBadRequest)
	mustContain(t, "unknown scenario", body, `no scenario &#34;nope&#34;`)
	h.refused(t, page+"/scenario", url.Values{"scenario": {"calm"}, "seed": {"x"}}, http.StatusBadRequest)
	h.refused(t, page+"/scenario", url.Values{}, http.StatusBadRequest)
}

func TestWorldConnectionsAndAccountPages(t *testing.T) {
	h := newHarness(t)
	page := h.page(h.demo.Key())
	s := h.session(t, "bnkred")
	h.done(t, page+"/sca/"+s.ID+"/approve", url.Values{})

	_, body := h.get(t, page)
	mustContain(t, "world", body,
		`<code class="iban">FR7630006000011234567890189</code>`, "12,285.67 EUR", "14,785.67 EUR",
		`href="/dashboard/tenants/`+h.demo.Key()+`/accounts/acc-a1"`,
		"<code>pw-mallory</code>", "deny: the bank refuses after login", "<code>900100</code>",
		`<th scope="col">Connection</th>`, ">active<",
	)

	_, body = h.get(t, page+"/accounts/acc-a1")
	mustContain(t, "account page", body, "Salary", "2,500.00 EUR", "pending", "Card payment 59", "-1.00 EUR", "Older transactions")
	if strings.Contains(body, "Card payment 05<") {
		t.Error("page 1 shows an old transaction")
	}
	_, body = h.get(t, page+"/accounts/acc-a1?page=2")
	mustContain(t, "account page 2", body, "Card payment 00", "Newer transactions")

	// The consent expires on the tenant clock.
	_, body = h.get(t, page)
	mustContain(t, "connection", body, `<time datetime="2026-05-31T10:00:00Z">`)
	_, body = h.done(t, page+"/clock", url.Values{"by": {"90d"}})
	mustContain(t, "after 90 days", body, `<span class="tag expired">expired</span>`)
}

func TestFaultRules(t *testing.T) {
	h := newHarness(t)
	page := h.page(h.demo.Key())
	_, body := h.get(t, page)
	mustContain(t, "scenario rules", body, "bob&#39;s bank is down", "PSU bob", "scenario", `<label for="fault-operations">Operations</label>`)

	form := url.Values{"name": {"accounts flaky"}, "operations": {"getAccounts, getTransactions"}, "status": {"503"}, "message": {"down"}, "every": {"2"}, "retry_after": {"30s"}}
	_, body = h.done(t, page+"/faults", form)
	mustContain(t, "after add", body, "Fault rule accounts flaky added", "accounts flaky", "operations getAccounts, getTransactions", "503 “down”, Retry-After 30s, every 2nd call")
	rules, err := h.ctl.Faults(context.Background(), h.demo.Key())
	if err != nil {
		t.Fatal(err)
	}
	var added client.Fault
	for _, f := range rules {
		if f.Name == "accounts flaky" {
			added = f
		}
	}
	if added.ID == "" || added.Match.Tenant != h.demo.Key() || added.Every != 2 || len(added.Match.Operations) != 2 {
		t.Fatalf("added rule %+v", added)
	}

	body = h.refused(t, page+"/faults", url.Values{"name": {"bad"}, "status": {"abc"}}, http.StatusBadRequest)
	mustContain(t, "bad status", body, "Status must be a whole number", `value="bad"`, "<details open>")
	body = h.refused(t, page+"/faults", url.Values{"name": {"nothing"}}, http.StatusBadRequest)
	mustContain(t, "no effect", body, "the rule has no effect")
	h.refused(t, page+"/faults", url.Values{"status": {"200"}}, http.StatusBadRequest)
	h.refused(t, page+"/faults", url.Values{"latency": {"soon"}}, http.StatusBadRequest)
	h.refused(t, page+"/faults", url.Values{"status": {"503"}, "probability": {"2"}}, http.StatusBadRequest)

	_, body = h.done(t, page+"/faults/"+added.ID+"/remove", url.Values{})
	mustContain(t, "after remove", body, "Fault rule "+added.ID+" removed")
	if strings.Contains(body, "accounts flaky</th>") {
		t.Error("removed rule still listed")
	}
	h.refused(t, page+"/faults/"+added.ID+"/remove", url.Values{}, http.StatusNotFound)
	// Another tenant's rule cannot be removed from this page.
	other, err := h.ctl.CreateTenant(context.Background(), client.NewTenant{Provider: "fintecture", Credential: "other"})
	if err != nil {
		t.Fatal(err)
	}
	h.done(t, h.page(other.Key)+"/faults", url.Values{"name": {"theirs"}, "status": {"500"}})
	theirs, _ := h.ctl.Faults(context.Background(), other.Key)
	for _, f := range theirs {
		if f.Name == "theirs" {
			h.refused(t, page+"/faults/"+f.ID+"/remove", url.Values{}, http.StatusNotFound)
		}
	}
}

// journalEntries writes n entries for the demo tenant, every third a 404.
func (h *harness) journalEntries(t *testing.T, n int) {
	t.Helper()
	var es []emulator.JournalEntry
	for i := range n {
		status := 200
		if i%3 == 0 {
			status = 404
		}
		es = append(es, emulator.JournalEntry{
			TenantID: h.demo.ID, At: start.Add(time.Duration(i) * time.Second), Method: "GET",
			URL:      fmt.Sprintf("%s/fintecture/ais/v1/customer/c%02d/accounts", h.srv.URL, i),
			Contract: "fintecture", Operation: "getAccounts", Status: status, Duration: 1500 * time.Microsecond,
			Request:  emulator.HTTPMessage{Header: http.Header{"Authorization": {"Bearer ***"}, "Accept": {"application/json"}}},
			Response: emulator.HTTPMessage{Header: http.Header{"Content-Type": {"application/json"}}, Body: fmt.Sprintf(`{"n":%d,"note":"%s"}`, i, "<b>hi</b>")},
		})
	}
	if err := h.st.AppendJournal(context.Background(), es, 0); err != nil {
		t.Fatal(err)
	}
}

func TestJournalPage(t *testing.T) {
	h := newHarness(t)
	page := h.page(h.demo.Key())
	h.journalEntries(t, 60)
	_, body := h.get(t, page+"/journal")
	mustContain(t, "journal", body,
		`href="/_sandbank/tenants/`+h.demo.Key()+`/journal.har"`, "Clear journal",
		"<code>getAccounts</code>", "1.5 ms", "2026-03-02 10:00:59 UTC",
		"Authorization: Bearer ***",
		"{\n  &#34;n&#34;: 59,\n  &#34;note&#34;: &#34;&lt;b&gt;hi&lt;/b&gt;&#34;\n}",
		"Older entries",
	)
	if strings.Index(body, "/customer/c59/") > strings.Index(body, "/customer/c58/") {
		t.Error("journal is not newest first")
	}
	if strings.Contains(body, "/customer/c05/") {
		t.Error("first page shows more than a page")
	}
	older := regexp.MustCompile(`href="([^"]*before=[0-9]+)"`).FindStringSubmatch(body)
	if older == nil {
		t.Fatal("no older link")
	}
	_, body = h.get(t, strings.ReplaceAll(older[1], "&amp;", "&"))
	mustContain(t, "older page", body, "/customer/c00/", "Newest entries")

	_, body = h.get(t, page+"/journal?status=4xx&method=GET")
	mustContain(t, "filtered", body, "/customer/c57/", `value="4xx"`, `<option value="GET" selected>`, "journal.har?method=GET&amp;status=4xx")
	if strings.Contains(body, "/customer/c58/") {
		t.Error("the 4xx filter shows a 200")
	}

	_, body = h.done(t, page+"/journal/clear", url.Values{})
	mustContain(t, "cleared", body, "Journal cleared: 60 entries deleted", "No entry.")
}

func TestDeleteTenantAsksFirst(t *testing.T) {
	h := newHarness(t)
	ct, err := h.ctl.CreateTenant(context.Background(), client.NewTenant{Provider: "fintecture", Credential: "doomed"})
	if err != nil {
		t.Fatal(err)
	}
	page := h.page(ct.Key)
	_, body := h.get(t, page)
	mustContain(t, "tenant page", body, `<form method="get" action="`+page+`/delete"`, "Delete tenant…")
	_, body = h.get(t, page+"/delete")
	mustContain(t, "confirmation", body, "Delete tenant <code>doomed</code>?", `<form method="post" action="`+page+`/delete"`, `<button type="submit" class="danger">Delete tenant</button>`, "Cancel")
	if _, err := h.ctl.Tenant(context.Background(), ct.Key); err != nil {
		t.Fatal("the confirmation page deleted the tenant")
	}
	loc, body := h.done(t, page+"/delete", url.Values{})
	if !strings.HasPrefix(loc, "/?done=") {
		t.Errorf("delete redirects to %q", loc)
	}
	mustContain(t, "after delete", body, "Tenant doomed (fintecture) deleted")
	if code, _ := h.get(t, page); code != http.StatusNotFound {
		t.Fatalf("deleted tenant's page: %d", code)
	}
}

func TestLabel(t *testing.T) {
	h := newHarness(t)
	page := h.page(h.demo.Key())
	_, body := h.done(t, page+"/label", url.Values{"label": {"  nightly run "}})
	mustContain(t, "label", body, "Label saved", `value="nightly run"`)
}

func TestStylesheetAndHeaders(t *testing.T) {
	h := newHarness(t)
	res, err := h.client.Get(h.srv.URL + "/dashboard/static/dashboard.css")
	if err != nil {
		t.Fatal(err)
	}
	css := readAll(t, res)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, ".scroll") {
		t.Fatalf("stylesheet: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, err = h.client.Get(h.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, res)
	for k, want := range map[string]string{"X-Frame-Options": "DENY", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
