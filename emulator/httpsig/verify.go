package httpsig

import (
	"cmp"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// Options say what a request must satisfy.
type Options struct {
	// KeyID is the keyId the signature must name: the app_id the key is
	// registered for. It must not be empty.
	KeyID string
	// Key is the registered public key. Only *rsa.PublicKey is supported,
	// since Fintecture signs with rsa-sha256 only (notes §1.4).
	Key crypto.PublicKey
	// Now is the server's clock time, for Date freshness. It is passed in
	// (Sandbank tenants have their own clocks) and must not be zero unless
	// MaxSkew is negative.
	Now time.Time
	// MaxSkew is the allowed |Now - Date|. Zero means DefaultMaxSkew; a
	// negative value turns the freshness check off (Date must still be
	// present, signed and parseable), e.g. to replay recorded requests.
	MaxSkew time.Duration
	// AltRequestURIs are request URIs (path and query, as in r.RequestURI) to
	// accept besides the one the request arrived with; Verify prefixes each
	// with the lowercased method to make its (request-target). The Fintecture
	// handler passes the received URI with its mount prefix stripped: the
	// npm client signs paths relative to its base URL (base
	// http://host/live/fintecture, it signs "get /ais/v1/..."), while absolute
	// URLs it follows (links.next) are signed with the prefix. Pass them raw
	// (percent-encoding untouched), cut from r.RequestURI, not r.URL.
	AltRequestURIs []string
	// MaxBody is the most body bytes read to check the Digest; zero or less
	// means DefaultMaxBody.
	MaxBody int64
}

// Defaults for zero Options fields.
const (
	DefaultMaxSkew       = 5 * time.Minute
	DefaultMaxBody int64 = 1 << 20
)

// The names Fintecture requires in headers= (notes §1.4): GET/DELETE sign
// "(request-target) date x-request-id", requests with a body add "digest".
const (
	requestTarget = "(request-target)"
	hdrDate       = "date"
	hdrRequestID  = "x-request-id"
	hdrDigest     = "digest"
)

// Present reports whether r carries a Signature header, so a caller can
// verify when one is present and a key is registered, and demand one when
// signatures are mandatory (they are optional in Fintecture's sandbox and
// mandatory in production, notes §1.4).
func Present(r *http.Request) bool {
	_, ok := r.Header[textproto.CanonicalMIMEHeaderKey("Signature")]
	return ok
}

// Verify checks r's Signature header against opts. It returns nil or an
// *Error. To check the Digest it reads the body (at most opts.MaxBody bytes)
// and puts back on r.Body a reader yielding the same bytes, so later handlers
// can read it.
//
// The checks run from the most specific to the least, so the first failure
// names the actual mistake: the header's syntax, algorithm and keyId; then the
// headers that must exist and be signed; the Digest; the Date; and last the
// RSA signature over each accepted signing string.
func Verify(r *http.Request, opts Options) error {
	if err := verify(r, opts); err != nil {
		return err
	}
	return nil
}

// verify is Verify returning the concrete type, so a nil *Error never
// becomes a non-nil error.
func verify(r *http.Request, opts Options) *Error {
	key, err := opts.rsaKey()
	if err != nil {
		return err
	}
	p, err := signatureParams(r.Header)
	if err != nil {
		return err
	}
	if err := checkAlgorithm(p.algorithm); err != nil {
		return err
	}
	if p.keyID != opts.KeyID {
		return fail(ReasonWrongKeyID, "Signature keyId is %s, but the key is registered for app_id %s; set keyId to your app_id",
			quote(p.keyID), quote(opts.KeyID))
	}
	body, err := readBody(r, opts.maxBody())
	if err != nil {
		return err
	}
	if err := checkHeaders(r, p, len(body) > 0); err != nil {
		return err
	}
	if d, ok := r.Header["Digest"]; ok {
		if err := checkDigest(strings.Join(d, ", "), body); err != nil {
			return err
		}
	}
	if err := checkDate(r.Header.Get("Date"), opts); err != nil {
		return err
	}
	sig, decErr := base64.StdEncoding.DecodeString(p.signature)
	if decErr != nil {
		return fail(ReasonInvalidSignatureEncoding, "Signature parameter signature is not standard padded base64 (RFC 4648 §4): %v", decErr)
	}
	return checkSignature(r, p, sig, key, opts.KeyID, opts.AltRequestURIs)
}

// maxBody is MaxBody, or DefaultMaxBody when it is not positive.
func (o Options) maxBody() int64 {
	if o.MaxBody <= 0 {
		return DefaultMaxBody
	}
	return o.MaxBody
}

// rsaKey validates the Options and returns the RSA key.
func (o Options) rsaKey() (*rsa.PublicKey, *Error) {
	if o.KeyID == "" {
		return nil, fail(ReasonInvalidOptions, "no app_id (Options.KeyID) to check the signature's keyId against")
	}
	if o.Now.IsZero() && o.MaxSkew >= 0 {
		return nil, fail(ReasonInvalidOptions, "no server time (Options.Now) to check the Date against")
	}
	switch k := o.Key.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return nil, fail(ReasonInvalidOptions, "the public key registered for app_id %s is empty", quote(o.KeyID))
		}
		return k, nil
	case nil:
		return nil, fail(ReasonInvalidOptions, "no public key is registered for app_id %s", quote(o.KeyID))
	default:
		return nil, fail(ReasonInvalidOptions, "the public key registered for app_id %s has type %T; Fintecture signatures are rsa-sha256, so register an RSA public key", quote(o.KeyID), o.Key)
	}
}

// signatureParams finds and parses the one Signature header.
func signatureParams(h http.Header) (params, *Error) {
	vs := h.Values("Signature")
	switch len(vs) {
	case 0:
		return params{}, fail(ReasonMissingSignature, "the request has no Signature header; sign it with keyId=\"<app_id>\",algorithm=\"rsa-sha256\",headers=\"(request-target) date x-request-id\" (add digest when there is a body)")
	case 1:
	default:
		return params{}, fail(ReasonMalformedSignature, "the request has %d Signature headers; send exactly one", len(vs))
	}
	if strings.TrimSpace(vs[0]) == "" {
		return params{}, fail(ReasonMalformedSignature, "the Signature header is empty")
	}
	return parseSignature(vs[0])
}

// checkAlgorithm accepts rsa-sha256 and an absent algorithm, which the draft
// says the verifier derives from the key (§2.1.3): here always RSA, SHA-256.
func checkAlgorithm(alg string) *Error {
	switch {
	case alg == "" || alg == "rsa-sha256":
		return nil
	case strings.EqualFold(alg, "rsa-sha256"):
		return fail(ReasonUnsupportedAlgorithm, "Signature algorithm is %s; algorithm names are case-sensitive: send algorithm=\"rsa-sha256\"", quote(alg))
	default:
		return fail(ReasonUnsupportedAlgorithm, "Signature algorithm %s is not supported; Fintecture accepts only algorithm=\"rsa-sha256\" (RSA PKCS#1 v1.5 with SHA-256)", quote(alg))
	}
}

// checkHeaders checks, in this order: the headers Fintecture requires are in
// the request; they are all listed in headers=; everything listed is in the
// request.
func checkHeaders(r *http.Request, p params, hasBody bool) *Error {
	required := []string{requestTarget, hdrDate}
	if hasBody {
		required = append(required, hdrDigest)
	}
	required = append(required, hdrRequestID)
	for _, name := range required[1:] {
		if _, ok := headerValue(r, name); !ok {
			return fail(ReasonMissingHeader, "the request has no %s header, which must be sent and signed%s", textproto.CanonicalMIMEHeaderKey(name), missingHint(name))
		}
	}
	var unsigned []string
	for _, name := range required {
		if !slices.Contains(p.headers, name) {
			unsigned = append(unsigned, name)
		}
	}
	if len(unsigned) > 0 {
		got := fmt.Sprintf("headers=%s", quote(strings.Join(p.headers, " ")))
		if !p.hasList {
			got = `no headers parameter, which the draft defaults to "date"`
		}
		return fail(ReasonHeaderNotSigned, "the signature does not cover %s: the Signature header has %s, and it must list %s",
			strings.Join(unsigned, ", "), got, quote(strings.Join(required, " ")))
	}
	for _, name := range p.headers {
		if name == requestTarget {
			continue
		}
		if _, ok := headerValue(r, name); !ok {
			return fail(ReasonSignedHeaderAbsent, "Signature headers= lists %s, but the request has no such header; list only headers you send%s",
				quote(name), absentHint(name, hasBody))
		}
	}
	return nil
}

func missingHint(name string) string {
	switch name {
	case hdrDate:
		return ` (e.g. "Sat, 21 Nov 2026 08:22:52 GMT"; X-Date is not signed and does not replace it)`
	case hdrRequestID:
		return " (a UUID v4, new for each request)"
	case hdrDigest:
		return " when the request has a body: Digest: SHA-256=<base64 of the SHA-256 of the raw body>"
	}
	return ""
}

func absentHint(name string, hasBody bool) string {
	if name == hdrDigest && !hasBody {
		return " (digest is signed only when there is a body)"
	}
	return ""
}

// headerValue returns the value a signer sees for a lowercased header name:
// every field line's value trimmed and joined by ", " (draft-cavage §2.3).
// Go's server moves Host out of the header map into r.Host.
func headerValue(r *http.Request, name string) (string, bool) {
	if name == "host" {
		return r.Host, r.Host != ""
	}
	vs, ok := r.Header[textproto.CanonicalMIMEHeaderKey(name)]
	if !ok {
		return "", false
	}
	trimmed := make([]string, len(vs))
	for i, v := range vs {
		trimmed[i] = strings.TrimSpace(v)
	}
	return strings.Join(trimmed, ", "), true
}

// checkDate parses the Date header and, unless turned off, checks it is
// within the allowed skew of the server clock.
func checkDate(v string, opts Options) *Error {
	t, err := parseDate(v)
	if err != nil {
		return err
	}
	if opts.MaxSkew < 0 {
		return nil
	}
	return checkSkew(v, t, opts.Now, cmp.Or(opts.MaxSkew, DefaultMaxSkew))
}

// checkSignature verifies sig over the signing string built for each
// accepted (request-target): the URI as received, then the alternatives.
func checkSignature(r *http.Request, p params, sig []byte, key *rsa.PublicKey, keyID string, alts []string) *Error {
	targets := requestTargets(r, alts)
	var first string
	for i, target := range targets {
		s := signingString(r, p.headers, target)
		if i == 0 {
			first = s
		}
		sum := sha256.Sum256([]byte(s))
		if rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig) == nil {
			return nil
		}
	}
	quoted := make([]string, len(targets))
	for i, t := range targets {
		quoted[i] = quote(t)
	}
	var size string
	if len(sig) != key.Size() {
		size = fmt.Sprintf(" The signature is %d bytes, but one made by the registered %d-bit key is %d bytes: the request was most likely signed with another key.",
			len(sig), key.N.BitLen(), key.Size())
	}
	return fail(ReasonSignatureMismatch,
		"the signature does not verify with the public key registered for keyId %s.%s The server built the signing string from headers=%s, trying each accepted (request-target): %s. The signing string for the request as received is %s; compare it byte for byte with yours (method lowercased, path and query exactly as sent, header names lowercased, lines joined by \\n without a trailing newline), and check that your private key matches the registered public key.",
		quote(keyID), size, quote(strings.Join(p.headers, " ")), strings.Join(quoted, ", "), quote(first))
}

// requestTargets lists the accepted (request-target) values without
// duplicates: the raw URI received first, then the alternatives.
func requestTargets(r *http.Request, alts []string) []string {
	method := strings.ToLower(r.Method)
	out := []string{method + " " + receivedURI(r)}
	for _, a := range alts {
		if t := method + " " + a; !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// receivedURI is the request-target as sent on the request line: the raw
// r.RequestURI, never the re-encoded r.URL, because clients sign the bytes
// they send (qs encodes brackets as %5B/%5D, the Ruby SDK sends them raw;
// notes §1.4). An absolute-form target (sent through a proxy) is cut to its
// path and query, the draft's :path. A request that never went through a
// server (RequestURI empty) falls back to r.URL.
func receivedURI(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" {
		return r.URL.RequestURI()
	}
	if _, rest, ok := strings.Cut(uri, "://"); ok && !strings.HasPrefix(uri, "/") {
		if i := strings.IndexAny(rest, "/?"); i >= 0 {
			if rest[i] == '?' {
				return "/" + rest[i:]
			}
			return rest[i:]
		}
		return "/"
	}
	return uri
}

// signingString builds the draft-cavage signing string: one line per listed
// name, "<name>: <value>", joined by "\n".
func signingString(r *http.Request, names []string, target string) string {
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(name)
		b.WriteString(": ")
		if name == requestTarget {
			b.WriteString(target)
			continue
		}
		v, _ := headerValue(r, name)
		b.WriteString(v)
	}
	return b.String()
}
