package kontomatik

import (
	"strings"

	"github.com/sandbank/sandbank/emulator"
)

// targetInfo is what Kontomatik's catalogue says of a target beyond the
// world's bank.
type targetInfo struct {
	institution  string
	officialURL  string
	loginName    string
	psd2, beta   bool
	accountTypes []string
}

// infoOf describes a target.
func infoOf(b emulator.Bank) targetInfo {
	return targetInfo{
		institution: strings.Replace(b.ID, "Api", "", 1), psd2: strings.Contains(b.ID, "Api"),
		accountTypes: []string{"Individual"},
	}
}

// kindOf is a transaction's kind in Kontomatik's terms.
func kindOf(x emulator.Transaction) string {
	if x.CounterpartyIBAN != "" {
		return "TRANSFER"
	}
	return "CARD_PAYMENT"
}

// labelsOf are a transaction's labels.
func labelsOf(x emulator.Transaction) []string { return nil }

// planFor applies the scenario's command behaviour for a PSU.
func planFor(b emulator.Behaviour, login string, def plan) plan { return def }
