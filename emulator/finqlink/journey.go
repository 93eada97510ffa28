package finqlink

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/bank"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// ReturnURL is where a bank sends the browser back when a FinqLink
// journey ends: the session's RedirectURI (the WebUI's status page, or the
// client's redirect_url for direct_sca) with the bank's callback query:
// state always, and code on approval or error=access_denied otherwise.
// Scenario outcomes can drop the code or change the state, so a client's
// handling of a broken callback can be tested.
func (p *Provider) ReturnURL(t *emulator.Tenant, s emulator.SCASession) (string, error) {
	u, err := url.Parse(s.RedirectURI)
	if err != nil {
		return "", err
	}
	q := u.Query()
	if s.Status == emulator.SCACompleted {
		if s.Outcome != emulator.OutcomeNoCode {
			q.Set("code", s.Code)
		}
	} else {
		q.Set("error", "access_denied")
		reason := s.Failure
		if reason == "" {
			reason = emulator.FailDenied
		}
		q.Set("error_description", string(reason))
	}
	state := s.State
	if s.Outcome == emulator.OutcomeWrongState {
		state += "-tampered"
	}
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// WebUIPrefix is where FinqLink's hosted WebUI is served: the payment page
// of a link at WebUIPrefix/{tenant key}/pay/{web_id} and the consent page
// at WebUIPrefix/{tenant key}/consent/{web_id}.
const WebUIPrefix = "/webui/finqlink"

// The two kinds of WebUI page.
const (
	uiPay     = "pay"
	uiConsent = "consent"
)

// webURL is the WebUI page of a link (kind uiPay) or consent (uiConsent).
// base is Sandbank's public origin (httpapi.BaseURL).
func webURL(base string, t *emulator.Tenant, kind, webID string) string {
	return strings.TrimSuffix(base, "/") + pagePath(t, kind, webID)
}

// JourneyTTL is how long a payer or account holder has at the bank once
// sent there, unless the tenant's scenario says otherwise (journey_ttl).
const JourneyTTL = 15 * time.Minute

// journeyURL is the bank page a journey starts on, and the SCA URL
// create-link, create-consent and get-consent hand out: the phone page for
// a bank that authenticates in its app (decoupled), else the bank's login.
func journeyURL(base string, t *emulator.Tenant, s emulator.SCASession) string {
	return sessionURL(base, t, s.ID, s.Model)
}

// sessionURL is journeyURL for a session known by its id and its bank's
// SCA model (a link's list entry has no session loaded).
func sessionURL(base string, t *emulator.Tenant, sessionID string, model emulator.SCAModel) string {
	if model == emulator.SCADecoupled {
		return bank.PhoneURL(base, t, sessionID)
	}
	return bank.JourneyURL(base, t, sessionID)
}

// redirectRequest is the body of links/redirect and ais/consents/redirect.
type redirectRequest struct {
	QueryString string `json:"query_string"`
	Wait        bool   `json:"wait"`
}

// handedCallback reads the bank callback a direct_sca client hands over
// (links/redirect, ais/consents/redirect): its state, which is the web_id
// of the link or consent, and its code and error. noState is the
// endpoint's message for a callback without a state.
func handedCallback(r *http.Request, noState string) (string, store.Callback, error) {
	var in redirectRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return "", store.Callback{}, err
	}
	q, err := url.ParseQuery(strings.TrimPrefix(in.QueryString, "?"))
	if err != nil {
		return "", store.Callback{}, emulator.FieldError(emulator.CodeInvalid, "query_string", "not a query string: %v", err)
	}
	state := q.Get("state")
	if state == "" {
		return "", store.Callback{}, emulator.FieldError(emulator.CodeMissing, "query_string", "%s", noState)
	}
	return state, store.Callback{Code: q.Get("code"), Error: q.Get("error"), Wait: in.Wait}, nil
}

// redirectStatus is the HTTP status of a hand-over's reply and the status
// it reports: 202 redirect_in_progress while the journey is still at the
// bank, 201 for a repeat, else 200; status is the link's or consent's.
func redirectStatus(res store.CallbackResult, status string) (int, string) {
	switch res {
	case store.CallbackPending:
		return http.StatusAccepted, "redirect_in_progress"
	case store.CallbackRepeated:
		return http.StatusCreated, status
	}
	return http.StatusOK, status
}

// wireTime writes an instant as every FinqLink reply does: RFC 3339 in
// UTC, to the microsecond (the store keeps instants to the microsecond,
// so a reply's instant used as a list filter finds its link).
func wireTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
