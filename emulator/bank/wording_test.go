package bank_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/bank"
)

// wordyFinisher is testFinisher speaking like a FinqLink bank: its own
// labels and, when pay is set, a payment to authorize.
type wordyFinisher struct {
	testFinisher
	words bank.Words
}

func (f wordyFinisher) Words(context.Context, *emulator.Tenant, emulator.SCASession) (bank.Words, error) {
	return f.words, nil
}

// payWords are the words of a payment of 10 EUR to a creditor whose name
// is markup, taken by default from alice's second account.
func payWords() bank.Words {
	return bank.Words{
		LoginLabel: "PSU ID", OTPLabel: "PIN", Login: "alice",
		Payment: &bank.Payment{Amount: "10.00 EUR", Creditor: scriptName, CreditorIBAN: "RO10 RZBR 0000 0699 9999 9970", Description: "Order 42",
			DebtorIBAN: "FR7630004000031234567890143"},
	}
}

// A payment journey: the bank's labels, the login passed by the client,
// one account to pay from (the client's choice ticked first), and refusals
// of forms that would take two accounts or none.
func TestPaymentWording(t *testing.T) {
	f := newFixtureWith(t, wordyFinisher{words: payWords()})
	s := f.redirectSession(t)
	u := f.journeyURL(s.ID)

	login := f.get(t, u)
	wantPage(t, login, http.StatusOK, `<label for="username">PSU ID</label>`, `<label for="password">Password</label>`, `value="alice"`,
		"authorize the payment of 10.00 EUR to &lt;script&gt;alert(1)&lt;/script&gt;")
	if strings.Contains(login.body, scriptName) {
		t.Fatalf("raw markup:\n%s", login.body)
	}
	wantPage(t, f.post(t, u, url.Values{"action": {"login"}, "username": {"alice"}, "password": {"nope"}}), http.StatusOK, "Wrong PSU ID or password", `value="alice"`)
	wantRedirect(t, f.post(t, u, url.Values{"action": {"login"}, "username": {"alice"}, "password": {"pw"}}), http.StatusSeeOther, u)
	wantPage(t, f.get(t, u), http.StatusOK, `<label for="otp">PIN</label>`, "Enter your PIN.")
	wantPage(t, f.post(t, u, url.Values{"action": {"otp"}, "otp": {"000000"}}), http.StatusOK, "Wrong PIN")
	wantRedirect(t, f.post(t, u, url.Values{"action": {"otp"}, "otp": {"111111"}}), http.StatusSeeOther, u)

	consent := f.get(t, u)
	wantPage(t, consent, http.StatusOK, "Authorize payment of 10.00 EUR to &lt;script&gt;alert(1)&lt;/script&gt;", "Account to pay from",
		`type="radio" id="account-0" name="account" value="acc-a1" required>`, `value="acc-a2" required checked`, "Order 42", ">Approve</button>", ">Deny</button>")
	if strings.Contains(consent.body, `type="checkbox"`) {
		t.Fatal("a payment offers checkboxes")
	}
	wantPage(t, f.post(t, u, url.Values{"action": {"approve"}, "account": {"acc-a1", "acc-a2"}}), http.StatusBadRequest, "one account")
	wantPage(t, f.post(t, u, url.Values{"action": {"approve"}}), http.StatusOK, "Choose the account to pay from")
	if got := f.reload(t, s.ID); got.Status != emulator.SCAPending {
		t.Fatalf("a refused approval ended the journey: %s", got.Status)
	}
	f.wantReturn(t, f.post(t, u, url.Values{"action": {"approve"}, "account": {"acc-a1"}}), http.StatusSeeOther)
	got := f.reload(t, s.ID)
	if ids := f.connectionAccounts(t, got.ConnectionID); !slices.Equal(ids, []string{"acc-a1"}) {
		t.Fatalf("paid from %v", ids)
	}
	wantPage(t, f.get(t, u), http.StatusOK, "Payment authorized")
}

// An AIS journey with a provider's labels keeps the account checkboxes.
func TestLabelsWithoutPayment(t *testing.T) {
	f := newFixtureWith(t, wordyFinisher{words: bank.Words{LoginLabel: "Customer number"}})
	s := f.redirectSession(t)
	u := f.journeyURL(s.ID)
	wantPage(t, f.get(t, u), http.StatusOK, `<label for="username">Customer number</label>`, "share your accounts with Fintecture")
	f.loginToConsent(t, s.ID, "alice", "pw", "111111")
	wantPage(t, f.get(t, u), http.StatusOK, "Share your accounts", `type="checkbox"`, `value="acc-a1" checked`, `value="acc-a2" checked`)
}

// On the phone and at the auto-approving bank, a payment is taken from
// one account too: the client's, else the first.
func TestPaymentOnPhoneAndAutoBank(t *testing.T) {
	w := payWords()
	w.Payment.DebtorIBAN = "FR7617569000306453924654F42" // otto's second account
	f := newFixtureWith(t, wordyFinisher{words: w})

	d := f.session(t, emulator.SCASession{BankID: "bnkdec", Model: emulator.SCADecoupled, Step: emulator.StepLogin, RedirectURI: "-"})
	p := f.phoneURL(d.ID)
	wantRedirect(t, f.post(t, p, url.Values{"action": {"identify"}, "psu_id": {"900100"}}), http.StatusSeeOther, p)
	wantPage(t, f.get(t, p), http.StatusOK, "Authorize payment of 10.00 EUR to &lt;script&gt;alert(1)&lt;/script&gt; for Fintecture?")
	wantRedirect(t, f.post(t, p, url.Values{"action": {"approve"}}), http.StatusSeeOther, p)
	if ids := f.connectionAccounts(t, f.reload(t, d.ID).ConnectionID); !slices.Equal(ids, []string{"acc-d1"}) {
		t.Fatalf("phone paid from %v", ids)
	}

	a := f.session(t, emulator.SCASession{BankID: "bnkauto", Model: emulator.SCAAuto, Step: emulator.StepLogin})
	f.wantReturn(t, f.get(t, f.journeyURL(a.ID)+"/auto"), http.StatusFound)
	if ids := f.connectionAccounts(t, f.reload(t, a.ID).ConnectionID); !slices.Equal(ids, []string{"acc-o2"}) {
		t.Fatalf("auto bank paid from %v", ids)
	}
}
