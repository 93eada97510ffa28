package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
)

// TestFirstPSUWithAccounts: an approval made without a login acts for the
// bank's first PSU, in world order, who holds an account at that bank; a
// PSU whose accounts are all elsewhere is passed over, and a bank with no
// such PSU is NotFound.
func TestFirstPSUWithAccounts(t *testing.T) {
	world := func(emulator.Tenant, time.Time) (emulator.World, error) {
		return emulator.World{
			Banks: []emulator.Bank{{ID: "b1", Name: "One", Country: "FR", BIC: "ONEFRPP1"}, {ID: "b2", Name: "Two", Country: "FR", BIC: "TWOFRPP1"}, {ID: "b3", Name: "Three", Country: "FR", BIC: "THRFRPP1"}},
			PSUs: []emulator.PSU{
				{ID: "p0", BankID: "b1", Login: "empty", FullName: "No Account"},
				{ID: "p1", BankID: "b1", Login: "alice", FullName: "Alice"},
				{ID: "p2", BankID: "b2", Login: "bob", FullName: "Bob"},
				{ID: "p3", BankID: "b3", Login: "carol", FullName: "Carol"},
			},
			Accounts: []emulator.Account{
				{ID: "a1", PSUID: "p1", BankID: "b1", IBAN: "FR1420041010050500013M02606", Currency: "EUR", Type: emulator.AccountCurrent},
				{ID: "a2", PSUID: "p1", BankID: "b1", IBAN: "FR7610107001011234567890129", Currency: "EUR", Type: emulator.AccountSavings},
				{ID: "a3", PSUID: "p2", BankID: "b2", IBAN: "FR7630006000011234567890189", Currency: "EUR", Type: emulator.AccountCurrent},
			},
		}, nil
	}
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{
		Path: filepath.Join(t.TempDir(), "p.db"), Clock: emulator.FixedClock{T: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)}, BuildWorld: world,
		Scenario: func(name, src string) (store.ScenarioData, error) {
			return store.ScenarioData{Name: "w", Source: "w", Seed: 1}, nil
		},
		DefaultScenario: "w", DefaultSeed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tn, err := s.EnsureTenant(ctx, emulator.Fintecture, "app")
	if err != nil {
		t.Fatal(err)
	}
	psu, accounts, err := s.FirstPSUWithAccounts(ctx, tn, "b1")
	if err != nil || psu.Login != "alice" || len(accounts) != 2 || accounts[0].ID != "a1" || accounts[1].ID != "a2" {
		t.Fatalf("b1: %+v %+v %v", psu, accounts, err)
	}
	if psu, _, err := s.FirstPSUWithAccounts(ctx, tn, "b2"); err != nil || psu.Login != "bob" {
		t.Fatalf("b2: %+v %v", psu, err)
	}
	if _, _, err := s.FirstPSUWithAccounts(ctx, tn, "b3"); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Fatalf("b3: %v", err)
	}
	if got, err := s.PSUBankAccounts(ctx, tn, "p1", "b2"); err != nil || len(got) != 0 {
		t.Fatalf("p1 at b2: %+v %v", got, err)
	}
}
