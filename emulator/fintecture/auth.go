package fintecture

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// How each operation authenticates (notes/fintecture.md §1.3).
type authMode int

const (
	authBearer      authMode = iota // Authorization: Bearer <token>
	authBearerOrApp                 // Bearer, or the app_id header alone
	authBasic                       // Basic app_id:app_secret (token calls)
)

var authModes = map[string]authMode{
	"createAccessToken":            authBasic,
	"createSecureAccessToken":      authBasic,
	"createRefreshToken":           authBasic,
	"createRefreshTokenUnderscore": authBasic,
	// Fintecture's SDKs call authorize, decoupled polling and connect with
	// just the app_id header, although the given document declares Bearer
	// only (notes §1.3, §9).
	"getAisV1ProviderAuthorization":          authBearerOrApp,
	"getAisV1ProviderAuthorizationDecoupled": authBearerOrApp,
	"getAisV2Connect":                        authBearerOrApp,
	// The npm client reads the /res/v1 resources with app_id alone
	// (notes §7).
	"getResV1Providers":    authBearerOrApp,
	"getResV1Provider":     authBearerOrApp,
	"getResV1TestAccounts": authBearerOrApp,
	"getResV1Application":  authBearerOrApp,
}

type tokenKey struct{}

// claims are what Sandbank puts in a Fintecture JWT: the standard claims
// (sub = app_id, jti = the stored token id) plus scope and the connection
// (customer_id) an AIS token is bound to.
type claims struct {
	jwt.Claims
	Scope      string             `json:"scope"`
	CustomerID string             `json:"customer_id,omitempty"`
	Use        emulator.TokenKind `json:"token_use"`
}

const (
	tokenIssuer   = "sandbank/fintecture"
	tokenAudience = "fintecture"
)

// tokenFrom returns the verified token of the request, if it came with one.
func tokenFrom(ctx context.Context) (emulator.Token, bool) {
	t, ok := ctx.Value(tokenKey{}).(emulator.Token)
	return t, ok
}

// authenticator is the auth middleware of one contract: it resolves the
// tenant of a request and puts it, and its token if any, in the context,
// then checks the request's HTTP signature as the tenant's settings ask.
func (p *Provider) authenticator(c *httpapi.Contract) func(op httpapi.ContractOperation, next http.Handler) http.Handler {
	return func(op httpapi.ContractOperation, next http.Handler) http.Handler {
		return p.authenticate(c, op, next)
	}
}

func (p *Provider) authenticate(c *httpapi.Contract, op httpapi.ContractOperation, next http.Handler) http.Handler {
	mode := authModes[op.ID]
	return httpapi.Adapt(func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		var t *emulator.Tenant
		var err error
		switch {
		case mode == authBasic:
			t, err = p.basicAuth(r)
		case hasBearer(r):
			var tok emulator.Token
			t, tok, err = p.bearerAuth(ctx, r)
			ctx = context.WithValue(ctx, tokenKey{}, tok)
		case mode == authBearerOrApp && r.Header.Get("app_id") != "":
			t, err = p.store.EnsureTenant(ctx, emulator.Fintecture, r.Header.Get("app_id"))
		case mode == authBearerOrApp:
			err = emulator.Errorf(emulator.CodeUnauthenticated, "send Authorization: Bearer <access_token>, or the app_id header")
		default:
			err = emulator.Errorf(emulator.CodeUnauthenticated, "missing Authorization: Bearer <access_token> header")
		}
		if err != nil {
			return err
		}
		ctx = httpapi.WithTenant(ctx, t)
		if err := p.checkSignature(c, op, r, t); err != nil {
			return err
		}
		next.ServeHTTP(w, r.WithContext(ctx))
		return nil
	}, p.writeError)
}

func hasBearer(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	return len(h) > 7 && strings.EqualFold(h[:7], "bearer ")
}

// basicAuth checks Basic app_id:app_secret; the first secret an app_id
// presents becomes its secret (DESIGN.md §3).
func (p *Provider) basicAuth(r *http.Request) (*emulator.Tenant, error) {
	appID, secret, ok := r.BasicAuth()
	if !ok || appID == "" {
		return nil, emulator.Errorf(emulator.CodeBadSecret, "send Authorization: Basic base64(app_id:app_secret)")
	}
	t, err := p.store.EnsureTenant(r.Context(), emulator.Fintecture, appID)
	if err != nil {
		return nil, err
	}
	if err := p.store.CheckSecret(r.Context(), t, secret); err != nil {
		return nil, emulator.Errorf(emulator.CodeBadSecret, "app_secret does not match app_id %q", appID)
	}
	return t, nil
}

// bearerAuth verifies a JWT access token: signature under the tenant's key,
// expiry on the tenant clock, and that it is still the live token (not
// revoked by a refresh or a deleted connection).
func (p *Provider) bearerAuth(ctx context.Context, r *http.Request) (*emulator.Tenant, emulator.Token, error) {
	raw := strings.TrimSpace(r.Header.Get("Authorization")[len("bearer "):])
	bad := func(why string) (*emulator.Tenant, emulator.Token, error) {
		return nil, emulator.Token{}, emulator.Errorf(emulator.CodeUnauthenticated, "the access token is invalid or expired: %s", why)
	}
	t, c, err := p.parseToken(ctx, raw)
	if err != nil {
		return bad(err.Error())
	}
	if c.Use != emulator.AccessToken {
		return bad("a refresh token cannot be used as an access token")
	}
	tok, err := p.store.Token(ctx, t, c.ID)
	if err != nil {
		return bad("it was not issued by this Sandbank")
	}
	if tok.Revoked {
		return bad("it was revoked")
	}
	return t, tok, nil
}

// parseToken verifies a token's signature and time claims. A signature
// verified once is remembered by the token's text; the time claims and the
// stored token (revocation) are checked on every call.
func (p *Provider) parseToken(ctx context.Context, raw string) (*emulator.Tenant, claims, error) {
	c, ok := p.verified.Get(raw)
	if !ok {
		var err error
		if c, err = p.verifySignature(ctx, raw); err != nil {
			return nil, c, err
		}
		p.verified.Put(raw, c)
	}
	t, err := p.store.Tenant(ctx, emulator.Fintecture, c.Subject)
	if err != nil {
		return nil, c, fmt.Errorf("unknown app_id")
	}
	now := p.store.Now(t)
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: tokenIssuer, AnyAudience: jwt.Audience{tokenAudience}, Time: now}, 0); err != nil {
		return nil, c, fmt.Errorf("expired")
	}
	// go-jose accepts a token at its exact expiry instant; Sandbank does
	// not, so "one hour" means exactly one hour on the tenant clock.
	if c.Expiry == nil || !now.Before(c.Expiry.Time()) {
		return nil, c, fmt.Errorf("expired")
	}
	return t, c, nil
}

// verifySignature checks a JWT's signature under its tenant's key.
func (p *Provider) verifySignature(ctx context.Context, raw string) (claims, error) {
	var c claims
	parsed, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return c, fmt.Errorf("not a JWT")
	}
	if err := parsed.UnsafeClaimsWithoutVerification(&c); err != nil || c.Subject == "" {
		return c, fmt.Errorf("no subject")
	}
	t, err := p.store.Tenant(ctx, emulator.Fintecture, c.Subject)
	if err != nil {
		return c, fmt.Errorf("unknown app_id")
	}
	if err := parsed.Claims(signingKey(t), &c); err != nil {
		return c, fmt.Errorf("bad signature")
	}
	return c, nil
}

// signingKey is the tenant's HMAC key for its JWTs.
func signingKey(t *emulator.Tenant) []byte { return t.DerivedKey("sandbank fintecture token key") }

// encodeToken signs a stored token as a JWT.
func encodeToken(t *emulator.Tenant, tok emulator.Token) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: signingKey(t)}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	c := claims{
		Claims: jwt.Claims{
			Issuer: tokenIssuer, Subject: t.Credential, Audience: jwt.Audience{tokenAudience}, ID: tok.ID,
			IssuedAt: jwt.NewNumericDate(tok.IssuedAt), NotBefore: jwt.NewNumericDate(tok.IssuedAt.Add(-time.Second)),
			Expiry: jwt.NewNumericDate(tok.ExpiresAt),
		},
		Scope: tok.Scope, CustomerID: tok.ConnectionID, Use: tok.Kind,
	}
	return jwt.Signed(signer).Claims(c).Serialize()
}

// requireScope checks the request's token carries one of the scopes.
func requireScope(ctx context.Context, scopes ...string) error {
	tok, ok := tokenFrom(ctx)
	if !ok {
		return emulator.Errorf(emulator.CodeUnauthenticated, "an access token is required")
	}
	for _, have := range strings.Fields(strings.ReplaceAll(tok.Scope, ",", " ")) {
		for _, want := range scopes {
			if strings.EqualFold(have, want) {
				return nil
			}
		}
	}
	return emulator.Errorf(emulator.CodeForbidden, "this token has scope %q; this call needs %s", tok.Scope, strings.Join(scopes, " or "))
}

// connectionOf checks an AIS token may read the connection in the path. A
// token bound to another connection sees it as unknown.
func (p *Provider) connectionOf(r *http.Request) (*emulator.Tenant, emulator.Connection, error) {
	ctx := r.Context()
	if err := requireScope(ctx, "AIS"); err != nil {
		return nil, emulator.Connection{}, err
	}
	t := httpapi.TenantFrom(ctx)
	id := httpapi.Var(r, "customer_id")
	tok, _ := tokenFrom(ctx)
	if tok.ConnectionID != "" && tok.ConnectionID != id {
		return nil, emulator.Connection{}, emulator.NotFound("customer", id)
	}
	c, err := p.store.Connection(ctx, t, id)
	return t, c, err
}

// readableConnection is connectionOf for reads, which an expired consent
// refuses (see consentLive).
func (p *Provider) readableConnection(r *http.Request) (*emulator.Tenant, emulator.Connection, error) {
	t, c, err := p.connectionOf(r)
	if err != nil {
		return t, c, err
	}
	return t, c, p.consentLive(t, c)
}

// consentLive refuses a consent past its validity (a scenario's
// consent_validity). Fintecture documents no code of its own for it;
// invalid_token is its code for "invalid or expired" access (notes §4), so
// that is what it answers.
func (p *Provider) consentLive(t *emulator.Tenant, c emulator.Connection) error {
	if c.Expired(p.store.Now(t)) {
		return emulator.Errorf(emulator.CodeUnauthenticated, "the PSU's consent for customer %s expired at %s: authenticate the PSU again", c.ID, c.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}
