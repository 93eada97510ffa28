package httpsig

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestVerifyOverTheWire sends signed requests through a real server, so the
// request-target is the request line's bytes as Go's server received them,
// and checks the body still reaches the handler after Verify.
func TestVerifyOverTheWire(t *testing.T) {
	type result struct {
		Err      string `json:"err"`
		Body     string `json:"body"`
		URLPath  string `json:"url_path"`
		RawQuery string `json:"raw_query"`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		opts := testOptions(t)
		// The handler's mount prefix, stripped for the alternative target.
		if rest, ok := strings.CutPrefix(r.RequestURI, "/live/fintecture"); ok {
			opts.AltRequestURIs = []string{rest}
		}
		var res result
		if err := Verify(r, opts); err != nil {
			res.Err = err.Error()
		}
		b, _ := io.ReadAll(r.Body)
		res.Body, res.URLPath, res.RawQuery = string(b), r.URL.Path, r.URL.RawQuery
		_ = json.NewEncoder(w).Encode(res)
	}))
	defer srv.Close()

	for _, c := range []struct {
		name, method, uri, signURI, body string
		// decodedPath is r.URL.Path on the server when it differs from the
		// wire form: proof that verifying against r.URL would fail.
		decodedPath string
	}{
		{
			name: "qs-encoded brackets in path and query", method: http.MethodGet,
			uri:         "/ais/v1/customer/c%5B1%5D/accounts/a1/transactions?filter%5Bdate_from%5D=max&filter%5Bstatus%5D=BOOKED",
			decodedPath: "/ais/v1/customer/c[1]/accounts/a1/transactions",
		},
		{
			name: "raw brackets in query", method: http.MethodGet,
			uri: "/ais/v1/customer/c1/accounts/a1/transactions?filter[date_from]=max",
		},
		{
			name: "mount prefix stripped", method: http.MethodGet,
			uri: "/live/fintecture/ais/v1/customer/c1/accounts", signURI: "/ais/v1/customer/c1/accounts",
		},
		{
			name: "non-ASCII JSON body", method: http.MethodPost,
			uri: "/live/fintecture/pis/v2/connect", signURI: "/pis/v2/connect",
			body: `{"data":{"attributes":{"communication":"Loyer décembre – ½ € ✓"}}}`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, srv.URL+c.uri, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := req.URL.RequestURI(); got != c.uri {
				t.Fatalf("Go's client would send %q, not %q", got, c.uri)
			}
			date := testNow.Format(http.TimeFormat)
			req.Header.Set("Date", date)
			req.Header.Set("X-Date", date)
			req.Header.Set("X-Request-ID", "0b6a1d4e-3c2f-4e8a-9b7c-5d6e7f809102")
			names := defaultHeaders(c.body != "")
			if c.body != "" {
				sum := sha256.Sum256([]byte(c.body))
				req.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
			}
			signURI := c.signURI
			if signURI == "" {
				signURI = c.uri
			}
			sig := rsaSign(t, testSigningString(c.method, signURI, names, req.Header))
			req.Header.Set("Signature", `keyId="`+testAppID+`",algorithm="rsa-sha256",headers="`+strings.Join(names, " ")+`",signature="`+sig+`"`)

			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var res result
			if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
				t.Fatal(err)
			}
			if res.Err != "" {
				t.Fatalf("Verify: %s", res.Err)
			}
			if res.Body != c.body {
				t.Errorf("handler read body %q after Verify, want %q", res.Body, c.body)
			}
			if c.decodedPath != "" && res.URLPath != c.decodedPath {
				t.Errorf("r.URL.Path = %q, want the decoded %q", res.URLPath, c.decodedPath)
			}
		})
	}
}
