package world

import (
	"reflect"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/iban"
	"github.com/sandbank/sandbank/fixtures"
	"github.com/sandbank/sandbank/scenarios"
)

var anchor = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func generate(t *testing.T, seed int64) emulator.World {
	t.Helper()
	sc, err := scenarios.Builtin(scenarios.Default)
	if err != nil {
		t.Fatal(err)
	}
	banks, err := fixtures.Banks(emulator.Fintecture)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Generate(sc, seed, banks, anchor)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestSameSeedSameWorld(t *testing.T) {
	a, b := generate(t, 5), generate(t, 5)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed produced two different worlds")
	}
	if reflect.DeepEqual(a.Accounts, generate(t, 6).Accounts) {
		t.Fatal("another seed produced the same accounts")
	}
	if _, err := Generate(&scenarios.Scenario{}, 0, nil, anchor); err == nil {
		t.Fatal("seed 0 (random in gofakeit) must be refused")
	}
}

func TestWorldIsConsistent(t *testing.T) {
	w := generate(t, 5)
	if len(w.Banks) != 11 {
		t.Fatalf("want the 11 Fintecture sandbox banks, got %d", len(w.Banks))
	}
	psus := map[string]emulator.PSU{}
	testPSUs := 0
	for _, p := range w.PSUs {
		psus[p.ID] = p
		if p.Login == fixtures.FintectureTestLogin && p.Password == fixtures.FintectureTestPassword {
			testPSUs++
		}
	}
	if testPSUs != len(w.Banks) {
		t.Fatalf("the documented test PSU should exist at every bank: %d of %d", testPSUs, len(w.Banks))
	}
	banks := map[string]emulator.Bank{}
	for _, b := range w.Banks {
		banks[b.ID] = b
	}
	byAccount := map[string][]emulator.Transaction{}
	ids := map[string]bool{}
	for _, x := range w.Transactions {
		byAccount[x.AccountID] = append(byAccount[x.AccountID], x)
		if ids[x.ID] {
			t.Fatalf("duplicate transaction id %s", x.ID)
		}
		ids[x.ID] = true
	}
	today := emulator.Day(anchor)
	window := emulator.Day(anchor.AddDate(0, 0, -120))
	for _, a := range w.Accounts {
		if err := iban.Valid(a.IBAN); err != nil {
			t.Fatalf("account %s: %v", a.ID, err)
		}
		if a.IBAN[:2] != banks[a.BankID].Country {
			t.Fatalf("IBAN %s is not of %s's country %s", a.IBAN, a.BankID, banks[a.BankID].Country)
		}
		if psus[a.PSUID].BankID != a.BankID {
			t.Fatalf("account %s belongs to a PSU of another bank", a.ID)
		}
		booked := a.OpeningCents
		pending := 0
		for _, x := range byAccount[a.ID] {
			if x.Currency != a.Currency {
				t.Fatalf("transaction currency %s on a %s account", x.Currency, a.Currency)
			}
			if x.BookingDate < window {
				t.Fatalf("transaction %s before the history window", x.BookingDate)
			}
			if x.Booked(today) {
				booked += x.AmountCents
			} else {
				pending++
			}
		}
		if booked <= 0 {
			t.Fatalf("account %s ends overdrawn at %d", a.ID, booked)
		}
		if a.Type == emulator.AccountCurrent && (pending != 2 || len(byAccount[a.ID]) < 40) {
			t.Fatalf("current account %s: %d transactions, %d pending", a.ID, len(byAccount[a.ID]), pending)
		}
	}
}
