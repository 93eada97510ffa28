package httpsig

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// FuzzVerify feeds arbitrary Signature header values to Verify: it must
// never panic, must answer nil or an *Error with a reason and a message, and
// must leave the body readable.
func FuzzVerify(f *testing.F) {
	r := newRequest(http.MethodPost, "/pis/v2/connect?x=%5B1%5D", []byte(jsonBody))
	sign(f, r, true, signSpec{})
	valid := r.Header.Get("Signature")
	for _, seed := range []string{
		valid,
		strings.ReplaceAll(valid, ",", " , "),
		strings.Replace(valid, `headers="`, `headers="(created) host `, 1),
		`keyId="app-123",signature="AAAA`,
		`Signature keyId="a",signature="b"`,
		`keyId=app-123,signature=ab/cd==`,
		`keyId="a\"b",algorithm="rsa-sha256",headers="",signature=""`,
		`,,,=,"`,
		`keyId="app-123",headers="(request-target) date digest x-request-id",signature="` + strings.Repeat("A", 344) + `"`,
		"keyId=\"\xff\",signature=\"\\",
		"",
	} {
		f.Add(seed)
	}
	opts := testOptions(f)
	f.Fuzz(func(t *testing.T, header string) {
		r := newRequest(http.MethodPost, "/pis/v2/connect?x=%5B1%5D", []byte(jsonBody))
		r.Header["Signature"] = []string{header}
		err := Verify(r, opts)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify returned %T, not *Error: %v", err, err)
			}
			if e.Reason == "" || e.Message == "" {
				t.Fatalf("empty reason or message: %#v", e)
			}
		}
		if b, rerr := io.ReadAll(r.Body); rerr != nil || string(b) != jsonBody {
			t.Fatalf("body after Verify = %q, %v", b, rerr)
		}
	})
}
