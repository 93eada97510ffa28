package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/control"
	"github.com/sandbank/sandbank/emulator/dashboard"
	"github.com/sandbank/sandbank/emulator/faults"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/emulator/webhooks"
)

// The tests drive the dashboard over a real SQLite store, the real
// control plane and the real fault engine. The journal's reads go
// straight to the store (its recording middleware is not under test here).

const scriptLabel = "<script>alert(1)</script>"

var start = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// testWorld is a small hand-made world: a redirect bank and an
// auto-approving one, a PSU the scenario denies (mallory) and one a fault
// rule breaks (bob).
func testWorld(_ emulator.Tenant, now time.Time) (emulator.World, error) {
	w := emulator.World{
		Banks: []emulator.Bank{
			{ID: "bnkred", Name: "Banque Rouge", Country: "FR", BIC: "ROUGFRPP", Model: emulator.SCARedirect},
			{ID: "bnkauto", Name: "Banque Auto", Country: "FR", BIC: "AUTOFRPP", Model: emulator.SCAAuto},
		},
		PSUs: []emulator.PSU{
			{ID: "psu-alice", BankID: "bnkred", Login: "alice", Password: "pw-alice", OTP: "111111", FullName: "Alice Martin"},
			{ID: "psu-mallory", BankID: "bnkred", Login: "mallory", Password: "pw-mallory", OTP: "222222", FullName: "Mallory Refused"},
			{ID: "psu-bob", BankID: "bnkred", Login: "bob", Password: "pw-bob", OTP: "333333", FullName: "Bob Broken"},
			{ID: "psu-otto", BankID: "bnkauto", Login: "otto", Password: "pw-otto", OTP: "444444", DecoupledID: "900100", FullName: "Otto Auto"},
		},
		Accounts: []emulator.Account{
			{ID: "acc-a1", PSUID: "psu-alice", BankID: "bnkred", IBAN: "FR7630006000011234567890189", Currency: "EUR", Name: "Compte courant", Type: emulator.AccountCurrent, OpeningCents: 1234567},
			{ID: "acc-m1", PSUID: "psu-mallory", BankID: "bnkred", IBAN: "FR7630004000031234567890143", Currency: "EUR", Name: "Compte Mallory", Type: emulator.AccountCurrent},
			{ID: "acc-o1", PSUID: "psu-otto", BankID: "bnkauto", IBAN: "FR7630002032531234567890168", Currency: "EUR", Name: "Compte Otto", Type: emulator.AccountCurrent},
		},
	}
	// 60 booked debits of 1.00 (more than one page of 50), then one
	// pending credit that books tomorrow.
	for i := range 60 {
		w.Transactions = append(w.Transactions, emulator.Transaction{
			ID: fmt.Sprintf("tx-%02d", i), AccountID: "acc-a1", AmountCents: -100, Currency: "EUR",
			BookingDate: emulator.Day(now.AddDate(0, 0, -60+i)), ValueDate: emulator.Day(now.AddDate(0, 0, -60+i)),
			Description: fmt.Sprintf("Card payment %02d", i), CounterpartyName: "Boulangerie",
		})
	}
	w.Transactions = append(w.Transactions, emulator.Transaction{
		ID: "tx-pending", AccountID: "acc-a1", AmountCents: 250000, Currency: "EUR",
		BookingDate: emulator.Day(now.AddDate(0, 0, 1)), ValueDate: emulator.Day(now.AddDate(0, 0, 1)),
		Description: "Salary", CounterpartyName: "ACME",
	})
	return w, nil
}

// scenarios are the test's scenarios: "default" denies mallory and
// breaks bob with a fault rule; "calm" does neither.
var scenarios = []client.Scenario{
	{Name: "default", Description: "Magic logins included.", Seed: 7, Builtin: true},
	{Name: "calm", Description: "Nothing goes wrong.", Seed: 9, Builtin: true},
	{Name: "flaky_receiver", Description: "The first attempt of every webhook gets a simulated 503.", Seed: 11, Builtin: true},
}

func resolveScenario(name, _ string) (store.ScenarioData, error) {
	switch name {
	case "default":
		rule, _ := json.Marshal(faults.Rule{Name: "bob's bank is down", Match: faults.Match{PSU: "bob"}, Status: 503})
		unnamed, _ := json.Marshal(faults.Rule{Match: faults.Match{PSU: "otto", Operations: []string{"getAccounts"}}, Status: 429})
		return store.ScenarioData{
			Name: name, Source: "name: default", Seed: 7,
			Behaviour: emulator.Behaviour{
				SCA:             []emulator.OutcomeRule{{Login: "mallory", Outcome: emulator.OutcomeDeny}},
				ConsentValidity: 90 * 24 * time.Hour,
			},
			Faults: [][]byte{rule, unnamed},
		}, nil
	case "calm":
		return store.ScenarioData{Name: name, Source: "name: calm", Seed: 9}, nil
	case "flaky_receiver":
		return store.ScenarioData{Name: name, Source: "name: flaky_receiver", Seed: 11,
			Behaviour: emulator.Behaviour{Webhooks: emulator.WebhookFaults{ReceiverErrors: 1}}}, nil
	}
	return store.ScenarioData{}, fmt.Errorf("no scenario %q", name)
}

// storeJournal reads the journal straight from the store.
type storeJournal struct{ st *store.Store }

func (j storeJournal) Entries(ctx context.Context, t *emulator.Tenant, q client.JournalQuery) ([]client.JournalEntry, error) {
	f := emulator.JournalFilter{Operation: q.Operation, Method: q.Method, Path: q.Path, Before: q.Before, Limit: q.Limit}
	if q.Status != "" {
		if c, ok := strings.CutSuffix(q.Status, "xx"); ok && len(c) == 1 && c[0] >= '1' && c[0] <= '5' {
			f.StatusClass = int(c[0] - '0')
		} else if n, err := strconv.Atoi(q.Status); err == nil {
			f.Status = n
		} else {
			return nil, emulator.FieldError(emulator.CodeInvalid, "status", "status %q is not a status such as 404 or 4xx", q.Status)
		}
	}
	es, err := j.st.Journal(ctx, t, f)
	var out []client.JournalEntry
	for _, e := range es {
		out = append(out, client.JournalEntry{
			ID: e.ID, At: e.At, Method: e.Method, URL: e.URL, Contract: e.Contract, Operation: e.Operation, Status: e.Status,
			DurationMS: float64(e.Duration) / float64(time.Millisecond),
			Request:    client.Message{Header: e.Request.Header, Body: e.Request.Body, Truncated: e.Request.Truncated},
			Response:   client.Message{Header: e.Response.Header, Body: e.Response.Body, Truncated: e.Response.Truncated},
		})
	}
	return out, err
}

func (j storeJournal) Entry(context.Context, *emulator.Tenant, int64) (client.JournalEntry, error) {
	return client.JournalEntry{}, emulator.Errorf(emulator.CodeUnavailable, "not in this test")
}

func (j storeJournal) Clear(ctx context.Context, t *emulator.Tenant) (int, error) {
	return j.st.ClearJournal(ctx, t)
}

func (j storeJournal) HAR(context.Context, *emulator.Tenant, client.JournalQuery) ([]byte, error) {
	return nil, emulator.Errorf(emulator.CodeUnavailable, "not in this test")
}

func (j storeJournal) Flush(context.Context) error { return nil }

type harness struct {
	st    *store.Store
	clock *emulator.ManualClock
	ctl   *control.Service
	// hooks is the webhook dispatcher the control plane flushes after a
	// clock change or a resend, as in a running Sandbank.
	hooks  *webhooks.Dispatcher
	srv    *httptest.Server
	client *http.Client
	demo   *emulator.Tenant
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	clock := emulator.NewManualClock(start)
	st, err := store.Open(ctx, store.Options{
		Path: filepath.Join(t.TempDir(), "dashboard.db"), Clock: clock, BuildWorld: testWorld,
		Scenario: resolveScenario, DefaultScenario: "default",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	engine := faults.New(st, nil)
	if err := engine.Load(ctx); err != nil {
		t.Fatal(err)
	}
	hooks, err := webhooks.New(webhooks.Options{Store: st, Clock: clock, Faults: func(t *emulator.Tenant) emulator.WebhookFaults { return t.Behaviour.Webhooks }})
	if err != nil {
		t.Fatal(err)
	}
	ctl := control.New(control.Options{
		Store: st, Faults: control.FaultEngine(engine), Journal: storeJournal{st},
		FlushWebhooks: func(ctx context.Context, t *emulator.Tenant) error {
			_, err := hooks.Flush(ctx, t)
			return err
		},
		Scenarios:       func() []client.Scenario { return scenarios },
		DefaultScenario: "default",
		JourneyPath: func(t *emulator.Tenant, s emulator.SCASession) string {
			return "/bank/" + t.Key() + "/sca/" + s.ID
		},
	})
	d, err := dashboard.New(dashboard.Options{
		Control:   ctl,
		Contracts: []client.Contract{{Name: "fintecture", Mount: "/fintecture", Description: "Fintecture, spec contract"}},
		Demo:      []dashboard.Demo{{Provider: "fintecture", Credential: "sandbank-demo", Secret: "demo-secret"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	d.Mount(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if _, err := ctl.CreateTenant(ctx, client.NewTenant{Provider: "fintecture", Credential: "sandbank-demo", Secret: "demo-secret"}); err != nil {
		t.Fatal(err)
	}
	demo, err := st.Tenant(ctx, emulator.Fintecture, "sandbank-demo")
	if err != nil {
		t.Fatal(err)
	}
	return &harness{st: st, clock: clock, ctl: ctl, hooks: hooks, srv: srv, client: c, demo: demo}
}

func (h *harness) page(key string) string { return "/dashboard/tenants/" + key }

// get fetches a page and returns its status and body.
func (h *harness) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := h.client.Get(h.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// post sends a form as a browser on the dashboard's own page would
// (same-origin Origin header) and returns the response with its body read.
func (h *harness) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	return h.postWith(t, path, form, map[string]string{"Origin": h.srv.URL, "Sec-Fetch-Site": "same-origin"})
}

func (h *harness) postWith(t *testing.T, path string, form url.Values, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// done posts a form that must succeed, follows its 303 and returns the
// page it leads to.
func (h *harness) done(t *testing.T, path string, form url.Values) (location, body string) {
	t.Helper()
	res, b := h.post(t, path, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s %v: %d, want 303\n%s", path, form, res.StatusCode, b)
	}
	location = res.Header.Get("Location")
	code, body := h.get(t, location)
	if code != http.StatusOK {
		t.Fatalf("GET %s after POST %s: %d\n%s", location, path, code, body)
	}
	return location, body
}

// refused posts a form that must be refused with status want, and
// returns the page that says why.
func (h *harness) refused(t *testing.T, path string, form url.Values, want int) string {
	t.Helper()
	res, b := h.post(t, path, form)
	if res.StatusCode != want {
		t.Fatalf("POST %s %v: %d, want %d\n%s", path, form, res.StatusCode, want, b)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("POST %s: content type %q, want a page", path, ct)
	}
	return b
}

// tenant reloads a tenant's current state.
func (h *harness) tenant(t *testing.T, key string) client.Tenant {
	t.Helper()
	ct, err := h.ctl.Tenant(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// mustContain fails unless body contains every string.
func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	if t.Failed() {
		t.Logf("%s:\n%s", what, body)
		t.FailNow()
	}
}
