package kontomatik

import (
	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/fixtures"
)

// targetInfo is what Kontomatik's catalogue (fixtures/kontomatik_targets.yaml)
// says of a target beyond the world's bank.
type targetInfo struct {
	institution  string
	officialURL  string
	loginName    string
	psd2, beta   bool
	accountTypes []string
}

// infoOf describes a target; a bank a scenario names that the catalogue
// does not know is its own institution.
func infoOf(b emulator.Bank) targetInfo {
	t, ok := fixtures.KontomatikTargetNamed(b.ID)
	if !ok {
		return targetInfo{institution: b.ID, accountTypes: []string{string(fixtures.KontomatikIndividual)}}
	}
	out := targetInfo{institution: t.Institution, officialURL: t.OfficialURL, loginName: t.LoginName, psd2: t.PSD2, beta: t.Beta}
	for _, a := range t.SupportedAccountTypes {
		out.accountTypes = append(out.accountTypes, string(a))
	}
	return out
}

// kindOf is a transaction's kind in Kontomatik's terms. The captures show
// the element but not its values (notes §2); these are Sandbank's.
func kindOf(x emulator.Transaction) string {
	switch x.Kind {
	case emulator.KindCardPayment:
		return "CARD_PAYMENT"
	case emulator.KindRent:
		return "DIRECT_DEBIT"
	case "":
		return ""
	}
	return "TRANSFER"
}

// labelsOf are a transaction's labels, as Kontomatik's categorisation
// would tag it (the capture shows "salary").
func labelsOf(x emulator.Transaction) []string {
	if x.Kind == "" {
		return nil
	}
	return []string{string(x.Kind)}
}

// planFor applies the tenant's scenario to the commands of a PSU: how long
// they run (command_duration) and whether they fail (commands rules).
func planFor(b emulator.Behaviour, login string, def plan) plan {
	out := def
	if b.CommandDuration > 0 {
		out.run = b.CommandDuration
	}
	if f, ok := b.CommandFailureFor(login); ok {
		out.failure, out.message, out.fatal = f.Exception, f.Message, f.Fatal
		if f.After > 0 {
			out.run = f.After
		}
		if out.message == "" {
			out.message = defaultMessage(f.Exception)
		}
	}
	return out
}

func defaultMessage(name string) string {
	switch name {
	case "SessionExpired":
		return "Session expired."
	case "InvalidCredentials":
		return "Invalid credentials."
	}
	return name + " while importing from the bank."
}
