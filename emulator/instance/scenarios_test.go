package instance

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/fixtures"
)

// sameSeedTenantWorld starts an instance and creates two tenants of
// provider p from the default scenario with seed 42, with credentials a
// and b; it checks they get the same world and returns the instance and
// that world.
func sameSeedTenantWorld(t *testing.T, p emulator.Provider, a, b string) (*Instance, client.World) {
	t.Helper()
	ctx := context.Background()
	in, err := New(ctx, Options{DB: ":memory:", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	var worlds []client.World
	for _, c := range []string{a, b} {
		tn, err := in.Control.CreateTenant(ctx, client.NewTenant{Provider: string(p), Credential: c, Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		w, err := in.Control.World(ctx, tn.Key)
		if err != nil {
			t.Fatal(err)
		}
		worlds = append(worlds, w)
	}
	if !reflect.DeepEqual(worlds[0], worlds[1]) {
		t.Fatalf("two %s tenants with one scenario and seed have different worlds", p)
	}
	return in, worlds[0]
}

// TestKontomatikTenantWorld: a Kontomatik tenant gets a world from the
// default scenario, the same one for the same seed, with KontoBank's test
// login and the captured sample account.
func TestKontomatikTenantWorld(t *testing.T) {
	_, w := sameSeedTenantWorld(t, emulator.Kontomatik, "key-a", "key-b")
	var psu client.PSU
	for _, p := range w.PSUs {
		if p.Bank == "KontoBank" && p.Login == fixtures.KontomatikTestLogin {
			psu = p
		}
	}
	if psu.Password != fixtures.KontomatikTestPassword || psu.Name != fixtures.KontoBankSampleOwner {
		t.Fatalf("KontoBank's test PSU: %+v", psu)
	}
	for _, a := range w.Accounts {
		if a.IBAN == fixtures.KontoBankSampleIBAN {
			if a.PSU != psu.ID || a.Currency != "PLN" || a.Transactions == 0 {
				t.Fatalf("sample account %+v", a)
			}
			return
		}
	}
	t.Fatalf("no account %s", fixtures.KontoBankSampleIBAN)
}

// TestFinqLinkTenantWorld: a FinqLink tenant gets a world from the default
// scenario, the same one for the same seed: FinqLink's four sandbox
// providers, each with its documented test PSU and credentials
// (notes/finqlink.md §6), the documented IBANs, and RON accounts. Every
// other built-in gives a FinqLink tenant a world too.
func TestFinqLinkTenantWorld(t *testing.T) {
	in, w := sameSeedTenantWorld(t, emulator.FinqLink, "client-a", "client-b")
	ctx := context.Background()
	var banks []string
	for _, b := range w.Banks {
		banks = append(banks, b.ID)
	}
	if !reflect.DeepEqual(banks, []string{"rzb_ro", "bt_ro", "cec_ro", "libra_ro"}) {
		t.Fatalf("banks %v", banks)
	}
	for _, u := range fixtures.FinqLinkTestPSUs() {
		var psu client.PSU
		for _, p := range w.PSUs {
			if p.Bank == u.ProviderID && p.Login == u.Login {
				psu = p
			}
		}
		if psu.ID == "" || psu.Password != u.Password || psu.OTP != u.OTP {
			t.Fatalf("%s: test PSU %+v, want %+v", u.ProviderID, psu, u)
		}
		held := false
		for _, a := range w.Accounts {
			if a.PSU == psu.ID {
				held = held || a.IBAN == u.IBAN
				if a.Currency != "RON" || a.Transactions == 0 || a.IBAN[:2] != "RO" {
					t.Fatalf("%s: account %+v", u.ProviderID, a)
				}
			}
		}
		if u.IBAN != "" && !held {
			t.Fatalf("%s: the test PSU does not hold %s", u.ProviderID, u.IBAN)
		}
	}
	for _, name := range []string{"bank_down", "empty_bank", "multi_currency", "one_account_failing"} {
		tn, err := in.Control.CreateTenant(ctx, client.NewTenant{Provider: string(emulator.FinqLink), Credential: "client-" + name, Scenario: name})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if w, err := in.Control.World(ctx, tn.Key); err != nil || len(w.Accounts) == 0 {
			t.Fatalf("%s: %d accounts, %v", name, len(w.Accounts), err)
		}
	}
}
