package httpsig

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file is an independent test signer: it builds the signing string its
// own way (from §1.4 of the Fintecture notes, not from the package's code)
// and signs with rsa.SignPKCS1v15.

const testAppID = "app-123"

// testNow is the server clock in tests; requests are dated at it by default.
var testNow = time.Date(2026, 11, 21, 8, 22, 52, 0, time.UTC)

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
)

// testKey returns the test binary's one 2048-bit RSA key.
func testKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() { key, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	if keyErr != nil {
		t.Fatalf("generating RSA key: %v", keyErr)
	}
	return key
}

// testOptions are Options that a correctly signed test request satisfies.
func testOptions(t testing.TB) Options {
	return Options{KeyID: testAppID, Key: &testKey(t).PublicKey, Now: testNow}
}

// newRequest builds a request as a server receives it, with the headers a
// Fintecture client sends (Date, X-Date, X-Request-ID, Digest with a body),
// not yet signed.
func newRequest(method, uri string, body []byte) *http.Request {
	r := httptest.NewRequest(method, uri, bytes.NewReader(body))
	date := testNow.Format(http.TimeFormat)
	r.Header.Set("Date", date)
	r.Header.Set("X-Date", date) // the npm client sends it, unsigned
	r.Header.Set("X-Request-ID", "6f1c3b8e-2a4d-4c8e-9f1a-0b2c3d4e5f60")
	r.Header.Set("Accept", "application/json")
	if len(body) > 0 {
		sum := sha256.Sum256(body)
		r.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

// signSpec says how to sign; zero fields take the Fintecture defaults.
type signSpec struct {
	keyID     string   // default testAppID
	algorithm string   // default rsa-sha256; "-" omits the parameter
	headers   []string // default per §1.4; nil with noHeaders omits the parameter
	noHeaders bool
	uri       string // URI in (request-target); default r.RequestURI
}

// defaultHeaders is what the npm client lists: digest only with a body.
func defaultHeaders(hasBody bool) []string {
	if hasBody {
		return []string{"(request-target)", "date", "digest", "x-request-id"}
	}
	return []string{"(request-target)", "date", "x-request-id"}
}

// testSigningString is the independent signing-string builder.
func testSigningString(method, uri string, names []string, h http.Header) string {
	lines := make([]string, 0, len(names))
	for _, n := range names {
		v := h.Get(n)
		if n == "(request-target)" {
			v = strings.ToLower(method) + " " + uri
		}
		lines = append(lines, n+": "+v)
	}
	return strings.Join(lines, "\n")
}

// rsaSign signs s with the test key and returns base64.
func rsaSign(t testing.TB, s string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(rand.Reader, testKey(t), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// sign sets r's Signature header per spec; hasBody picks the default list.
func sign(t testing.TB, r *http.Request, hasBody bool, spec signSpec) {
	t.Helper()
	keyID := spec.keyID
	if keyID == "" {
		keyID = testAppID
	}
	names := spec.headers
	if names == nil && !spec.noHeaders {
		names = defaultHeaders(hasBody)
	}
	uri := spec.uri
	if uri == "" {
		uri = r.RequestURI
	}
	sig := rsaSign(t, testSigningString(r.Method, uri, names, r.Header))
	parts := []string{`keyId="` + keyID + `"`}
	switch spec.algorithm {
	case "":
		parts = append(parts, `algorithm="rsa-sha256"`)
	case "-":
	default:
		parts = append(parts, `algorithm="`+spec.algorithm+`"`)
	}
	if !spec.noHeaders {
		parts = append(parts, `headers="`+strings.Join(names, " ")+`"`)
	}
	parts = append(parts, `signature="`+sig+`"`)
	r.Header.Set("Signature", strings.Join(parts, ","))
}

// setParam replaces one parameter's quoted value in r's Signature header.
func setParam(t testing.TB, r *http.Request, name, value string) {
	t.Helper()
	h := r.Header.Get("Signature")
	start := strings.Index(h, name+`="`)
	if start < 0 {
		t.Fatalf("no %s in %q", name, h)
	}
	start += len(name) + 2
	end := start + strings.IndexByte(h[start:], '"')
	r.Header.Set("Signature", h[:start]+value+h[end:])
}
