package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
)

// linkT0 is where the links tests' clock starts.
var linkT0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// linkStore opens a store whose FinqLink tenants have a small world: a
// payer at rzb_ro and at libra_ro, and an intruder at rzb_ro. A tenant's
// scenario name is its payment outcome ("" for the default).
func linkStore(t *testing.T) (*store.Store, *emulator.ManualClock) {
	t.Helper()
	world := func(emulator.Tenant, time.Time) (emulator.World, error) {
		return emulator.World{
			Banks: []emulator.Bank{
				{ID: "rzb_ro", Name: "Raiffeisen Bank Romania", Country: "RO", BIC: "RZBRROBU", Model: emulator.SCARedirect},
				{ID: "libra_ro", Name: "Libra Internet Bank", Country: "RO", BIC: "BRELROBU"},
			},
			PSUs: []emulator.PSU{
				{ID: "payer", BankID: "rzb_ro", Login: "9999999998", Password: "123456", OTP: "123456", FullName: "Mihai Constantin"},
				{ID: "other", BankID: "rzb_ro", Login: "intruder", Password: "123456", OTP: "123456", FullName: "Someone Else"},
				{ID: "libra", BankID: "libra_ro", Login: "testlibra", Password: "testlibra", OTP: "123456", FullName: "Ioana Munteanu"},
			},
			Accounts: []emulator.Account{
				{ID: "a1", PSUID: "payer", BankID: "rzb_ro", IBAN: "RO03RZBR0000069999999999", Currency: "RON", Type: emulator.AccountCurrent},
				{ID: "a2", PSUID: "other", BankID: "rzb_ro", IBAN: "RO66RZBR0000060000000001", Currency: "RON", Type: emulator.AccountCurrent},
				{ID: "a3", PSUID: "libra", BankID: "libra_ro", IBAN: "RO52BREL0002000000000001", Currency: "RON", Type: emulator.AccountCurrent},
			},
		}, nil
	}
	clock := emulator.NewManualClock(linkT0)
	s, err := store.Open(context.Background(), store.Options{
		Path: filepath.Join(t.TempDir(), "links.db"), Clock: clock, BuildWorld: world,
		Scenario: func(name, src string) (store.ScenarioData, error) {
			return store.ScenarioData{Name: name, Source: name, Seed: 5, Behaviour: emulator.Behaviour{PaymentOutcome: emulator.PaymentOutcome(name)}}, nil
		},
		DefaultScenario: "", DefaultSeed: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clock
}

// linkTenant creates a FinqLink tenant whose banks treat payments as
// outcome says.
func linkTenant(t *testing.T, s *store.Store, credential string, outcome emulator.PaymentOutcome) *emulator.Tenant {
	t.Helper()
	tn, err := s.CreateTenant(context.Background(), emulator.FinqLink, credential, string(outcome), 0)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

const linkHook = "http://127.0.0.1:1/hooks/links"

// newTestLink creates a link of flow at bank (empty for any) with a
// webhook URL.
func newTestLink(t *testing.T, s *store.Store, tn *emulator.Tenant, flow emulator.FlowType, bank string, edit func(*emulator.PayLink)) (emulator.PayLink, emulator.SCASession) {
	t.Helper()
	l := emulator.PayLink{
		Flow: flow, Template: "default", Amount: "10.50", Currency: "RON", CreditorName: "Shop", CreditorIBAN: "RO10RZBR0000069999999970",
		WebhookURL: linkHook, Method: emulator.LinkMethodFilter{ProviderID: bank},
	}
	if edit != nil {
		edit(&l)
	}
	in := store.NewLink{Link: l, ExpiresIn: time.Hour}
	if flow != emulator.FlowLink {
		in.JourneyTTL, in.JourneyReturn = 15*time.Minute, func(webID string) string { return "https://webui.example/pay/" + webID }
	}
	out, x, err := s.CreateLink(context.Background(), tn, in)
	if err != nil {
		t.Fatal(err)
	}
	return out, x
}

// linkHooks returns the bodies of the tenant's webhooks, oldest first.
func linkHooks(t *testing.T, s *store.Store, tn *emulator.Tenant) []string {
	t.Helper()
	ds, err := s.WebhookDeliveries(context.Background(), tn, store.WebhookFilter{Limit: store.WebhookLimitMax})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range slices.Backward(ds) {
		if d.Type != store.LinkWebhookType || d.URL != linkHook {
			t.Fatalf("delivery %+v", d.Webhook)
		}
		out = append(out, string(d.Body))
	}
	return out
}

// wantHooks asserts the exact webhook bodies of link l, in order, with
// statuses.
func wantHooks(t *testing.T, got []string, l emulator.PayLink, statuses ...emulator.LinkStatus) {
	t.Helper()
	var want []string
	for _, st := range statuses {
		want = append(want, fmt.Sprintf(`{"type":"link_status_update","link_id":%q,"web_id":%q,"status":%q}`, l.ID, l.WebID, st))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("webhooks:\n got  %q\n want %q", got, want)
	}
}

func wantStatus(t *testing.T, s *store.Store, tn *emulator.Tenant, id string, want emulator.LinkStatus) emulator.PayLink {
	t.Helper()
	l, err := s.Link(context.Background(), tn, id)
	if err != nil {
		t.Fatal(err)
	}
	if l.Status != want {
		t.Fatalf("link %s is %s, want %s", id, l.Status, want)
	}
	return l
}

// runDue moves the tenant clock and runs what fell due.
func runDue(t *testing.T, s *store.Store, clock *emulator.ManualClock, tn *emulator.Tenant, d time.Duration) {
	t.Helper()
	clock.Advance(d)
	if _, err := s.RunDue(context.Background(), tn); err != nil {
		t.Fatal(err)
	}
}

// The WebUI's way through a link: opened, a bank chosen, the bank's pages,
// then the clock: every status once, each with its webhook, in order; at
// libra_ro the funds arrive last.
func TestLinkWebUILifecycle(t *testing.T) {
	ctx := context.Background()
	s, clock := linkStore(t)
	tn := linkTenant(t, s, "c1", "")
	l, _ := newTestLink(t, s, tn, emulator.FlowLink, "", nil)
	if l.Status != emulator.LinkCreated || len(l.ID) != 36 || l.WebID == "" || !l.ExpiresAt.Equal(linkT0.Add(time.Hour)) {
		t.Fatalf("created: %+v", l)
	}
	if got, err := s.LinkByWebID(ctx, tn, l.WebID); err != nil || got.ID != l.ID {
		t.Fatalf("by web_id: %+v %v", got, err)
	}
	if _, err := s.LinkByWebID(ctx, tn, "nope"); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Fatalf("unknown web_id: %v", err)
	}
	opened, err := s.OpenLink(ctx, tn, l.WebID)
	if err != nil || opened.Status != emulator.LinkStarted {
		t.Fatalf("open: %+v %v", opened, err)
	}
	// Opening again changes nothing and writes nothing.
	if again, err := s.OpenLink(ctx, tn, l.WebID); err != nil || again.Status != emulator.LinkStarted {
		t.Fatalf("reopen: %+v %v", again, err)
	}
	chosen, x, err := s.ChooseLinkBank(ctx, tn, l.WebID, "libra_ro", "https://webui.example/back", 10*time.Minute)
	if err != nil || chosen.Status != emulator.LinkRequested || chosen.BankID != "libra_ro" || chosen.SCASessionID != x.ID {
		t.Fatalf("choose: %+v %v", chosen, err)
	}
	if x.Provider != emulator.FinqLink || x.BankID != "libra_ro" || x.Model != emulator.SCARedirect || x.State != l.WebID ||
		x.RedirectURI != "https://webui.example/back" || x.Step != emulator.StepLogin || !x.ExpiresAt.Equal(linkT0.Add(10*time.Minute)) {
		t.Fatalf("journey: %+v", x)
	}
	// The same bank again gets the same journey; another bank is refused.
	if _, y, err := s.ChooseLinkBank(ctx, tn, l.WebID, "libra_ro", "https://webui.example/back", 10*time.Minute); err != nil || y.ID != x.ID {
		t.Fatalf("choose again: %+v %v", y, err)
	}
	if _, _, err := s.ChooseLinkBank(ctx, tn, l.WebID, "rzb_ro", "https://webui.example/back", 10*time.Minute); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("another bank: %v", err)
	}
	if _, err := s.CancelLink(ctx, tn, l.WebID); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("cancel at a bank: %v", err)
	}
	if _, err := s.AdvanceSCA(ctx, tn, x.ID, emulator.StepOTP, "", "libra"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s, tn, l.ID, emulator.LinkIntentAccepted)
	if _, err := s.AdvanceSCA(ctx, tn, x.ID, emulator.StepConsent, "", ""); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s, tn, l.ID, emulator.LinkAwaitingAuthz)
	if _, err := s.ApproveSCA(ctx, tn, x.ID, nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s, tn, l.ID, emulator.LinkReceived)
	runDue(t, s, clock, tn, store.LinkSubmitDelay-time.Millisecond)
	wantStatus(t, s, tn, l.ID, emulator.LinkReceived)
	runDue(t, s, clock, tn, time.Millisecond)
	wantStatus(t, s, tn, l.ID, emulator.LinkSubmitted)
	runDue(t, s, clock, tn, store.LinkCompleteDelay)
	wantStatus(t, s, tn, l.ID, emulator.LinkCompleted)
	runDue(t, s, clock, tn, store.LinkFundsDelay)
	wantStatus(t, s, tn, l.ID, emulator.LinkFundsReceived)
	wantHooks(t, linkHooks(t, s, tn), l, emulator.LinkStarted, emulator.LinkRequested, emulator.LinkIntentAccepted, emulator.LinkAwaitingAuthz,
		emulator.LinkReceived, emulator.LinkSubmitted, emulator.LinkCompleted, emulator.LinkFundsReceived)
	// A final link refuses the WebUI's changes but still opens.
	if _, _, err := s.ChooseLinkBank(ctx, tn, l.WebID, "libra_ro", "https://webui.example/back", time.Minute); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("choose a final link: %v", err)
	}
	if got, err := s.OpenLink(ctx, tn, l.WebID); err != nil || got.Status != emulator.LinkFundsReceived {
		t.Fatalf("open a final link: %+v %v", got, err)
	}
}

// One clock jump runs the whole chain, each status at its own instant.
func TestLinkStepsKeepTheirSpacingAcrossAJump(t *testing.T) {
	ctx := context.Background()
	s, clock := linkStore(t)
	tn := linkTenant(t, s, "c1", emulator.PaymentFundsRejected)
	l, x := newTestLink(t, s, tn, emulator.FlowRedirectSCA, "libra_ro", nil)
	if _, err := s.ApproveSCAAs(ctx, tn, x.ID, "", "libra", nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	runDue(t, s, clock, tn, time.Hour)
	got := wantStatus(t, s, tn, l.ID, emulator.LinkFundsRejected)
	if want := linkT0.Add(store.LinkSubmitDelay + store.LinkCompleteDelay + store.LinkFundsDelay); !got.UpdatedAt.Equal(want) {
		t.Fatalf("funds rejected at %s, want %s", got.UpdatedAt, want)
	}
	// The control plane approved from the login page: the link still
	// passed every status.
	wantHooks(t, linkHooks(t, s, tn), l, emulator.LinkRequested, emulator.LinkIntentAccepted, emulator.LinkAwaitingAuthz,
		emulator.LinkReceived, emulator.LinkSubmitted, emulator.LinkCompleted, emulator.LinkFundsRejected)
}

// A bank that rejects payments fails the link where it would be
// submitted; a bank that does not report the creditor's side stops at
// completed.
func TestLinkRejectedAndCompletedWithoutFunds(t *testing.T) {
	ctx := context.Background()
	s, clock := linkStore(t)
	rej := linkTenant(t, s, "rejecting", emulator.PaymentRejected)
	l, x := newTestLink(t, s, rej, emulator.FlowWrappedSCA, "rzb_ro", nil)
	if _, err := s.ApproveSCAAs(ctx, rej, x.ID, "", "payer", nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	runDue(t, s, clock, rej, time.Hour)
	wantStatus(t, s, rej, l.ID, emulator.LinkFailed)
	wantHooks(t, linkHooks(t, s, rej), l, emulator.LinkRequested, emulator.LinkIntentAccepted, emulator.LinkAwaitingAuthz, emulator.LinkReceived, emulator.LinkFailed)

	ok := linkTenant(t, s, "paying", "")
	l, x = newTestLink(t, s, ok, emulator.FlowWrappedSCA, "rzb_ro", nil)
	if _, err := s.ApproveSCAAs(ctx, ok, x.ID, "", "payer", nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	runDue(t, s, clock, ok, time.Hour)
	wantStatus(t, s, ok, l.ID, emulator.LinkCompleted)
}

// A link prefilling its debtor is refused at login to anyone else: the
// bank denies the journey and the link fails; the debtor pays.
func TestLinkDebtorPrefill(t *testing.T) {
	ctx := context.Background()
	s, _ := linkStore(t)
	tn := linkTenant(t, s, "c1", "")
	prefill := func(l *emulator.PayLink) { l.DebtorIBAN = "RO03RZBR0000069999999999" }
	l, x := newTestLink(t, s, tn, emulator.FlowRedirectSCA, "rzb_ro", prefill)
	if _, err := s.AdvanceSCA(ctx, tn, x.ID, emulator.StepOTP, "", "other"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s, tn, l.ID, emulator.LinkFailed)
	if got, err := s.SCASession(ctx, tn, x.ID); err != nil || got.Status != emulator.SCAFailed || got.Failure != emulator.FailDenied {
		t.Fatalf("journey: %+v %v", got, err)
	}
	wantHooks(t, linkHooks(t, s, tn), l, emulator.LinkRequested, emulator.LinkFailed)

	l, x = newTestLink(t, s, tn, emulator.FlowRedirectSCA, "rzb_ro", func(l *emulator.PayLink) { prefill(l); l.DebtorPSUID = "9999999998" })
	if _, err := s.AdvanceSCA(ctx, tn, x.ID, emulator.StepOTP, "", "payer"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s, tn, l.ID, emulator.LinkIntentAccepted)

	// The control plane approving as someone else fails the link too.
	l, x = newTestLink(t, s, tn, emulator.FlowWrappedSCA, "rzb_ro", func(l *emulator.PayLink) { l.DebtorPSUID = "9999999998" })
	if _, err := s.ApproveSCAAs(ctx, tn, x.ID, "", "other", nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s, tn, l.ID, emulator.LinkFailed)
}

// Cancelling revokes a link not yet at a bank; a denied or timed-out
// journey fails its link; expired links refuse the WebUI.
func TestLinkCancelFailAndExpiry(t *testing.T) {
	ctx := context.Background()
	s, clock := linkStore(t)
	tn := linkTenant(t, s, "c1", "")
	l, _ := newTestLink(t, s, tn, emulator.FlowLink, "", nil)
	if got, err := s.CancelLink(ctx, tn, l.WebID); err != nil || got.Status != emulator.LinkRevoked {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if _, err := s.CancelLink(ctx, tn, l.WebID); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("cancel twice: %v", err)
	}
	wantHooks(t, linkHooks(t, s, tn), l, emulator.LinkRevoked)

	denied, x := newTestLink(t, s, tn, emulator.FlowDirectSCA, "rzb_ro", func(l *emulator.PayLink) { l.WebhookURL = "" })
	if _, err := s.FailSCA(ctx, tn, x.ID, emulator.FailDenied); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s, tn, denied.ID, emulator.LinkFailed)

	// A journey never finished fails at its deadline, at the latest the
	// link's expiry.
	late, x := newTestLink(t, s, tn, emulator.FlowWrappedSCA, "rzb_ro", nil)
	runDue(t, s, clock, tn, 15*time.Minute)
	wantStatus(t, s, tn, late.ID, emulator.LinkFailed)
	if got, _ := s.SCASession(ctx, tn, x.ID); got.Failure != emulator.FailTimeout {
		t.Fatalf("journey: %+v", got)
	}

	// A link with a pick restricted to one bank refuses another.
	only, _ := newTestLink(t, s, tn, emulator.FlowLink, "rzb_ro", nil)
	if _, _, err := s.ChooseLinkBank(ctx, tn, only.WebID, "libra_ro", "https://webui.example/back", time.Minute); !emulator.IsCode(err, emulator.CodeInvalid) {
		t.Fatalf("a bank the filter excludes: %v", err)
	}
	if _, _, err := s.ChooseLinkBank(ctx, tn, only.WebID, "rzb_ro", "https://webui.example/back", 0); !emulator.IsCode(err, emulator.CodeInvalid) {
		t.Fatalf("no ttl: %v", err)
	}
	wantStatus(t, s, tn, only.ID, emulator.LinkCreated)

	// Past its expiry (one hour), the link refuses every WebUI change but
	// can still be read.
	clock.Advance(time.Hour)
	if _, err := s.OpenLink(ctx, tn, only.WebID); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("open expired: %v", err)
	}
	if _, _, err := s.ChooseLinkBank(ctx, tn, only.WebID, "rzb_ro", "https://webui.example/back", time.Minute); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("choose expired: %v", err)
	}
	if _, err := s.CancelLink(ctx, tn, only.WebID); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("cancel expired: %v", err)
	}
	got := wantStatus(t, s, tn, only.ID, emulator.LinkCreated)
	if !got.Expired(s.Now(tn)) {
		t.Fatal("not expired")
	}
	// Another tenant sees none of these links.
	other := linkTenant(t, s, "c2", "")
	if _, err := s.LinkByWebID(ctx, other, only.WebID); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Fatalf("another tenant's link: %v", err)
	}
	if _, err := s.OpenLink(ctx, other, only.WebID); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Fatalf("open another tenant's link: %v", err)
	}
}

// A direct_sca link waits at awaiting_authz after the approval until its
// client hands the callback over.
func TestLinkCallback(t *testing.T) {
	ctx := context.Background()
	s, clock := linkStore(t)
	tn := linkTenant(t, s, "c1", "")
	l, x := newTestLink(t, s, tn, emulator.FlowDirectSCA, "rzb_ro", nil)
	if _, res, err := s.HandLinkCallback(ctx, tn, l.WebID, store.Callback{}); err != nil || res != store.CallbackPending {
		t.Fatalf("pending: %v %v", res, err)
	}
	done, err := s.ApproveSCAAs(ctx, tn, x.ID, "", "payer", nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	runDue(t, s, clock, tn, time.Minute)
	wantStatus(t, s, tn, l.ID, emulator.LinkAwaitingAuthz)
	for _, bad := range []store.Callback{{}, {Code: "wrong"}, {Code: done.Code, Error: "access_denied"}} {
		if _, _, err := s.HandLinkCallback(ctx, tn, l.WebID, bad); !emulator.IsCode(err, emulator.CodeInvalid) {
			t.Fatalf("%+v: %v", bad, err)
		}
	}
	got, res, err := s.HandLinkCallback(ctx, tn, l.WebID, store.Callback{Code: done.Code})
	if err != nil || res != store.CallbackProcessed || got.Status != emulator.LinkReceived {
		t.Fatalf("processed: %+v %v %v", got, res, err)
	}
	if got, res, err := s.HandLinkCallback(ctx, tn, l.WebID, store.Callback{Code: done.Code}); err != nil || res != store.CallbackRepeated || got.Status != emulator.LinkReceived {
		t.Fatalf("repeated: %+v %v %v", got, res, err)
	}
	runDue(t, s, clock, tn, time.Minute)
	wantStatus(t, s, tn, l.ID, emulator.LinkCompleted)
	wantHooks(t, linkHooks(t, s, tn), l, emulator.LinkRequested, emulator.LinkIntentAccepted, emulator.LinkAwaitingAuthz,
		emulator.LinkReceived, emulator.LinkSubmitted, emulator.LinkCompleted)

	// A link of another flow takes no callback.
	other, _ := newTestLink(t, s, tn, emulator.FlowRedirectSCA, "rzb_ro", nil)
	if _, _, err := s.HandLinkCallback(ctx, tn, other.WebID, store.Callback{}); !emulator.IsCode(err, emulator.CodeInvalid) {
		t.Fatalf("redirect_sca link: %v", err)
	}
}
