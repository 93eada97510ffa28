package finqlink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/instance"
	"github.com/sandbank/sandbank/emulator/store"
)

// The FinqLink Data tests' client: API calls, the account holder's part
// at the bank (through the store, as the WebUI and bank pages do) and the
// tenant clock.

// ais drives FinqLink Data for one client: its API calls, its tenant in
// the store (to play the account holder at the bank) and its clock.
type ais struct {
	*harness
	client, secret string
	// hook receives the client's webhooks; the tests read the outbox,
	// which holds every body in order whatever the dispatcher does.
	hook string
}

// newAIS is a Sandbank on the default scenario with the test client.
func newAIS(t *testing.T) *ais {
	t.Helper()
	return &ais{harness: newHarness(t), client: clientID, secret: clientSecret, hook: receiver(t)}
}

// aisScenario is a scenario of the tests' own: the default world's
// sandbox PSU at bt_ro with a EUR savings account beside the RON current
// one, an overdrawn PSU, consents suspended two hours after their
// authorization and refresh jobs that end partially.
const aisScenario = `name: fq_data
description: "FinqLink Data tests: suspension, partial jobs, an overdraft, two currencies."
seed: 4242
world:
  history_days: 40
  transactions_per_month: 6
  pending_per_account: 2
  accounts_per_psu: 2
  currencies: [RON]
  psus:
    - login: testbt
      password: testbt
      otp: "1234567"
      name: Andrei Popescu
      banks: [bt_ro]
      accounts:
        - {name: Cont curent}
        - {name: Economii, type: SVGS, currency: EUR}
    - login: overdrawn
      password: "123456"
      otp: "123456"
      name: Dan Minus
      banks: [bt_ro]
      accounts:
        - {name: Cont curent, balance: "-150.00", pending: 0}
behaviour:
  consents: {suspend_after: 2h}
  jobs: {outcome: partial}
`

// newAISScenario is a Sandbank whose client uses aisScenario.
func newAISScenario(t *testing.T) *ais {
	t.Helper()
	dir := t.TempDir()
	// fq_fail is the same world whose jobs fail.
	failing := strings.NewReplacer("name: fq_data", "name: fq_fail", "outcome: partial", "outcome: failed").Replace(aisScenario)
	for name, src := range map[string]string{"fq_data.yaml": aisScenario, "fq_fail.yaml": failing} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, func(o *instance.Options) { o.ScenariosDir = dir })
	a := &ais{harness: h, client: "fq-data-client", secret: "fq-data-secret", hook: receiver(t)}
	if _, _, err := h.In.Store.CreateTenantFrom(context.Background(), store.TenantSpec{Provider: emulator.FinqLink, Credential: a.client, Secret: a.secret, Scenario: "fq_data"}); err != nil {
		t.Fatal(err)
	}
	return a
}

// receiver is a webhook endpoint that accepts everything.
func receiver(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hooks"
}

// body is a request body with the client's credentials and fields (a
// JSON object's members, without braces).
func (a *ais) body(fields string) string {
	b := fmt.Sprintf(`{"client_id":%q,"client_secret":%q`, a.client, a.secret)
	if fields != "" {
		b += "," + fields
	}
	return b + "}"
}

func (a *ais) call(path, fields string) resp {
	a.T.Helper()
	return a.post(path, a.body(fields), nil)
}

// fetch calls path with fields, wants status and decodes the reply into
// out.
func (a *ais) fetch(path, fields string, status int, out any) {
	a.T.Helper()
	r := a.call(path, fields)
	r.WantStatus(a.T, status)
	r.Decode(a.T, out)
}

// consentFields is the consent_id member for id, then extra's members
// unless it is empty.
func consentFields(id, extra string) string {
	fields := fmt.Sprintf(`"consent_id":%q`, id)
	if extra != "" {
		fields += "," + extra
	}
	return fields
}

func (a *ais) tenant() *emulator.Tenant {
	a.T.Helper()
	tn, err := a.In.Store.EnsureTenant(context.Background(), emulator.FinqLink, a.client)
	if err != nil {
		a.T.Fatal(err)
	}
	return tn
}

func (a *ais) store() *store.Store { return a.In.Store }

// advance moves the clock and runs what fell due, as the scheduler would.
func (a *ais) advance(d time.Duration) {
	a.T.Helper()
	a.Clock.Advance(d)
	a.RunDue(emulator.FinqLink, a.client)
}

type createdConsent struct {
	RequestID           string `json:"request_id"`
	CreatedAt           string `json:"created_at"`
	ExpiresAt           string `json:"expires_at"`
	ConsentValidityDays int    `json:"consent_validity_days"`
	APIClientApp        string `json:"api_client_app"`
	ConsentID           string `json:"consent_id"`
	WebID               string `json:"web_id"`
	WebURL              string `json:"web_url"`
}

// create creates a consent whose webhooks go to the receiver; fields are
// more members of the body (options must not be among them: opts are
// the options' own members).
func (a *ais) create(fields, opts string) createdConsent {
	a.T.Helper()
	o := fmt.Sprintf(`"webhook_url":%q`, a.hook)
	if opts != "" {
		o += "," + opts
	}
	body := `"options":{` + o + `}`
	if fields != "" {
		body = fields + "," + body
	}
	if !strings.Contains(fields, `"consent"`) {
		body += `,"consent":{}`
	}
	var c createdConsent
	a.fetch("/v2/ais/consents/create", body, http.StatusOK, &c)
	return c
}

type gotConsent struct {
	Status              string   `json:"status"`
	ExpiresAt           string   `json:"expires_at"`
	ConsentValidityDays int      `json:"consent_validity_days"`
	AuthorizedUntil     *string  `json:"authorized_until"`
	ConsentID           string   `json:"consent_id"`
	WebID               string   `json:"web_id"`
	WebURL              *string  `json:"web_url"`
	Scope               []string `json:"scope"`
	AisMethod           *struct {
		AccountOwnerType []string `json:"account_owner_type"`
		InterfaceType    string   `json:"interface_type"`
		InterfaceEnv     string   `json:"interface_env"`
	} `json:"ais_method"`
	Provider *struct {
		ProviderID string `json:"provider_id"`
		Name       string `json:"name"`
	} `json:"provider"`
	Accounts []accountOut `json:"accounts"`
}

func (a *ais) get(id string) gotConsent {
	a.T.Helper()
	var g gotConsent
	a.fetch("/v2/ais/consents/get", consentFields(id, ""), http.StatusOK, &g)
	return g
}

// status is the consent's status as consents/get answers it.
func (a *ais) status(id string) string {
	a.T.Helper()
	return a.get(id).Status
}

// session is the consent's bank journey.
func (a *ais) session(id string) emulator.SCASession {
	a.T.Helper()
	ctx := context.Background()
	c, err := a.store().AISConsent(ctx, a.tenant(), id)
	if err != nil {
		a.T.Fatal(err)
	}
	x, err := a.store().SCASession(ctx, a.tenant(), c.SCASessionID)
	if err != nil {
		a.T.Fatalf("consent %s has no journey: %v", id, err)
	}
	return x
}

// psu finds a PSU of the world by bank and login.
func (a *ais) psu(bankID, login string) emulator.PSU {
	a.T.Helper()
	p, err := a.store().PSUByLogin(context.Background(), a.tenant(), bankID, login)
	if err != nil {
		a.T.Fatal(err)
	}
	return p
}

// toBank plays the WebUI for a link consent: the holder opens the page
// and picks the bank.
func (a *ais) toBank(c createdConsent, bankID string) emulator.SCASession {
	a.T.Helper()
	ctx := context.Background()
	if _, err := a.store().OpenConsent(ctx, a.tenant(), c.WebID); err != nil {
		a.T.Fatal(err)
	}
	_, x, err := a.store().ChooseConsentBank(ctx, a.tenant(), c.WebID, bankID, "https://webui.example/return", 15*time.Minute)
	if err != nil {
		a.T.Fatal(err)
	}
	return x
}

// approve plays the holder at the bank: log in, then approve sharing
// accounts (all at the bank when none are named).
func (a *ais) approve(x emulator.SCASession, login string, accounts ...string) emulator.SCASession {
	a.T.Helper()
	ctx := context.Background()
	p := a.psu(x.BankID, login)
	if _, err := a.store().AdvanceSCA(ctx, a.tenant(), x.ID, emulator.StepOTP, "", p.ID); err != nil {
		a.T.Fatal(err)
	}
	done, err := a.store().ApproveSCAAs(ctx, a.tenant(), x.ID, "", "", accounts, time.Minute)
	if err != nil {
		a.T.Fatal(err)
	}
	return done
}

// active creates a link consent at bankID (extra: more body members) and
// takes it to active through the bank with login's accounts.
func (a *ais) active(bankID, login, extra string, accounts ...string) createdConsent {
	a.T.Helper()
	c := a.create(extra, "")
	a.approve(a.toBank(c, bankID), login, accounts...)
	a.advance(time.Second)
	if s := a.status(c.ConsentID); s != "active" {
		a.T.Fatalf("consent %s: want active, got %s", c.ConsentID, s)
	}
	return c
}

// hookBody is a webhook as the outbox holds it, its raw body beside.
type hookBody struct {
	Type      string `json:"type"`
	ConsentID string `json:"consent_id"`
	WebID     string `json:"web_id"`
	JobID     string `json:"job_id"`
	Status    string `json:"status"`
	raw       string
	url       string
}

// hooks lists the webhooks about one consent or job, oldest first.
func (a *ais) hooks(subject string) []hookBody {
	a.T.Helper()
	ds, err := a.store().WebhookDeliveries(context.Background(), a.tenant(), store.WebhookFilter{Subject: subject, Limit: store.WebhookLimitMax})
	if err != nil {
		a.T.Fatal(err)
	}
	var out []hookBody
	for i := len(ds) - 1; i >= 0; i-- {
		var b hookBody
		if err := json.Unmarshal(ds[i].Body, &b); err != nil {
			a.T.Fatal(err)
		}
		b.raw, b.url = string(ds[i].Body), ds[i].URL
		out = append(out, b)
	}
	return out
}

// hookStatuses lists the statuses of a consent's or job's webhooks.
func (a *ais) hookStatuses(subject string) []string {
	a.T.Helper()
	var out []string
	for _, h := range a.hooks(subject) {
		out = append(out, h.Status)
	}
	return out
}

// snapshot is everything a Data call could change: consents, jobs,
// journeys, connections and the outbox.
func (a *ais) snapshot() string {
	a.T.Helper()
	ctx := context.Background()
	st, tn := a.store(), a.tenant()
	cs, err := st.AISConsents(ctx, tn)
	if err != nil {
		a.T.Fatal(err)
	}
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%+v\n", c)
		js, err := st.Jobs(ctx, tn, c.ID)
		if err != nil {
			a.T.Fatal(err)
		}
		fmt.Fprintf(&b, "%+v\n", js)
	}
	xs, _ := st.PendingSCASessions(ctx, tn)
	conns, _ := st.Connections(ctx, tn)
	ds, _ := st.WebhookDeliveries(ctx, tn, store.WebhookFilter{Limit: store.WebhookLimitMax})
	fmt.Fprintf(&b, "%d journeys, %d connections\n", len(xs), len(conns))
	for _, d := range ds {
		fmt.Fprintf(&b, "%s %s\n", d.ID, d.Body)
	}
	return b.String()
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("not a date-time: %q", s)
	}
	return at
}

func (a *ais) tenantKey() string {
	a.T.Helper()
	// The tenant exists once it has called the API.
	a.call("/v2/providers/list", "").WantStatus(a.T, http.StatusOK)
	return a.tenant().Key()
}
