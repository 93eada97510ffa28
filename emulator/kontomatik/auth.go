package kontomatik

import (
	"mime"
	"net/http"
	"regexp"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// apiKeyPattern is what an API key looks like. A well-formed key Sandbank
// has not seen creates its tenant on first use (DESIGN.md §3); anything
// else is not a key Kontomatik could have issued, and answers 401.
var apiKeyPattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{8,128}$`)

// authenticate finds the tenant by its API key: the X-Api-Key header, or
// the apiKey query or form field older clients send (notes §1).
func (p *Provider) authenticate(op httpapi.ContractOperation, next http.Handler) http.Handler {
	if op.ID == "getHealth" {
		// The given document's health check needs no key (security: []).
		return next
	}
	return httpapi.Adapt(func(w http.ResponseWriter, r *http.Request) error {
		key, err := apiKey(r)
		if err != nil {
			return err
		}
		switch {
		case key == "":
			return &unauthorized{"Unauthorized: send your API key in the X-Api-Key header. Requests must also come from an IP address whitelisted for it."}
		case !apiKeyPattern.MatchString(key):
			return &unauthorized{"Unauthorized: the API key is unknown. Check the X-Api-Key header and that this IP address is whitelisted for the key."}
		}
		t, err := p.store.EnsureTenant(r.Context(), emulator.Kontomatik, key)
		if err != nil {
			return err
		}
		next.ServeHTTP(w, r.WithContext(httpapi.WithTenant(r.Context(), t)))
		return nil
	}, p.writeError)
}

// apiKey reads the key from the header, the query, or a form body (put
// back for validation and the handler).
func apiKey(r *http.Request) (string, error) {
	if k := r.Header.Get("X-Api-Key"); k != "" {
		return k, nil
	}
	if k := r.URL.Query().Get("apiKey"); k != "" {
		return k, nil
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return "", nil
	}
	form, err := formOf(r)
	if err != nil {
		return "", err
	}
	return form.Get("apiKey"), nil
}
