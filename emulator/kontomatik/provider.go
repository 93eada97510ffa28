// Package kontomatik emulates Kontomatik's AIS: SignIn redirection, the
// KontoBank mock bank, import commands, Multiple Access and the catalogue.
// It serves two contracts over one store: the given document
// (specs/kontomatik/ais.yaml) at /kontomatik/v1 and the real API as
// captured replies show it (specs/kontomatik/live.yaml) at
// /live/kontomatik/v1 (notes/kontomatik.md §9 lists the differences).
package kontomatik

import (
	"crypto/hmac"
	"fmt"
	"log/slog"
	"time"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/specs"
)

// Mounts of the two contracts. The given document's server URL ends in
// /v1 and its paths do not; the live paths all start with /v1 (notes §1).
const (
	SpecPrefix = "/kontomatik/v1"
	LivePrefix = "/live/kontomatik/v1"
)

// Dialects, recorded on a redirection so the user is sent back as the
// contract that started it promised.
const (
	dialectSpec = "spec"
	dialectLive = "live"
)

// Timings on the tenant clock.
const (
	// SessionTTL is how long a signed-in session can start its import.
	// Kontomatik does not publish it; its sessions are short-lived
	// ("Session expired.", notes §5).
	SessionTTL = 30 * time.Minute
	// RedirectionTTL is how long the user has to finish the SignIn pages.
	RedirectionTTL = 15 * time.Minute
	// ConsentTTL is a Multiple Access consent's life (notes §4: 180 days).
	ConsentTTL = 180 * 24 * time.Hour
	// ConsentImports imports are allowed per ConsentWindow (notes §4: 4
	// per 24 h).
	ConsentImports = 4
	ConsentWindow  = 24 * time.Hour
	// ReuseHistory is the history a session reopened on a consent may
	// import (notes §4: the last 90 days).
	ReuseHistory = 90 * 24 * time.Hour
	// CommandQueue and CommandRun are how long an import waits in setup
	// and then runs; a scenario's command_duration replaces CommandRun.
	CommandQueue = time.Second
	CommandRun   = 4 * time.Second
)

// Provider serves Kontomatik.
type Provider struct {
	store *store.Store
	log   *slog.Logger
}

// New returns the Kontomatik provider over a store.
func New(st *store.Store, log *slog.Logger) *Provider {
	return &Provider{store: st, log: log}
}

// SpecContract is the given document.
func SpecContract() (*httpapi.Contract, error) {
	return loadContract("kontomatik", SpecPrefix, "kontomatik/ais.yaml")
}

// LiveContract is the real API as captured replies show it.
func LiveContract() (*httpapi.Contract, error) {
	return loadContract("live/kontomatik", LivePrefix, "kontomatik/live.yaml")
}

func loadContract(name, prefix, doc string) (*httpapi.Contract, error) {
	d, err := specs.LoadAll(doc)
	return &httpapi.Contract{Name: name, Prefix: prefix, Docs: d}, err
}

// Mount serves both contracts on r.
func (p *Provider) Mount(r *mux.Router, opts httpapi.MountOptions) error {
	opts.Errors, opts.Auth, opts.Subject = p.writeError, p.authenticate, p.subject
	if err := httpapi.MountDialects(r, opts, nil,
		httpapi.Dialect{Load: SpecContract, Routes: p.specRoutes()},
		httpapi.Dialect{Load: LiveContract, Routes: p.liveRoutes()}); err != nil {
		return fmt.Errorf("kontomatik: %w", err)
	}
	return nil
}

// Brand names Kontomatik on its SignIn pages.
func (p *Provider) Brand() string { return "Kontomatik" }

// signature is a session id's sessionIdSignature: 64 hex characters, an
// HMAC-SHA256 of the id under the tenant's secret (notes §5: the real
// algorithm is not public; this reproduces its shape). The secret derives
// from the API key and the seed, so a scenario replays to the same
// signatures.
func signature(t *emulator.Tenant, sessionID string) string {
	return t.MAC("sandbank kontomatik session key", sessionID)
}

// signatureMatches compares in constant time.
func signatureMatches(t *emulator.Tenant, sessionID, sig string) bool {
	return hmac.Equal([]byte(signature(t, sessionID)), []byte(sig))
}
