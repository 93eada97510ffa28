package httpsig

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
)

// readBody reads up to limit bytes of r.Body and puts back a reader that
// yields exactly what the client sent, so later handlers read the same body.
// The original body stays the closer. A body over the limit is put back
// whole (what was read, then the rest) and refused, because its Digest cannot
// be checked without holding it.
func readBody(r *http.Request, limit int64) ([]byte, *Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	orig := r.Body
	body, err := io.ReadAll(io.LimitReader(orig, limit+1))
	if err != nil {
		r.Body = readCloser{io.MultiReader(bytes.NewReader(body), errReader{err}), orig}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fail(ReasonBodyTooLarge, "request body exceeds the server's limit of %d bytes", tooBig.Limit)
		}
		return nil, fail(ReasonBodyUnreadable, "reading the request body failed after %d bytes: %v", len(body), err)
	}
	if int64(len(body)) > limit {
		r.Body = readCloser{io.MultiReader(bytes.NewReader(body), orig), orig}
		return nil, fail(ReasonBodyTooLarge, "request body is over %d bytes, the most this server reads to check its Digest", limit)
	}
	r.Body = readCloser{bytes.NewReader(body), orig}
	return body, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// errReader replays a read error after the bytes already read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// checkDigest checks the Digest header (RFC 3230: a comma-separated list of
// algorithm=base64 instances, algorithm names case-insensitive) against the
// SHA-256 of the raw body bytes received. Fintecture uses SHA-256 only
// (notes §1.4), so a Digest without a SHA-256 instance is refused.
func checkDigest(header string, body []byte) *Error {
	sum := sha256.Sum256(body)
	want := base64.StdEncoding.EncodeToString(sum[:])
	var algs []string
	for inst := range strings.SplitSeq(header, ",") {
		alg, value, ok := strings.Cut(strings.TrimSpace(inst), "=")
		if !ok {
			return fail(ReasonDigestMismatch, "Digest header %s is not algorithm=value; send Digest: SHA-256=%s (base64 of the SHA-256 of the %d body bytes received)",
				quote(header), want, len(body))
		}
		if !strings.EqualFold(alg, "SHA-256") {
			algs = append(algs, alg)
			continue
		}
		got, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return fail(ReasonDigestMismatch, "Digest value %s is not standard padded base64 (%v); the server computed SHA-256=%s over the %d body bytes received",
				quote(value), err, want, len(body))
		}
		if !bytes.Equal(got, sum[:]) {
			return fail(ReasonDigestMismatch, "Digest does not match the body: the request says SHA-256=%s, the server computed SHA-256=%s over the %d raw body bytes it received; hash the exact bytes sent (after JSON encoding), not the object before encoding",
				quote(value), want, len(body))
		}
		return nil
	}
	return fail(ReasonDigestMismatch, "Digest header %s has no SHA-256 value (algorithms sent: %s); the algorithm must be SHA-256=, and the server computed SHA-256=%s over the %d body bytes received",
		quote(header), quote(strings.Join(algs, ", ")), want, len(body))
}
