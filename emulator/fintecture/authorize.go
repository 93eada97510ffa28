package fintecture

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/bank"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// authorizeResponse is the given document's AuthorizationResponse.
type authorizeResponse struct {
	Meta authorizeMeta `json:"meta"`
}

type authorizeMeta struct {
	URL       string `json:"url"`
	SessionID string `json:"session_id"`
	Decoupled bool   `json:"decoupled"`
}

// authorization is a PSU authentication just started: its journey and
// the Sandbank page the PSU goes to (the bank's login page, or the phone
// page of the decoupled model).
type authorization struct {
	session emulator.SCASession
	pageURL string
}

func (a authorization) decoupled() bool { return a.session.Model == emulator.SCADecoupled }

// beginAuthorization starts the journey of GET
// /ais/v1/provider/{provider_id}/authorize, for both contracts. The
// redirect model sends the PSU to the bank's login page; the decoupled
// model (the bank's own model, as for handse, or model=decoupled) starts
// an app-based approval on the PSU's phone.
func (p *Provider) beginAuthorization(r *http.Request) (authorization, error) {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	q := r.URL.Query()
	b, err := p.store.Bank(ctx, t, httpapi.Var(r, "provider_id"))
	if err != nil {
		return authorization{}, err
	}
	// response_type only matters in app_id mode, where it must be "code"
	// (notes §1.3).
	if rt := q.Get("response_type"); rt != "" && rt != "code" {
		return authorization{}, emulator.FieldError(emulator.CodeInvalid, "response_type", "must be \"code\"")
	}
	model, err := chooseModel(b, q.Get("model"))
	if err != nil {
		return authorization{}, err
	}
	in := emulator.SCASession{
		Provider: emulator.Fintecture, BankID: b.ID, Model: model, Step: emulator.StepLogin,
		RedirectURI: q.Get("redirect_uri"), State: q.Get("state"), Scope: "accounts,balances,transactions",
	}
	if in.RedirectURI != "" {
		if err := checkRedirectURI(in.RedirectURI); err != nil {
			return authorization{}, err
		}
	}
	ttl := journeyTTL(t)
	if model == emulator.SCADecoupled {
		ttl = decoupledTTL(t)
		psu, err := p.store.PSUByDecoupledID(ctx, t, b.ID, r.Header.Get("x-psu-id"))
		if err != nil {
			return authorization{}, emulator.FieldError(emulator.CodeInvalid, "x-psu-id", "no PSU with id %q at %s", r.Header.Get("x-psu-id"), b.ID)
		}
		in.PSUID, in.Step = psu.ID, emulator.StepConsent
	} else if in.RedirectURI == "" {
		return authorization{}, emulator.FieldError(emulator.CodeMissing, "redirect_uri", "redirect_uri is required in the redirect model")
	}
	s, err := p.store.CreateSCASession(ctx, t, in, ttl)
	if err != nil {
		return authorization{}, err
	}
	a := authorization{session: s, pageURL: bank.JourneyURL(httpapi.BaseURL(r), t, s.ID)}
	if a.decoupled() {
		a.pageURL = bank.PhoneURL(httpapi.BaseURL(r), t, s.ID)
	}
	return a, nil
}

// authorize serves the given document's authorize: the page URL and the
// session under meta.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) error {
	a, err := p.beginAuthorization(r)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, authorizeResponse{Meta: authorizeMeta{URL: a.pageURL, SessionID: a.session.ID, Decoupled: a.decoupled()}})
}

// chooseModel picks the journey's SCA model from the bank and the
// requested model.
func chooseModel(b emulator.Bank, requested string) (emulator.SCAModel, error) {
	switch requested {
	case "":
		return b.Model, nil
	case "redirect":
		if b.Model == emulator.SCADecoupled {
			return "", emulator.FieldError(emulator.CodeInvalid, "model", "provider %s only supports the decoupled model", b.ID)
		}
		return b.Model, nil
	case "decoupled":
		if b.Model != emulator.SCADecoupled {
			return "", emulator.FieldError(emulator.CodeInvalid, "model", "provider %s does not support the decoupled model", b.ID)
		}
		return b.Model, nil
	}
	return "", emulator.FieldError(emulator.CodeInvalid, "model", "must be redirect or decoupled")
}

// checkRedirectURI accepts absolute http(s) URLs. Fintecture checks them
// against the app's registered list and answers invalid_app_url; Sandbank
// tenants register none, so any absolute URL is allowed.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return emulator.FieldError(emulator.CodeInvalid, "redirect_uri", "must be an absolute http(s) URL")
	}
	return nil
}

// decoupledSession finds the decoupled journey a poll names, at the
// path's bank.
func (p *Provider) decoupledSession(r *http.Request, id string) (emulator.SCASession, error) {
	ctx := r.Context()
	s, err := p.store.SCASession(ctx, httpapi.TenantFrom(ctx), id)
	if err != nil || s.Provider != emulator.Fintecture || s.BankID != httpapi.Var(r, "provider_id") || s.Model != emulator.SCADecoupled {
		return s, emulator.NotFound("session", id)
	}
	return s, nil
}

// decoupledStatus serves GET .../authorize/decoupled?session_id=: PENDING
// until the PSU decides on the phone page, then COMPLETED with the code, or
// FAILED on deny or timeout. customer_id is added beside the documented
// status and code: without it a client could not read the accounts.
func (p *Provider) decoupledStatus(w http.ResponseWriter, r *http.Request) error {
	s, err := p.decoupledSession(r, r.URL.Query().Get("session_id"))
	if err != nil {
		return err
	}
	out := decoupledStatusResponse{Status: string(s.Status), Provider: s.BankID}
	if s.Status == emulator.SCACompleted {
		out.Code, out.CustomerID = s.Code, s.ConnectionID
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// decoupledStatusResponse is the document's {status, code} plus the
// connection and provider the client needs next.
type decoupledStatusResponse struct {
	Status     string `json:"status"`
	Code       string `json:"code,omitempty"`
	CustomerID string `json:"customer_id,omitempty"`
	Provider   string `json:"provider"`
}

type connectResponse struct {
	Meta connectMeta `json:"meta"`
}

type connectMeta struct {
	SessionID string `json:"session_id"`
	URL       string `json:"url"`
}

// beginConnect starts a session on Fintecture's hosted bank list (GET
// /ais/v2/connect), from which the PSU goes on to the chosen bank's pages.
// The x-provider header preselects a bank (notes §2.1). It answers the
// session and the page the PSU goes to.
func (p *Provider) beginConnect(r *http.Request) (emulator.SCASession, string, error) {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	q := r.URL.Query()
	in := emulator.SCASession{
		Provider: emulator.Fintecture, Model: emulator.SCARedirect, Step: emulator.StepSelectBank,
		RedirectURI: q.Get("redirect_uri"), State: q.Get("state"), Scope: "accounts,balances,transactions",
	}
	if in.RedirectURI == "" {
		return in, "", emulator.FieldError(emulator.CodeMissing, "redirect_uri", "redirect_uri is required")
	}
	if err := checkRedirectURI(in.RedirectURI); err != nil {
		return in, "", err
	}
	if len(in.State) > 512 {
		return in, "", emulator.FieldError(emulator.CodeInvalid, "state", "must be at most 512 characters")
	}
	if s := strings.TrimSpace(q.Get("scope")); s != "" {
		in.Scope = s
	}
	if id := r.Header.Get("x-provider"); id != "" {
		b, err := p.store.Bank(ctx, t, id)
		if err != nil {
			return in, "", emulator.FieldError(emulator.CodeInvalid, "x-provider", "unknown provider %q", id)
		}
		if b.Model == emulator.SCADecoupled {
			return in, "", emulator.FieldError(emulator.CodeInvalid, "x-provider", "provider %s only supports the decoupled model", id)
		}
		in.BankID, in.Model, in.Step = b.ID, b.Model, emulator.StepLogin
	}
	s, err := p.store.CreateSCASession(ctx, t, in, journeyTTL(t))
	if err != nil {
		return s, "", err
	}
	return s, bank.JourneyURL(httpapi.BaseURL(r), t, s.ID), nil
}

// connect serves the given document's connect: meta.session_id and meta.url.
func (p *Provider) connect(w http.ResponseWriter, r *http.Request) error {
	s, url, err := p.beginConnect(r)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, connectResponse{Meta: connectMeta{SessionID: s.ID, URL: url}})
}

// deleteConnectionOf deletes the path's connection, its data and its
// tokens.
func (p *Provider) deleteConnectionOf(r *http.Request) error {
	t, c, err := p.connectionOf(r)
	if err != nil {
		return err
	}
	return p.store.DeleteConnection(r.Context(), t, c.ID)
}

// deleteConnection serves DELETE /ais/v1/customer/{customer_id}. The given
// document answers 204 with no body (the live API's 200 body belongs to the
// live contract).
func (p *Provider) deleteConnection(w http.ResponseWriter, r *http.Request) error {
	if err := p.deleteConnectionOf(r); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Brand names Fintecture on its hosted pages.
func (p *Provider) Brand() string { return "Fintecture" }

// ReturnURL builds the redirect back to the client after the bank pages
// (notes §2.3): customer_id, code, provider and state on success;
// error=provider_error with provider_error=access_denied otherwise.
func (p *Provider) ReturnURL(t *emulator.Tenant, s emulator.SCASession) (string, error) {
	u, err := url.Parse(s.RedirectURI)
	if err != nil {
		return "", err
	}
	q := u.Query()
	if s.Status == emulator.SCACompleted {
		q.Set("customer_id", s.ConnectionID)
		// A scenario can make the bank come back without the code, so a
		// client's handling of that case can be tested.
		if s.Outcome != emulator.OutcomeNoCode {
			q.Set("code", s.Code)
		}
		q.Set("provider", s.BankID)
	} else {
		reason := s.Failure
		if reason == "" {
			reason = emulator.FailDenied
		}
		q.Set("error", "provider_error")
		q.Set("provider_error", string(reason))
	}
	switch {
	case s.Outcome == emulator.OutcomeWrongState:
		// Not the state the client sent: its CSRF check must refuse it.
		q.Set("state", wrongState(s.State))
	case s.State != "":
		q.Set("state", s.State)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// wrongState is a state that is certainly not the one the client sent.
func wrongState(sent string) string {
	if sent == "" {
		return "sandbank-unexpected-state"
	}
	return sent + "-tampered"
}
