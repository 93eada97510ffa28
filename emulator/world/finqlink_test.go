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

// TestFinqLinkWorlds: every built-in gives a FinqLink tenant a world,
// byte-identical for one seed, consistent as DESIGN.md §4 asks, with
// Romanian IBANs of the provider's bank, accounts in RON unless the
// scenario names another currency, and each provider's test PSU.
func TestFinqLinkWorlds(t *testing.T) {
	for _, name := range scenarios.BuiltinNames() {
		sc := builtin(t, name)
		a := sameSeedWorld(t, emulator.FinqLink, name, sc, sc.Seed)
		consistent(t, name, sc, a)
		if len(a.Banks) == 0 || len(a.PSUs) == 0 || len(a.Accounts) == 0 {
			t.Fatalf("%s: an empty FinqLink world", name)
		}
		explicit := namedCurrencies(sc)
		bics := map[string]string{}
		for _, bk := range a.Banks {
			bics[bk.ID] = bk.BIC
		}
		for _, acc := range a.Accounts {
			if err := iban.ValidNational(acc.IBAN); err != nil || !strings.HasPrefix(acc.IBAN, "RO") {
				t.Fatalf("%s: %s: %v", name, acc.IBAN, err)
			}
			if acc.IBAN[4:8] != bics[acc.BankID][:4] || acc.BIC != bics[acc.BankID] {
				t.Fatalf("%s: %s (BIC %s) at %s does not carry the bank code of %s", name, acc.IBAN, acc.BIC, acc.BankID, bics[acc.BankID])
			}
			if acc.Currency != "RON" && !explicit[acc.Currency] {
				t.Fatalf("%s: account at %s in %s, want RON", name, acc.BankID, acc.Currency)
			}
		}
		for _, bk := range a.Banks {
			u := testPSU(t, bk.ID)
			i := slices.IndexFunc(a.PSUs, func(p emulator.PSU) bool { return p.BankID == bk.ID && p.Login == u.Login })
			if i < 0 || a.PSUs[i].Password != u.Password || a.PSUs[i].OTP != u.OTP {
				t.Fatalf("%s: %s's test PSU %+v missing or with other credentials", name, bk.ID, u)
			}
			if u.IBAN != "" && !slices.ContainsFunc(a.Accounts, func(acc emulator.Account) bool {
				return acc.IBAN == u.IBAN && acc.PSUID == a.PSUs[i].ID && acc.Currency == "RON"
			}) {
				t.Fatalf("%s: %s's test PSU does not hold %s in RON", name, bk.ID, u.IBAN)
			}
		}
		for _, p := range a.PSUs {
			if p.Login == fixtures.FintectureTestLogin || p.Login == fixtures.KontomatikTestLogin {
				t.Fatalf("%s: another provider's test PSU %s in a FinqLink world", name, p.Login)
			}
		}
	}
}

func testPSU(t *testing.T, providerID string) fixtures.FinqLinkTestPSU {
	t.Helper()
	for _, u := range fixtures.FinqLinkTestPSUs() {
		if u.ProviderID == providerID {
			return u
		}
	}
	t.Fatalf("no test PSU for %s", providerID)
	return fixtures.FinqLinkTestPSU{}
}

// TestFinqLinkDefaultWorld: the default scenario's FinqLink world has the
// four sandbox providers, each with its documented test PSU first and the
// magic logins, and writes Romanian.
func TestFinqLinkDefaultWorld(t *testing.T) {
	w := generate(t, emulator.FinqLink, builtin(t, scenarios.Default), 5)
	var ids []string
	for _, b := range w.Banks {
		ids = append(ids, b.ID)
	}
	if !slices.Equal(ids, []string{"rzb_ro", "bt_ro", "cec_ro", "libra_ro"}) {
		t.Fatalf("banks %v, want FinqLink's four sandbox providers", ids)
	}
	for _, b := range w.Banks {
		here := psusAt(w, b.ID)
		u := testPSU(t, b.ID)
		if here[0].Login != u.Login || here[0].Password != u.Password || here[0].OTP != u.OTP {
			t.Fatalf("%s: first PSU %+v, want the test PSU %+v", b.ID, here[0], u)
		}
		for _, m := range magicLogins {
			i := slices.IndexFunc(here, func(p emulator.PSU) bool { return p.Login == m })
			if i < 0 || here[i].Password != "123456" || here[i].OTP != "123456" {
				t.Fatalf("%s: magic login %s missing or without password and OTP 123456", b.ID, m)
			}
		}
		if !slices.ContainsFunc(here, func(p emulator.PSU) bool { return strings.HasPrefix(p.Login, "user") }) {
			t.Fatalf("%s: no generated PSU", b.ID)
		}
	}
	// The documented accounts are the first of their PSUs', named as a
	// Romanian bank names a current account.
	for _, want := range []struct{ bank, login, iban string }{
		{"rzb_ro", fixtures.FinqLinkRZBPSUID, fixtures.FinqLinkRZBDebtorIBAN},
		{"cec_ro", fixtures.FinqLinkCECUsername, fixtures.FinqLinkCECIBAN},
	} {
		i := slices.IndexFunc(w.Accounts, func(a emulator.Account) bool { return a.BankID == want.bank && psuOf(w, a).Login == want.login })
		if i < 0 || w.Accounts[i].IBAN != want.iban || w.Accounts[i].Name != "Cont curent" || w.Accounts[i].Type != emulator.AccountCurrent {
			t.Fatalf("%s: the test PSU's first account should be %s", want.bank, want.iban)
		}
	}
	if slices.ContainsFunc(w.Accounts, func(a emulator.Account) bool { return a.IBAN == fixtures.FinqLinkRZBCreditorIBAN }) {
		t.Fatal("the documented creditor IBAN is a payee, not an account of the world")
	}
	txs, booked := byAccount(w)
	for _, a := range w.Accounts {
		if psuOf(w, a).Login != "empty" && booked[a.ID] <= 0 {
			t.Fatalf("account %s ends overdrawn at %d", a.ID, booked[a.ID])
		}
	}
	// Romanian people, places and labels.
	for _, p := range w.PSUs {
		if !strings.HasPrefix(p.Phone, "+40 7") || !strings.Contains(p.Address, " nr. ") || strings.ContainsAny(p.Email, "ăâîșțĂÂÎȘȚ") {
			t.Fatalf("PSU %+v does not look Romanian", p)
		}
	}
	bt := slices.IndexFunc(w.Accounts, func(a emulator.Account) bool { return psuOf(w, a).Login == fixtures.FinqLinkBTUsername })
	kinds := map[emulator.TransactionKind]int{}
	for _, x := range txs[w.Accounts[bt].ID] {
		kinds[x.Kind]++
		var prefix string
		switch x.Kind {
		case emulator.KindSalary:
			prefix = "SALARIU "
		case emulator.KindRent:
			prefix = "PLATA CHIRIE"
		case emulator.KindCardPayment:
			prefix = "PLATA LA POS "
		}
		if !strings.HasPrefix(x.Description, prefix) || x.Currency != "RON" {
			t.Fatalf("%s transaction %+v", x.Kind, x)
		}
		if x.CounterpartyIBAN != "" && (!strings.HasPrefix(x.CounterpartyIBAN, "RO") || !slices.Contains(romanian.counterpartyBanks, x.CounterpartyIBAN[4:8])) {
			t.Fatalf("a Romanian bank's counterparty IBAN %s should be at a Romanian bank", x.CounterpartyIBAN)
		}
	}
	if kinds[emulator.KindSalary] < 3 || kinds[emulator.KindRent] < 3 || kinds[emulator.KindCardPayment] < 40 {
		t.Fatalf("bt_ro test PSU's current account: kinds %v", kinds)
	}
	if w.Accounts[bt].Name != "Cont curent" || w.Accounts[bt+1].Name != "Cont de economii" {
		t.Fatalf("account names %q, %q", w.Accounts[bt].Name, w.Accounts[bt+1].Name)
	}
}

// TestFinqLinkWorldScenarios: the built-ins that pick a bank or
// currencies do so for FinqLink too.
func TestFinqLinkWorldScenarios(t *testing.T) {
	w := generate(t, emulator.FinqLink, builtin(t, "multi_currency"), 5)
	for _, login := range []string{fixtures.FinqLinkRZBPSUID, fixtures.FinqLinkBTUsername, fixtures.FinqLinkCECUsername, fixtures.FinqLinkLibraUsername} {
		var got []string
		for _, a := range w.Accounts {
			if psuOf(w, a).Login == login {
				got = append(got, a.Currency)
			}
		}
		if !slices.Equal(got, []string{"RON", "EUR", "USD", "GBP", "CHF"}) {
			t.Fatalf("multi_currency: %s holds %v", login, got)
		}
	}
	w = generate(t, emulator.FinqLink, builtin(t, "large_history"), 5)
	if len(w.Banks) != 1 || w.Banks[0].ID != "rzb_ro" || len(w.Accounts) != 1 || w.Accounts[0].IBAN != fixtures.FinqLinkRZBDebtorIBAN || len(w.Transactions) < 100_000 {
		t.Fatalf("large_history: %d banks, %d accounts, %d transactions", len(w.Banks), len(w.Accounts), len(w.Transactions))
	}
	w = generate(t, emulator.FinqLink, builtin(t, "one_account_failing"), 5)
	var rzb []emulator.Account
	for _, a := range w.Accounts {
		if psuOf(w, a).Login == fixtures.FinqLinkRZBPSUID {
			rzb = append(rzb, a)
		}
	}
	if len(w.Banks) != 2 || len(rzb) != 3 || rzb[2].IBAN != "RO31RZBR0000069999999980" || !slices.Equal(rzb[2].CoOwners, []string{"Ana Constantin"}) {
		t.Fatalf("one_account_failing: %d banks, rzb_ro accounts %+v", len(w.Banks), rzb)
	}
	w = generate(t, emulator.FinqLink, builtin(t, "empty_bank"), 5)
	if len(w.Accounts) != 8 || len(w.Transactions) != 0 {
		t.Fatalf("empty_bank: %d accounts, %d transactions", len(w.Accounts), len(w.Transactions))
	}
	for _, a := range w.Accounts {
		if a.OpeningCents != 0 {
			t.Fatalf("empty_bank: account %s has balance %d", a.ID, a.OpeningCents)
		}
	}
}
