package finqlink

import "net/http"

// notYet answers the operations this build does not serve yet, saying so
// plainly rather than pretending: FinqLink is being built (issue 6).
func (p *Provider) notYet(w http.ResponseWriter, r *http.Request) error {
	return fail(http.StatusNotImplemented, "internal_server_error", "Sandbank does not serve %s yet: FinqLink is being built", r.URL.Path)
}
