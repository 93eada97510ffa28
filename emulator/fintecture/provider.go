// Package fintecture emulates Fintecture's AIS and Customers APIs on the
// contract of the given OpenAPI documents (specs/fintecture), mounted at
// /fintecture. Handlers map between Fintecture's wire shapes and the
// emulator domain; the store holds the state.
package fintecture

import (
	"crypto"
	"fmt"
	"log/slog"
	"time"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/memo"
	"github.com/sandbank/sandbank/emulator/store"
)

// Timings of Fintecture objects on the tenant clock.
const (
	// AccessTTL is an access token's life (notes §1.2: one hour).
	AccessTTL = time.Hour
	// RefreshTTL is a refresh token's life. Fintecture does not document
	// it; 90 days matches the PSD2 re-authentication period.
	RefreshTTL = 90 * 24 * time.Hour
	// CodeTTL is how long an authorization code can be exchanged.
	CodeTTL = 10 * time.Minute
	// RedirectJourneyTTL is how long a PSU has to finish the bank pages.
	RedirectJourneyTTL = 30 * time.Minute
	// DecoupledTTL is how long a decoupled request waits for the PSU's
	// phone before it turns FAILED.
	DecoupledTTL = 5 * time.Minute
	// VerificationDelay is how long a customer verification stays pending.
	VerificationDelay = 30 * time.Second
)

// The tenant's scenario may shorten or lengthen each of these lives.
func accessTTL(t *emulator.Tenant) time.Duration {
	return emulator.Or(t.Behaviour.AccessTokenTTL, AccessTTL)
}
func refreshTTL(t *emulator.Tenant) time.Duration {
	return emulator.Or(t.Behaviour.RefreshTokenTTL, RefreshTTL)
}
func journeyTTL(t *emulator.Tenant) time.Duration {
	return emulator.Or(t.Behaviour.JourneyTTL, RedirectJourneyTTL)
}
func decoupledTTL(t *emulator.Tenant) time.Duration {
	return emulator.Or(t.Behaviour.DecoupledTTL, DecoupledTTL)
}
func verificationDelay(t *emulator.Tenant) time.Duration {
	return emulator.Or(t.Behaviour.VerificationDelay, VerificationDelay)
}

// Provider serves Fintecture.
type Provider struct {
	store *store.Store
	log   *slog.Logger
	// verified remembers the claims of tokens whose signature checked out.
	verified *memo.Map[string, claims]
	// keys remembers registered public keys parsed from their PEM, so a
	// signed request does not parse its app's key again.
	keys *memo.Map[string, crypto.PublicKey]
}

// New returns the Fintecture provider over a store.
func New(st *store.Store, log *slog.Logger) *Provider {
	return &Provider{store: st, log: log, verified: &memo.Map[string, claims]{Max: 50_000}, keys: &memo.Map[string, crypto.PublicKey]{Max: 10_000}}
}

// SpecContract is the contract of the given documents: AIS v2 and
// Customers v1 as seeded, plus Sandbank's own description of the token
// endpoints they rely on but do not document.
func SpecContract() (*httpapi.Contract, error) {
	return loadContract("fintecture", "/fintecture", "fintecture/ais.yaml", "fintecture/customers.yaml", "fintecture/oauth.yaml")
}

// Mount serves both contracts on r: the spec contract at /fintecture and
// the live one at /live/fintecture, over the same store.
func (p *Provider) Mount(r *mux.Router, opts httpapi.MountOptions) error {
	opts.Errors, opts.Subject = p.writeError, p.subject
	if err := httpapi.MountDialects(r, opts, p.authenticator,
		httpapi.Dialect{Load: SpecContract, Routes: p.specRoutes()},
		httpapi.Dialect{Load: LiveContract, Routes: p.liveRoutes()}); err != nil {
		return fmt.Errorf("fintecture: %w", err)
	}
	return nil
}
