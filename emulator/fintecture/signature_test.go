package fintecture_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/testkeys"
)

// Request signatures over HTTP, signed here by a signer independent of the
// verifier: the signing string of notes/fintecture.md §1.4, built by hand.

// sign adds Date, X-Request-ID, Digest (with a body) and Signature to r,
// signing target ("get /path?query" as the client sees it).
func (h *harness) sign(t *testing.T, r *req, keyID, target string, key *rsa.PrivateKey) {
	t.Helper()
	if r.header == nil {
		r.header = map[string]string{}
	}
	r.header["Date"] = h.Clock.Now().UTC().Format(http.TimeFormat)
	r.header["X-Request-ID"] = "6f1c8a52-54b4-4a59-9a77-0d6b1f4a3b10"
	names := []string{"(request-target)", "date"}
	lines := []string{"(request-target): " + target, "date: " + r.header["Date"]}
	if len(r.body) > 0 {
		sum := sha256.Sum256(r.body)
		r.header["Digest"] = "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
		names, lines = append(names, "digest"), append(lines, "digest: "+r.header["Digest"])
	}
	names, lines = append(names, "x-request-id"), append(lines, "x-request-id: "+r.header["X-Request-ID"])
	digest := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	r.header["Signature"] = fmt.Sprintf(`keyId=%q,algorithm="rsa-sha256",headers=%q,signature=%q`, keyID, strings.Join(names, " "), base64.StdEncoding.EncodeToString(sig))
}

func (h *harness) appWithKey(t *testing.T, app string, required bool) string {
	t.Helper()
	tn, err := h.In.Control.CreateTenant(t.Context(), client.NewTenant{Provider: "fintecture", Credential: app, Secret: appSecret, PublicKey: testkeys.PublicPEM(&testkeys.RSA().PublicKey), RequireSignatures: required})
	if err != nil {
		t.Fatal(err)
	}
	return tn.Key
}

func TestSignaturesVerifyWhenAKeyIsRegistered(t *testing.T) {
	h := newHarness(t)
	key, other := testkeys.RSA(), testkeys.OtherRSA()
	h.appWithKey(t, appID, false)
	cust, tok := h.connected(appID, appSecret)
	path := "/ais/v1/customer/" + cust + "/accounts"

	// Unsigned requests pass: signatures are optional until required.
	if r := h.get("/fintecture"+path, tok); r.Status != 200 {
		t.Fatalf("unsigned: %d %s", r.Status, r.Body)
	}
	for _, tc := range []struct {
		name, url, target string
	}{
		{"spec contract, target without the mount", "/fintecture" + path, "get " + path},
		{"spec contract, target as received", "/fintecture" + path, "get /fintecture" + path},
		{"live contract, brackets encoded as sent", live + path + "/x/transactions?filter%5Bdate_from%5D=max", "get " + path + "/x/transactions?filter%5Bdate_from%5D=max"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := req{url: tc.url, bearer: tok}
			h.sign(t, &r, appID, tc.target, key)
			res := h.do(r)
			if res.Status == 401 {
				t.Fatalf("a good signature is refused: %s", res.Body)
			}
		})
	}

	r := req{url: "/fintecture" + path, bearer: tok}
	h.sign(t, &r, appID, "get "+path, other)
	res := h.do(r)
	if code := res.errorCode(t, 401); code != "invalid_signature" || !strings.Contains(res.message(t), "does not verify") {
		t.Fatalf("signed with another key: %s", res.Body)
	}
	// Signed with the encoded brackets, sent with raw ones: a different
	// request-target.
	r = req{url: live + path + "/x/transactions?filter[date_from]=max", bearer: tok}
	h.sign(t, &r, appID, "get "+path+"/x/transactions?filter%5Bdate_from%5D=max", key)
	if code := h.do(r).errorCode(t, 401); code != "invalid_signature" {
		t.Fatalf("a signature over another request-target: %s", code)
	}
}

func TestSignedBodiesAndRequiredSignatures(t *testing.T) {
	h := newHarness(t)
	key := testkeys.RSA()
	tenantKey := h.appWithKey(t, appID, true)
	basic := [2]string{appID, appSecret}

	// Token calls and /res/v1 stay unsigned, as Fintecture's clients send them.
	tok := h.token(appID, appSecret, url.Values{"grant_type": {"client_credentials"}, "app_id": {appID}, "scope": {"customers"}}).AccessToken
	if r := h.do(req{url: live + "/res/v1/providers", header: map[string]string{"app_id": appID}}); r.Status != 200 {
		t.Fatalf("resources unsigned: %d %s", r.Status, r.Body)
	}

	body := []byte(`{"first_name":"Ana","last_name":"Pop","email":"ana@example.com"}`)
	unsigned := h.do(req{method: http.MethodPost, url: live + "/v1/customers", body: body, ctype: "application/json", bearer: tok})
	if code := unsigned.errorCode(t, 401); code != "invalid_signature" || !strings.Contains(unsigned.message(t), "missing Signature") {
		t.Fatalf("unsigned call with signatures required: %s", unsigned.Body)
	}

	// A body changed after signing fails on its digest and creates nothing.
	r := req{method: http.MethodPost, url: live + "/v1/customers", body: body, ctype: "application/json", bearer: tok}
	h.sign(t, &r, appID, "post /v1/customers", key)
	r.body = []byte(strings.Replace(string(body), "Ana", "Eve", 1))
	res := h.do(r)
	if code := res.errorCode(t, 401); code != "invalid_signature" || !strings.Contains(strings.ToLower(res.message(t)), "digest") {
		t.Fatalf("tampered body: %s", res.Body)
	}
	r.body = body
	h.sign(t, &r, appID, "post /v1/customers", key)
	if res := h.do(r); res.Status != 201 {
		t.Fatalf("signed POST: %d %s", res.Status, res.Body)
	}
	var list struct{ Meta struct{ Count int } }
	lr := req{url: live + "/v1/customers", bearer: tok}
	h.sign(t, &lr, appID, "get /v1/customers", key)
	h.do(lr).Decode(t, &list)
	if list.Meta.Count != 1 {
		t.Fatalf("the refused request created a customer: %d customers", list.Meta.Count)
	}

	// The signed token variant: always signed, app_id header matching.
	form := []byte(url.Values{"grant_type": {"client_credentials"}, "scope": {"PIS"}}.Encode())
	sr := req{method: http.MethodPost, url: live + "/oauth/secure/accesstoken", body: form, ctype: "application/x-www-form-urlencoded", basic: basic, header: map[string]string{"app_id": appID}}
	if code := h.do(sr).errorCode(t, 401); code != "invalid_signature" {
		t.Fatalf("secure token unsigned: %s", code)
	}
	h.sign(t, &sr, appID, "post /oauth/secure/accesstoken", key)
	if res := h.do(sr); res.Status != 200 {
		t.Fatalf("secure token signed: %d %s", res.Status, res.Body)
	}
	sr.header["app_id"] = "someone-else"
	if code := h.do(sr).errorCode(t, 401); code != "invalid_app_id" {
		t.Fatalf("secure token with another app_id header: %s", code)
	}

	// Without a key, a signature is not checked, but the signed variant
	// cannot be served.
	if _, err := h.In.Control.SetApp(t.Context(), tenantKey, client.App{}); err != nil {
		t.Fatal(err)
	}
	sr.header["app_id"] = appID
	res = h.do(sr)
	if code := res.errorCode(t, 401); code != "invalid_signature" || !strings.Contains(res.message(t), "no registered public key") {
		t.Fatalf("secure token without a registered key: %s", res.Body)
	}
}
