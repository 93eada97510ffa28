package journal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The journal is shown to QA and exported as HAR files that travel in bug
// reports, so no credential may reach it in clear. Masking happens before
// an entry is queued: nothing unmasked is ever stored.

// secretKeys are the names whose values are secrets, in JSON bodies, form
// bodies, query strings and headers. They are compared normalised
// (lowercase, without '_' and '-'), so client_secret, clientSecret and
// Client-Secret all match: SDKs spell them every way.
var secretKeys = map[string]bool{
	"password":        true,
	"secret":          true,
	"appsecret":       true,
	"clientsecret":    true,
	"accesstoken":     true,
	"refreshtoken":    true,
	"idtoken":         true,
	"clientassertion": true,
	"otp":             true,
	"apikey":          true,
	"privatekey":      true,
}

var keySeparators = strings.NewReplacer("_", "", "-", "")

func normalizeKey(k string) string { return keySeparators.Replace(strings.ToLower(k)) }

// IsSecretKey tells whether a field, parameter or header of this name
// holds a secret the journal masks.
func IsSecretKey(name string) bool {
	n := normalizeKey(name)
	return secretKeys[n] || secretKeys[strings.TrimPrefix(n, "x")] && strings.HasPrefix(strings.ToLower(name), "x-")
}

// maskShort is how a secret too short to show any of is written.
const maskShort = "****"

// MaskValue hides a secret: "" stays empty (QA needs to see that nothing
// was sent), values under 12 characters become "****", longer ones keep
// their first 4 characters then "…" and 6 hex digits of their SHA-256.
// The digits let QA tell tokens apart and follow one through a session:
// the first characters alone cannot, as every JWT starts with "eyJh".
func MaskValue(v string) string { return maskWith(v, func(s string) string { return s }) }

// maskWith masks v, escaping the kept prefix with esc for the syntax it
// goes back into (the "…" and hex digits need no escaping anywhere the
// journal shows them).
func maskWith(v string, esc func(string) string) string {
	if v == "" {
		return ""
	}
	if utf8.RuneCountInString(v) < 12 {
		return maskShort
	}
	prefix, n := v, 0
	for i := range v {
		if n == 4 {
			prefix = v[:i]
			break
		}
		n++
	}
	sum := sha256.Sum256([]byte(v))
	return esc(prefix) + "…" + hex.EncodeToString(sum[:3])
}

// MaskHeader returns a copy of h with secret values masked: Authorization
// keeps its scheme ("Bearer eyJh…3fa2c1") except Basic, whose credentials
// are masked whole since they carry the secret in clear; cookies keep
// their names and attributes; URLs in Location keep everything but their
// secret parameters; and any header named after a secret key (X-Api-Key,
// app_secret, Client-Secret…) is masked.
func MaskHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, values := range h {
		masked := make([]string, len(values))
		for i, v := range values {
			masked[i] = maskHeaderValue(name, v)
		}
		out[name] = masked
	}
	return out
}

func maskHeaderValue(name, v string) string {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
		switch {
		case !ok:
			return MaskValue(v)
		case strings.EqualFold(scheme, "basic"):
			return scheme + " " + maskShort
		}
		return scheme + " " + MaskValue(strings.TrimSpace(cred))
	case "cookie":
		pairs := strings.Split(v, ";")
		for i, p := range pairs {
			pairs[i] = maskCookiePair(p)
		}
		return strings.Join(pairs, ";")
	case "set-cookie":
		pair, attrs, ok := strings.Cut(v, ";")
		if ok {
			return maskCookiePair(pair) + ";" + attrs
		}
		return maskCookiePair(pair)
	case "location", "content-location":
		return MaskURL(v)
	}
	if IsSecretKey(name) {
		return MaskValue(v)
	}
	return v
}

func maskCookiePair(p string) string {
	name, value, ok := strings.Cut(p, "=")
	if !ok {
		return p
	}
	return name + "=" + MaskValue(value)
}

// MaskURL masks the secret parameters of a URL's query and fragment (an
// OAuth implicit flow returns tokens in the fragment). The rest of the URL
// is kept byte for byte.
func MaskURL(u string) string {
	base, frag, hasFrag := strings.Cut(u, "#")
	path, query, hasQuery := strings.Cut(base, "?")
	out := path
	if hasQuery {
		out += "?" + MaskForm(query)
	}
	if hasFrag {
		out += "#" + MaskForm(frag)
	}
	return out
}

// MaskForm masks the secret parameters of a form-urlencoded string (a
// body or a query), keeping the order and encoding of everything else.
func MaskForm(s string) string {
	if s == "" {
		return s
	}
	pairs := strings.Split(s, "&")
	for i, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		if !IsSecretKey(unescape(k)) {
			continue
		}
		pairs[i] = k + "=" + maskWith(unescape(v), url.QueryEscape)
	}
	return strings.Join(pairs, "&")
}

// MaskBody renders a captured body as text for the journal, its secrets
// masked. body may be only the first bytes of a body of size bytes (the
// capture is capped); masking copes with a body cut anywhere. JSON is
// masked by key at any depth, form bodies by parameter; other text is kept
// as is, and anything that is not text becomes "(N bytes, binary)".
func MaskBody(body []byte, size int64, contentType string) string {
	if len(body) == 0 {
		return ""
	}
	text, ok := asText(body, size > int64(len(body)))
	if !ok {
		return binary(size)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(strings.ToLower(contentType), ";")
		mt = strings.TrimSpace(mt)
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json":
		return MaskJSON(text)
	case mt == "application/x-www-form-urlencoded":
		return MaskForm(string(text))
	case mt == "" || mt == "text/plain" || mt == "application/octet-stream":
		// Clients that send no (or a wrong) type still send JSON or
		// forms, with their secrets: mask by shape.
		if looksJSON(text) {
			return MaskJSON(text)
		}
		if looksForm(text) {
			return MaskForm(string(text))
		}
		if mt == "application/octet-stream" {
			return binary(size)
		}
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "xml"),
		strings.HasSuffix(mt, "javascript"), mt == "application/jwt", strings.HasPrefix(mt, "multipart/"):
	default:
		return binary(size)
	}
	return string(text)
}

func binary(size int64) string { return fmt.Sprintf("(%d bytes, binary)", size) }

// asText returns body as text when it is UTF-8 without control
// characters other than whitespace. A capped body may end inside a
// character: that partial character is dropped.
func asText(body []byte, truncated bool) ([]byte, bool) {
	if truncated {
		// Find where the last character starts; drop it if unfinished.
		for n := 1; n <= utf8.UTFMax && n <= len(body); n++ {
			if utf8.RuneStart(body[len(body)-n]) {
				if !utf8.FullRune(body[len(body)-n:]) {
					body = body[:len(body)-n]
				}
				break
			}
		}
	}
	if !utf8.Valid(body) {
		return nil, false
	}
	for _, c := range body {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			return nil, false
		}
	}
	return body, true
}

func looksJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

func looksForm(b []byte) bool {
	return bytes.IndexByte(b, '=') > 0 && bytes.IndexAny(b, " \t\r\n<>{}") < 0
}
