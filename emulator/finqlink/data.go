package finqlink

import "net/http"

// Placeholder: the consents work replaces this file.

func (p *Provider) listAccounts(w http.ResponseWriter, r *http.Request) error { return p.notYet(w, r) }
func (p *Provider) listBalances(w http.ResponseWriter, r *http.Request) error { return p.notYet(w, r) }
func (p *Provider) listTransactions(w http.ResponseWriter, r *http.Request) error {
	return p.notYet(w, r)
}
func (p *Provider) createJob(w http.ResponseWriter, r *http.Request) error { return p.notYet(w, r) }
func (p *Provider) getJob(w http.ResponseWriter, r *http.Request) error    { return p.notYet(w, r) }
