package fintecture

import (
	"crypto"
	"errors"
	"net/http"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/httpsig"
)

// Fintecture's HTTP signatures (notes/fintecture.md §1.4): optional in its
// sandbox, mandatory in production. Sandbank verifies a signature whenever
// the app has a registered public key, and demands one on every call when
// the app's settings make signatures mandatory.

// unsignedByClients are the operations Fintecture's clients never sign: the
// npm client posts its token calls and reads /res/v1 without a signature
// (notes §1.2, §7), so the mandatory setting does not cover them.
var unsignedByClients = map[string]bool{
	"createAccessToken":            true,
	"createRefreshToken":           true,
	"createRefreshTokenUnderscore": true,
	"getResV1Providers":            true,
	"getResV1Provider":             true,
	"getResV1TestAccounts":         true,
	"getResV1Application":          true,
}

// signatureRequired reports whether a request must be signed: always on the
// signed token variant, and on everything clients sign when the app says so.
func signatureRequired(op string, t *emulator.Tenant) bool {
	return op == "createSecureAccessToken" || (t.App.RequireSignatures && !unsignedByClients[op])
}

// appKey is the tenant's registered public key, parsed once per PEM.
func (p *Provider) appKey(t *emulator.Tenant) crypto.PublicKey {
	if t.App.PublicKey == "" {
		return nil
	}
	if k, ok := p.keys.Get(t.App.PublicKey); ok {
		return k
	}
	k := t.App.Key()
	if k != nil {
		p.keys.Put(t.App.PublicKey, k)
	}
	return k
}

// checkSignature verifies the request's signature against the tenant's
// registered key. keyId must be the app_id. The signing string's
// (request-target) is the URI as received (mount prefix included, brackets
// as sent) or, failing that, the URI without the contract's mount prefix:
// a client whose base URL is http://host/live/fintecture signs the paths it
// builds relative to it ("get /ais/v1/..."), while the absolute URLs it is
// given (links.next) are signed whole.
func (p *Provider) checkSignature(c *httpapi.Contract, op httpapi.ContractOperation, r *http.Request, t *emulator.Tenant) error {
	required := signatureRequired(op.ID, t)
	present := httpsig.Present(r)
	if !present && !required {
		return nil
	}
	key := p.appKey(t)
	switch {
	case key == nil && required:
		return emulator.Errorf(emulator.CodeBadSignature,
			"this call must be signed, but app %s has no registered public key: register it with PUT /_sandbank/tenants/%s/app", t.Credential, t.Key())
	case key == nil:
		// As in Fintecture's sandbox: without a registered key there is
		// nothing to verify a signature against.
		return nil
	case !present:
		return emulator.Errorf(emulator.CodeBadSignature,
			"missing Signature header: app %s requires signed requests (Signature, Date, X-Request-ID, and Digest when there is a body)", t.Credential)
	}
	var alts []string
	if rest, ok := strings.CutPrefix(r.RequestURI, c.Prefix); ok && strings.HasPrefix(rest, "/") {
		alts = append(alts, rest)
	}
	err := httpsig.Verify(r, httpsig.Options{KeyID: t.Credential, Key: key, Now: p.store.Clock().Now(), AltRequestURIs: alts})
	var se *httpsig.Error
	if errors.As(err, &se) {
		return emulator.Errorf(emulator.CodeBadSignature, "%s", se.Message)
	}
	return err
}
