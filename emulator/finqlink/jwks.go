package finqlink

import (
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// getJwks serves GET /.well-known/jwks.json: the client's two webhook
// signing keys, newest first (notes §5). Keys belong to a client (each
// tenant rotates its own on its own clock), so the key set of a client is
// asked for by its client_id in the query: Sandbank's addition, since one
// Sandbank serves many clients at one URL.
func (p *Provider) getJwks(w http.ResponseWriter, r *http.Request) error {
	id := r.URL.Query().Get("client_id")
	if id == "" || len(id) > 128 {
		return emulator.FieldError(emulator.CodeMissing, "client_id", "name the client whose webhook keys you want: /finqlink/.well-known/jwks.json?client_id=…")
	}
	t, err := p.store.EnsureTenant(r.Context(), emulator.FinqLink, id)
	if err != nil {
		return err
	}
	httpapi.NoteTenant(r.Context(), t)
	set, err := p.keys.JWKS(r.Context(), t)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "max-age=300")
	return httpapi.JSON(w, http.StatusOK, set)
}
