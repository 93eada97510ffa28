package finqlink_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/sandbank/sandbank/emulator/bank"
	"github.com/sandbank/sandbank/emulator/client"
)

// TestBankDownRefusesOnlyThatBank: the built-in bank_down scenario takes
// rzb_ro down. Fault rules learn the bank from FinqLink's bodies, so a
// link or a provider lookup at rzb_ro gets the scenario's 503 in
// FinqLink's envelope and creates nothing, while the same calls at bt_ro
// work.
func TestBankDownRefusesOnlyThatBank(t *testing.T) {
	k := newLinkKit(t)
	const down = "fq-bank-down-0001"
	if _, err := k.In.Control.CreateTenant(context.Background(), client.NewTenant{Provider: "finqlink", Credential: down, Secret: clientSecret, Scenario: "bank_down"}); err != nil {
		t.Fatal(err)
	}
	e := k.call(down, "create", ","+intent+`,"payment_method":{"provider_id":"rzb_ro"}`).failure(t, 503)
	if e.Message != "The bank Raiffeisen Bank Romania (rzb_ro) is unavailable. Please try again later." {
		t.Errorf("message %q", e.Message)
	}
	if got := k.list(down, "").ids(); len(got) != 0 {
		t.Fatalf("a refused create left links %v", got)
	}
	k.post("/v2/providers/get", `{"client_id":"`+down+`","client_secret":"`+clientSecret+`","provider_id":"rzb_ro"}`, nil).failure(t, 503)
	k.post("/v2/providers/get", `{"client_id":"`+down+`","client_secret":"`+clientSecret+`","provider_id":"bt_ro"}`, nil).WantStatus(t, 200)
	c := k.create(down, `,"payment_method":{"provider_id":"bt_ro"}`)
	k.call(down, "get", `,"link_id":"`+c.LinkID+`"`).WantStatus(t, 200)
}

// TestSCADeniedFailsTheLink: under the built-in sca_denied scenario the
// bank refuses every payer once they have logged in; the browser goes
// back with error=access_denied and the link fails, with its webhooks.
func TestSCADeniedFailsTheLink(t *testing.T) {
	k := newLinkKit(t)
	const denied = "fq-sca-denied-0001"
	if _, err := k.In.Control.CreateTenant(context.Background(), client.NewTenant{Provider: "finqlink", Credential: denied, Secret: clientSecret, Scenario: "sca_denied"}); err != nil {
		t.Fatal(err)
	}
	c := k.create(denied, `,"payment_method":{"provider_id":"rzb_ro"},"options":{"type":"redirect_sca","webhook_url":"`+k.hook+`"}`)
	x := k.journey(denied, c.LinkID)
	u := bank.JourneyURL(k.Srv.URL, k.tenant(denied), x.ID)
	if r := k.bankForm(u, url.Values{"action": {"login"}, "username": {"9999999998"}, "password": {"123456"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	r := k.bankForm(u, url.Values{"action": {"otp"}, "otp": {"123456"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("otp: %d %s", r.Status, r.Body)
	}
	back, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if q := back.Query(); q.Get("error") != "access_denied" || q.Get("state") != c.WebID || q.Has("code") {
		t.Errorf("the bank sent the browser back with %s", back)
	}
	k.wantLinkStatus(denied, c.LinkID, "failed")
	k.wantHooks(denied, c, "requested", "intent_accepted", "failed")
}
