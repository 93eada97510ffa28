package store_test

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
)

// TestKindsCoOwnersAndCommandBehaviour: what a Kontomatik handler reads
// beyond Fintecture's world survives the store: transaction kinds,
// account co-owners, and the import-command behaviour (with FinqLink's
// bank behaviour), across a reopen.
func TestKindsCoOwnersAndCommandBehaviour(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	behaviour := emulator.Behaviour{
		CommandDuration: 7 * time.Second,
		CommandFailures: []emulator.CommandFailure{
			{Login: "test", Exception: "SessionExpired", Message: "Session expired.", After: 2 * time.Second},
			{Login: "*", Exception: "ServiceMaintenance"},
		},
		// FinqLink's knobs ride in the same row.
		WebhookAlg: emulator.ES256, PaymentOutcome: emulator.PaymentFundsRejected,
		JobOutcome: emulator.JobOutcomePartial, ConsentSuspendAfter: time.Hour,
	}
	world := func(emulator.Tenant, time.Time) (emulator.World, error) {
		return emulator.World{
			Banks: []emulator.Bank{{ID: "KontoBank", Name: "KontoBank", Country: "PL", BIC: "KONTPLPW", Model: emulator.SCARedirect}},
			PSUs:  []emulator.PSU{{ID: "p1", BankID: "KontoBank", Login: "test", Password: "Test123", OTP: "123456", FullName: "Maria Sochacka"}},
			Accounts: []emulator.Account{
				{ID: "a1", PSUID: "p1", BankID: "KontoBank", IBAN: "PL69137013140000049678278112", Currency: "PLN", Type: emulator.AccountCurrent, CoOwners: []string{"Tadeusz Krajowy", "Anna Krajowa"}},
				{ID: "a2", PSUID: "p1", BankID: "KontoBank", IBAN: "PL94137013140000049678279020", Currency: "PLN", Type: emulator.AccountSavings},
			},
			Transactions: []emulator.Transaction{
				{ID: "t1", AccountID: "a1", AmountCents: 280000, Currency: "PLN", BookingDate: "2026-03-01", ValueDate: "2026-03-01", Kind: emulator.KindSalary},
				{ID: "t2", AccountID: "a1", AmountCents: -1, Currency: "PLN", BookingDate: "2026-02-28", ValueDate: "2026-02-28"},
			},
		}, nil
	}
	open := func() *store.Store {
		s, err := store.Open(context.Background(), store.Options{
			Path: path, Clock: emulator.FixedClock{T: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)}, BuildWorld: world,
			Scenario: func(name, src string) (store.ScenarioData, error) {
				return store.ScenarioData{Name: "k", Source: "k", Seed: 1, Behaviour: behaviour}, nil
			},
			DefaultScenario: "k", DefaultSeed: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ctx := context.Background()
	s := open()
	if _, err := s.EnsureTenant(ctx, emulator.Kontomatik, "key"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open()
	defer s.Close()
	tn, err := s.Tenant(ctx, emulator.Kontomatik, "key")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tn.Behaviour, behaviour) {
		t.Fatalf("behaviour:\n got  %+v\n want %+v", tn.Behaviour, behaviour)
	}
	accounts, err := s.PSUAccounts(ctx, tn, "p1")
	if err != nil || len(accounts) != 2 {
		t.Fatalf("accounts: %+v %v", accounts, err)
	}
	if !slices.Equal(accounts[0].CoOwners, []string{"Tadeusz Krajowy", "Anna Krajowa"}) || accounts[1].CoOwners != nil {
		t.Fatalf("co-owners: %q / %q", accounts[0].CoOwners, accounts[1].CoOwners)
	}
	txs, err := s.Transactions(ctx, tn, "a1", store.TransactionFilter{})
	if err != nil || len(txs) != 2 || txs[0].Kind != emulator.KindSalary || txs[1].Kind != "" {
		t.Fatalf("kinds: %+v %v", txs, err)
	}
}
