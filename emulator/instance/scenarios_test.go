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

// TestKontomatikTenantWorld: a Kontomatik tenant gets a world from the
// default scenario, the same one for the same seed, with KontoBank's test
// login and the captured sample account.
func TestKontomatikTenantWorld(t *testing.T) {
	ctx := context.Background()
	in, err := New(ctx, Options{DB: ":memory:", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var worlds []client.World
	for _, key := range []string{"key-a", "key-b"} {
		tn, err := in.Control.CreateTenant(ctx, client.NewTenant{Provider: string(emulator.Kontomatik), Credential: key, Seed: 42})
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
		t.Fatal("two Kontomatik tenants with one scenario and seed have different worlds")
	}
	w := worlds[0]
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
