// Package finqlink emulates Finqware's FinqLink v2: payment links and the
// providers catalogue (Pay), AIS consents, accounts, balances,
// transactions and refresh jobs (Data), the hosted WebUI, the OAuth2 token
// endpoint and signed webhooks. Its contract is Sandbank's own document
// (specs/finqlink/finqlink.yaml), written from seed 002 and
// notes/finqlink.md, since Finqware published none.
package finqlink

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/specs"
)

// Prefix is where FinqLink is mounted (DESIGN.md §2).
const Prefix = "/finqlink"

// TokenTTL is an access token's life. Finqware does not publish it
// (notes §1); an hour is the Okta default its example server would give.
const TokenTTL = time.Hour

// KeySet publishes a tenant's webhook signing keys (the webhooks
// dispatcher's keys): exactly two, newest first.
type KeySet interface {
	JWKS(ctx context.Context, t *emulator.Tenant) (jose.JSONWebKeySet, error)
}

// Options configure the provider.
type Options struct {
	Store *store.Store
	Log   *slog.Logger
	Keys  KeySet
}

// Provider serves FinqLink.
type Provider struct {
	store *store.Store
	log   *slog.Logger
	keys  KeySet
}

// New returns the FinqLink provider.
func New(opts Options) *Provider {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Provider{store: opts.Store, log: log, keys: opts.Keys}
}

// Contract is FinqLink's one contract.
func Contract() (*httpapi.Contract, error) {
	d, err := specs.LoadAll("finqlink/finqlink.yaml")
	return &httpapi.Contract{Name: "finqlink", Prefix: Prefix, Docs: d}, err
}

// Mount serves the contract on r, and the path forms the document
// declares once: /v2/test/..., /test/... and the bare /... are rewritten
// onto the /v2 operation (notes §1: "accept both"; seed 002's quick start
// uses /test/consents/create for /v2/ais/consents/create).
func (p *Provider) Mount(r *mux.Router, opts httpapi.MountOptions) error {
	opts.Errors, opts.Auth, opts.Subject = p.writeError, p.authenticate, p.subject
	r.MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool {
		_, ok := canonicalPath(req.URL.Path)
		return ok
	}).Handler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		path, _ := canonicalPath(req.URL.Path)
		req.URL.Path, req.URL.RawPath = path, ""
		r.ServeHTTP(w, req)
	}))
	if err := httpapi.MountDialects(r, opts, nil, httpapi.Dialect{Load: Contract, Routes: p.routes()}); err != nil {
		return fmt.Errorf("finqlink: %w", err)
	}
	return nil
}

// canonicalPath maps one of the other path forms onto the /v2 path the
// document declares; ok is false for a path already canonical (or not
// FinqLink's).
func canonicalPath(path string) (string, bool) {
	rest, found := strings.CutPrefix(path, Prefix+"/")
	if !found {
		return "", false
	}
	switch {
	case strings.HasPrefix(rest, "v2/test/"):
		rest = strings.TrimPrefix(rest, "v2/test/")
	case strings.HasPrefix(rest, "test/"):
		rest = strings.TrimPrefix(rest, "test/")
	case strings.HasPrefix(rest, "links/"), strings.HasPrefix(rest, "providers/"), strings.HasPrefix(rest, "ais/"):
	default:
		return "", false
	}
	if strings.HasPrefix(rest, "consents/") {
		rest = "ais/" + rest
	}
	return Prefix + "/v2/" + rest, true
}

// Brand names FinqLink on its pages.
func (p *Provider) Brand() string { return "FinqLink" }
