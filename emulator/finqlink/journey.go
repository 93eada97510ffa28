package finqlink

import (
	"net/url"

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
