package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
)

func open(t *testing.T, path string) *store.Store {
	t.Helper()
	world := func(emulator.Tenant, time.Time) (emulator.World, error) {
		return emulator.World{
			Banks:    []emulator.Bank{{ID: "bnk", Name: "Bank", Country: "FR", Model: emulator.SCARedirect}},
			PSUs:     []emulator.PSU{{ID: "p1", BankID: "bnk", Login: "u", Password: "p", OTP: "1", FullName: "U"}},
			Accounts: []emulator.Account{{ID: "a1", PSUID: "p1", BankID: "bnk", IBAN: "FR1420041010050500013M02606", Currency: "EUR", Type: emulator.AccountCurrent, OpeningCents: 1000}},
			Transactions: []emulator.Transaction{
				{ID: "t1", AccountID: "a1", AmountCents: -250, Currency: "EUR", BookingDate: "2026-03-01", ValueDate: "2026-03-01"},
				{ID: "t2", AccountID: "a1", AmountCents: -100, Currency: "EUR", BookingDate: "2026-03-05", ValueDate: "2026-03-05"},
			},
		}, nil
	}
	s, err := store.Open(context.Background(), store.Options{Path: path, Clock: emulator.FixedClock{T: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)}, BuildWorld: world, DefaultScenario: "test", DefaultSeed: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConcurrentWritersNeverSeeBusy hammers one database from many
// goroutines, mixing tenant creation, writes and reads: none may fail.
func TestConcurrentWritersNeverSeeBusy(t *testing.T) {
	for _, path := range []string{filepath.Join(t.TempDir(), "c.db"), ":memory:"} {
		s := open(t, path)
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 64*20)
		for g := 0; g < 64; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				tn, err := s.EnsureTenant(ctx, emulator.Fintecture, fmt.Sprint("app-", g%8))
				if err != nil {
					errs <- err
					return
				}
				for i := 0; i < 20; i++ {
					if _, err := s.CreateCustomer(ctx, tn, emulator.Customer{FirstName: "A", LastName: "B", Email: "a@b.c"}); err != nil {
						errs <- err
					}
					if _, err := s.Customers(ctx, tn, 1, 5, ""); err != nil {
						errs <- err
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("%s: %v", path, err)
		}
		tn, _ := s.Tenant(ctx, emulator.Fintecture, "app-0")
		page, err := s.Customers(ctx, tn, 1, 1, "")
		if err != nil || page.Total != 8*20 {
			t.Fatalf("%s: want 160 customers for app-0, got %d (%v)", path, page.Total, err)
		}
	}
}

func TestBalancesDeriveFromBookedTransactions(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "b.db"))
	ctx := context.Background()
	tn, err := s.EnsureTenant(ctx, emulator.Fintecture, "app")
	if err != nil {
		t.Fatal(err)
	}
	a := emulator.Account{ID: "a1", OpeningCents: 1000}
	b, err := s.Balances(ctx, tn, a)
	if err != nil {
		t.Fatal(err)
	}
	if b.BookedCents != 750 || b.ExpectedCents != 650 {
		t.Fatalf("want booked 750 (t2 pending until 03-05), expected 650; got %+v", b)
	}
}

func TestFailedTransactionChangesNothing(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "f.db"))
	ctx := context.Background()
	tn, _ := s.EnsureTenant(ctx, emulator.Fintecture, "app")
	// A bank account for an unknown customer fails and stores nothing,
	// not even the id sequence step taken inside the transaction.
	if _, err := s.AddCustomerBankAccount(ctx, tn, emulator.CustomerBankAccount{CustomerID: "nope", IBAN: "x"}); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Fatalf("want not found, got %v", err)
	}
	c1, _ := s.CreateCustomer(ctx, tn, emulator.Customer{FirstName: "A"})
	s2 := open(t, filepath.Join(t.TempDir(), "g.db"))
	tn2, _ := s2.EnsureTenant(ctx, emulator.Fintecture, "app")
	c2, _ := s2.CreateCustomer(ctx, tn2, emulator.Customer{FirstName: "A"})
	if c1.ID != c2.ID {
		t.Fatalf("the failed write consumed an id: %s vs %s", c1.ID, c2.ID)
	}
}
