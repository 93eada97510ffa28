package world

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/iban"
	"github.com/sandbank/sandbank/fixtures"
	"github.com/sandbank/sandbank/scenarios"
)

var anchor = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func catalogue(t testing.TB, p emulator.Provider) []emulator.Bank {
	t.Helper()
	banks, err := fixtures.Banks(p)
	if err != nil {
		t.Fatal(err)
	}
	return banks
}

func builtin(t testing.TB, name string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func generate(t *testing.T, p emulator.Provider, sc *scenarios.Scenario, seed int64) emulator.World {
	t.Helper()
	w, err := GenerateFor(sc, p, seed, catalogue(t, p), anchor)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func parse(t *testing.T, text string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.ParseBytes("test.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// sameSeedWorld generates a scenario's world of provider p with seed and
// checks a second run gives the same world, byte for byte, that seed+1
// moves the accounts, and that Generate finds p from the catalogue by
// itself; it returns the world.
func sameSeedWorld(t *testing.T, p emulator.Provider, name string, sc *scenarios.Scenario, seed int64) emulator.World {
	t.Helper()
	a, b := generate(t, p, sc, seed), generate(t, p, sc, seed)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !reflect.DeepEqual(a, b) || string(ja) != string(jb) {
		t.Fatalf("%s: the same seed produced two different %s worlds", name, p)
	}
	if reflect.DeepEqual(a.Accounts, generate(t, p, sc, seed+1).Accounts) {
		t.Fatalf("%s: another seed produced the same accounts", name)
	}
	c, err := Generate(sc, seed, catalogue(t, p), anchor)
	if err != nil || !reflect.DeepEqual(a, c) {
		t.Fatalf("%s: Generate does not find %s by itself (%v)", name, p, err)
	}
	return a
}

func TestSameSeedSameWorld(t *testing.T) {
	for _, name := range scenarios.BuiltinNames() {
		sameSeedWorld(t, emulator.Fintecture, name, builtin(t, name), 5)
	}
	if _, err := Generate(&scenarios.Scenario{}, 0, nil, anchor); err == nil {
		t.Fatal("seed 0 (random in gofakeit) must be refused")
	}
}

// TestBuiltinWorldsAreConsistent checks DESIGN.md §4 on every built-in:
// valid IBANs of the bank's country, accounts of PSUs of the same bank,
// unique ids, transactions in the account's currency, newest first,
// inside the history window.
func TestBuiltinWorldsAreConsistent(t *testing.T) {
	for _, name := range scenarios.BuiltinNames() {
		sc := builtin(t, name)
		w := generate(t, emulator.Fintecture, sc, sc.Seed)
		consistent(t, name, sc, w)
		if !slices.ContainsFunc(w.PSUs, func(p emulator.PSU) bool { return p.Login == fixtures.FintectureTestLogin }) {
			t.Fatalf("%s: no documented test PSU", name)
		}
	}
}

func consistent(t *testing.T, name string, sc *scenarios.Scenario, w emulator.World) {
	t.Helper()
	banks := map[string]emulator.Bank{}
	for _, b := range w.Banks {
		banks[b.ID] = b
	}
	psus := map[string]emulator.PSU{}
	logins := map[[2]string]bool{}
	for _, p := range w.PSUs {
		if _, dup := psus[p.ID]; dup {
			t.Fatalf("%s: duplicate PSU id %s", name, p.ID)
		}
		psus[p.ID] = p
		if logins[[2]string{p.BankID, p.Login}] {
			t.Fatalf("%s: two PSUs log in as %s at %s", name, p.Login, p.BankID)
		}
		logins[[2]string{p.BankID, p.Login}] = true
		if _, ok := banks[p.BankID]; !ok {
			t.Fatalf("%s: PSU at bank %s outside the world", name, p.BankID)
		}
	}
	accounts := map[string]emulator.Account{}
	ibans := map[string]bool{}
	for _, a := range w.Accounts {
		if err := iban.Valid(a.IBAN); err != nil {
			t.Fatalf("%s: account %s: %v", name, a.ID, err)
		}
		if ibans[a.IBAN] {
			t.Fatalf("%s: IBAN %s used twice", name, a.IBAN)
		}
		ibans[a.IBAN] = true
		if a.IBAN[:2] != banks[a.BankID].Country {
			t.Fatalf("%s: IBAN %s is not of %s's country %s", name, a.IBAN, a.BankID, banks[a.BankID].Country)
		}
		if psus[a.PSUID].BankID != a.BankID {
			t.Fatalf("%s: account %s belongs to a PSU of another bank", name, a.ID)
		}
		accounts[a.ID] = a
	}
	window := emulator.Day(anchor.AddDate(0, 0, -maxHistory(sc)))
	ids := map[string]bool{}
	last := map[string]string{}
	for _, x := range w.Transactions {
		if ids[x.ID] {
			t.Fatalf("%s: duplicate transaction id %s", name, x.ID)
		}
		ids[x.ID] = true
		a, ok := accounts[x.AccountID]
		if !ok || x.Currency != a.Currency {
			t.Fatalf("%s: transaction %s in %s on account %+v", name, x.ID, x.Currency, a)
		}
		if x.BookingDate < window {
			t.Fatalf("%s: transaction %s before the history window", name, x.BookingDate)
		}
		if prev, ok := last[x.AccountID]; ok && x.BookingDate > prev {
			t.Fatalf("%s: transactions are not newest first: %s after %s", name, x.BookingDate, prev)
		}
		last[x.AccountID] = x.BookingDate
	}
}

func maxHistory(sc *scenarios.Scenario) int {
	days := sc.World.HistoryDays
	for _, p := range sc.World.PSUs {
		for _, a := range p.Accounts {
			if a.HistoryDays != nil {
				days = max(days, *a.HistoryDays)
			}
		}
	}
	return days
}

// byAccount indexes a world's transactions and computes today's booked
// balance of each account.
func byAccount(w emulator.World) (map[string][]emulator.Transaction, map[string]int64) {
	txs := map[string][]emulator.Transaction{}
	booked := map[string]int64{}
	for _, a := range w.Accounts {
		booked[a.ID] = a.OpeningCents
	}
	today := emulator.Day(anchor)
	for _, x := range w.Transactions {
		txs[x.AccountID] = append(txs[x.AccountID], x)
		if x.Booked(today) {
			booked[x.AccountID] += x.AmountCents
		}
	}
	return txs, booked
}

// magicLogins are the default scenario's PSUs whose logins pick an
// outcome, at every bank of every provider.
var magicLogins = []string{"deny", "timeout", "noreturn", "badstate", "nocode", "down", "ratelimit", "slow", "flaky", "empty"}

// psusAt lists the world's PSUs at a bank, in world order.
func psusAt(w emulator.World, bankID string) []emulator.PSU {
	var here []emulator.PSU
	for _, p := range w.PSUs {
		if p.BankID == bankID {
			here = append(here, p)
		}
	}
	return here
}

func TestDefaultWorld(t *testing.T) {
	w := generate(t, emulator.Fintecture, builtin(t, scenarios.Default), 5)
	if len(w.Banks) != 11 {
		t.Fatalf("want the 11 Fintecture sandbox banks, got %d", len(w.Banks))
	}
	txs, booked := byAccount(w)
	for _, b := range w.Banks {
		here := psusAt(w, b.ID)
		// The test PSU comes first: the auto-approving bank logs in the
		// bank's first PSU with an account.
		if len(here) == 0 || here[0].Login != fixtures.FintectureTestLogin {
			t.Fatalf("%s: PSUs %v should start with the test PSU", b.ID, here)
		}
		for _, m := range magicLogins {
			if !slices.ContainsFunc(here, func(p emulator.PSU) bool { return p.Login == m }) {
				t.Fatalf("%s: magic login %s missing", b.ID, m)
			}
		}
	}
	for _, a := range w.Accounts {
		psu := psuOf(w, a)
		n, pending := len(txs[a.ID]), 0
		for _, x := range txs[a.ID] {
			if !x.Booked(emulator.Day(anchor)) {
				pending++
			}
		}
		switch {
		case psu.Login == "empty":
			if n != 0 || booked[a.ID] != 0 {
				t.Fatalf("empty: %d transactions, balance %d", n, booked[a.ID])
			}
		case slices.Contains(magicLogins, psu.Login):
			if n == 0 || n > 15 || pending != 1 {
				t.Fatalf("magic %s: want a small history with one pending, got %d (%d pending)", psu.Login, n, pending)
			}
		case a.Type == emulator.AccountCurrent:
			if pending != 2 || n < 40 {
				t.Fatalf("current account %s: %d transactions, %d pending", a.ID, n, pending)
			}
		}
		if psu.Login != "empty" && booked[a.ID] <= 0 {
			t.Fatalf("account %s ends overdrawn at %d", a.ID, booked[a.ID])
		}
	}
}

func psuOf(w emulator.World, a emulator.Account) emulator.PSU {
	for _, p := range w.PSUs {
		if p.ID == a.PSUID {
			return p
		}
	}
	return emulator.PSU{}
}

func TestLargeHistory(t *testing.T) {
	w := generate(t, emulator.Fintecture, builtin(t, "large_history"), 5)
	if len(w.Banks) != 1 || w.Banks[0].ID != "cmcifrpp" || len(w.PSUs) != 1 || len(w.Accounts) != 1 {
		t.Fatalf("want one bank, one PSU, one account: %d banks, %d PSUs, %d accounts", len(w.Banks), len(w.PSUs), len(w.Accounts))
	}
	if n := len(w.Transactions); n < 100_000 {
		t.Fatalf("large_history: %d transactions, want at least 100,000", n)
	}
	oldest := w.Transactions[len(w.Transactions)-1].BookingDate
	if oldest > emulator.Day(anchor.AddDate(-9, -10, 0)) {
		t.Fatalf("the history should span about ten years; oldest %s", oldest)
	}
}

func TestBanksRestriction(t *testing.T) {
	sc := parse(t, "name: x\nseed: 1\nworld:\n  banks:\n    fintecture: [handse, cmcifrpp]\n    finqlink: [rzb_ro]\n"+
		"  accounts_per_psu: 1\n  generated_psus_per_bank: 2\n  currencies: [EUR]\n")
	w := generate(t, emulator.Fintecture, sc, 3)
	if len(w.Banks) != 2 || w.Banks[0].ID != "cmcifrpp" || w.Banks[1].ID != "handse" {
		t.Fatalf("banks: %+v", w.Banks)
	}
	if len(w.PSUs) != 4 || w.PSUs[0].Login != "user01" || w.PSUs[3].Login != "user04" {
		t.Fatalf("generated PSUs: %+v", w.PSUs)
	}
	// A restriction of another provider leaves this catalogue whole.
	other, err := GenerateFor(sc, emulator.FinqLink, 3, catalogue(t, emulator.Fintecture), anchor)
	if err != nil || len(other.Banks) != 0 {
		t.Fatalf("finqlink ids against the fintecture catalogue: %d banks, %v", len(other.Banks), err)
	}
	sc = parse(t, "name: x\nseed: 1\nworld:\n  banks:\n    finqlink: [rzb_ro]\n  currencies: [EUR]\n")
	if w, _ := Generate(sc, 3, catalogue(t, emulator.Fintecture), anchor); len(w.Banks) != 11 {
		t.Fatalf("a restriction of another provider must not apply: %d banks", len(w.Banks))
	}
}

func TestExplicitAccounts(t *testing.T) {
	sc := builtin(t, "one_account_failing")
	w := generate(t, emulator.Fintecture, sc, 5)
	var cic []emulator.Account
	for _, a := range w.Accounts {
		if a.BankID == "cmcifrpp" && psuOf(w, a).Login == fixtures.FintectureTestLogin {
			cic = append(cic, a)
		}
	}
	if len(cic) != 3 {
		t.Fatalf("the test PSU at CIC should have 3 accounts, has %d", len(cic))
	}
	if cic[0].Name != "Compte courant" || cic[1].Type != emulator.AccountSavings || cic[2].IBAN != "FR7630066100210001095560101" || cic[2].Name != "Compte joint" {
		t.Fatalf("accounts: %+v", cic)
	}
	if len(w.Banks) != 3 {
		t.Fatalf("banks: %d", len(w.Banks))
	}

	sc = parse(t, `name: x
seed: 1
world:
  history_days: 90
  transactions_per_month: 5
  pending_per_account: 1
  accounts_per_psu: 2
  currencies: [EUR, USD]
  psus:
    - login: a
      password: p
      banks: [cmcifrpp]
      accounts:
        - {balance: "1234.56", pending: 3}
        - {type: CARD, currency: GBP, transactions_per_month: 20, history_days: 30}
        - {type: SVGS, name: Épargne, balance: "-0.07"}
    - {login: b, password: p, banks: [cmcifrpp], accounts: []}
    - {login: c, password: p, banks: [cmcifrpp]}
`)
	w = generate(t, emulator.Fintecture, sc, 9)
	consistent(t, "inline", sc, w)
	txs, booked := byAccount(w)
	if len(w.PSUs) != 3 || len(w.Accounts) != 5 {
		t.Fatalf("want 3 PSUs (b without account) and 3+0+2 accounts: %d, %d", len(w.PSUs), len(w.Accounts))
	}
	cur, card, sav := w.Accounts[0], w.Accounts[1], w.Accounts[2]
	if cur.Type != emulator.AccountCurrent || cur.Name != "Compte courant" || cur.Currency != "EUR" || booked[cur.ID] != 123456 {
		t.Fatalf("current account %+v, balance %d", cur, booked[cur.ID])
	}
	if pending := len(txs[cur.ID]) - countBooked(txs[cur.ID]); pending != 3 {
		t.Fatalf("pending override: %d", pending)
	}
	if card.Type != emulator.AccountCard || card.Currency != "GBP" || card.Name != "Carte à débit différé" {
		t.Fatalf("card account %+v", card)
	}
	if n := len(txs[card.ID]); n < 20 || n > 40 || txs[card.ID][n-1].BookingDate < emulator.Day(anchor.AddDate(0, 0, -30)) {
		t.Fatalf("card: %d transactions over 30 days", n)
	}
	for _, x := range txs[card.ID] {
		if x.AmountCents >= 0 {
			t.Fatalf("a card account only pays: %+v", x)
		}
	}
	if sav.Type != emulator.AccountSavings || sav.Name != "Épargne" || booked[sav.ID] != -7 || len(txs[sav.ID]) == 0 {
		t.Fatalf("savings %+v, balance %d, %d transactions", sav, booked[sav.ID], len(txs[sav.ID]))
	}
	// PSU c lists no accounts: the world's two, currencies in turn.
	if w.Accounts[3].Currency != "EUR" || w.Accounts[4].Currency != "USD" || w.Accounts[4].Type != emulator.AccountSavings {
		t.Fatalf("generated accounts: %+v", w.Accounts[3:])
	}
}

func countBooked(txs []emulator.Transaction) int {
	n := 0
	for _, x := range txs {
		if x.Booked(emulator.Day(anchor)) {
			n++
		}
	}
	return n
}

func TestEmptyBank(t *testing.T) {
	w := generate(t, emulator.Fintecture, builtin(t, "empty_bank"), 5)
	if len(w.Accounts) == 0 || len(w.Transactions) != 0 {
		t.Fatalf("empty_bank: %d accounts, %d transactions", len(w.Accounts), len(w.Transactions))
	}
	for _, a := range w.Accounts {
		if a.OpeningCents != 0 {
			t.Fatalf("account %s has balance %d", a.ID, a.OpeningCents)
		}
	}
}

func TestMultiCurrency(t *testing.T) {
	w := generate(t, emulator.Fintecture, builtin(t, "multi_currency"), 5)
	seen := map[string]bool{}
	for _, a := range w.Accounts {
		if psuOf(w, a).Login == fixtures.FintectureTestLogin && a.BankID == "cmcifrpp" {
			seen[a.Currency] = true
		}
	}
	if len(seen) != 4 || !seen["EUR"] || !seen["USD"] || !seen["GBP"] || !seen["CHF"] {
		t.Fatalf("currencies of the test PSU at CIC: %v", seen)
	}
}
