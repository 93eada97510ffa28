package control_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/control"
	"github.com/sandbank/sandbank/emulator/store"
)

// realStart is the real (manual) clock's start: every test is at the same
// instant, so times in answers are exact.
var realStart = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// harness is a control plane over a real SQLite file, served by
// httptest on the root router, with a client for it.
type harness struct {
	t     *testing.T
	st    *store.Store
	clock *emulator.ManualClock
	srv   *httptest.Server
	c     *client.Client
	log   *bytes.Buffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	clock := emulator.NewManualClock(realStart)
	st, err := store.Open(ctx, store.Options{
		Path: filepath.Join(t.TempDir(), "sandbank.db"), Clock: clock,
		BuildWorld: testWorld, Scenario: testScenario, DefaultScenario: "basic",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var logs bytes.Buffer
	svc := control.New(control.Options{
		Store: st, Version: "test", Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Scenarios: func() []client.Scenario { return testScenarios },
		Scenario: func(name string) (client.Scenario, error) {
			for _, sc := range testScenarios {
				if sc.Name == name {
					return sc, nil
				}
			}
			return client.Scenario{}, emulator.NotFound("scenario", name)
		},
		CodeTTL:         func(emulator.Provider) time.Duration { return 5 * time.Minute },
		DefaultScenario: "basic",
		JourneyPath: func(t *emulator.Tenant, x emulator.SCASession) string {
			return "/bank/" + t.Key() + "/journeys/" + x.ID
		},
	})
	r := mux.NewRouter()
	svc.Mount(r)
	// The server registers its health check on the same root router,
	// after the control plane: Mount must leave it reachable.
	r.PathPrefix("/_sandbank").Subrouter().Methods(http.MethodGet).Path("/healthz").HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "healthz")
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &harness{t: t, st: st, clock: clock, srv: srv, c: client.New(srv.URL, client.WithHTTPClient(srv.Client())), log: &logs}
}

// testScenarios are what the service lists; testScenario is what the
// store resolves tenants' scenarios with.
var testScenarios = []client.Scenario{
	{Name: "basic", Description: "two banks, two PSUs", Seed: 7, Builtin: true, Source: "name: basic\nseed: 7\n"},
	{Name: "other", Description: "the same world, another seed", Seed: 9, Builtin: true, Source: "name: other\nseed: 9\n"},
}

func testScenario(name, src string) (store.ScenarioData, error) {
	for _, sc := range testScenarios {
		if sc.Name == name {
			return store.ScenarioData{Name: sc.Name, Source: sc.Source, Seed: sc.Seed}, nil
		}
	}
	return store.ScenarioData{}, fmt.Errorf("no scenario %q", name)
}

// testWorld is a small hand-made world: one bank with two PSUs and three
// accounts, one empty bank, and three transactions on acc1 (one pending).
func testWorld(_ emulator.Tenant, now time.Time) (emulator.World, error) {
	day := func(d int) string { return emulator.Day(now.AddDate(0, 0, d)) }
	return emulator.World{
		Banks: []emulator.Bank{
			{ID: "testbank", Name: "Test Bank", Country: "FR", BIC: "TESTFRPP", Model: emulator.SCARedirect},
			{ID: "emptybank", Name: "Empty Bank", Country: "FR", BIC: "EMPTFRPP", Model: emulator.SCARedirect},
		},
		PSUs: []emulator.PSU{
			{ID: "psu1", BankID: "testbank", Login: "alice", Password: "pw-a", OTP: "111111", FullName: "Alice Martin"},
			{ID: "psu2", BankID: "testbank", Login: "bob", Password: "pw-b", OTP: "222222", FullName: "Bob Durand"},
		},
		Accounts: []emulator.Account{
			{ID: "acc1", PSUID: "psu1", BankID: "testbank", IBAN: "FR1420041010050500013M02606", Currency: "EUR", Name: "Current", Type: emulator.AccountCurrent, OpeningCents: 10000},
			{ID: "acc2", PSUID: "psu1", BankID: "testbank", IBAN: "FR7630006000011234567890189", Currency: "EUR", Name: "Savings", Type: emulator.AccountSavings, OpeningCents: 50000},
			{ID: "acc3", PSUID: "psu2", BankID: "testbank", IBAN: "FR7610107001011234567890129", Currency: "EUR", Name: "Current", Type: emulator.AccountCurrent, OpeningCents: 0},
		},
		Transactions: []emulator.Transaction{
			{ID: "tx1", AccountID: "acc1", AmountCents: 2000, Currency: "EUR", BookingDate: day(-2), ValueDate: day(-2), Description: "Salary", CounterpartyName: "ACME"},
			{ID: "tx2", AccountID: "acc1", AmountCents: -1500, Currency: "EUR", BookingDate: day(-1), ValueDate: day(-1), Description: "Groceries"},
			{ID: "tx3", AccountID: "acc1", AmountCents: -500, Currency: "EUR", BookingDate: day(3), ValueDate: day(3), Description: "Rent"},
		},
	}, nil
}

// tenant creates a Fintecture tenant with that credential.
func (h *harness) tenant(credential string) client.Tenant {
	h.t.Helper()
	t, err := h.c.CreateTenant(context.Background(), client.NewTenant{Provider: "fintecture", Credential: credential})
	if err != nil {
		h.t.Fatal(err)
	}
	return t
}

// journey starts a pending SCA journey directly in the store, as a
// provider's authorize call would.
func (h *harness) journey(key, bank string, ttl time.Duration) emulator.SCASession {
	h.t.Helper()
	ctx := context.Background()
	t, err := h.st.TenantByKey(ctx, key)
	if err != nil {
		h.t.Fatal(err)
	}
	step := emulator.StepLogin
	if bank == "" {
		step = emulator.StepSelectBank
	}
	x, err := h.st.CreateSCASession(ctx, t, emulator.SCASession{
		Provider: emulator.Fintecture, BankID: bank, Model: emulator.SCARedirect, Step: step,
		RedirectURI: "https://client.example/callback", State: "st",
	}, ttl)
	if err != nil {
		h.t.Fatal(err)
	}
	return x
}

// raw sends a request as it is and returns the status, the headers and
// the decoded error body (when there is one).
func (h *harness) raw(method, path, contentType, body string) (int, http.Header, *client.Error) {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	if res.StatusCode < 400 {
		return res.StatusCode, res.Header, nil
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		h.t.Fatalf("%s %s: error answered as %q: %s", method, path, ct, b)
	}
	var eb client.ErrorBody
	if err := json.Unmarshal(b, &eb); err != nil || eb.Error == nil {
		h.t.Fatalf("%s %s: error body %s: %v", method, path, b, err)
	}
	eb.Error.Status = res.StatusCode
	return res.StatusCode, res.Header, eb.Error
}

// wantError checks that err is the control plane's error with that
// status, code and (when not empty) field.
func wantError(t *testing.T, err error, status int, code, field string) {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) {
		t.Fatalf("want a %d %s error, got %v", status, code, err)
	}
	if ce.Status != status || ce.Code != code || (field != "" && ce.Field != field) {
		t.Fatalf("want %d %s (field %q), got %d %s (field %q): %s", status, code, field, ce.Status, ce.Code, ce.Field, ce.Message)
	}
}
