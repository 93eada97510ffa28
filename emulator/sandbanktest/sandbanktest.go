// Package sandbanktest starts Sandbank inside a Go test: in-process, on a
// random loopback port, with a throwaway in-memory database, so a test
// suite points its provider clients at Sandbank with no binary to run and
// no state left behind. It returns each contract's base URL and a
// control-plane client to put tenants into any state.
//
//	sb := sandbanktest.Start(t)
//	api := sb.BaseURL("fintecture") // e.g. http://127.0.0.1:41234/fintecture
//	sb.Client.Advance(ctx, key, "90d")
package sandbanktest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/instance"
)

// Options tune an embedded Sandbank. The zero value is a quiet Sandbank on
// the default scenario.
type Options struct {
	// Scenario is the scenario new tenants start from ("default").
	Scenario string
	// ScenariosDir adds a directory of scenario files.
	ScenariosDir string
	// Seed replaces the scenario's seed for new tenants when non-zero.
	Seed int64
	// Clock replaces the wall clock (e.g. an emulator.ManualClock).
	Clock emulator.Clock
	// Log receives Sandbank's logs; nil discards them.
	Log *slog.Logger
	// DB is a SQLite file to keep the state in; "" is in memory.
	DB string
}

// Sandbank is one embedded Sandbank.
type Sandbank struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:41234.
	URL string
	// Client drives the control plane (/_sandbank).
	Client *client.Client
	// Instance is the running Sandbank, for tests that need its store.
	Instance *instance.Instance
	srv      *httptest.Server
}

// New starts a Sandbank; Close stops it.
func New(ctx context.Context, opts Options) (*Sandbank, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.DB == "" {
		opts.DB = ":memory:"
	}
	in, err := instance.New(ctx, instance.Options{
		DB: opts.DB, Clock: opts.Clock, Log: opts.Log, Seed: opts.Seed,
		Scenario: opts.Scenario, ScenariosDir: opts.ScenariosDir, Version: "embedded",
	})
	if err != nil {
		return nil, err
	}
	if err := in.EnsureDemoTenants(ctx); err != nil {
		in.Close()
		return nil, err
	}
	srv := httptest.NewServer(in.Handler)
	return &Sandbank{URL: srv.URL, Client: client.New(srv.URL), Instance: in, srv: srv}, nil
}

// Start starts a Sandbank for one test and stops it when the test ends.
func Start(t testing.TB, opts ...Options) *Sandbank {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	sb, err := New(context.Background(), o)
	if err != nil {
		t.Fatalf("sandbanktest: %v", err)
	}
	t.Cleanup(sb.Close)
	return sb
}

// BaseURL is the base URL of a contract ("fintecture"), as a provider
// client's configuration wants it.
func (s *Sandbank) BaseURL(contract string) string {
	for _, c := range instance.Contracts {
		if c.Name == contract {
			return s.URL + c.Mount
		}
	}
	return s.URL + "/" + strings.Trim(contract, "/")
}

// TenantKey is the control-plane key of a provider's client credential.
func (s *Sandbank) TenantKey(p emulator.Provider, credential string) string {
	return emulator.TenantKey(p, credential)
}

// Close stops the server, lets go of hanging fault rules and closes the
// database.
func (s *Sandbank) Close() {
	s.Instance.Release()
	s.srv.Close()
	s.Instance.Close()
}
