package finqlink_test

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/testkeys"
)

type tokenBody struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

type oauthErr struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (r resp) oauthError(t *testing.T, status int) oauthErr {
	t.Helper()
	r.WantStatus(t, status)
	var e oauthErr
	r.Decode(t, &e)
	if e.Error == "" || e.Description == "" {
		t.Fatalf("not an RFC 6749 error: %s", r.Body)
	}
	return e
}

// registerKey registers the client's public key, as its FinqLink console
// would hold it.
func (h *harness) registerKey(t *testing.T, id string, pub crypto.PublicKey) {
	t.Helper()
	tn, err := h.In.Store.EnsureTenant(t.Context(), "finqlink", id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.In.Control.SetApp(t.Context(), tn.Key(), client.App{PublicKey: testkeys.PublicPEM(pub)}); err != nil {
		t.Fatal(err)
	}
}

// assertion is a client assertion (RFC 7523) the client signs.
func (h *harness) assertion(t *testing.T, key any, alg jose.SignatureAlgorithm, edit func(*jwt.Claims)) string {
	t.Helper()
	now := h.Clock.Now()
	c := jwt.Claims{
		Issuer: clientID, Subject: clientID, Audience: jwt.Audience{h.Srv.URL + "/finqlink/oauth2/token"},
		Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute)), IssuedAt: jwt.NewNumericDate(now),
		ID: fmt.Sprintf("jti-%d", jtiSeq.Add(1)),
	}
	if edit != nil {
		edit(&c)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

var jtiSeq atomic.Int64

func jwtForm(assertion string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {"pay_by_link"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
}

func TestTokenWithClientSecret(t *testing.T) {
	h := newHarness(t)
	r := h.form(url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret}, "scope": {"pay_by_link"}}, nil)
	var tok tokenBody
	if r.Status != 200 {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &tok)
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || tok.Scope != "pay_by_link" || tok.AccessToken == "" {
		t.Fatalf("token: %+v", tok)
	}
	// client_secret_basic works as well, with the secret now registered.
	basic := h.send("POST", base+"/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"),
		map[string]string{"Authorization": "Basic " + basicAuth(clientID, clientSecret)})
	if basic.Status != 200 {
		t.Fatalf("basic: %d %s", basic.Status, basic.Body)
	}

	for _, c := range []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {"nope"}}, 401, "invalid_client"},
		{"no credentials", url.Values{"grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{"password grant", url.Values{"grant_type": {"password"}, "client_id": {clientID}, "client_secret": {clientSecret}}, 400, "invalid_request"},
		{"no grant_type", url.Values{"client_id": {clientID}, "client_secret": {clientSecret}}, 400, "invalid_request"},
		{"secret and assertion", url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {"a.b.c"}}, 400, "invalid_request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if e := h.form(c.form, nil).oauthError(t, c.status); e.Error != c.code {
				t.Fatalf("error %s (%s), want %s", e.Error, e.Description, c.code)
			}
		})
	}
}

func TestTokenWithPrivateKeyJWT(t *testing.T) {
	h := newHarness(t)
	// Without a registered key the client cannot use private_key_jwt.
	e := h.form(jwtForm(h.assertion(t, testkeys.RSA(), jose.RS256, nil)), nil).oauthError(t, 401)
	if e.Error != "invalid_client" || !strings.Contains(e.Description, "no public key registered") {
		t.Fatalf("no key: %+v", e)
	}
	h.registerKey(t, clientID, testkeys.RSA().Public())

	good := h.assertion(t, testkeys.RSA(), jose.RS256, nil)
	r := h.form(jwtForm(good), nil)
	if r.Status != 200 {
		t.Fatalf("assertion: %d %s", r.Status, r.Body)
	}
	if e := h.form(jwtForm(good), nil).oauthError(t, 401); !strings.Contains(e.Description, "used before") {
		t.Fatalf("replayed jti: %+v", e)
	}

	for _, c := range []struct {
		name, want string
		key        any
		alg        jose.SignatureAlgorithm
		edit       func(*jwt.Claims)
	}{
		{"another key", "does not verify", testkeys.OtherRSA(), jose.RS256, nil},
		{"HS256", "not a JWT signed RS256 or ES256", []byte("a shared secret of thirty-two bytes!"), jose.HS256, nil},
		{"wrong audience", "aud", testkeys.RSA(), jose.RS256, func(c *jwt.Claims) { c.Audience = jwt.Audience{"https://finqware.okta.com/token"} }},
		{"sub differs", "sub", testkeys.RSA(), jose.RS256, func(c *jwt.Claims) { c.Subject = "someone-else" }},
		{"expired", "expired", testkeys.RSA(), jose.RS256, func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(h.Clock.Now().Add(-time.Minute)) }},
		{"no exp", "no exp", testkeys.RSA(), jose.RS256, func(c *jwt.Claims) { c.Expiry = nil }},
		{"exp a day ahead", "ahead", testkeys.RSA(), jose.RS256, func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(h.Clock.Now().Add(24 * time.Hour)) }},
		{"no jti", "no jti", testkeys.RSA(), jose.RS256, func(c *jwt.Claims) { c.ID = "" }},
		{"issued in the future", "iat", testkeys.RSA(), jose.RS256, func(c *jwt.Claims) { c.IssuedAt = jwt.NewNumericDate(h.Clock.Now().Add(time.Hour)) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := h.form(jwtForm(h.assertion(t, c.key, c.alg, c.edit)), nil).oauthError(t, 401)
			if e.Error != "invalid_client" || !strings.Contains(e.Description, c.want) {
				t.Fatalf("%+v, want a description with %q", e, c.want)
			}
		})
	}
	t.Run("client_id differs from iss", func(t *testing.T) {
		f := jwtForm(h.assertion(t, testkeys.RSA(), jose.RS256, nil))
		f.Set("client_id", "another-client")
		if e := h.form(f, nil).oauthError(t, 401); !strings.Contains(e.Description, "iss") {
			t.Fatalf("%+v", e)
		}
	})
	t.Run("wrong assertion type", func(t *testing.T) {
		f := jwtForm(h.assertion(t, testkeys.RSA(), jose.RS256, nil))
		f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
		if e := h.form(f, nil).oauthError(t, 400); e.Error != "invalid_request" {
			t.Fatalf("%+v", e)
		}
	})
	t.Run("EC key, ES256", func(t *testing.T) {
		const ecClient = "fq-ec-client-01"
		h.registerKey(t, ecClient, testkeys.EC().Public())
		a := h.assertion(t, testkeys.EC(), jose.ES256, func(c *jwt.Claims) { c.Issuer, c.Subject = ecClient, ecClient })
		if r := h.form(jwtForm(a), nil); r.Status != 200 {
			t.Fatalf("ES256: %d %s", r.Status, r.Body)
		}
	})
}

func basicAuth(id, secret string) string {
	return strings.TrimSpace(b64(id + ":" + secret))
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
