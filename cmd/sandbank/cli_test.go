package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/control"
	"github.com/sandbank/sandbank/emulator/sandbanktest"
	"github.com/sandbank/sandbank/emulator/store"
)

var spaces = regexp.MustCompile(` {2,}`)

var cliStart = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// cliServer is a control plane over a real SQLite file (no journal,
// fault engine or bundler: those answer 503), on a random port.
type cliServer struct {
	url string
	st  *store.Store
}

func newCLIServer(t *testing.T) *cliServer {
	t.Helper()
	ctx := context.Background()
	world := func(emulator.Tenant, time.Time) (emulator.World, error) {
		return emulator.World{
			Banks: []emulator.Bank{{ID: "testbank", Name: "Test Bank", Country: "FR", BIC: "TESTFRPP", Model: emulator.SCARedirect}},
			PSUs: []emulator.PSU{
				{ID: "psu1", BankID: "testbank", Login: "alice", Password: "pw-a", OTP: "111111", FullName: "Alice Martin"},
				{ID: "psu2", BankID: "testbank", Login: "bob", Password: "pw-b", OTP: "222222", FullName: "Bob Durand"},
			},
			Accounts: []emulator.Account{
				{ID: "acc1", PSUID: "psu1", BankID: "testbank", IBAN: "FR1420041010050500013M02606", Currency: "EUR", Name: "Current", Type: emulator.AccountCurrent, OpeningCents: 12345},
				{ID: "acc2", PSUID: "psu2", BankID: "testbank", IBAN: "FR7610107001011234567890129", Currency: "EUR", Name: "Current", Type: emulator.AccountCurrent},
			},
		}, nil
	}
	scenario := func(name, _ string) (store.ScenarioData, error) {
		switch name {
		case "basic", "other":
			return store.ScenarioData{Name: name, Source: "name: " + name + "\n", Seed: 7}, nil
		}
		return store.ScenarioData{}, os.ErrNotExist
	}
	st, err := store.Open(ctx, store.Options{
		Path: filepath.Join(t.TempDir(), "cli.db"), Clock: emulator.NewManualClock(cliStart),
		BuildWorld: world, Scenario: scenario, DefaultScenario: "basic",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	list := []client.Scenario{{Name: "basic", Description: "the basic world", Seed: 7, Builtin: true}, {Name: "other", Description: "another", Seed: 7}}
	svc := control.New(control.Options{
		Store: st, Version: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DefaultScenario: "basic",
		Scenarios: func() []client.Scenario { return list },
		Scenario: func(name string) (client.Scenario, error) {
			for _, s := range list {
				if s.Name == name {
					s.Source = "name: " + name + "\nseed: 7\n"
					return s, nil
				}
			}
			return client.Scenario{}, emulator.NotFound("scenario", name)
		},
		JourneyPath: func(t *emulator.Tenant, x emulator.SCASession) string { return "/bank/" + t.Key() + "/" + x.ID },
	})
	r := mux.NewRouter()
	svc.Mount(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &cliServer{url: srv.URL, st: st}
}

// result is one run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

// sandbank runs the command line as main does: output, error message
// and exit status.
func sandbank(t *testing.T, getenv map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, env(getenv), &out, &errb)
	if err != nil {
		errb.WriteString("sandbank: " + err.Error() + "\n")
	}
	return result{exitCode(err), out.String(), errb.String()}
}

func (s *cliServer) run(t *testing.T, args ...string) result {
	t.Helper()
	return sandbank(t, nil, append(args, "--url", s.url)...)
}

func (r result) want(t *testing.T, code int, out ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	text := r.stdout
	if code != 0 {
		text = r.stderr
	}
	// Table columns are as wide as their widest cell: compare with runs
	// of spaces as one.
	squeeze := func(s string) string { return spaces.ReplaceAllString(s, " ") }
	for _, o := range out {
		if !strings.Contains(squeeze(text), squeeze(o)) {
			t.Fatalf("output lacks %q:\nstdout: %s\nstderr: %s", o, r.stdout, r.stderr)
		}
	}
}

func TestCLITenants(t *testing.T) {
	s := newCLIServer(t)
	key := client.TenantKey("fintecture", "app-1")
	s.run(t, "tenants", "create", "--provider", "fintecture", "--credential", "app-1", "--label", "mine", "--frozen").
		want(t, 0, "key         "+key, "scenario    basic (seed 7)", "label       mine", "(frozen)", "banks 1, PSUs 2, accounts 2")
	s.run(t, "tenants").want(t, 0, "KEY", key, "app-1", "mine")
	s.run(t, "tenants", "list", "--json").want(t, 0, `"credential": "app-1"`)
	r := s.run(t, "tenants", "show", "fintecture:app-1", "--json")
	var got client.Tenant
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.Key != key || !got.Clock.Frozen {
		t.Fatalf("show --json: %v %s", err, r.stdout)
	}
	s.run(t, "tenants", "label", key, "renamed").want(t, 0, "label       renamed")
	s.run(t, "reset", "fintecture:app-1").want(t, 0, "2026-03-02T12:00:00Z\n")
	s.run(t, "world", key).want(t, 0, "alice", "pw-a", "111111", "FR1420041010050500013M02606", "123.45 EUR")
	s.run(t, "tenants", "create", "--provider", "fintecture", "--credential", "app-1").
		want(t, 1, "conflict: credential: a fintecture tenant with credential \"app-1\" exists already")
	s.run(t, "tenants", "delete", "fintecture:app-1").want(t, 0, "deleted tenant "+key)
	s.run(t, "tenants", "show", key).want(t, 1, "not_found: ")
	s.run(t, "health").want(t, 0, "status       ok", "tenants      0")
}

func TestCLIClock(t *testing.T) {
	s := newCLIServer(t)
	key := s.run(t, "tenants", "create", "--provider", "fintecture", "--credential", "app-1", "--json")
	var tn client.Tenant
	if err := json.Unmarshal([]byte(key.stdout), &tn); err != nil {
		t.Fatal(err)
	}
	s.run(t, "clock", tn.Key, "advance", "1d").want(t, 0, "now         2026-03-03T12:00:00Z", "offset      1d", "frozen      no")
	s.run(t, "clock", "fintecture:app-1").want(t, 0, "2026-03-03T12:00:00Z")
	s.run(t, "clock", tn.Key, "set", "2027-01-01T00:00:00Z").want(t, 0, "now         2027-01-01T00:00:00Z")
	s.run(t, "clock", tn.Key, "freeze").want(t, 0, "frozen      yes")
	s.run(t, "clock", tn.Key, "unfreeze", "--json").want(t, 0, `"frozen": false`, `"now": "2027-01-01T00:00:00Z"`)

	// The URL from the environment, flags anywhere.
	sandbank(t, map[string]string{"SANDBANK_URL": s.url}, "clock", "--json", tn.Key, "show").want(t, 0, `"now": "2027-01-01T00:00:00Z"`)

	// API errors: exit 1, code and message on stderr.
	s.run(t, "clock", tn.Key, "advance", "5x").want(t, 1, "sandbank: invalid: by: duration \"5x\"")
	s.run(t, "clock", "000000000000").want(t, 1, "sandbank: not_found: tenant \"000000000000\" is unknown")
	// Nothing listening: exit 1 too.
	sandbank(t, nil, "clock", tn.Key, "--url", "http://127.0.0.1:1").want(t, 1, "cannot reach Sandbank at http://127.0.0.1:1")
}

func TestCLIUsageErrors(t *testing.T) {
	s := newCLIServer(t)
	for _, args := range [][]string{
		{"clock"},
		{"clock", "abc", "advance"},
		{"clock", "abc", "set", "tomorrow"},
		{"clock", "abc", "rewind", "1d"},
		{"clock", "abc", "--frozen"},
		{"tenants", "create", "--provider", "fintecture"},
		{"tenants", "list", "--provider", "fintecture"},
		{"tenants", "show"},
		{"tenants", "frobnicate"},
		{"tenants", "create", "--seed", "x", "--provider", "fintecture", "--credential", "c"},
		{"sca", "abc", "deny"},
		{"sca", "abc", "deny", "x", "--bank", "b"},
		{"scenarios", "load", "abc"},
		{"journal", "abc", "--limit", "many"},
		{"journal", "abc", "show", "x"},
		{"faults", "add"},
		{"faults", "add", "--json", `{"status": 503, "colour": "red"}`},
		{"faults", "remove"},
		{"export"},
		{"import"},
		{"health", "now"},
	} {
		r := s.run(t, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "usage: sandbank "+args[0]) {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	sandbank(t, nil, "tenants", "--url", "localhost:7070").want(t, 2, "must start with http://")
	// --help prints the command's usage and succeeds.
	sandbank(t, nil, "clock", "--help").want(t, 0, "usage: sandbank clock T", "-url")
	// `sandbank help` lists every command.
	r := sandbank(t, nil, "help")
	for _, cmd := range []string{"tenants", "reset", "clock", "scenarios", "sca", "webhooks", "journal", "faults", "export", "import", "SANDBANK_URL"} {
		if !strings.Contains(r.stdout, "sandbank "+cmd) && !strings.Contains(r.stdout, cmd) {
			t.Errorf("help lacks %q", cmd)
		}
	}
}

func TestCLIScenariosAndSCA(t *testing.T) {
	s := newCLIServer(t)
	ctx := context.Background()
	s.run(t, "tenants", "create", "--provider", "fintecture", "--credential", "app-1").want(t, 0)
	key := client.TenantKey("fintecture", "app-1")

	s.run(t, "scenarios").want(t, 0, "NAME", "basic", "the basic world")
	s.run(t, "scenarios", "show", "other").want(t, 0, "# other (seed 7): another\nname: other\nseed: 7\n")
	s.run(t, "scenarios", "load", key, "other", "--seed", "11").want(t, 0, "scenario    other (seed 11)")
	s.run(t, "scenarios", "show", "nope").want(t, 1, "not_found")

	tn, err := s.st.TenantByKey(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 3 {
		x, err := s.st.CreateSCASession(ctx, tn, emulator.SCASession{Provider: emulator.Fintecture, Model: emulator.SCARedirect, Step: emulator.StepSelectBank}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	s.run(t, "sca", key).want(t, 0, "ID", ids[0], ids[1], ids[2], "select_bank", s.url+"/bank/"+key+"/")
	s.run(t, "sca", key, "approve", ids[0]).want(t, 1, "missing: bank: ")
	s.run(t, "sca", key, "approve", ids[0], "--bank", "testbank", "--psu", "bob").want(t, 0, "status      COMPLETED", "psu         bob", "connection")
	s.run(t, "sca", key, "approve", ids[0]).want(t, 1, "conflict: ")
	s.run(t, "sca", key, "deny", ids[1]).want(t, 0, "failure     access_denied")
	s.run(t, "sca", key, "expire", ids[2], "--json").want(t, 0, `"failure": "expired"`)
	s.run(t, "sca", key, "show", ids[1]).want(t, 0, "status      FAILED")
	s.run(t, "sca", key, "list", "--json").want(t, 0, "[]")
}

// TestCLIUnwiredParts runs the commands whose parts this server lacks:
// the 503 comes back as exit 1 naming "unavailable".
func TestCLIUnwiredParts(t *testing.T) {
	s := newCLIServer(t)
	s.run(t, "tenants", "create", "--provider", "fintecture", "--credential", "app-1").want(t, 0)
	key := client.TenantKey("fintecture", "app-1")
	bundle := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(bundle, []byte(`{"format": "sandbank-bundle", "version": 1, "state": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	rule := filepath.Join(t.TempDir(), "rule.json")
	if err := os.WriteFile(rule, []byte(`{"status": 503, "match": {"tenant": "fintecture:app-1"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"journal", key, "--status", "4xx", "--limit", "5"},
		{"journal", key, "--har", filepath.Join(t.TempDir(), "j.har")},
		{"journal", key, "show", "3"},
		{"journal", key, "clear"},
		{"faults"},
		{"faults", "list", "--tenant", "fintecture:app-1"},
		{"faults", "add", "--json", `{"status": 503}`},
		{"faults", "add", `--json={"latency": "2s"}`},
		{"faults", "add", "--file", rule},
		{"faults", "remove", "flt_1"},
		{"export", key},
		{"import", bundle, "--credential", "app-2", "--replace"},
	} {
		s.run(t, args...).want(t, 1, "sandbank: unavailable: ")
	}
	s.run(t, "journal", key, "--status", "4x").want(t, 1, "invalid: status: ")
	s.run(t, "import", filepath.Join(t.TempDir(), "missing.json")).want(t, 1, "missing.json")
}

// TestCLIFullSandbank runs the commands whose parts need the whole
// Sandbank (journal, fault engine, bundles) against one in-process, on a
// SQLite file.
func TestCLIFullSandbank(t *testing.T) {
	sb := sandbanktest.Start(t, sandbanktest.Options{DB: filepath.Join(t.TempDir(), "full.db")})
	s := &cliServer{url: sb.URL}
	tn := "fintecture:cli-app"
	key := client.TenantKey("fintecture", "cli-app")

	// One provider request, which also creates the tenant.
	req, err := http.NewRequest(http.MethodPost, sb.BaseURL("fintecture")+"/oauth/accesstoken", strings.NewReader("grant_type=client_credentials&app_id=cli-app"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("cli-app", "cli-secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("token: %d", res.StatusCode)
	}

	s.run(t, "journal", tn).want(t, 0, "ID", "POST", "200", "/fintecture/oauth/accesstoken")
	s.run(t, "journal", tn, "--status", "4xx", "--json").want(t, 0, "[]")
	var entries []client.JournalEntry
	if err := json.Unmarshal([]byte(s.run(t, "journal", tn, "--json", "--limit", "1").stdout), &entries); err != nil || len(entries) != 1 {
		t.Fatalf("journal --json: %v %v", entries, err)
	}
	s.run(t, "journal", tn, "show", strconv.FormatInt(entries[0].ID, 10)).want(t, 0, "POST", "request", "response")
	har := filepath.Join(t.TempDir(), "j.har")
	s.run(t, "journal", tn, "--har", har).want(t, 0, "wrote "+har)
	if b, err := os.ReadFile(har); err != nil || !strings.Contains(string(b), `"log"`) {
		t.Fatalf("HAR file: %v %.100s", err, b)
	}
	s.run(t, "journal", tn, "clear").want(t, 0, "deleted 1 entries")

	// --json before the rule names the rule: the answer is still a line.
	r := s.run(t, "faults", "add", "--tenant", tn, "--json", `{"name": "bank down", "status": 503, "match": {"operations": ["getAccounts"]}}`)
	r.want(t, 0, "added fault", "status 503")
	id := strings.Fields(r.stdout)[2]
	s.run(t, "faults", "list", "--tenant", tn).want(t, 0, id, "bank down", key, "getAccounts")
	s.run(t, "faults", "remove", id).want(t, 0, "removed fault "+id)
	s.run(t, "faults", "remove", id).want(t, 1, "not_found")
	s.run(t, "faults", "add", `--json={"latency": "5x"}`).want(t, 2, "5x")

	bundle := filepath.Join(t.TempDir(), "bundle.json")
	s.run(t, "export", tn, "--out", bundle).want(t, 0, "wrote "+bundle)
	s.run(t, "import", bundle, "--credential", "cli-copy").want(t, 0, "credential   cli-copy")
	s.run(t, "import", bundle, "--credential", "cli-copy").want(t, 1, "conflict")
	s.run(t, "import", bundle, "--credential", "cli-copy", "--replace").want(t, 0, "credential   cli-copy")
	s.run(t, "export", tn).want(t, 0, `"format": "sandbank-bundle"`)
}

// TestCLIWebhooks lists, shows and resends a tenant's webhook deliveries.
func TestCLIWebhooks(t *testing.T) {
	s := newCLIServer(t)
	ctx := context.Background()
	s.run(t, "tenants", "create", "--provider", "finqlink", "--credential", "fq-1", "--secret", "s").want(t, 0)
	key := client.TenantKey("finqlink", "fq-1")
	tn, err := s.st.TenantByKey(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.st.EnqueueWebhook(ctx, tn, emulator.Webhook{Provider: emulator.FinqLink, Type: "job_status_update", URL: "http://127.0.0.1:9/hooks",
		Body: []byte(`{"type":"job_status_update","consent_id":"c1","job_id":"j1","status":"job_completed"}`), Subject: "j1"})
	if err != nil {
		t.Fatal(err)
	}
	s.run(t, "webhooks", key).want(t, 0, "ID", d.ID, "job_status_update", "j1", "pending", "http://127.0.0.1:9/hooks")
	s.run(t, "webhooks", key, "--status", "delivered", "--json").want(t, 0, "[]")
	s.run(t, "webhooks", key, "--status", "sent").want(t, 1, "invalid")
	s.run(t, "webhooks", key, "show", d.ID).want(t, 0, "status      pending", `"status":"job_completed"`)
	r := s.run(t, "webhooks", key, "resend", d.ID)
	r.want(t, 0, "resent from "+d.ID)
	s.run(t, "webhooks", key, "show", "nope").want(t, 1, "not_found")
	s.run(t, "webhooks", key, "show").want(t, 2, "show takes a delivery id")
}
