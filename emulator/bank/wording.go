package bank

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sandbank/sandbank/emulator"
)

// Wording is an optional part of a Finisher whose bank pages speak of a
// journey in their own terms: FinqLink's banks name their login fields
// differently (rzb_ro asks a PSU ID, bt_ro a PIN), and a FinqLink payment
// link sends the payer to the bank to authorize one payment rather than to
// share accounts.
type Wording interface {
	Words(ctx context.Context, t *emulator.Tenant, s emulator.SCASession) (Words, error)
}

// Words is what the bank pages say for one journey. Empty labels keep the
// pages' own ("Username", "Password", "One-time code").
type Words struct {
	LoginLabel    string
	PasswordLabel string
	OTPLabel      string
	// Login, when set, fills the login field in advance (a client may pass
	// the PSU's id through the provider's API).
	Login string
	// Payment, when set, makes the journey authorize one payment: the
	// consent step asks for the one account to pay from, with Approve or
	// Deny, instead of the accounts to share.
	Payment *Payment
}

// Payment is a payment a journey authorizes, in the words the payer reads.
type Payment struct {
	// Amount is the amount with its currency, ready to show ("1,250.00
	// RON").
	Amount       string
	Creditor     string
	CreditorIBAN string // formatted for reading, or empty
	Description  string
	// DebtorIBAN, when the client named the account to pay from, is the
	// account chosen in advance (normalized, without spaces).
	DebtorIBAN string
}

// The labels of the login form when the provider says nothing else.
const (
	defaultLoginLabel    = "Username"
	defaultPasswordLabel = "Password"
	defaultOTPLabel      = "One-time code"
)

// words asks the journey's provider for its words, filling in the pages'
// defaults, once per request: a page and its error message share the
// answer. A provider that cannot tell (its lookup failed) gets the
// defaults, and the failure is logged: wording never stops a journey.
func (p *Pages) words(r *http.Request, j *journey) Words {
	if j.words == nil {
		w := p.askWords(r, j)
		j.words = &w
	}
	return *j.words
}

// askWords is words without the memory.
func (p *Pages) askWords(r *http.Request, j *journey) Words {
	var w Words
	if wd, ok := j.fin.(Wording); ok {
		got, err := wd.Words(r.Context(), j.t, j.s)
		if err != nil {
			p.log.ErrorContext(r.Context(), "bank page wording failed", "session", j.s.ID, "err", err)
		} else {
			w = got
		}
	}
	if w.LoginLabel == "" {
		w.LoginLabel = defaultLoginLabel
	}
	if w.PasswordLabel == "" {
		w.PasswordLabel = defaultPasswordLabel
	}
	if w.OTPLabel == "" {
		w.OTPLabel = defaultOTPLabel
	}
	return w
}

// apply puts the words on a page.
func (w Words) apply(v *page) {
	v.LoginLabel, v.PasswordLabel, v.OTPLabel, v.Payment = w.LoginLabel, w.PasswordLabel, w.OTPLabel, w.Payment
	v.OTPPrompt = "Enter the one-time code we sent to your phone."
	if w.OTPLabel != defaultOTPLabel {
		v.OTPPrompt = "Enter your " + w.OTPLabel + "."
	}
}

// debtorAccount is the account a payment is taken from when the payer
// does not choose (the phone page, the auto-approving bank) or before they
// do (the radio checked first): the one the client named, else the PSU's
// first account at the bank.
func debtorAccount(pay *Payment, accounts []emulator.Account) (emulator.Account, bool) {
	if len(accounts) == 0 {
		return emulator.Account{}, false
	}
	if pay != nil && pay.DebtorIBAN != "" {
		if i := slices.IndexFunc(accounts, func(a emulator.Account) bool { return a.IBAN == pay.DebtorIBAN }); i >= 0 {
			return accounts[i], true
		}
	}
	return accounts[0], true
}

// inSentence writes a field label inside a sentence: "Password" becomes
// "password", while an acronym such as "PSU ID" or "PIN" stays as it is.
func inSentence(label string) string {
	first, size := utf8.DecodeRuneInString(label)
	if strings.IndexFunc(label[size:], unicode.IsUpper) >= 0 {
		return label
	}
	return string(unicode.ToLower(first)) + label[size:]
}
