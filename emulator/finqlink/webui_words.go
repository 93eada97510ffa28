package finqlink

import (
	"slices"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
)

// What the WebUI says: amounts, statuses and scopes in words a payer
// reads. FinqLink's real WebUI is in Romanian and English; Sandbank's
// pages are in English only.

// formatAmount writes a link's amount (the decimal string the client sent,
// checked by the contract's Decimal pattern) for reading: thousands
// grouped, at least two decimals, then the currency: "1,250.50 RON".
// Digits the client sent beyond two decimals are kept, never rounded away.
func formatAmount(amount, currency string) string {
	whole, frac, _ := strings.Cut(amount, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if b.Len() == 0 {
		b.WriteByte('0')
	}
	return b.String() + "." + frac + " " + currency
}

// tone is how a status reads at a glance, as a CSS class of the status
// line: still moving, done well, or ended badly.
type tone string

const (
	toneWait tone = "wait"
	toneOK   tone = "ok"
	toneFail tone = "fail"
)

// linkWords says where a payment stands, for the payer.
func linkWords(s emulator.LinkStatus) (string, tone) {
	switch s {
	case emulator.LinkCreated, emulator.LinkStarted:
		return "Waiting for you to choose your bank", toneWait
	case emulator.LinkRequested:
		return "Waiting for you to log in at your bank", toneWait
	case emulator.LinkIntentAccepted:
		return "Your bank accepted the payment request", toneWait
	case emulator.LinkAwaitingAuthz:
		return "Waiting for your authorization at your bank", toneWait
	case emulator.LinkReceived:
		return "Payment authorized: your bank received it", toneWait
	case emulator.LinkSubmitted:
		return "Payment authorized: your bank is sending it", toneWait
	case emulator.LinkCompleted:
		return "Payment completed", toneOK
	case emulator.LinkFundsReceived:
		return "Payment completed: the funds have arrived", toneOK
	case emulator.LinkFundsRejected:
		return "Payment returned: the receiving bank rejected the funds", toneFail
	case emulator.LinkFailed:
		return "Payment failed", toneFail
	case emulator.LinkRevoked:
		return "Payment cancelled", toneFail
	}
	return "Payment status: " + string(s), toneWait
}

// consentWords says where a consent stands, for the account holder.
func consentWords(s emulator.ConsentStatus) (string, tone) {
	switch s {
	case emulator.ConsentCreated, emulator.ConsentStarted:
		return "Waiting for you to choose your bank", toneWait
	case emulator.ConsentSCAURLRetrieved:
		return "Waiting for you to log in at your bank", toneWait
	case emulator.ConsentAwaitingAuthz:
		return "Waiting for your authorization at your bank", toneWait
	case emulator.ConsentAuthorized:
		return "Access authorized: fetching your data", toneWait
	case emulator.ConsentActive:
		return "Access granted", toneOK
	case emulator.ConsentExpired:
		return "Access expired", toneFail
	case emulator.ConsentRevoked:
		return "Access revoked", toneFail
	case emulator.ConsentFailed:
		return "Access not granted", toneFail
	case emulator.ConsentSuspended:
		return "Access suspended by your bank", toneFail
	}
	return "Consent status: " + string(s), toneWait
}

// linkSettled reports whether the payer has nothing more to wait for: a
// final status, or completed at a bank that never reports the creditor's
// side (only libra_ro, with the funds_received feature, goes on to
// funds_received or funds_rejected).
func linkSettled(l emulator.PayLink) bool {
	return l.Status.Final() || (l.Status == emulator.LinkCompleted && !fundsReported(l))
}

// fundsReported reports whether the link's bank goes on past completed:
// the store's own rule, so the page stops refreshing exactly when the
// link stops moving.
func fundsReported(l emulator.PayLink) bool { return store.LinkFundsReported(l.BankID) }

// linkReturnable reports whether the payment page offers the way back to
// the client: once the payment is completed or has ended.
func linkReturnable(l emulator.PayLink) bool {
	return l.Status.Final() || l.Status == emulator.LinkCompleted
}

// consentSettled reports whether the account holder has nothing more to
// wait for: access granted, or ended one way or another.
func consentSettled(c emulator.AISConsent) bool {
	return c.Status.Final() || c.Status == emulator.ConsentActive || c.Status == emulator.ConsentSuspended
}

// scopeWords lists what a consent shares, in words.
func scopeWords(scope []string) []string {
	var out []string
	for _, s := range scope {
		switch s {
		case "accounts":
			out = append(out, "Your accounts: names, IBANs and currencies")
		case "balances":
			out = append(out, "Their balances")
		case "transactions":
			out = append(out, "Their transactions")
		default:
			out = append(out, s)
		}
	}
	return out
}

// themeOf is the WebUI theme of a ux_template: the contract only lets the
// six through, and anything else (an older row, an empty value) shows the
// default.
func themeOf(template string) string {
	if slices.Contains(emulator.UXTemplates, template) {
		return template
	}
	return emulator.UXTemplates[0]
}

// initials stands in for a logo a bank lacks: the first letters of up to
// three of its name's capitalised words ("Banca Transilvania" → "BT").
func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		r := []rune(w)[0]
		if r >= 'A' && r <= 'Z' && b.Len() < 3 {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 && name != "" {
		return strings.ToUpper(string([]rune(name)[0]))
	}
	return b.String()
}

// when writes an instant of the tenant clock for reading.
func when(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }
