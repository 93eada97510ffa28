// Package bank serves the fake banks' SCA pages (DESIGN.md §5): the
// provider's hosted bank list, then the bank's login, one-time code and
// consent pages, the "phone" page of decoupled SCA, and the auto-approving
// bank that answers with plain redirects. The pages are provider-neutral: a
// provider only says what it is called and where the browser goes back to,
// through a Finisher, and optionally which banks it offers (BankChooser)
// and how the pages word a journey (Wording).
package bank

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/web"
)

// Finisher is what a provider tells the pages: its display name and where
// the browser goes when a journey ends.
type Finisher interface {
	// Brand is the provider's display name (e.g. "Fintecture"), shown on
	// the hosted bank-selection page and on the consent pages.
	Brand() string
	// ReturnURL is where the PSU's browser is sent when a redirect journey
	// ends, approved or failed. The session carries Status, Failure,
	// ConnectionID, Code, State, RedirectURI and BankID.
	ReturnURL(t *emulator.Tenant, s emulator.SCASession) (string, error)
}

// BankChooser is an optional part of a Finisher whose hosted bank list
// depends on the journey: Kontomatik's SignIn page offers the banks of the
// country the client asked for, and only PSD2 targets for Multiple Access.
// It returns the banks offered, in order, with the names to show; every
// other field stays as stored, since selectBank acts on the bank offered.
type BankChooser interface {
	ChooseBanks(ctx context.Context, t *emulator.Tenant, s emulator.SCASession, all []emulator.Bank) ([]emulator.Bank, error)
}

// Options configure the pages.
type Options struct {
	Store *store.Store
	// Log receives server-side failures; nil discards them.
	Log *slog.Logger
	// Finishers has one entry per provider whose journeys the pages serve.
	Finishers map[emulator.Provider]Finisher
	// CodeTTL is how long the authorization code created on approval is
	// valid.
	CodeTTL time.Duration
}

// Pages serves the journey pages of SCA sessions kept in the store.
type Pages struct {
	store     *store.Store
	log       *slog.Logger
	finishers map[emulator.Provider]Finisher
	codeTTL   time.Duration
	tmpl      *template.Template
}

// New parses the templates and checks the options.
func New(opts Options) (*Pages, error) {
	if opts.Store == nil {
		return nil, errors.New("bank: a store is required")
	}
	if opts.CodeTTL <= 0 {
		// A zero TTL would hand out codes that are already expired.
		return nil, errors.New("bank: CodeTTL must be positive")
	}
	tmpl, err := web.Templates()
	if err != nil {
		return nil, fmt.Errorf("bank: templates: %w", err)
	}
	// Every page the handlers execute must exist, so a missing one stops
	// start-up instead of failing a request.
	for _, name := range []string{"select_bank.html", "login.html", "otp.html", "consent.html", "phone.html", "done.html", "error.html"} {
		if tmpl.Lookup(name) == nil {
			return nil, fmt.Errorf("bank: template %s is missing", name)
		}
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pages{
		store: opts.Store,
		log:   log,
		// A copy, so a caller changing its map later cannot race the
		// handlers.
		finishers: maps.Clone(opts.Finishers),
		codeTTL:   opts.CodeTTL,
		tmpl:      tmpl,
	}, nil
}

// Mount registers the pages' routes on r.
func (p *Pages) Mount(r *mux.Router) {
	r.PathPrefix("/bank/static/").Handler(web.StaticHandler("/bank/static/")).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/bank/{key}/sca/{id}", p.adapt(p.showJourney)).Methods(http.MethodGet)
	r.Handle("/bank/{key}/sca/{id}", p.adapt(p.postJourney)).Methods(http.MethodPost)
	// GET only: HEAD must not approve anything.
	r.Handle("/bank/{key}/sca/{id}/auto", p.adapt(p.auto)).Methods(http.MethodGet)
	r.Handle("/bank/{key}/phone/{id}", p.adapt(p.showPhone)).Methods(http.MethodGet)
	r.Handle("/bank/{key}/phone/{id}", p.adapt(p.postPhone)).Methods(http.MethodPost)
}

// JourneyURL is the page a provider sends the PSU's browser to for a
// session. base is Sandbank's public origin, such as "http://localhost:8080".
func JourneyURL(base string, t *emulator.Tenant, sessionID string) string {
	return strings.TrimSuffix(base, "/") + journeyPath(t, sessionID)
}

// PhoneURL is the decoupled-SCA "phone" page of a session: where a PSU
// approves an app-based authentication.
func PhoneURL(base string, t *emulator.Tenant, sessionID string) string {
	return strings.TrimSuffix(base, "/") + phonePath(t, sessionID)
}

func journeyPath(t *emulator.Tenant, id string) string {
	return "/bank/" + t.Key() + "/sca/" + url.PathEscape(id)
}

func phonePath(t *emulator.Tenant, id string) string {
	return "/bank/" + t.Key() + "/phone/" + url.PathEscape(id)
}

func autoPath(t *emulator.Tenant, id string) string { return journeyPath(t, id) + "/auto" }

// journey is one request's view of a session and what it needs around it.
type journey struct {
	t    *emulator.Tenant
	s    emulator.SCASession
	bank emulator.Bank // zero until the PSU has chosen a bank
	fin  Finisher
	// words is what the pages say for it, asked of the provider once per
	// request (see Pages.words).
	words *Words
}

// loadForPost loads the journey a form posts to and parses the form; when
// the journey is already over it answers the done page and reports done.
func (p *Pages) loadForPost(w http.ResponseWriter, r *http.Request, phone bool) (j *journey, done bool, err error) {
	if j, err = p.load(r); err != nil {
		return nil, false, err
	}
	if err := parseForm(w, r); err != nil {
		return nil, false, err
	}
	if j.s.Status != emulator.SCAPending {
		return j, true, p.renderDone(w, r, j, phone)
	}
	return j, false, nil
}

// load finds the tenant and session a page URL names. Unknown ones answer
// 404 alike, so a page never reveals whether a tenant exists.
func (p *Pages) load(r *http.Request) (*journey, error) {
	ctx := r.Context()
	vars := mux.Vars(r)
	t, err := p.store.TenantByKey(ctx, vars["key"])
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return nil, unknownJourney()
	}
	if err != nil {
		return nil, err
	}
	httpapi.NoteTenant(ctx, t)
	s, err := p.store.SCASession(ctx, t, vars["id"])
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return nil, unknownJourney()
	}
	if err != nil {
		return nil, err
	}
	if s.Status == emulator.SCAPending && !p.store.Now(t).Before(s.ExpiresAt) {
		// The scheduler may not have ticked yet: run the tenant's due
		// events now, so a journey past its deadline shows as timed out
		// rather than letting the PSU approve it.
		if _, err := p.store.RunDue(ctx, t); err != nil {
			return nil, err
		}
		if s, err = p.store.SCASession(ctx, t, s.ID); err != nil {
			return nil, err
		}
	}
	fin, ok := p.finishers[t.Provider]
	if !ok {
		return nil, fmt.Errorf("bank: no finisher for provider %q", t.Provider)
	}
	j := &journey{t: t, s: s, fin: fin}
	if s.BankID != "" {
		if j.bank, err = p.store.Bank(ctx, t, s.BankID); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// handler is a page handler: it writes a page or returns an error that
// adapt turns into an error page.
type handler func(w http.ResponseWriter, r *http.Request) error

func (p *Pages) adapt(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			p.fail(w, r, err)
		}
	})
}
