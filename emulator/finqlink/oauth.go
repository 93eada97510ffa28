package finqlink

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// The token endpoint: OAuth2 client credentials (RFC 6749 §4.4) with the
// client authenticated by its secret or by a private_key_jwt assertion
// (RFC 7521, RFC 7523), as notes §1 and seed 002's security page describe.
// Its path is Sandbank's; the real one is an Okta server of Finqware's.

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Assertion limits. RFC 7523 leaves them to the server; these are Okta's
// (the authorization server seed 002's example uses): an assertion lives
// at most an hour, and clocks may differ by five minutes.
const (
	assertionMaxLife = time.Hour
	clockSkew        = 5 * time.Minute
)

// oauthError is an RFC 6749 §5.2 error; the token endpoint answers these
// instead of FinqLink's envelope.
type oauthError struct {
	status int
	code   string
	desc   string
}

func (e *oauthError) Error() string { return e.code + ": " + e.desc }

func oauthFail(status int, code, format string, args ...any) *oauthError {
	return &oauthError{status: status, code: code, desc: fmt.Sprintf(format, args...)}
}

type oauthErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

func (p *Provider) writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="finqlink"`)
	}
	if err := httpapi.JSON(w, e.status, oauthErrorBody{Error: e.code, ErrorDescription: e.desc}); err != nil {
		p.log.Debug("finqlink: write oauth error", "err", err)
	}
}

// asOAuthError restates any other error of the token endpoint (contract
// validation, faults) in RFC 6749's terms.
func asOAuthError(err error) *oauthError {
	var oe *oauthError
	if errors.As(err, &oe) {
		return oe
	}
	f := toFailure(err)
	switch {
	case f.status == http.StatusUnauthorized:
		return &oauthError{status: f.status, code: "invalid_client", desc: f.msg}
	case f.status >= 500 || f.status == http.StatusTooManyRequests:
		// RFC 6749 has no code for these; the status says it.
		return &oauthError{status: f.status, code: "invalid_request", desc: f.msg}
	}
	return &oauthError{status: http.StatusBadRequest, code: "invalid_request", desc: f.msg}
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
}

// issueToken serves POST /oauth2/token.
func (p *Provider) issueToken(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return oauthFail(http.StatusBadRequest, "invalid_request", "the form body does not parse: %v", err)
	}
	f := r.PostForm
	if g := f.Get("grant_type"); g != "client_credentials" {
		return oauthFail(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials, got %q", g)
	}
	var t *emulator.Tenant
	var err error
	switch {
	case f.Get("client_assertion") != "" && f.Get("client_secret") != "":
		return oauthFail(http.StatusBadRequest, "invalid_request", "send client_secret or client_assertion, not both")
	case f.Get("client_assertion") != "":
		t, err = p.assertedClient(r, f.Get("client_assertion_type"), f.Get("client_assertion"), f.Get("client_id"))
	default:
		t, err = p.secretClient(r)
	}
	if err != nil {
		return err
	}
	scope := strings.Join(strings.Fields(f.Get("scope")), " ")
	if scope == "" {
		scope = "pay_by_link"
	}
	access, _, err := p.store.IssueTokens(r.Context(), t, store.TokenRequest{Scope: scope, AccessTTL: TokenTTL})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpapi.JSON(w, http.StatusOK, tokenResponse{AccessToken: encodeToken(t, access.ID), TokenType: "Bearer", ExpiresIn: int(TokenTTL.Seconds()), Scope: scope})
}

// secretClient authenticates client_secret_post or client_secret_basic.
func (p *Provider) secretClient(r *http.Request) (*emulator.Tenant, error) {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if bid, bsecret, ok := r.BasicAuth(); ok {
		if id != "" && id != bid {
			return nil, oauthFail(http.StatusBadRequest, "invalid_request", "client_id %q differs from the Basic credentials' %q", id, bid)
		}
		id, secret = bid, bsecret
	}
	if id == "" || secret == "" {
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "authenticate with client_id and client_secret, or a client_assertion (private_key_jwt)")
	}
	t, err := p.store.EnsureTenant(r.Context(), emulator.FinqLink, id)
	if err != nil {
		return nil, err
	}
	if err := p.store.CheckSecret(r.Context(), t, secret); err != nil {
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_secret does not match client_id %q", id)
	}
	return t, nil
}

// assertedClient authenticates a private_key_jwt assertion against the
// public key registered for the client (its app settings), checking what
// RFC 7523 §3 asks: iss and sub name the client, aud is this endpoint,
// exp is in the future, and the jti is not replayed.
func (p *Provider) assertedClient(r *http.Request, typ, raw, clientID string) (*emulator.Tenant, error) {
	ctx := r.Context()
	if typ != assertionType {
		return nil, oauthFail(http.StatusBadRequest, "invalid_request", "client_assertion_type must be %s, got %q", assertionType, typ)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion is not a JWT signed RS256 or ES256: %v", err)
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion's claims do not parse: %v", err)
	}
	iss := unverified.Issuer
	switch {
	case iss == "":
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion has no iss: it must be the client_id")
	case clientID != "" && clientID != iss:
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion's iss %q is not the client_id %q", iss, clientID)
	case len(iss) > 128:
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion's iss is longer than a client_id (128)")
	}
	t, err := p.store.EnsureTenant(ctx, emulator.FinqLink, iss)
	if err != nil {
		return nil, err
	}
	key := t.App.Key()
	if key == nil {
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client %q has no public key registered for private_key_jwt: register one with `sandbank app`, PUT /_sandbank/tenants/%s/app or a scenario's app section", iss, t.Key())
	}
	var c jwt.Claims
	if err := tok.Claims(key, &c); err != nil {
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion's signature does not verify with the key registered for %q (%s): %v", iss, t.App.Fingerprint(), err)
	}
	// Clients sign with their own clock: the real one, not the tenant's,
	// so time travel cannot break them.
	now := p.store.Clock().Now()
	aud := httpapi.BaseURL(r) + Prefix + "/oauth2/token"
	switch {
	case c.Subject != iss:
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion's sub %q must equal its iss %q", c.Subject, iss)
	case !slices.Contains([]string(c.Audience), aud):
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion's aud %q must contain the token endpoint %q", []string(c.Audience), aud)
	case c.Expiry == nil:
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion has no exp")
	case !now.Before(c.Expiry.Time()):
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion expired at %s (now %s)", c.Expiry.Time().UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case c.Expiry.Time().After(now.Add(assertionMaxLife + clockSkew)):
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion's exp is more than %s ahead", assertionMaxLife)
	case c.NotBefore != nil && c.NotBefore.Time().After(now.Add(clockSkew)):
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion is not valid before %s", c.NotBefore.Time().UTC().Format(time.RFC3339))
	case c.IssuedAt != nil && c.IssuedAt.Time().After(now.Add(clockSkew)):
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion's iat %s is in the future", c.IssuedAt.Time().UTC().Format(time.RFC3339))
	case c.ID == "":
		return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion has no jti")
	}
	if err := p.store.UseAssertion(ctx, t, jtiKey(c.ID), c.Expiry.Time(), now); err != nil {
		if emulator.IsCode(err, emulator.CodeConflict) {
			return nil, oauthFail(http.StatusUnauthorized, "invalid_client", "client_assertion's jti %q was used before: every assertion needs a new jti", c.ID)
		}
		return nil, err
	}
	return t, nil
}

// jtiKey bounds what is stored of a client-chosen jti.
func jtiKey(jti string) string {
	if len(jti) <= 128 {
		return jti
	}
	sum := sha256.Sum256([]byte(jti))
	return "sha256:" + hex.EncodeToString(sum[:])
}
