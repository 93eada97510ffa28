// Package server assembles Sandbank's HTTP surface: the middleware chain,
// the control plane under /_sandbank, each provider's contract mounts, and
// the bank pages.
package server

import (
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// Provider is anything that mounts a provider's contracts on the router.
type Provider interface {
	Mount(r *mux.Router, opts httpapi.MountOptions) error
}

// Pages is anything that mounts web pages (bank pages, dashboard).
type Pages interface {
	Mount(r *mux.Router)
}

// Config is what the server needs.
type Config struct {
	Log       *slog.Logger
	Clock     emulator.Clock
	Version   string
	PublicURL string
	// ValidateResponses checks every contract response; violations go to
	// OnViolation (logged loudly when nil).
	ValidateResponses bool
	OnViolation       func(r *http.Request, op httpapi.ContractOperation, err error)
	// Contracts names the contracts served, for health and start-up output.
	Contracts []string
	// Faults wraps every contract operation with the fault rules.
	Faults httpapi.FaultWrapper
	// Inner middleware runs inside the access log, around the router (the
	// request journal).
	Inner []Middleware
}

// New builds the root handler.
func New(cfg Config, providers []Provider, pages []Pages) (http.Handler, error) {
	started := cfg.Clock.Now()
	r := mux.NewRouter()
	r.Use(mux.MiddlewareFunc(recoverPanics(cfg.Log)))
	ctl := r.PathPrefix("/_sandbank").Subrouter()
	ctl.Methods(http.MethodGet).Path("/healthz").HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpapi.JSON(w, http.StatusOK, map[string]any{
			"status": "ok", "version": cfg.Version, "uptime": elapsed(cfg.Clock, started).String(), "contracts": cfg.Contracts,
		})
	})
	report := cfg.OnViolation
	if report == nil {
		report = func(r *http.Request, op httpapi.ContractOperation, err error) {
			cfg.Log.Error("RESPONSE VIOLATES CONTRACT", "operation", op.ID, "method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
	opts := httpapi.MountOptions{ValidateResponses: cfg.ValidateResponses, OnViolation: report, Faults: cfg.Faults}
	for _, p := range providers {
		if err := p.Mount(r, opts); err != nil {
			return nil, err
		}
	}
	for _, p := range pages {
		p.Mount(r)
	}
	mws := append([]Middleware{requestIDs(), baseURL(cfg.PublicURL), accessLog(cfg.Log, cfg.Clock)}, cfg.Inner...)
	return chain(r, mws...), nil
}
