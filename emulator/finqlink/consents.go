package finqlink

import "net/http"

// Placeholder: the consents work replaces this file.

func (p *Provider) createConsent(w http.ResponseWriter, r *http.Request) error { return p.notYet(w, r) }
func (p *Provider) getConsent(w http.ResponseWriter, r *http.Request) error    { return p.notYet(w, r) }
func (p *Provider) revokeConsent(w http.ResponseWriter, r *http.Request) error { return p.notYet(w, r) }
func (p *Provider) handleConsentRedirect(w http.ResponseWriter, r *http.Request) error {
	return p.notYet(w, r)
}
