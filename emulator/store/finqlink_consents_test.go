package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// consentTenant is a FinqLink tenant on bundleWorld (banks bnk and dec).
func consentTenant(t *testing.T) (*Store, *emulator.ManualClock, *emulator.Tenant) {
	t.Helper()
	s, clock := bundleStore(t)
	tn, err := s.EnsureTenant(context.Background(), emulator.FinqLink, "fq-client")
	noErr(t, err)
	return s, clock, tn
}

func newConsent(in NewConsent) NewConsent {
	if in.Flow == "" {
		in.Flow = emulator.FlowLink
	}
	if in.Scope == nil {
		in.Scope = []string{"accounts", "balances", "transactions"}
	}
	if in.ValidityDays == 0 {
		in.ValidityDays = 90
	}
	if in.ExpiresIn == 0 {
		in.ExpiresIn = 24 * time.Hour
	}
	in.Template = "default"
	in.WebhookURL = "https://client.example/hooks"
	return in
}

// consentHooks returns the statuses of a consent's webhooks, oldest first.
func consentHooks(t *testing.T, s *Store, tn *emulator.Tenant, id string) []string {
	t.Helper()
	ds, err := s.WebhookDeliveries(context.Background(), tn, WebhookFilter{Subject: id})
	noErr(t, err)
	var out []string
	for i := len(ds) - 1; i >= 0; i-- {
		var b struct {
			Type, ConsentID, WebID, Status string
		}
		noErr(t, json.Unmarshal(ds[i].Body, &b))
		out = append(out, b.Status)
	}
	return out
}

// advance moves the clock and runs what fell due.
func advance(t *testing.T, s *Store, clock *emulator.ManualClock, tn *emulator.Tenant, d time.Duration) {
	t.Helper()
	clock.Advance(d)
	_, err := s.RunDue(context.Background(), tn)
	noErr(t, err)
}

// The WebUI's four calls drive a link consent to its bank, and the
// journey's steps carry it on to active, each with its webhook.
func TestConsentWebUIAndJourney(t *testing.T) {
	s, clock, tn := consentTenant(t)
	ctx := context.Background()
	c, x, err := s.CreateConsent(ctx, tn, newConsent(NewConsent{}))
	noErr(t, err)
	if x.ID != "" || c.Status != emulator.ConsentCreated || len(c.ID) != 36 || c.WebID == "" {
		t.Fatalf("created: %+v %+v", c, x)
	}
	got, err := s.ConsentByWebID(ctx, tn, c.WebID)
	noErr(t, err)
	if got.ID != c.ID || !slices.Equal(got.Scope, c.Scope) {
		t.Fatalf("by web id: %+v", got)
	}
	if _, err := s.ConsentByWebID(ctx, tn, "nope"); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Fatalf("unknown web id: %v", err)
	}
	c, err = s.OpenConsent(ctx, tn, c.WebID)
	noErr(t, err)
	if c.Status != emulator.ConsentStarted {
		t.Fatalf("open: %s", c.Status)
	}
	c, err = s.OpenConsent(ctx, tn, c.WebID) // a reload changes nothing
	noErr(t, err)
	if _, _, err := s.ChooseConsentBank(ctx, tn, c.WebID, "nope", "https://ui/return", time.Minute); !emulator.IsCode(err, emulator.CodeInvalid) {
		t.Fatalf("unknown bank: %v", err)
	}
	c, x, err = s.ChooseConsentBank(ctx, tn, c.WebID, "bnk", "https://ui/return", 15*time.Minute)
	noErr(t, err)
	if c.Status != emulator.ConsentSCAURLRetrieved || x.BankID != "bnk" || x.State != c.WebID || x.RedirectURI != "https://ui/return" || x.Step != emulator.StepLogin {
		t.Fatalf("choose: %+v %+v", c, x)
	}
	again, x2, err := s.ChooseConsentBank(ctx, tn, c.WebID, "bnk", "https://ui/return", 15*time.Minute)
	noErr(t, err)
	if x2.ID != x.ID || again.Status != c.Status {
		t.Fatalf("choosing the same bank again gives the journey back: %+v", x2)
	}
	if _, _, err := s.ChooseConsentBank(ctx, tn, c.WebID, "dec", "https://ui/return", time.Minute); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("another bank once at one: %v", err)
	}
	if _, err := s.CancelConsent(ctx, tn, c.WebID); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("cancel at the bank: %v", err)
	}
	_, err = s.AdvanceSCA(ctx, tn, x.ID, emulator.StepOTP, "", "p1")
	noErr(t, err)
	_, err = s.ApproveSCAAs(ctx, tn, x.ID, "", "", []string{"a1"}, time.Minute)
	noErr(t, err)
	c, err = s.AISConsent(ctx, tn, c.ID)
	noErr(t, err)
	if c.Status != emulator.ConsentAuthorized || c.ConnectionID == "" || c.AuthorizedUntil == nil || !c.AuthorizedUntil.Equal(s.Now(tn).Add(90*24*time.Hour)) {
		t.Fatalf("authorized: %+v", c)
	}
	advance(t, s, clock, tn, time.Second)
	c, _ = s.AISConsent(ctx, tn, c.ID)
	if c.Status != emulator.ConsentActive {
		t.Fatalf("a second later: %s", c.Status)
	}
	// The link's expiry passes unused; the validity's end expires it.
	advance(t, s, clock, tn, 24*time.Hour)
	if c, _ = s.AISConsent(ctx, tn, c.ID); c.Status != emulator.ConsentActive {
		t.Fatalf("after the link's expiry: %s", c.Status)
	}
	advance(t, s, clock, tn, 90*24*time.Hour)
	if c, _ = s.AISConsent(ctx, tn, c.ID); c.Status != emulator.ConsentExpired {
		t.Fatalf("after the validity: %s", c.Status)
	}
	want := []string{"started", "sca_url_retrieved", "awaiting_authz", "authorized", "active", "expired"}
	if got := consentHooks(t, s, tn, c.ID); !slices.Equal(got, want) {
		t.Fatalf("webhooks %v, want %v", got, want)
	}
	if _, _, err := s.ChooseConsentBank(ctx, tn, c.WebID, "bnk", "https://ui/return", time.Minute); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("choose on an expired consent: %v", err)
	}
}

// Cancelling on the WebUI fails a consent not yet at a bank; an unused
// link expires; a refused journey fails its consent.
func TestConsentEndsEarly(t *testing.T) {
	s, clock, tn := consentTenant(t)
	ctx := context.Background()

	a, _, err := s.CreateConsent(ctx, tn, newConsent(NewConsent{}))
	noErr(t, err)
	a, err = s.CancelConsent(ctx, tn, a.WebID)
	noErr(t, err)
	if a.Status != emulator.ConsentFailed {
		t.Fatalf("cancel: %s", a.Status)
	}
	if _, err := s.CancelConsent(ctx, tn, a.WebID); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("cancel twice: %v", err)
	}

	b, _, err := s.CreateConsent(ctx, tn, newConsent(NewConsent{ExpiresIn: time.Hour}))
	noErr(t, err)
	d, x, err := s.CreateConsent(ctx, tn, newConsent(NewConsent{Flow: emulator.FlowWrappedSCA, Method: emulator.AISMethodFilter{ProviderID: "bnk"},
		Journey: &ConsentJourney{BankID: "bnk", ReturnURL: func(w string) string { return "https://ui/" + w }, TTL: time.Hour}}))
	noErr(t, err)
	if d.Status != emulator.ConsentSCAURLRetrieved || x.RedirectURI != "https://ui/"+d.WebID {
		t.Fatalf("wrapped: %+v %+v", d, x)
	}
	_, err = s.FailSCA(ctx, tn, x.ID, emulator.FailDenied)
	noErr(t, err)
	advance(t, s, clock, tn, time.Hour)
	b, _ = s.AISConsent(ctx, tn, b.ID)
	d, _ = s.AISConsent(ctx, tn, d.ID)
	if b.Status != emulator.ConsentExpired || d.Status != emulator.ConsentFailed {
		t.Fatalf("expired %s, failed %s", b.Status, d.Status)
	}
	if got := consentHooks(t, s, tn, d.ID); !slices.Equal(got, []string{"sca_url_retrieved", "failed"}) {
		t.Fatalf("failed consent's webhooks: %v", got)
	}
	if _, err := s.OpenConsent(ctx, tn, b.WebID); err != nil {
		t.Fatal(err)
	}
	if b, _ = s.AISConsent(ctx, tn, b.ID); b.Status != emulator.ConsentExpired {
		t.Fatalf("opening an expired consent moved it: %s", b.Status)
	}
}

// A scenario's suspension suspends an active consent; a job on it fails.
func TestConsentSuspendedAndJobs(t *testing.T) {
	s, clock, tn := consentTenant(t)
	ctx := context.Background()
	tn.Behaviour.ConsentSuspendAfter = time.Hour
	c, x, err := s.CreateConsent(ctx, tn, newConsent(NewConsent{Flow: emulator.FlowRedirectSCA, Scope: []string{"balances", "accounts"}, Method: emulator.AISMethodFilter{ProviderID: "bnk"},
		Journey: &ConsentJourney{BankID: "bnk", ReturnURL: func(w string) string { return "https://ui/" + w }, TTL: time.Hour}}))
	noErr(t, err)
	if !slices.Equal(c.Scope, []string{"accounts", "balances"}) {
		t.Fatalf("scope kept in FinqLink's order: %v", c.Scope)
	}
	_, err = s.ApproveSCAAs(ctx, tn, x.ID, "", "p1", nil, time.Minute)
	noErr(t, err)
	if _, err := s.CreateJob(ctx, tn, c.ID, "", time.Minute); !errors.As(err, new(*ConsentNotActiveError)) {
		t.Fatalf("job on an authorized consent: %v", err)
	}
	advance(t, s, clock, tn, time.Second)
	j, err := s.CreateJob(ctx, tn, c.ID, "https://client.example/jobs", time.Minute)
	noErr(t, err)
	var cool *CooldownError
	if _, err := s.CreateJob(ctx, tn, c.ID, "", time.Minute); !errors.As(err, &cool) || !cool.Until.Equal(j.CreatedAt.Add(time.Minute)) {
		t.Fatalf("second job inside the cooldown: %v", err)
	}
	for range 4 {
		advance(t, s, clock, tn, time.Second)
	}
	if j, _ = s.Job(ctx, tn, c.ID, j.ID); j.Status != emulator.JobCompleted {
		t.Fatalf("job without transactions: %s", j.Status)
	}
	if got := consentHooks(t, s, tn, j.ID); !slices.Equal(got, []string{"accounts_ready", "balances_ready", "job_completed"}) {
		t.Fatalf("job webhooks: %v", got)
	}
	if _, err := s.Job(ctx, tn, "other", j.ID); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Fatalf("job under another consent: %v", err)
	}
	advance(t, s, clock, tn, time.Minute)
	j2, err := s.CreateJob(ctx, tn, c.ID, "", time.Minute)
	noErr(t, err)
	advance(t, s, clock, tn, time.Hour)
	if c, _ = s.AISConsent(ctx, tn, c.ID); c.Status != emulator.ConsentSuspended {
		t.Fatalf("suspension: %s", c.Status)
	}
	if j2, _ = s.Job(ctx, tn, c.ID, j2.ID); j2.Status != emulator.JobCompleted {
		t.Fatalf("second job: %s", j2.Status)
	}
	if _, err := s.CreateJob(ctx, tn, c.ID, "", time.Minute); !errors.As(err, new(*ConsentNotActiveError)) {
		t.Fatalf("job on a suspended consent: %v", err)
	}
	if c, err = s.RevokeAISConsent(ctx, tn, c.ID); err != nil || c.Status != emulator.ConsentRevoked {
		t.Fatalf("revoke a suspended consent: %v %s", err, c.Status)
	}
}
