package scenarios

import (
	"errors"
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/faults"
	"github.com/sandbank/sandbank/emulator/iban"
	"github.com/sandbank/sandbank/fixtures"
)

// Patterns shared with scenario.schema.json: a test checks that the schema
// carries exactly these, so a file the schema accepts is not refused here
// for its shape, and the other way round.
const (
	namePattern     = `^[a-z0-9][a-z0-9_.-]{0,63}$`
	currencyPattern = `^[A-Z]{3}$`
	balancePattern  = `^-?[0-9]{1,12}(\.[0-9]{1,2})?$`
	// ibanPattern is the IBAN's electronic form; the checksum is checked
	// in Go only (JSON Schema cannot compute mod 97).
	ibanPattern   = `^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$`
	bankIDPattern = `^[A-Za-z0-9][A-Za-z0-9_.-]*$`
	// coOwnerPattern is a full name on one line, without surrounding
	// spaces.
	coOwnerPattern = `^[^\s]([^\r\n]*[^\s])?$`
	// durationPattern is what emulator.ParseDuration reads: weeks, then
	// days, then Go's units.
	durationPattern = `^(([0-9]+w)?([0-9]+d)?([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+|([0-9]+w)?[0-9]+d|[0-9]+w)$`
)

var (
	nameRE     = regexp.MustCompile(namePattern)
	currencyRE = regexp.MustCompile(currencyPattern)
	balanceRE  = regexp.MustCompile(balancePattern)
	ibanRE     = regexp.MustCompile(ibanPattern)
	bankIDRE   = regexp.MustCompile(bankIDPattern)
	coOwnerRE  = regexp.MustCompile(coOwnerPattern)
	durationRE = regexp.MustCompile(durationPattern)
	// generatedLogin is the shape of the logins the world generator gives
	// its random PSUs (user01, user02, ...).
	generatedLogin = regexp.MustCompile(`^user[0-9]{2,}$`)
)

// Limits on a world's size. They keep one scenario (perhaps sent over
// HTTP) from stalling tenant creation; large_history sits well inside.
const (
	maxHistoryDays   = 3660 // ten years and a bit
	maxPerMonth      = 5000
	maxPending       = 100
	maxAccountsPSU   = 20
	maxGeneratedPSUs = 100
	maxTransactions  = 2_000_000
	maxCoOwners      = 10
)

// providers is the closed set of providers, in the order errors list them.
var providers = emulator.Providers

// catalogues holds each provider's bank catalogue, parsed once. A provider
// without a catalogue yet (fixtures.Banks fails) is simply absent: its
// bank ids cannot be checked until its catalogue exists.
var catalogues = sync.OnceValue(func() map[emulator.Provider][]emulator.Bank {
	out := map[emulator.Provider][]emulator.Bank{}
	for _, p := range providers {
		if banks, err := fixtures.Banks(p); err == nil {
			out[p] = banks
		}
	}
	return out
})

// validate checks what the types cannot: required values, ranges,
// formats, references between sections.
func (p *parser) validate(s *Scenario) {
	switch {
	case s.Name == "":
		p.add(path{"name"}, "a name is required")
	case !nameRE.MatchString(s.Name):
		p.add(path{"name"}, "%q: use lower-case letters, digits, '_', '.' and '-' (at most 64)", s.Name)
	}
	if strings.ContainsAny(s.Description, "\r\n") {
		p.add(path{"description"}, "the description is one line")
	}
	if s.Seed == 0 {
		p.add(path{"seed"}, "a non-zero seed is required (0 would mean random)")
	}
	p.validateWorld(&s.World, path{"world"})
	p.validateBehaviour(s, path{"behaviour"})
	p.validateApp(s.AppSpec, path{"app"})
}

// validateApp checks the app section as the console would: the key must
// parse, and signatures can be required only with a key to check them.
func (p *parser) validateApp(a *AppSpec, pa path) {
	if a == nil {
		return
	}
	if a.PublicKey != "" {
		if _, err := emulator.ParsePublicKey(a.PublicKey); err != nil {
			p.add(pa.key("public_key"), "%v", err)
		}
	}
	if a.RequireSignatures && a.PublicKey == "" {
		p.add(pa.key("require_signatures"), "a public key must be registered first: add public_key, or leave require_signatures out")
	}
}

func (p *parser) validateWorld(w *World, pa path) {
	for _, prov := range slices.Sorted(maps.Keys(w.Banks)) {
		bp := pa.key("banks").key(string(prov))
		if !slices.Contains(providers, prov) {
			p.add(bp, "unknown provider %q (%s)", prov, joinAny(providers))
			continue
		}
		ids := w.Banks[prov]
		if len(ids) == 0 {
			p.add(bp, "list at least one bank, or leave %s out to keep its whole catalogue", prov)
		}
		for i, id := range ids {
			if slices.Index(ids, id) < i {
				p.add(bp.idx(i), "bank %q is listed twice", id)
				continue
			}
			p.checkBankID(bp.idx(i), prov, id)
		}
	}
	p.count(pa.key("history_days"), w.HistoryDays, maxHistoryDays)
	p.count(pa.key("transactions_per_month"), w.TransactionsPerMonth, maxPerMonth)
	p.count(pa.key("pending_per_account"), w.PendingPerAccount, maxPending)
	p.count(pa.key("accounts_per_psu"), w.AccountsPerPSU, maxAccountsPSU)
	p.count(pa.key("generated_psus_per_bank"), w.GeneratedPSUsPerBank, maxGeneratedPSUs)
	if len(w.Currencies) == 0 {
		p.add(pa.key("currencies"), "list at least one currency (ISO 4217, e.g. [EUR])")
	}
	for i, c := range w.Currencies {
		p.currency(pa.key("currencies").idx(i), c)
		if slices.Index(w.Currencies, c) < i {
			p.add(pa.key("currencies").idx(i), "currency %s is listed twice", c)
		}
	}
	p.validatePSUs(w, pa.key("psus"))
	if n := estimate(w, catalogues()); n > maxTransactions {
		p.add(pa, "the world would hold about %d transactions; the limit is %d", n, maxTransactions)
	}
}

// checkBankID reports a bank id unknown to the provider's catalogue. A
// provider without a catalogue yet accepts any well-formed id.
func (p *parser) checkBankID(pa path, prov emulator.Provider, id string) {
	if !bankIDRE.MatchString(id) {
		p.add(pa, "%q is not a bank id", id)
		return
	}
	cat, ok := catalogues()[prov]
	if !ok {
		return
	}
	if !slices.ContainsFunc(cat, func(b emulator.Bank) bool { return b.ID == id }) {
		p.add(pa, "unknown %s bank %q (known: %s)", prov, id, strings.Join(bankIDs(cat), ", "))
	}
}

// bankOf finds which provider's catalogue holds a bank id a PSU names.
// PSU bank lists do not say the provider (ids of different providers do
// not clash in practice), so every catalogue is searched, then the ids
// world.banks lists for providers without a catalogue yet.
func bankOf(w *World, id string) (emulator.Provider, emulator.Bank, bool) {
	cats := catalogues()
	for _, prov := range providers {
		for _, b := range cats[prov] {
			if b.ID == id {
				return prov, b, true
			}
		}
	}
	for _, prov := range providers {
		if _, has := cats[prov]; !has && slices.Contains(w.Banks[prov], id) {
			return prov, emulator.Bank{ID: id}, true
		}
	}
	return "", emulator.Bank{}, false
}

func (p *parser) validatePSUs(w *World, pa path) {
	ibans := map[string]path{}
	for i, u := range w.PSUs {
		up := pa.idx(i)
		if u.Login == "" {
			p.add(up.key("login"), "a login is required")
		} else if strings.TrimSpace(u.Login) != u.Login {
			p.add(up.key("login"), "%q has leading or trailing spaces", u.Login)
		}
		if u.Password == "" {
			p.add(up.key("password"), "a password is required")
		}
		if u.Login != "" && w.GeneratedPSUsPerBank > 0 && generatedLogin.MatchString(u.Login) {
			p.add(up.key("login"), "%q is the shape of a generated PSU's login; choose another or set generated_psus_per_bank to 0", u.Login)
		}
		p.validatePSUProviders(u, up.key("providers"))
		var banks []emulator.Bank
		for j, id := range u.Banks {
			bp := up.key("banks").idx(j)
			if slices.Index(u.Banks, id) < j {
				p.add(bp, "bank %q is listed twice", id)
				continue
			}
			prov, b, ok := bankOf(w, id)
			if !ok {
				p.add(bp, "unknown bank %q (known: %s)", id, strings.Join(allBankIDs(), ", "))
				continue
			}
			if only, restricted := w.Banks[prov]; restricted && !slices.Contains(only, id) {
				p.add(bp, "bank %q is not in world.banks.%s, so this PSU would not exist there", id, prov)
			}
			if !u.For(prov) {
				p.add(bp, "bank %q is a %s bank, but this PSU is for %s only", id, prov, joinAny(u.Providers))
			}
			banks = append(banks, b)
		}
		// Two PSUs with the same login (or decoupled id) at one bank
		// would make login ambiguous: the bank could not tell them apart.
		for j, v := range w.PSUs[:i] {
			if !sharesBank(w, u, v) {
				continue
			}
			if u.Login != "" && u.Login == v.Login {
				p.add(up.key("login"), "login %q is already used at the same bank by psus[%d]", u.Login, j)
			}
			if u.DecoupledID != "" && u.DecoupledID == v.DecoupledID {
				p.add(up.key("decoupled_id"), "decoupled_id %q is already used at the same bank by psus[%d]", u.DecoupledID, j)
			}
		}
		if len(u.Accounts) > maxAccountsPSU {
			p.add(up.key("accounts"), "at most %d accounts per PSU", maxAccountsPSU)
		}
		for j, a := range u.Accounts {
			p.validateAccount(a, up.key("accounts").idx(j), u, banks, ibans)
		}
	}
}

func (p *parser) validateAccount(a Account, pa path, u PSU, banks []emulator.Bank, ibans map[string]path) {
	switch a.Type {
	case "", emulator.AccountCurrent, emulator.AccountSavings, emulator.AccountCard:
	default:
		p.add(pa.key("type"), "%q is not one of %s, %s, %s", a.Type, emulator.AccountCurrent, emulator.AccountSavings, emulator.AccountCard)
	}
	if a.Currency != "" {
		p.currency(pa.key("currency"), a.Currency)
	}
	p.validateCoOwners(a.CoOwners, pa.key("co_owners"))
	if a.IBAN != "" {
		ip := pa.key("iban")
		// A fixed IBAN is world data Sandbank vouches for, so its
		// national check digits must hold too, as generated ones do.
		switch err := iban.ValidNational(a.IBAN); {
		case !ibanRE.MatchString(a.IBAN):
			p.add(ip, "%q: write the IBAN in its electronic form, upper case without spaces", a.IBAN)
		case err != nil:
			p.add(ip, "%q is not a valid IBAN: %v", a.IBAN, err)
		case len(u.Banks) != 1:
			// A fixed IBAN names one account, so the PSU may exist at one
			// bank only; copying it to every bank would give two accounts
			// the same IBAN, and fault rules matching it would hit both.
			p.add(ip, "an account with a fixed IBAN needs its PSU at exactly one bank: set banks: [<bank id>]")
		case len(banks) == 1 && banks[0].Country != "" && banks[0].Country != a.IBAN[:2]:
			p.add(ip, "%s is a %s IBAN but bank %s is in %s", a.IBAN, a.IBAN[:2], banks[0].ID, banks[0].Country)
		}
		if first, dup := ibans[a.IBAN]; dup {
			p.add(ip, "IBAN %s is already used by %s", a.IBAN, first)
		} else {
			ibans[a.IBAN] = pa
		}
	}
	if a.TransactionsPerMonth != nil {
		p.count(pa.key("transactions_per_month"), *a.TransactionsPerMonth, maxPerMonth)
	}
	if a.HistoryDays != nil {
		p.count(pa.key("history_days"), *a.HistoryDays, maxHistoryDays)
	}
	if a.Pending != nil {
		p.count(pa.key("pending"), *a.Pending, maxPending)
	}
	if a.Balance != "" {
		if _, err := parseCents(a.Balance); err != nil {
			p.add(pa.key("balance"), "%v", err)
		}
	}
}

func (p *parser) validateBehaviour(s *Scenario, pa path) {
	b := &s.BehaviourSpec
	logins := map[string]bool{}
	for _, u := range s.World.PSUs {
		logins[u.Login] = true
	}
	knownPSU := func(login string) bool {
		return logins[login] || (s.World.GeneratedPSUsPerBank > 0 && generatedLogin.MatchString(login))
	}
	psus := make([]string, len(b.SCA))
	for i, r := range b.SCA {
		psus[i] = r.PSU
	}
	for i, r := range b.SCA {
		rp := pa.key("sca").idx(i)
		p.rulePSU(rp, "sca", psus, i, knownPSU)
		if !slices.Contains(emulator.SCAOutcomes, r.Outcome) {
			p.add(rp.key("outcome"), "%q is not one of %s", r.Outcome, joinAny(emulator.SCAOutcomes))
		}
	}
	p.validateCommands(b.Commands, pa.key("commands"), knownPSU)
	p.count(pa.key("webhooks").key("receiver_errors"), b.Webhooks.ReceiverErrors, emulator.WebhookMaxAttempts)
	if a := b.Webhooks.Alg; a != "" && a.Validate() != nil {
		p.add(pa.key("webhooks").key("alg"), "%q is not a signing algorithm (RS256 or ES256)", a)
	}
	if o := b.Payments.Outcome; o != "" && !slices.Contains(emulator.PaymentOutcomes, o) {
		p.add(pa.key("payments").key("outcome"), "%q is not one of %s", o, joinAny(emulator.PaymentOutcomes))
	}
	if o := b.Jobs.Outcome; o != "" && !slices.Contains(emulator.JobOutcomes, o) {
		p.add(pa.key("jobs").key("outcome"), "%q is not one of %s", o, joinAny(emulator.JobOutcomes))
	}
	for i, r := range b.Faults {
		rp := pa.key("faults").idx(i)
		if err := faults.Validate(r); err != nil {
			var e *emulator.Error
			if errors.As(err, &e) && e.Field != "" {
				fp := rp
				for _, k := range strings.Split(e.Field, ".") {
					fp = fp.key(k)
				}
				p.add(fp, "%s", e.Message)
			} else {
				p.add(rp, "%v", err)
			}
		}
		m := r.Match
		mp := rp.key("match")
		if m.Bank != "" {
			if m.Provider != "" {
				p.checkBankID(mp.key("bank"), emulator.Provider(m.Provider), m.Bank)
			} else if _, _, ok := bankOf(&s.World, m.Bank); !ok {
				p.add(mp.key("bank"), "unknown bank %q (known: %s)", m.Bank, strings.Join(allBankIDs(), ", "))
			}
		}
		if m.PSU != "" && !knownPSU(m.PSU) {
			p.add(mp.key("psu"), "no PSU of this scenario has login %q", m.PSU)
		}
		// An account is matched by IBAN or by id; ids are generated, so
		// only something shaped like an IBAN can be checked.
		if a := m.Account; len(a) > 4 && ibanRE.MatchString(a) {
			if err := iban.Valid(a); err != nil {
				p.add(mp.key("account"), "%q is not a valid IBAN: %v", a, err)
			}
		}
	}
}

// count checks a volume is within 0..max.
func (p *parser) count(pa path, v, max int) {
	if v < 0 || v > max {
		p.add(pa, "%d is out of range 0..%d", v, max)
	}
}

func (p *parser) currency(pa path, c string) {
	if !currencyRE.MatchString(c) {
		p.add(pa, "%q is not an ISO 4217 currency code (three capital letters, e.g. EUR)", c)
	}
}

// parseCents reads a decimal amount ("1234.56", "-20", "0.5") exactly,
// without going through a float.
func parseCents(s string) (int64, error) {
	if !balanceRE.MatchString(s) {
		return 0, fmt.Errorf("%q is not an amount: write it like 1234.56 or -20.00", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	r.Mul(r, big.NewRat(100, 1))
	return r.Num().Int64(), nil // at most two decimals: the product is whole
}

// estimate approximates how many transactions the world would hold at
// its largest provider, to refuse absurd worlds before generating them.
func estimate(w *World, cats map[emulator.Provider][]emulator.Bank) int {
	volume := func(days, perMonth, pending int) int {
		if days == 0 {
			return pending
		}
		return (days/28+1)*(perMonth+2) + pending
	}
	worst := 0
	for _, prov := range providers {
		cat := cats[prov]
		nBanks := len(cat)
		if ids, ok := w.Banks[prov]; ok {
			nBanks = len(ids)
		}
		total := nBanks * w.GeneratedPSUsPerBank * w.AccountsPerPSU * volume(w.HistoryDays, w.TransactionsPerMonth, w.PendingPerAccount)
		for _, u := range w.PSUs {
			if !u.For(prov) {
				continue
			}
			at := nBanks
			if ids, all := psuBanks(w, u, prov); !all {
				at = len(ids)
			}
			if u.Accounts == nil {
				total += at * w.AccountsPerPSU * volume(w.HistoryDays, w.TransactionsPerMonth, w.PendingPerAccount)
				continue
			}
			for _, a := range u.Accounts {
				total += at * volume(orInt(a.HistoryDays, w.HistoryDays), orInt(a.TransactionsPerMonth, w.TransactionsPerMonth), orInt(a.Pending, w.PendingPerAccount))
			}
		}
		worst = max(worst, total)
	}
	return worst
}

func orInt(p *int, def int) int {
	if p != nil {
		return *p
	}
	return def
}

// sharesBank reports whether two PSUs would both exist at some bank of
// some provider's world: an empty bank list means every bank, an empty
// provider list every provider.
func sharesBank(w *World, u, v PSU) bool {
	for _, prov := range providers {
		if !u.For(prov) || !v.For(prov) {
			continue
		}
		ub, uAll := psuBanks(w, u, prov)
		vb, vAll := psuBanks(w, v, prov)
		switch {
		case uAll && vAll, uAll && len(vb) > 0, vAll && len(ub) > 0:
			return true
		case slices.ContainsFunc(ub, func(id string) bool { return slices.Contains(vb, id) }):
			return true
		}
	}
	return false
}

// psuBanks returns the banks of provider prov a PSU's bank list names, or
// all when the list is empty. It does not look at the PSU's providers.
func psuBanks(w *World, u PSU, prov emulator.Provider) (ids []string, all bool) {
	if len(u.Banks) == 0 {
		return nil, true
	}
	for _, id := range u.Banks {
		if bp, _, ok := bankOf(w, id); ok && bp == prov {
			ids = append(ids, id)
		}
	}
	return ids, false
}

// validatePSUProviders checks a PSU's providers list: known providers,
// each once, and not empty when present (leave it out for every one).
func (p *parser) validatePSUProviders(u PSU, pa path) {
	if u.Providers != nil && len(u.Providers) == 0 {
		p.add(pa, "list at least one provider, or leave providers out for every provider")
	}
	for i, prov := range u.Providers {
		switch {
		case !slices.Contains(providers, prov):
			p.add(pa.idx(i), "unknown provider %q (%s)", prov, joinAny(providers))
		case slices.Index(u.Providers, prov) < i:
			p.add(pa.idx(i), "provider %s is listed twice", prov)
		}
	}
}

func (p *parser) validateCoOwners(names []string, pa path) {
	if len(names) > maxCoOwners {
		p.add(pa, "at most %d co-owners per account", maxCoOwners)
	}
	for i, n := range names {
		switch {
		case !coOwnerRE.MatchString(n):
			p.add(pa.idx(i), "%q: a co-owner is a full name on one line, without surrounding spaces", n)
		case slices.Index(names, n) < i:
			p.add(pa.idx(i), "co-owner %q is listed twice", n)
		}
	}
}

// validateCommands checks the rules that make import commands fail, as
// validateBehaviour checks the SCA rules: known PSUs, nothing after "*",
// one rule per PSU, and a Kontomatik exception name.
func (p *parser) validateCommands(rules []CommandRule, pa path, knownPSU func(string) bool) {
	psus := make([]string, len(rules))
	for i, r := range rules {
		psus[i] = r.PSU
	}
	for i, r := range rules {
		rp := pa.idx(i)
		p.rulePSU(rp, "commands", psus, i, knownPSU)
		switch {
		case r.Exception == "":
			p.add(rp.key("exception"), "an exception name is required (one of %s)", strings.Join(emulator.CommandExceptions, ", "))
		case !slices.Contains(emulator.CommandExceptions, r.Exception):
			p.add(rp.key("exception"), "%q is not a Kontomatik exception (one of %s)", r.Exception, strings.Join(emulator.CommandExceptions, ", "))
		}
		if strings.ContainsAny(r.Message, "\r\n") {
			p.add(rp.key("message"), "the message is one line")
		}
		if r.State != "" && r.State != "error" && r.State != "fatal" {
			p.add(rp.key("state"), "%q is not a state a command ends in (error or fatal)", r.State)
		}
	}
}

// rulePSU checks the psu of rule i of a list whose rules name the PSUs
// psus and are tried in order, the first that matches winning: a login of
// the scenario or "*", nothing after "*", one rule per PSU.
func (p *parser) rulePSU(rp path, list string, psus []string, i int, knownPSU func(string) bool) {
	psu := psus[i]
	switch wildcard := slices.Index(psus[:i], "*"); {
	case psu == "":
		p.add(rp.key("psu"), `a PSU login is required ("*" for every PSU)`)
	case psu != "*" && !knownPSU(psu):
		p.add(rp.key("psu"), "no PSU of this scenario has login %q", psu)
	case wildcard >= 0:
		// "*" matches everyone, so anything after it is dead: almost
		// certainly a mistake.
		p.add(rp.key("psu"), `this rule never applies: %s[%d] ("*") comes first`, list, wildcard)
	case slices.Contains(psus[:i], psu):
		p.add(rp.key("psu"), "PSU %q already has a rule above", psu)
	}
}

func bankIDs(banks []emulator.Bank) []string {
	ids := make([]string, len(banks))
	for i, b := range banks {
		ids[i] = b.ID
	}
	return ids
}

func allBankIDs() []string {
	var ids []string
	for _, prov := range providers {
		ids = append(ids, bankIDs(catalogues()[prov])...)
	}
	return ids
}

// joinAny lists a closed set of values (providers, outcomes, …) for an
// error message.
func joinAny[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
