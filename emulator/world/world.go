// Package world generates a tenant's world (PSUs, accounts, transactions)
// from a scenario and a seed. Every random choice comes from one seeded
// gofakeit generator, walked in a fixed order, so the same scenario, seed
// and anchor day always give the same world, ids included (DESIGN.md §4).
package world

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/iban"
	"github.com/sandbank/sandbank/scenarios"
)

// Generate builds the world of one tenant. anchor is the tenant's "today" at
// creation: history runs back from it, and a few pending transactions sit
// just after it so they book as the tenant clock moves on.
func Generate(sc *scenarios.Scenario, seed int64, banks []emulator.Bank, anchor time.Time) (emulator.World, error) {
	if seed == 0 {
		return emulator.World{}, fmt.Errorf("world: seed must be non-zero")
	}
	g := &generator{f: gofakeit.New(uint64(seed)), sc: sc, anchor: anchor.UTC().Truncate(24 * time.Hour)}
	w := emulator.World{Banks: banks}
	for _, bank := range banks {
		for _, p := range sc.World.PSUs {
			if len(p.Banks) > 0 && !slices.Contains(p.Banks, bank.ID) {
				continue
			}
			psu := g.psu(bank, p.Name)
			psu.Login, psu.Password, psu.OTP, psu.DecoupledID = p.Login, p.Password, p.OTP, p.DecoupledID
			if psu.OTP == "" {
				psu.OTP = "123456"
			}
			if err := g.addPSU(&w, bank, psu); err != nil {
				return w, err
			}
		}
		for i := 0; i < sc.World.GeneratedPSUsPerBank; i++ {
			psu := g.psu(bank, "")
			if err := g.addPSU(&w, bank, psu); err != nil {
				return w, err
			}
		}
	}
	return w, nil
}

type generator struct {
	f      *gofakeit.Faker
	sc     *scenarios.Scenario
	anchor time.Time
	n      int // PSU counter, for generated logins
}

// id draws a 32-hex-digit id, the shape Fintecture uses for customer ids
// and codes (notes/fintecture.md §2.3).
func (g *generator) id() string {
	return fmt.Sprintf("%016x%016x", g.f.Uint64(), g.f.Uint64())
}

func (g *generator) psu(bank emulator.Bank, name string) emulator.PSU {
	first, last := g.f.FirstName(), g.f.LastName()
	if name == "" {
		name = first + " " + last
	}
	g.n++
	return emulator.PSU{
		ID:          g.id(),
		BankID:      bank.ID,
		Login:       fmt.Sprintf("user%02d", g.n),
		Password:    fmt.Sprintf("pass%02d", g.n),
		OTP:         fmt.Sprintf("%06d", g.f.IntN(1000000)),
		DecoupledID: fmt.Sprintf("%012d", g.f.Int64()%1_000_000_000_000),
		FullName:    name,
		Email:       strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com",
		Phone:       fmt.Sprintf("+33 6 %02d %02d %02d %02d", g.f.IntN(100), g.f.IntN(100), g.f.IntN(100), g.f.IntN(100)),
		Address:     fmt.Sprintf("%s, %s %s", g.f.Street(), g.f.Zip(), g.f.City()),
	}
}

func (g *generator) addPSU(w *emulator.World, bank emulator.Bank, psu emulator.PSU) error {
	w.PSUs = append(w.PSUs, psu)
	for i := 0; i < g.sc.World.AccountsPerPSU; i++ {
		acct, err := g.account(bank, psu, i)
		if err != nil {
			return err
		}
		txs := g.history(acct, i)
		var booked int64
		for _, t := range txs {
			if t.Booked(emulator.Day(g.anchor)) {
				booked += t.AmountCents
			}
		}
		// Choose the opening balance so today's booked balance lands on a
		// plausible positive figure; the balance is then always derived.
		target := int64(g.f.IntRange(300_00, 9_000_00))
		if acct.Type == emulator.AccountSavings {
			target *= 4
		}
		acct.OpeningCents = target - booked
		w.Accounts = append(w.Accounts, acct)
		w.Transactions = append(w.Transactions, txs...)
	}
	return nil
}

func (g *generator) account(bank emulator.Bank, psu emulator.PSU, i int) (emulator.Account, error) {
	number, err := iban.Generate(bank.Country, g.f.IntN)
	if err != nil {
		return emulator.Account{}, fmt.Errorf("world: bank %s: %w", bank.ID, err)
	}
	currencies := g.sc.World.Currencies
	a := emulator.Account{
		ID:       g.id(),
		PSUID:    psu.ID,
		BankID:   bank.ID,
		IBAN:     number,
		BIC:      bank.BIC,
		Currency: currencies[i%len(currencies)],
		Type:     emulator.AccountCurrent,
		Name:     "Compte courant",
	}
	if i%2 == 1 {
		a.Type, a.Name = emulator.AccountSavings, "Livret épargne"
	}
	return a, nil
}

var merchants = []string{
	"Carrefour Market", "Monoprix", "SNCF Connect", "Amazon EU", "Boulangerie Paul",
	"Fnac", "Uber BV", "Spotify AB", "Total Energies", "Pharmacie du Centre",
	"Decathlon", "Leroy Merlin", "Orange SA", "EDF", "Free Mobile",
}

// history draws the account's transactions: a monthly salary and rent on
// current accounts, a monthly saving and yearly interest on savings, and
// everyday card spending in between, all inside the scenario's window.
func (g *generator) history(a emulator.Account, idx int) []emulator.Transaction {
	days := g.sc.World.HistoryDays
	start := g.anchor.AddDate(0, 0, -days)
	var txs []emulator.Transaction
	add := func(day time.Time, cents int64, desc, party string) {
		counterIBAN := ""
		if party != "" && g.f.IntN(2) == 0 {
			counterIBAN, _ = iban.Generate("FR", g.f.IntN)
		}
		txs = append(txs, emulator.Transaction{
			ID: g.id(), AccountID: a.ID, AmountCents: cents, Currency: a.Currency,
			BookingDate: emulator.Day(day), ValueDate: emulator.Day(day.AddDate(0, 0, -g.f.IntN(2))),
			Description: desc, CounterpartyName: party, CounterpartyIBAN: counterIBAN,
		})
	}
	employer := g.f.Company()
	for m := start; !m.After(g.anchor); m = m.AddDate(0, 1, 0) {
		if a.Type == emulator.AccountSavings {
			add(m.AddDate(0, 0, 2), int64(g.f.IntRange(50, 400))*100, "Virement épargne", "")
			continue
		}
		add(m, int64(g.f.IntRange(1800_00, 4200_00)), "SALAIRE "+strings.ToUpper(employer), employer)
		add(m.AddDate(0, 0, 3), -int64(g.f.IntRange(550_00, 1300_00)), "PRLV LOYER", "SCI "+g.f.LastName())
		perMonth := g.sc.World.TransactionsPerMonth
		for i := 0; i < perMonth; i++ {
			day := m.AddDate(0, 0, g.f.IntN(28))
			shop := merchants[g.f.IntN(len(merchants))]
			add(day, -int64(g.f.IntRange(3_00, 180_00)), "CB "+strings.ToUpper(shop), shop)
		}
	}
	// Keep only the window [start, anchor]; then add pending ones.
	kept := txs[:0]
	for _, t := range txs {
		if t.BookingDate >= emulator.Day(start) && t.BookingDate <= emulator.Day(g.anchor) {
			kept = append(kept, t)
		}
	}
	txs = kept
	for i := 0; i < g.sc.World.PendingPerAccount && a.Type == emulator.AccountCurrent; i++ {
		shop := merchants[g.f.IntN(len(merchants))]
		add(g.anchor.AddDate(0, 0, 1+i), -int64(g.f.IntRange(5_00, 90_00)), "CB "+strings.ToUpper(shop), shop)
	}
	sort.SliceStable(txs, func(i, j int) bool { return txs[i].BookingDate > txs[j].BookingDate })
	return txs
}
