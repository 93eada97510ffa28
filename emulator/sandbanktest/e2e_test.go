package sandbanktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/faults"
	"github.com/sandbank/sandbank/emulator/sandbanktest"
)

// fin is a small Fintecture client over an embedded Sandbank, enough to
// make a connection and read it.
type fin struct {
	t      *testing.T
	sb     *sandbanktest.Sandbank
	app    string
	secret string
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (f fin) do(method, u string, body io.Reader, prep func(*http.Request)) answer {
	f.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = f.sb.BaseURL("fintecture") + u
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if prep != nil {
		prep(req)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, b}
}

func (f fin) token(form url.Values) string {
	f.t.Helper()
	a := f.do(http.MethodPost, "/oauth/accesstoken", strings.NewReader(form.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth(f.app, f.secret)
	})
	if a.status != http.StatusOK {
		f.t.Fatalf("token: %d %s", a.status, a.body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(a.body, &tok)
	return tok.AccessToken
}

// connect completes a journey at the auto-approving bank and returns the
// connection and an AIS token for it.
func (f fin) connect() (customerID, token string) {
	f.t.Helper()
	f.token(url.Values{"grant_type": {"client_credentials"}, "app_id": {f.app}})
	a := f.do(http.MethodGet, "/ais/v1/provider/cmmcfr/authorize?response_type=code&redirect_uri="+url.QueryEscape("https://client.example/cb"), nil,
		func(r *http.Request) { r.Header.Set("app_id", f.app) })
	var auth struct{ Meta struct{ URL string } }
	json.Unmarshal(a.body, &auth)
	hop := f.do(http.MethodGet, auth.Meta.URL, nil, nil)
	// The bank's own redirect is a path on Sandbank, not under the mount.
	back, err := url.Parse(f.do(http.MethodGet, f.sb.URL+hop.header.Get("Location"), nil, nil).header.Get("Location"))
	if err != nil || back.Query().Get("code") == "" {
		f.t.Fatalf("auto bank did not come back with a code: %v %v", back, err)
	}
	return back.Query().Get("customer_id"), f.token(url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}})
}

func (f fin) get(path, token string) answer {
	return f.do(http.MethodGet, path, nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) })
}

func TestFaultRuleAddedAtRunTimeAnswersInFintectureFormat(t *testing.T) {
	ctx := context.Background()
	sb := sandbanktest.Start(t)
	f := fin{t, sb, "fault-app", "s"}
	cust, tok := f.connect()
	key := sb.TenantKey(emulator.Fintecture, f.app)
	rule, err := sb.Client.AddFault(ctx, faults.Rule{
		Name: "accounts down", Match: faults.Match{Tenant: key, Operations: []string{"getAisV1CustomerAccounts"}},
		Status: 503, Message: "bank unavailable", RetryAfter: emulator.Duration(30 * time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	a := f.get("/ais/v1/customer/"+cust+"/accounts", tok)
	var env struct {
		Status int
		Code   string
		Errors []struct{ Code, Message string }
	}
	json.Unmarshal(a.body, &env)
	if a.status != 503 || env.Status != 503 || env.Code != "service_unavailable" || len(env.Errors) != 1 || !strings.Contains(env.Errors[0].Message, "bank unavailable") || a.header.Get("Retry-After") != "30" {
		t.Fatalf("want 503 in Fintecture's envelope with Retry-After, got %d %v %s", a.status, a.header, a.body)
	}
	// Other operations are untouched.
	if a := f.get("/ais/v1/customer/"+cust+"/account/x", tok); a.status == 503 {
		t.Fatalf("a rule for one operation hit another: %s", a.body)
	}
	list, err := sb.Client.Faults(ctx, key)
	if err != nil || len(list) == 0 {
		t.Fatal(list, err)
	}
	for _, r := range list {
		if r.ID == rule.ID && r.Fired != 1 {
			t.Fatalf("fired = %d, want 1", r.Fired)
		}
	}
	if err := sb.Client.RemoveFault(ctx, rule.ID); err != nil {
		t.Fatal(err)
	}
	if a := f.get("/ais/v1/customer/"+cust+"/accounts", tok); a.status != 200 {
		t.Fatalf("after removing the rule: %d %s", a.status, a.body)
	}
}

func TestJournalRecordsMasksFiltersAndExportsHAR(t *testing.T) {
	ctx := context.Background()
	sb := sandbanktest.Start(t)
	f := fin{t, sb, "journal-app", "very-secret-value"}
	cust, tok := f.connect()
	f.get("/ais/v1/customer/"+cust+"/accounts", tok)
	f.get("/ais/v1/customer/unknown/accounts", tok)
	key := sb.TenantKey(emulator.Fintecture, f.app)

	all, err := sb.Client.Journal(ctx, key, client.JournalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	for _, e := range all {
		ops[e.Operation] = true
		raw, _ := json.Marshal(e)
		if bytes.Contains(raw, []byte("very-secret-value")) || bytes.Contains(raw, []byte(tok)) {
			t.Fatalf("a secret is in the journal: %s", raw)
		}
	}
	for _, op := range []string{"createAccessToken", "getAisV1ProviderAuthorization", "getAisV1CustomerAccounts"} {
		if !ops[op] {
			t.Errorf("journal has no %s entry: %v", op, ops)
		}
	}
	bad, err := sb.Client.Journal(ctx, key, client.JournalQuery{Status: "4xx"})
	if err != nil || len(bad) != 1 || bad[0].Status != 400 || !strings.Contains(bad[0].Response.Body, "customer_unknown") {
		t.Fatalf("4xx filter: %+v %v", bad, err)
	}
	har, err := sb.Client.JournalHAR(ctx, key, client.JournalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Version string
			Entries []struct {
				Request  struct{ Method, URL string }
				Response struct{ Status int }
			}
		}
	}
	if err := json.Unmarshal(har, &doc); err != nil || doc.Log.Version != "1.2" || len(doc.Log.Entries) != len(all) {
		t.Fatalf("HAR: %v version %q, %d entries for %d journal entries", err, doc.Log.Version, len(doc.Log.Entries), len(all))
	}
	if n, err := sb.Client.ClearJournal(ctx, key); err != nil || n != len(all) {
		t.Fatalf("clear: %d %v", n, err)
	}
}

func TestBundleExportImportGivesIdenticalAnswers(t *testing.T) {
	ctx := context.Background()
	clock := emulator.NewManualClock(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))
	src := sandbanktest.Start(t, sandbanktest.Options{Clock: clock})
	f := fin{t, src, "bundle-app", "s"}
	cust, tok := f.connect()
	key := src.TenantKey(emulator.Fintecture, f.app)
	if _, err := src.Client.Advance(ctx, key, "3d"); err != nil {
		t.Fatal(err)
	}
	// A fresh token, as the clock moved past the first one's hour.
	_, tok = f.connect()
	_ = cust
	conns, err := src.Client.Connections(ctx, key)
	if err != nil || len(conns) != 2 {
		t.Fatalf("connections: %v %v", conns, err)
	}
	last := conns[1].ID
	paths := []string{"/ais/v1/customer/" + last + "/accounts"}
	before := map[string]string{}
	for _, p := range paths {
		a := f.get(p, tok)
		if a.status != 200 {
			t.Fatalf("%s: %d %s", p, a.status, a.body)
		}
		before[p] = string(a.body)
		var accts struct{ Data []struct{ ID string } }
		json.Unmarshal(a.body, &accts)
		for _, x := range accts.Data {
			tp := "/ais/v1/customer/" + last + "/account/" + x.ID + "/transactions"
			a := f.get(tp, tok)
			if a.status != 200 {
				t.Fatalf("%s: %d %s", tp, a.status, a.body)
			}
			before[tp] = string(a.body)
			paths = append(paths, tp)
		}
	}
	b, err := src.Client.Export(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(b)

	// Elsewhere: another Sandbank, another database, the same real time.
	dst := sandbanktest.Start(t, sandbanktest.Options{Clock: clock})
	var got client.Bundle
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	imported, err := dst.Client.Import(ctx, got, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if imported.Key != key || imported.Scenario != "default" || imported.Connections != 2 {
		t.Fatalf("imported tenant: %+v", imported)
	}
	srcClock, _ := src.Client.Clock(ctx, key)
	dstClock, _ := dst.Client.Clock(ctx, key)
	if !srcClock.Now.Equal(dstClock.Now) {
		t.Fatalf("clock: %v there, %v here", srcClock.Now, dstClock.Now)
	}
	g := fin{t, dst, f.app, f.secret}
	for _, p := range paths {
		// The token issued by the first Sandbank works in the second.
		if a := g.get(p, tok); string(a.body) != before[p] {
			t.Fatalf("%s differs after import:\n%s\nvs\n%s", p, a.body, before[p])
		}
	}
	if _, err := dst.Client.Import(ctx, got, "", false); err == nil {
		t.Fatal("importing over an existing tenant without replace should conflict")
	}
	if _, err := dst.Client.Import(ctx, got, "", true); err != nil {
		t.Fatalf("replace: %v", err)
	}
}

func TestClockAdvanceExpiresTokensAndTimesOutSCA(t *testing.T) {
	ctx := context.Background()
	clock := emulator.NewManualClock(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))
	sb := sandbanktest.Start(t, sandbanktest.Options{Clock: clock})
	f := fin{t, sb, "clock-app", "s"}
	cust, tok := f.connect()
	key := sb.TenantKey(emulator.Fintecture, f.app)
	// A decoupled journey waiting on the PSU's phone.
	a := f.do(http.MethodGet, "/ais/v1/provider/handse/authorize?model=decoupled", nil, func(r *http.Request) {
		r.Header.Set("app_id", f.app)
		r.Header.Set("x-psu-id", "193805010844")
	})
	if a.status != 200 {
		t.Fatalf("decoupled authorize: %d %s", a.status, a.body)
	}
	pending, err := sb.Client.PendingSCA(ctx, key)
	if err != nil || len(pending) != 1 || pending[0].Bank != "handse" {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	c, err := sb.Client.Advance(ctx, key, "2h")
	if err != nil {
		t.Fatal(err)
	}
	if c.EventsRun < 1 {
		t.Fatalf("advancing 2h should have run the journey's timeout: %+v", c)
	}
	x, err := sb.Client.SCA(ctx, key, pending[0].ID)
	if err != nil || x.Status != "FAILED" || x.Failure != "timeout" {
		t.Fatalf("after 2h the decoupled journey should have timed out: %+v %v", x, err)
	}
	if a := f.get("/ais/v1/customer/"+cust+"/accounts", tok); a.status != 401 || !strings.Contains(string(a.body), "invalid_token") {
		t.Fatalf("a 1-hour token should be expired 2 hours later: %d %s", a.status, a.body)
	}
}

func TestScenariosFromADirectoryLoadIntoATenant(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := `name: team_case
description: "One bank, one PSU who is always refused."
seed: 7
world:
  banks:
    fintecture: [cmcifrpp]
  history_days: 10
  transactions_per_month: 2
  pending_per_account: 0
  accounts_per_psu: 1
  generated_psus_per_bank: 0
  currencies: [EUR]
  psus:
    - login: "078000000P"
      password: "123456"
      otp: "123456"
      decoupled_id: "193805010844"
      name: Camille Martin
    - login: "refused"
      password: "pw"
      otp: "000000"
      name: Refused Person
behaviour:
  sca:
    - psu: "refused"
      outcome: deny
`
	if err := os.WriteFile(filepath.Join(dir, "team_case.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	sb := sandbanktest.Start(t, sandbanktest.Options{ScenariosDir: dir})
	list, err := sb.Client.Scenarios(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range list {
		found = found || (s.Name == "team_case" && !s.Builtin)
	}
	if !found {
		t.Fatalf("team_case is not listed: %+v", list)
	}
	tn, err := sb.Client.CreateTenant(ctx, client.NewTenant{Provider: "fintecture", Credential: "dir-app", Scenario: "team_case"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := sb.Client.World(ctx, tn.Key)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Banks) != 1 || len(w.PSUs) != 2 || w.PSUs[1].Login != "refused" || w.PSUs[1].Outcome != "deny" {
		t.Fatalf("world of team_case: %+v", w)
	}
	// Its JSON Schema is served for editors.
	res, err := http.Get(sb.URL + "/_sandbank/scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var schema map[string]any
	if err := json.NewDecoder(res.Body).Decode(&schema); err != nil || res.StatusCode != 200 || schema["$schema"] == nil {
		t.Fatalf("schema: %d %v %v", res.StatusCode, err, schema["$schema"])
	}
}
