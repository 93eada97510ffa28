package finqlink

import "net/http"

// Placeholder: the links work replaces this file.

func (p *Provider) createLink(w http.ResponseWriter, r *http.Request) error { return p.notYet(w, r) }
func (p *Provider) getLink(w http.ResponseWriter, r *http.Request) error    { return p.notYet(w, r) }
func (p *Provider) listLinks(w http.ResponseWriter, r *http.Request) error  { return p.notYet(w, r) }
func (p *Provider) handleLinkRedirect(w http.ResponseWriter, r *http.Request) error {
	return p.notYet(w, r)
}
