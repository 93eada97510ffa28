package finqlink

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// selfAuthenticating operations check their own credentials: the token
// endpoint (client authentication of RFC 6749/7523) and the key set,
// which a webhook receiver fetches with no credentials at all.
var selfAuthenticating = map[string]bool{"issueToken": true, "getJwks": true}

// authenticate finds the tenant of an API call by the client_id every
// body carries (notes §1: required "even in OAuth2 mode"), then checks a
// Bearer token from the token endpoint, or else the client_secret of test
// mode. The body is put back for validation and the handler.
func (p *Provider) authenticate(op httpapi.ContractOperation, next http.Handler) http.Handler {
	if selfAuthenticating[op.ID] {
		return next
	}
	return httpapi.Adapt(func(w http.ResponseWriter, r *http.Request) error {
		creds, err := readCredentials(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		t, err := p.store.EnsureTenant(ctx, emulator.FinqLink, creds.clientID)
		if err != nil {
			return err
		}
		if bearer, ok := bearerToken(r); ok {
			if err := p.checkToken(ctx, t, bearer); err != nil {
				return err
			}
		} else {
			if creds.clientSecret == "" {
				return emulator.Errorf(emulator.CodeUnauthenticated, "send client_secret in the body (test mode) or Authorization: Bearer <access_token> from POST /finqlink/oauth2/token")
			}
			if err := p.store.CheckSecret(ctx, t, creds.clientSecret); err != nil {
				return emulator.Errorf(emulator.CodeBadSecret, "client_secret does not match client_id %q", creds.clientID)
			}
		}
		next.ServeHTTP(w, r.WithContext(httpapi.WithTenant(ctx, t)))
		return nil
	}, p.writeError)
}

type credentials struct{ clientID, clientSecret string }

// readCredentials reads the JSON body's client_id and client_secret and
// leaves the body readable again.
func readCredentials(r *http.Request) (credentials, error) {
	var c credentials
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return c, emulator.FieldError(emulator.CodeUnsupportedType, "Content-Type", "FinqLink takes JSON bodies (Content-Type: application/json), got %q", r.Header.Get("Content-Type"))
	}
	body, err := httpapi.ReadBody(r)
	if err != nil {
		return c, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return c, fail(http.StatusBadRequest, "bad_request", "the body is not a JSON object: %v", err)
	}
	str := func(name string) (string, error) {
		raw, ok := fields[name]
		if !ok || string(raw) == "null" {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", emulator.FieldError(emulator.CodeInvalid, name, "%s must be a string", name)
		}
		return s, nil
	}
	if c.clientID, err = str("client_id"); err != nil {
		return c, err
	}
	if c.clientSecret, err = str("client_secret"); err != nil {
		return c, err
	}
	switch {
	case c.clientID == "":
		return c, emulator.Errorf(emulator.CodeUnauthenticated, "client_id is required in every body, also with a Bearer token")
	case len(c.clientID) > 128 || len(c.clientSecret) > 128:
		return c, emulator.Errorf(emulator.CodeUnauthenticated, "client_id and client_secret are at most 128 characters")
	}
	return c, nil
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:]), true
	}
	return "", false
}

// Access tokens are opaque to clients: the stored token's id and a MAC of
// it under the tenant's key, so one cannot be guessed or moved to another
// client.
func encodeToken(t *emulator.Tenant, id string) string { return id + "." + tokenMAC(t, id) }

func tokenMAC(t *emulator.Tenant, id string) string { return t.MAC("sandbank finqlink token key", id) }

// checkToken accepts a live access token the tenant was issued.
func (p *Provider) checkToken(ctx context.Context, t *emulator.Tenant, raw string) error {
	id, mac, ok := strings.Cut(raw, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(tokenMAC(t, id))) {
		return emulator.Errorf(emulator.CodeUnauthenticated, "the Bearer token was not issued to client_id %q", t.Credential)
	}
	tok, err := p.store.Token(ctx, t, id)
	if err != nil {
		return emulator.Errorf(emulator.CodeUnauthenticated, "the Bearer token is unknown")
	}
	switch {
	case tok.Kind != emulator.AccessToken:
		return emulator.Errorf(emulator.CodeUnauthenticated, "the Bearer token is not an access token")
	case tok.Revoked:
		return emulator.Errorf(emulator.CodeUnauthenticated, "the Bearer token was revoked")
	case !p.store.Now(t).Before(tok.ExpiresAt):
		return emulator.Errorf(emulator.CodeUnauthenticated, "the Bearer token expired at %s", tok.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z"))
	}
	return nil
}
