package finqlink

import (
	"net/url"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
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
	return strings.TrimSuffix(base, "/") + WebUIPrefix + "/" + t.Key() + "/" + kind + "/" + url.PathEscape(webID)
}

// JourneyTTL is how long a payer or account holder has at the bank once
// sent there, unless the tenant's scenario says otherwise (journey_ttl).
const JourneyTTL = 15 * time.Minute
