package world

import (
	"slices"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/iban"
	"github.com/sandbank/sandbank/fixtures"
	"github.com/sandbank/sandbank/scenarios"
)

// homeCurrency is the currency of a Kontomatik target's country.
var homeCurrency = map[string]string{"PL": "PLN", "CZ": "CZK", "RO": "RON", "ES": "EUR", "PT": "EUR", "LT": "EUR", "LV": "EUR", "EE": "EUR"}

// namedCurrencies are the currencies a scenario's accounts name.
func namedCurrencies(sc *scenarios.Scenario) map[string]bool {
	out := map[string]bool{}
	for _, u := range sc.World.PSUs {
		for _, acc := range u.Accounts {
			if acc.Currency != "" {
				out[acc.Currency] = true
			}
		}
	}
	return out
}

// TestKontomatikWorlds: every built-in gives a Kontomatik tenant a world,
// byte-identical for one seed, consistent as DESIGN.md §4 asks, with
// IBANs that pass the national checks and name the target's bank.
func TestKontomatikWorlds(t *testing.T) {
	codes := map[string]string{}
	targets, err := fixtures.KontomatikTargets()
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		codes[tg.Name] = tg.NationalBankCode
	}
	for _, name := range scenarios.BuiltinNames() {
		sc := builtin(t, name)
		a := sameSeedWorld(t, emulator.Kontomatik, name, sc, sc.Seed)
		consistent(t, name, sc, a)
		if len(a.PSUs) == 0 || len(a.Accounts) == 0 {
			t.Fatalf("%s: an empty Kontomatik world", name)
		}
		banks := map[string]emulator.Bank{}
		for _, bk := range a.Banks {
			banks[bk.ID] = bk
		}
		explicit := namedCurrencies(sc)
		for _, acc := range a.Accounts {
			if err := iban.ValidNational(acc.IBAN); err != nil {
				t.Fatalf("%s: %s: %v", name, acc.IBAN, err)
			}
			if code := codes[acc.BankID]; !strings.HasPrefix(acc.IBAN[4:], code) {
				t.Fatalf("%s: %s at %s does not carry the bank code %s", name, acc.IBAN, acc.BankID, code)
			}
			if home := homeCurrency[banks[acc.BankID].Country]; acc.Currency != home && !explicit[acc.Currency] {
				t.Fatalf("%s: account at %s in %s, want %s", name, acc.BankID, acc.Currency, home)
			}
		}
		for _, p := range a.PSUs {
			if p.Login == fixtures.FintectureTestLogin {
				t.Fatalf("%s: Fintecture's sandbox PSU in a Kontomatik world", name)
			}
		}
		for _, x := range a.Transactions {
			if x.Kind == "" {
				t.Fatalf("%s: transaction %s has no kind", name, x.ID)
			}
		}
	}
}

// TestKontoBankTestPSU: KontoBank's documented login works at every
// KontoBank target, and at KontoBank it holds the captured sample account.
func TestKontoBankTestPSU(t *testing.T) {
	w := generate(t, emulator.Kontomatik, builtin(t, scenarios.Default), 5)
	kontoBanks := 0
	for _, b := range w.Banks {
		here := psusAt(w, b.ID)
		// Magic logins are at every target, with KontoBank's password.
		for _, m := range magicLogins {
			i := slices.IndexFunc(here, func(p emulator.PSU) bool { return p.Login == m })
			if i < 0 || here[i].Password != fixtures.KontomatikTestPassword {
				t.Fatalf("%s: magic login %s missing or without password Test123", b.ID, m)
			}
		}
		if b.Name != "KontoBank" {
			if slices.ContainsFunc(here, func(p emulator.PSU) bool { return p.Login == fixtures.KontomatikTestLogin }) {
				t.Fatalf("%s: KontoBank's test login at a real bank", b.ID)
			}
			continue
		}
		kontoBanks++
		// The test PSU comes first at every KontoBank target.
		if here[0].Login != fixtures.KontomatikTestLogin || here[0].Password != fixtures.KontomatikTestPassword || here[0].FullName != fixtures.KontoBankSampleOwner {
			t.Fatalf("%s: first PSU %+v, want KontoBank's test login", b.ID, here[0])
		}
	}
	if kontoBanks != 14 {
		t.Fatalf("the test PSU should be at the 14 KontoBank targets, found %d", kontoBanks)
	}
	var sample emulator.Account
	for _, a := range w.Accounts {
		if a.IBAN == fixtures.KontoBankSampleIBAN {
			sample = a
		}
	}
	if sample.BankID != "KontoBank" || sample.Currency != "PLN" || !slices.Equal(sample.CoOwners, []string{fixtures.KontoBankSampleCoOwner}) ||
		sample.Name != "Konto osobiste" || psuOf(w, sample).Login != fixtures.KontomatikTestLogin {
		t.Fatalf("sample account %+v", sample)
	}
	txs, booked := byAccount(w)
	kinds := map[emulator.TransactionKind]int{}
	for _, x := range txs[sample.ID] {
		kinds[x.Kind]++
		switch x.Kind {
		case emulator.KindSalary:
			if x.AmountCents <= 0 || !strings.HasPrefix(x.Description, "WYNAGRODZENIE ") {
				t.Fatalf("salary %+v", x)
			}
		case emulator.KindRent, emulator.KindCardPayment:
			if x.AmountCents >= 0 {
				t.Fatalf("%s %+v", x.Kind, x)
			}
		}
		if x.CounterpartyIBAN != "" && !strings.HasPrefix(x.CounterpartyIBAN, "PL") {
			t.Fatalf("a Polish bank's counterparty IBAN %s", x.CounterpartyIBAN)
		}
	}
	if kinds[emulator.KindSalary] < 3 || kinds[emulator.KindRent] < 3 || kinds[emulator.KindCardPayment] < 40 || booked[sample.ID] <= 0 {
		t.Fatalf("sample account history: kinds %v, balance %d", kinds, booked[sample.ID])
	}
}

// TestProvidersKeepWorldsApart: a PSU kept to one provider is absent from
// the other's world, and Fintecture's worlds hold none of Kontomatik's
// PSUs.
func TestProvidersKeepWorldsApart(t *testing.T) {
	w := generate(t, emulator.Fintecture, builtin(t, scenarios.Default), 5)
	for _, p := range w.PSUs {
		if p.Login == fixtures.KontomatikTestLogin || p.Password == fixtures.KontomatikTestPassword {
			t.Fatalf("Kontomatik's PSU %s in a Fintecture world", p.Login)
		}
	}
	for _, x := range w.Transactions {
		if x.Kind == "" {
			t.Fatalf("Fintecture transaction %s has no kind", x.ID)
		}
	}
	sc := parse(t, "name: x\nseed: 1\nworld:\n  accounts_per_psu: 1\n  currencies: [EUR]\n  psus:\n"+
		"    - {login: k, password: p, providers: [kontomatik], banks: [KontoBank_cz]}\n    - {login: f, password: p, providers: [fintecture]}\n")
	kw := generate(t, emulator.Kontomatik, sc, 3)
	if len(kw.PSUs) != 1 || kw.PSUs[0].Login != "k" || kw.Accounts[0].Currency != "CZK" || kw.Accounts[0].IBAN[4:8] != "9977" {
		t.Fatalf("Kontomatik world: %+v %+v", kw.PSUs, kw.Accounts)
	}
	if kw.Accounts[0].Name != "Běžný účet" || !strings.HasPrefix(kw.PSUs[0].Phone, "+420 ") {
		t.Fatalf("a Czech target writes Czech: %q, %q", kw.Accounts[0].Name, kw.PSUs[0].Phone)
	}
	fw := generate(t, emulator.Fintecture, sc, 3)
	if len(fw.PSUs) != 11 || fw.PSUs[0].Login != "f" {
		t.Fatalf("Fintecture world: %d PSUs", len(fw.PSUs))
	}
}
