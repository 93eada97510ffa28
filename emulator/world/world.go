// Package world generates a tenant's world (PSUs, accounts, transactions)
// from a scenario and a seed. Every random choice comes from one seeded
// gofakeit generator, walked in a fixed order, so the same scenario, seed
// and anchor day always give the same world, ids included (DESIGN.md §4).
package world

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/iban"
	"github.com/sandbank/sandbank/fixtures"
	"github.com/sandbank/sandbank/scenarios"
)

// Generate builds the world of one tenant over banks, one provider's bank
// catalogue. The provider is the one whose world.banks restriction names
// some of banks (a restriction naming none of them is another provider's),
// else the one whose fixtures catalogue holds them all; GenerateFor says
// the provider outright and should be preferred by callers that know it.
func Generate(sc *scenarios.Scenario, seed int64, banks []emulator.Bank, anchor time.Time) (emulator.World, error) {
	return GenerateFor(sc, providerOf(sc, banks), seed, banks, anchor)
}

func providerOf(sc *scenarios.Scenario, banks []emulator.Bank) emulator.Provider {
	for _, p := range slices.Sorted(maps.Keys(sc.World.Banks)) {
		ids := sc.World.Banks[p]
		if slices.ContainsFunc(banks, func(b emulator.Bank) bool { return slices.Contains(ids, b.ID) }) {
			return p
		}
	}
	if len(banks) == 0 {
		return ""
	}
	for _, p := range emulator.Providers {
		cat, err := fixtures.Banks(p)
		if err == nil && !slices.ContainsFunc(banks, func(b emulator.Bank) bool {
			return !slices.ContainsFunc(cat, func(c emulator.Bank) bool { return c.ID == b.ID })
		}) {
			return p
		}
	}
	return ""
}

// GenerateFor builds the world of one tenant of provider p from the
// provider's bank catalogue. anchor is the tenant's "today" at creation:
// history runs back from it, and pending transactions sit just after it so
// they book as the tenant clock moves on.
//
// The scenario's PSUs kept to other providers are left out. Each bank
// writes in its locale (locale.go): Fintecture's all in French, as they
// always have; Kontomatik's targets in their country's language and
// currency; FinqLink's Romanian providers in Romanian and RON. IBANs
// carry the bank's national code where the fixtures give one
// (fixtures.NationalBankCode), with correct national check digits.
func GenerateFor(sc *scenarios.Scenario, p emulator.Provider, seed int64, catalogue []emulator.Bank, anchor time.Time) (emulator.World, error) {
	if seed == 0 {
		return emulator.World{}, fmt.Errorf("world: seed must be non-zero")
	}
	g := &generator{f: gofakeit.New(uint64(seed)), sc: sc, p: p, anchor: anchor.UTC().Truncate(24 * time.Hour)}
	banks := sc.BanksFor(p, catalogue)
	w := emulator.World{Banks: banks}
	generated := generatedAccounts(sc.World.AccountsPerPSU)
	for _, bank := range banks {
		g.bank, g.loc = bank, localeOf(p, bank)
		g.bankCode = fixtures.NationalBankCode(p, bank.ID)
		for _, spec := range sc.World.PSUs {
			// Skipping draws nothing, so PSUs of other providers and banks
			// do not move this world.
			if !spec.For(p) || (len(spec.Banks) > 0 && !slices.Contains(spec.Banks, bank.ID)) {
				continue
			}
			psu := g.psu(bank, spec.Name)
			psu.Login, psu.Password, psu.OTP, psu.DecoupledID = spec.Login, spec.Password, spec.OTP, spec.DecoupledID
			if psu.OTP == "" {
				psu.OTP = "123456"
			}
			w.PSUs = append(w.PSUs, psu)
			accounts := spec.Accounts
			if accounts == nil {
				accounts = generated
			}
			if err := g.accounts(&w, bank, psu, accounts); err != nil {
				return w, err
			}
		}
		for i := 0; i < sc.World.GeneratedPSUsPerBank; i++ {
			g.generated++
			psu := g.psu(bank, "")
			psu.Login, psu.Password = fmt.Sprintf("user%02d", g.generated), fmt.Sprintf("pass%02d", g.generated)
			w.PSUs = append(w.PSUs, psu)
			if err := g.accounts(&w, bank, psu, generated); err != nil {
				return w, err
			}
		}
	}
	return w, nil
}

type generator struct {
	f         *gofakeit.Faker
	sc        *scenarios.Scenario
	p         emulator.Provider
	anchor    time.Time
	generated int // generated PSUs so far, for their logins

	// The bank being generated: its locale and national bank code.
	bank     emulator.Bank
	loc      *locale
	bankCode string
}

// id draws a 32-hex-digit id, the shape Fintecture uses for customer ids
// and codes (notes/fintecture.md §2.3). It is the hot path of large
// histories, hence hex encoding rather than fmt.
func (g *generator) id() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], g.f.Uint64())
	binary.BigEndian.PutUint64(b[8:], g.f.Uint64())
	return hex.EncodeToString(b[:])
}

// psu draws a PSU of the bank. The draws come in a fixed order (name,
// id, OTP, decoupled id, phone, address) whatever the locale, and a
// locale without people of its own draws as gofakeit always did.
func (g *generator) psu(bank emulator.Bank, name string) emulator.PSU {
	first, last := g.loc.firstName(g), g.loc.lastName(g)
	if name == "" {
		name = first + " " + last
	}
	return emulator.PSU{
		ID:          g.id(),
		BankID:      bank.ID,
		OTP:         fmt.Sprintf("%06d", g.f.IntN(1000000)),
		DecoupledID: fmt.Sprintf("%012d", g.f.Int64()%1_000_000_000_000),
		FullName:    name,
		Email:       g.loc.email(name),
		Phone:       g.loc.phone(g),
		Address:     g.loc.address(g),
	}
}

// volume is how much history one account gets.
type volume struct {
	days     int // booked history back from the anchor; 0: none
	perMonth int // everyday card payments per month
	pending  int // transactions booking after the anchor
}

// generatedAccounts are the accounts of a PSU that lists none: n of
// them, alternating current and savings, the rest as the world says.
func generatedAccounts(n int) []scenarios.Account {
	specs := make([]scenarios.Account, n)
	for i := 1; i < n; i += 2 {
		specs[i].Type = emulator.AccountSavings
	}
	return specs
}

// accounts creates a PSU's accounts as specs spell them out; what a spec
// leaves empty comes from the world.
func (g *generator) accounts(w *emulator.World, bank emulator.Bank, psu emulator.PSU, specs []scenarios.Account) error {
	ws := g.sc.World
	for i, spec := range specs {
		typ := spec.Type
		if typ == "" {
			typ = emulator.AccountCurrent
		}
		currency := spec.Currency
		if currency == "" {
			currency = g.currency(i)
		}
		acct, err := g.account(bank, psu, spec.IBAN, typ, currency, spec.Name)
		if err != nil {
			return err
		}
		acct.CoOwners = slices.Clone(spec.CoOwners)
		v := volume{days: ws.HistoryDays, perMonth: ws.TransactionsPerMonth}
		if typ == emulator.AccountCurrent {
			v.pending = ws.PendingPerAccount
		}
		if spec.HistoryDays != nil {
			v.days = *spec.HistoryDays
		}
		if spec.TransactionsPerMonth != nil {
			v.perMonth = *spec.TransactionsPerMonth
		}
		if spec.Pending != nil {
			v.pending = *spec.Pending
		}
		var target *int64
		if cents, ok := spec.BalanceCents(); ok {
			target = &cents
		}
		g.fill(w, acct, v, target)
	}
	return nil
}

// fill draws the account's history and sets its opening balance so that
// today's booked balance lands on target, or on a plausible random figure
// when target is nil; the balance itself is always derived (DESIGN.md §4).
func (g *generator) fill(w *emulator.World, acct emulator.Account, v volume, target *int64) {
	txs := g.history(acct, v)
	today := emulator.Day(g.anchor)
	var booked int64
	for _, t := range txs {
		if t.Booked(today) {
			booked += t.AmountCents
		}
	}
	var want int64
	switch {
	case target != nil:
		want = *target
	case acct.Type == emulator.AccountCard:
		// A deferred-debit card runs a negative balance until the monthly
		// settlement.
		want = -int64(g.f.IntRange(0, 1500_00))
	default:
		want = int64(g.f.IntRange(300_00, 9_000_00))
		if acct.Type == emulator.AccountSavings {
			want *= 4
		}
	}
	acct.OpeningCents = want - booked
	w.Accounts = append(w.Accounts, acct)
	w.Transactions = append(w.Transactions, txs...)
}

// currency is the currency of a PSU's i-th account when it names none:
// the bank's home currency where its locale has one (a Kontomatik target
// holds accounts in its country's money), else the world's currencies in
// turn.
func (g *generator) currency(i int) string {
	if g.loc.currency != "" {
		return g.loc.currency
	}
	cs := g.sc.World.Currencies
	return cs[i%len(cs)]
}

func (g *generator) account(bank emulator.Bank, psu emulator.PSU, fixedIBAN string, typ emulator.AccountType, currency, name string) (emulator.Account, error) {
	number := fixedIBAN
	if number == "" {
		var err error
		if number, err = iban.GenerateAt(bank.Country, g.bankCode, g.f.IntN); err != nil {
			return emulator.Account{}, fmt.Errorf("world: bank %s: %w", bank.ID, err)
		}
	}
	if name == "" {
		name = g.loc.accountNames[typ]
	}
	return emulator.Account{
		ID:       g.id(),
		PSUID:    psu.ID,
		BankID:   bank.ID,
		IBAN:     number,
		BIC:      bank.BIC,
		Currency: currency,
		Type:     typ,
		Name:     name,
	}, nil
}
