package httpsig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	accountsURI = "/ais/v1/customer/c1/accounts"
	jsonBody    = `{"meta":{"psu_name":"Ada"}}`
)

// verifyCase is one request, how it is signed and tampered, and the outcome.
type verifyCase struct {
	name   string
	method string // default GET
	uri    string // default accountsURI
	body   string
	prep   func(r *http.Request)               // before signing
	spec   signSpec                            // how to sign
	post   func(t *testing.T, r *http.Request) // after signing
	opts   func(o *Options)
	reason Reason   // "" means Verify must succeed
	want   []string // substrings of the message
}

func (c verifyCase) run(t *testing.T) {
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	uri := c.uri
	if uri == "" {
		uri = accountsURI
	}
	body := []byte(c.body)
	r := newRequest(method, uri, body)
	if c.prep != nil {
		c.prep(r)
	}
	sign(t, r, len(body) > 0, c.spec)
	if c.post != nil {
		c.post(t, r)
	}
	opts := testOptions(t)
	if c.opts != nil {
		c.opts(&opts)
	}
	err := Verify(r, opts)
	checkOutcome(t, err, c.reason, c.want...)
	got, rerr := io.ReadAll(r.Body)
	if rerr != nil || !bytes.Equal(got, body) {
		t.Errorf("body after Verify = %q, %v; want %q", got, rerr, body)
	}
}

// checkOutcome checks err is nil when reason is "", else an *Error with that
// reason whose message holds every want.
func checkOutcome(t *testing.T, err error, reason Reason, want ...string) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Verify = %v (%T); want *Error with reason %s", err, err, reason)
	}
	if e.Reason != reason {
		t.Fatalf("reason = %s, want %s; message: %s", e.Reason, reason, e.Message)
	}
	for _, w := range want {
		if !strings.Contains(e.Message, w) {
			t.Errorf("message lacks %q:\n%s", w, e.Message)
		}
	}
}

func setSig(v string) func(*testing.T, *http.Request) {
	return func(_ *testing.T, r *http.Request) { r.Header.Set("Signature", v) }
}

func del(name string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Del(name) }
}

func digestOf(b string) string {
	sum := sha256.Sum256([]byte(b))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestVerifyAccepts(t *testing.T) {
	for _, c := range []verifyCase{
		{name: "GET"},
		{name: "DELETE", method: http.MethodDelete, uri: "/ais/v1/customer/c1"},
		{name: "POST with body and digest", method: http.MethodPost, uri: "/pis/v2/connect", body: jsonBody},
		{name: "PATCH with body and digest", method: http.MethodPatch, uri: "/v1/customers/c1", body: jsonBody},
		{name: "POST without body needs no digest", method: http.MethodPost, uri: "/ais/v1/customer/c1/refresh"},
		{
			name: "IMF-fixdate Date (npm, Ruby)",
			prep: func(r *http.Request) { r.Header.Set("Date", "Sat, 21 Nov 2026 08:22:52 GMT") },
		},
		{
			name: "RFC 1123 Date with numeric zone (PHP date('r'))",
			prep: func(r *http.Request) { r.Header.Set("Date", "Sat, 21 Nov 2026 09:22:52 +0100") },
		},
		{
			name: "Date within the skew",
			prep: func(r *http.Request) { r.Header.Set("Date", testNow.Add(-4*time.Minute).Format(http.TimeFormat)) },
		},
		{
			name: "negative MaxSkew turns freshness off",
			prep: func(r *http.Request) { r.Header.Set("Date", testNow.Add(-48*time.Hour).Format(http.TimeFormat)) },
			opts: func(o *Options) { o.MaxSkew = -1; o.Now = time.Time{} },
		},
		{
			name: "percent-encoded brackets verified as sent",
			uri:  "/ais/v1/customer/c%5B1%5D/accounts/a1/transactions?filter%5Bdate_from%5D=max&filter%5Bstatus%5D=BOOKED",
		},
		{
			name: "raw brackets verified as sent (Ruby SDK)",
			uri:  "/ais/v1/customer/c1/accounts/a1/transactions?filter[date_from]=max",
		},
		{
			name:   "non-ASCII and non-UTF-8 body bytes",
			method: http.MethodPost, uri: "/pis/v2/connect",
			body: "{\"communication\":\"Zoë – 東京 €\",\"raw\":\"\xff\xfe\"}",
		},
		{
			name: "signed with the mount prefix stripped, accepted through AltRequestURIs",
			uri:  "/live/fintecture" + accountsURI + "?page=2",
			spec: signSpec{uri: accountsURI + "?page=2"},
			opts: func(o *Options) { o.AltRequestURIs = []string{accountsURI + "?page=2"} },
		},
		{
			name: "signed with the prefix (followed links.next), AltRequestURIs given too",
			uri:  "/live/fintecture" + accountsURI + "?page=2",
			opts: func(o *Options) { o.AltRequestURIs = []string{accountsURI + "?page=2"} },
		},
		{
			name: "absolute-form request target",
			uri:  "http://127.0.0.1:8080" + accountsURI + "?x=1",
			spec: signSpec{uri: accountsURI + "?x=1"},
		},
		{
			name: "algorithm omitted is derived from the RSA key",
			spec: signSpec{algorithm: "-"},
		},
		{
			name: "spaces around commas and parameters in another order",
			post: func(t *testing.T, r *http.Request) {
				p, err := parseSignature(r.Header.Get("Signature"))
				if err != nil {
					t.Fatal(err)
				}
				r.Header.Set("Signature", `signature="`+p.signature+`" , headers="`+strings.Join(p.headers, " ")+`",  keyId="`+p.keyID+`",algorithm="rsa-sha256"`)
			},
		},
		{
			name: "extra signed header",
			spec: signSpec{headers: []string{"(request-target)", "date", "x-request-id", "accept"}},
		},
		{
			name:   "Digest listing SHA-512 before SHA-256",
			method: http.MethodPost, uri: "/pis/v2/connect", body: jsonBody,
			prep: func(r *http.Request) { r.Header.Set("Digest", "SHA-512=AAAA, sha-256="+digestOf(jsonBody)) },
		},
	} {
		t.Run(c.name, c.run)
	}
}

func TestVerifyRefuses(t *testing.T) {
	for _, c := range []verifyCase{
		// Options.
		{
			name: "no key", opts: func(o *Options) { o.Key = nil },
			reason: ReasonInvalidOptions, want: []string{`no public key is registered for app_id "app-123"`},
		},
		{
			name: "non-RSA key", opts: func(o *Options) { o.Key = ed25519.NewKeyFromSeed(make([]byte, 32)).Public() },
			reason: ReasonInvalidOptions, want: []string{"ed25519.PublicKey", "register an RSA public key"},
		},
		{
			name: "empty KeyID", opts: func(o *Options) { o.KeyID = "" },
			reason: ReasonInvalidOptions, want: []string{"Options.KeyID"},
		},
		{
			name: "zero Now", opts: func(o *Options) { o.Now = time.Time{} },
			reason: ReasonInvalidOptions, want: []string{"Options.Now"},
		},

		// The Signature header itself.
		{
			name: "no Signature header", post: func(_ *testing.T, r *http.Request) { r.Header.Del("Signature") },
			reason: ReasonMissingSignature, want: []string{"no Signature header", `algorithm="rsa-sha256"`},
		},
		{
			name: "empty Signature header", post: setSig(" "),
			reason: ReasonMalformedSignature, want: []string{"empty"},
		},
		{
			name:   "two Signature headers",
			post:   func(_ *testing.T, r *http.Request) { r.Header.Add("Signature", r.Header.Get("Signature")) },
			reason: ReasonMalformedSignature, want: []string{"2 Signature headers"},
		},
		{
			name: "no keyId", post: setSig(`algorithm="rsa-sha256",headers="date",signature="AAAA"`),
			reason: ReasonMalformedSignature, want: []string{"no keyId parameter"},
		},
		{
			name: "no signature", post: setSig(`keyId="app-123",algorithm="rsa-sha256",headers="date"`),
			reason: ReasonMalformedSignature, want: []string{"no signature parameter"},
		},
		{
			name: "empty keyId", post: setSig(`keyId="",algorithm="rsa-sha256",headers="date",signature="AAAA"`),
			reason: ReasonMalformedSignature, want: []string{"keyId is empty"},
		},
		{
			name: "unterminated quote", post: setSig(`keyId="app-123",signature="AAAA`),
			reason: ReasonMalformedSignature, want: []string{"parameter signature", "opened at byte 26 is never closed"},
		},
		{
			name: "missing closing quote runs into the next parameter", post: setSig(`keyId="app-123",algorithm="rsa-sha256,headers="date",signature="AAAA"`),
			reason: ReasonMalformedSignature, want: []string{`the value of algorithm runs into the next parameter ("headers="): is its closing quote missing?`},
		},
		{
			name: "Authorization-style prefix", post: setSig(`Signature keyId="app-123",signature="AAAA"`),
			reason: ReasonMalformedSignature, want: []string{`drop the "Signature " prefix`},
		},
		{
			name: "repeated parameter", post: setSig(`keyId="app-123",keyId="app-456",signature="AAAA"`),
			reason: ReasonMalformedSignature, want: []string{"keyId appears twice"},
		},
		{
			name: "unquoted base64 value", post: setSig(`keyId="app-123",signature=ab/cd==`),
			reason: ReasonMalformedSignature, want: []string{`after parameter signature; quote parameter values: signature="..."`},
		},
		{
			name: "parameter without =", post: setSig(`keyId="app-123",rsa-sha256`),
			reason: ReasonMalformedSignature, want: []string{`parameter "rsa-sha256" at byte 16 has no "="`},
		},
		{
			name:   "(created) pseudo-header",
			spec:   signSpec{headers: []string{"(request-target)", "(created)", "date", "x-request-id"}},
			reason: ReasonMalformedSignature, want: []string{`"(created)"`, "only pseudo-header is (request-target)"},
		},

		// algorithm and keyId.
		{
			name: "hs2019", spec: signSpec{algorithm: "hs2019"},
			reason: ReasonUnsupportedAlgorithm, want: []string{`"hs2019" is not supported`, `only algorithm="rsa-sha256"`},
		},
		{
			name: "hmac-sha256", spec: signSpec{algorithm: "hmac-sha256"},
			reason: ReasonUnsupportedAlgorithm, want: []string{`"hmac-sha256"`},
		},
		{
			name: "algorithm in upper case", spec: signSpec{algorithm: "RSA-SHA256"},
			reason: ReasonUnsupportedAlgorithm, want: []string{"case-sensitive"},
		},
		{
			name: "wrong keyId", spec: signSpec{keyID: "app-999"},
			reason: ReasonWrongKeyID, want: []string{`keyId is "app-999"`, `registered for app_id "app-123"`},
		},

		// Headers that must be sent and signed.
		{
			name: "no Date", prep: del("Date"),
			reason: ReasonMissingHeader, want: []string{"no Date header", "X-Date is not signed"},
		},
		{
			name: "no X-Request-ID", prep: del("X-Request-ID"),
			reason: ReasonMissingHeader, want: []string{"no X-Request-Id header"},
		},
		{
			name: "body without Digest", method: http.MethodPost, uri: "/pis/v2/connect", body: jsonBody,
			prep:   del("Digest"),
			spec:   signSpec{headers: []string{"(request-target)", "date", "x-request-id"}},
			reason: ReasonMissingHeader, want: []string{"no Digest header", "SHA-256="},
		},
		{
			name:   "x-request-id not signed",
			spec:   signSpec{headers: []string{"(request-target)", "date"}},
			reason: ReasonHeaderNotSigned, want: []string{"does not cover x-request-id", `headers="(request-target) date"`, `must list "(request-target) date x-request-id"`},
		},
		{
			name:   "(request-target) not signed",
			spec:   signSpec{headers: []string{"date", "x-request-id"}},
			reason: ReasonHeaderNotSigned, want: []string{"does not cover (request-target)"},
		},
		{
			name: "digest not signed", method: http.MethodPost, uri: "/pis/v2/connect", body: jsonBody,
			spec:   signSpec{headers: []string{"(request-target)", "date", "x-request-id"}},
			reason: ReasonHeaderNotSigned, want: []string{"does not cover digest", `must list "(request-target) date digest x-request-id"`},
		},
		{
			name:   "no headers parameter",
			spec:   signSpec{noHeaders: true, headers: []string{"date"}},
			reason: ReasonHeaderNotSigned, want: []string{"(request-target), x-request-id", `defaults to "date"`},
		},
		{
			name:   "listed header absent",
			spec:   signSpec{headers: []string{"(request-target)", "date", "x-request-id", "content-type"}},
			reason: ReasonSignedHeaderAbsent, want: []string{`lists "content-type"`},
		},
		{
			name:   "digest listed without a body",
			spec:   signSpec{headers: []string{"(request-target)", "date", "digest", "x-request-id"}},
			reason: ReasonSignedHeaderAbsent, want: []string{`lists "digest"`, "only when there is a body"},
		},

		// Body and Digest.
		{
			name: "body over MaxBody", method: http.MethodPost, uri: "/pis/v2/connect", body: jsonBody,
			opts:   func(o *Options) { o.MaxBody = 8 },
			reason: ReasonBodyTooLarge, want: []string{"over 8 bytes"},
		},
		{
			name: "Digest of another body", method: http.MethodPost, uri: "/pis/v2/connect", body: jsonBody,
			prep:   func(r *http.Request) { r.Header.Set("Digest", "SHA-256="+digestOf(`{"meta":{"psu_name":"Bob"}}`)) },
			reason: ReasonDigestMismatch,
			want:   []string{`says SHA-256="` + digestOf(`{"meta":{"psu_name":"Bob"}}`), "computed SHA-256=" + digestOf(jsonBody), "over the 27 raw body bytes"},
		},
		{
			name: "Digest over a re-encoded non-ASCII body", method: http.MethodPost, uri: "/pis/v2/connect", body: `{"name":"Zoë"}`,
			prep:   func(r *http.Request) { r.Header.Set("Digest", "SHA-256="+digestOf(`{"name":"Zo\u00eb"}`)) },
			reason: ReasonDigestMismatch, want: []string{"computed SHA-256=" + digestOf(`{"name":"Zoë"}`), "over the 15 raw body bytes"},
		},
		{
			name: "Digest with SHA-512 only", method: http.MethodPost, uri: "/pis/v2/connect", body: jsonBody,
			prep:   func(r *http.Request) { r.Header.Set("Digest", "SHA-512=AAAA") },
			reason: ReasonDigestMismatch, want: []string{"no SHA-256 value", `algorithms sent: "SHA-512"`, "must be SHA-256=", "computed SHA-256=" + digestOf(jsonBody)},
		},
		{
			name: "Digest not base64", method: http.MethodPost, uri: "/pis/v2/connect", body: jsonBody,
			prep:   func(r *http.Request) { r.Header.Set("Digest", "SHA-256=not base64!") },
			reason: ReasonDigestMismatch, want: []string{"not standard padded base64", "computed SHA-256=" + digestOf(jsonBody)},
		},
		{
			name: "Digest hex, no algorithm", method: http.MethodPost, uri: "/pis/v2/connect", body: jsonBody,
			prep:   func(r *http.Request) { r.Header.Set("Digest", "0f3a") },
			reason: ReasonDigestMismatch, want: []string{"is not algorithm=value", "send Digest: SHA-256=" + digestOf(jsonBody)},
		},

		// Date.
		{
			name: "unparseable Date", prep: func(r *http.Request) { r.Header.Set("Date", "2026-11-21T08:22:52Z") },
			reason: ReasonInvalidDate, want: []string{`"2026-11-21T08:22:52Z" is not an HTTP date`, "GMT", "+0000"},
		},
		{
			name:   "stale Date",
			prep:   func(r *http.Request) { r.Header.Set("Date", testNow.Add(-10*time.Minute).Format(http.TimeFormat)) },
			reason: ReasonDateSkew, want: []string{"10m0s behind the server clock", "±5m0s", testNow.Format(http.TimeFormat)},
		},
		{
			name:   "future Date, PHP format",
			prep:   func(r *http.Request) { r.Header.Set("Date", testNow.Add(6*time.Minute).Format(time.RFC1123Z)) },
			reason: ReasonDateSkew, want: []string{"6m0s ahead of the server clock", "±5m0s"},
		},
		{
			name:   "just over a custom skew",
			prep:   func(r *http.Request) { r.Header.Set("Date", testNow.Add(-31*time.Second).Format(http.TimeFormat)) },
			opts:   func(o *Options) { o.MaxSkew = 30 * time.Second; o.Now = testNow.Add(-600 * time.Millisecond) },
			reason: ReasonDateSkew, want: []string{"30.4s behind", "±30s"},
		},

		// The signature value.
		{
			name: "signature not base64", post: func(t *testing.T, r *http.Request) { setParam(t, r, "signature", "%%%") },
			reason: ReasonInvalidSignatureEncoding, want: []string{"not standard padded base64"},
		},
		{
			name: "signature unpadded", post: func(t *testing.T, r *http.Request) { setParam(t, r, "signature", "AAA") },
			reason: ReasonInvalidSignatureEncoding, want: []string{"RFC 4648"},
		},
		{
			name: "signature altered",
			post: func(t *testing.T, r *http.Request) {
				p, _ := parseSignature(r.Header.Get("Signature"))
				b, _ := base64.StdEncoding.DecodeString(p.signature)
				b[len(b)/2] ^= 1
				setParam(t, r, "signature", base64.StdEncoding.EncodeToString(b))
			},
			reason: ReasonSignatureMismatch,
			want: []string{
				`keyId "app-123"`, `headers="(request-target) date x-request-id"`,
				`"get /ais/v1/customer/c1/accounts"`,
				`"(request-target): get /ais/v1/customer/c1/accounts\ndate: Sat, 21 Nov 2026 08:22:52 GMT\nx-request-id: 6f1c3b8e-2a4d-4c8e-9f1a-0b2c3d4e5f60"`,
			},
		},
		{
			name: "signature of another size",
			post: func(t *testing.T, r *http.Request) {
				setParam(t, r, "signature", base64.StdEncoding.EncodeToString(make([]byte, 128)))
			},
			reason: ReasonSignatureMismatch, want: []string{"128 bytes", "registered 2048-bit key is 256 bytes", "another key"},
		},
		{
			name: "header changed after signing",
			post: func(_ *testing.T, r *http.Request) {
				r.Header.Set("X-Request-ID", "00000000-0000-4000-8000-000000000000")
			},
			reason: ReasonSignatureMismatch, want: []string{`x-request-id: 00000000-0000-4000-8000-000000000000`},
		},
		{
			name:   "signed decoded brackets, sent encoded",
			uri:    "/ais/v1/customer/c1/accounts/a1/transactions?filter%5Bdate_from%5D=max",
			spec:   signSpec{uri: "/ais/v1/customer/c1/accounts/a1/transactions?filter[date_from]=max"},
			reason: ReasonSignatureMismatch, want: []string{`"get /ais/v1/customer/c1/accounts/a1/transactions?filter%5Bdate_from%5D=max"`},
		},
		{
			name:   "signed upper-case method",
			post:   func(t *testing.T, r *http.Request) { resignRaw(t, r, "(request-target): GET "+accountsURI) },
			reason: ReasonSignatureMismatch, want: []string{"method lowercased"},
		},
		{
			name:   "signed without prefix, no AltRequestURIs",
			uri:    "/live/fintecture" + accountsURI,
			spec:   signSpec{uri: accountsURI},
			reason: ReasonSignatureMismatch, want: []string{`(request-target): "get /live/fintecture/ais/v1/customer/c1/accounts".`},
		},
		{
			name:   "signed another path, every accepted target listed",
			uri:    "/live/fintecture" + accountsURI,
			spec:   signSpec{uri: "/ais/v1/customer/c2/accounts"},
			opts:   func(o *Options) { o.AltRequestURIs = []string{accountsURI, accountsURI} },
			reason: ReasonSignatureMismatch, want: []string{`(request-target): "get /live/fintecture/ais/v1/customer/c1/accounts", "get /ais/v1/customer/c1/accounts".`},
		},
	} {
		t.Run(c.name, c.run)
	}
}

// resignRaw replaces the signature with one over the given (wrong) signing
// string, keeping the rest of the header.
func resignRaw(t *testing.T, r *http.Request, s string) {
	t.Helper()
	setParam(t, r, "signature", rsaSign(t, s))
}

// TestMismatchNeverEchoesKey checks the diagnostic names the keyId but holds
// no key material.
func TestMismatchNeverEchoesKey(t *testing.T) {
	r := newRequest(http.MethodGet, accountsURI, nil)
	sign(t, r, false, signSpec{})
	setParam(t, r, "signature", base64.StdEncoding.EncodeToString(make([]byte, 256)))
	err := Verify(r, testOptions(t))
	var e *Error
	if !errors.As(err, &e) || e.Reason != ReasonSignatureMismatch {
		t.Fatalf("Verify = %v", err)
	}
	pub := testKey(t).PublicKey
	for _, secret := range []string{
		pub.N.String(), pub.N.Text(16),
		base64.StdEncoding.EncodeToString(pub.N.Bytes())[:40],
		"BEGIN",
	} {
		if strings.Contains(e.Message, secret) {
			t.Errorf("message holds key material %.20q", secret)
		}
	}
}

func TestPresent(t *testing.T) {
	r := newRequest(http.MethodGet, accountsURI, nil)
	if Present(r) {
		t.Error("Present before signing")
	}
	sign(t, r, false, signSpec{})
	if !Present(r) {
		t.Error("not Present after signing")
	}
	r.Header.Set("Signature", "")
	if !Present(r) {
		t.Error("an empty Signature header is still present (and malformed)")
	}
}

// TestBodyReadableAfterVerify reads the body after success and after a
// refusal, including a body too large to check and one whose read fails.
func TestBodyReadableAfterVerify(t *testing.T) {
	big := strings.Repeat("x", 100)
	for _, c := range []struct {
		name string
		opts func(*Options)
		body string
	}{
		{name: "verified", body: jsonBody},
		{name: "refused", body: jsonBody, opts: func(o *Options) { o.Now = testNow.Add(time.Hour) }},
		{name: "too large", body: big, opts: func(o *Options) { o.MaxBody = 10 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRequest(http.MethodPost, "/pis/v2/connect", []byte(c.body))
			sign(t, r, true, signSpec{})
			opts := testOptions(t)
			if c.opts != nil {
				c.opts(&opts)
			}
			_ = Verify(r, opts)
			got, err := io.ReadAll(r.Body)
			if err != nil || string(got) != c.body {
				t.Fatalf("body = %q, %v; want %q", got, err, c.body)
			}
			if err := r.Body.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	t.Run("read error", func(t *testing.T) {
		r := newRequest(http.MethodPost, "/pis/v2/connect", []byte(jsonBody))
		sign(t, r, true, signSpec{})
		boom := errors.New("connection reset")
		r.Body = io.NopCloser(io.MultiReader(strings.NewReader("{"), errorReader{boom}))
		checkOutcome(t, Verify(r, testOptions(t)), ReasonBodyUnreadable, "after 1 bytes", "connection reset")
		got, err := io.ReadAll(r.Body)
		if string(got) != "{" || !errors.Is(err, boom) {
			t.Errorf("body = %q, %v; want the byte read, then the same error", got, err)
		}
	})
	t.Run("MaxBytesReader", func(t *testing.T) {
		r := newRequest(http.MethodPost, "/pis/v2/connect", []byte(jsonBody))
		sign(t, r, true, signSpec{})
		r.Body = http.MaxBytesReader(nil, r.Body, 4)
		checkOutcome(t, Verify(r, testOptions(t)), ReasonBodyTooLarge, "limit of 4 bytes")
	})
}

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// TestVerifyReturnsUntypedNil guards against a nil *Error inside a non-nil
// error interface.
func TestVerifyReturnsUntypedNil(t *testing.T) {
	r := newRequest(http.MethodGet, accountsURI, nil)
	sign(t, r, false, signSpec{})
	if err := Verify(r, testOptions(t)); err != nil {
		t.Fatalf("Verify = %#v, want untyped nil", err)
	}
}
