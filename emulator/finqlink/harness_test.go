package finqlink_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/instance"
	"github.com/sandbank/sandbank/emulator/providertest"
)

var start = time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)

const (
	clientID     = "fq-client-0001"
	clientSecret = "fq-secret-0001"
	base         = "/finqlink"
)

// harness is one Sandbank on a real SQLite file with every contract
// response validated (providertest), and its clock.
type harness struct {
	t      testing.TB
	clock  *emulator.ManualClock
	server *providertest.Server
	in     *instance.Instance
	srv    *httptest.Server
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	clock := emulator.NewManualClock(start)
	s := providertest.Start(t, filepath.Join(t.TempDir(), "sandbank.db"), clock)
	return &harness{t: t, clock: clock, server: s, in: s.In, srv: s.Srv}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorBody is FinqLink's error envelope.
type errorBody struct {
	ErrorID   string `json:"error_id"`
	RequestID string `json:"request_id"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// failure asserts an error reply and returns its code.
func (r resp) failure(t testing.TB, status int) errorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("want %d, got %d: %s", status, r.status, r.body)
	}
	var e errorBody
	r.decode(t, &e)
	if e.ErrorID == "" || e.RequestID == "" || e.Code == "" || e.Message == "" {
		t.Fatalf("incomplete envelope: %s", r.body)
	}
	return e
}

func (h *harness) send(method, path, ctype string, body io.Reader, header map[string]string) resp {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// post sends a JSON body to an API path.
func (h *harness) post(path, body string, header map[string]string) resp {
	h.t.Helper()
	return h.send(http.MethodPost, base+path, "application/json", strings.NewReader(body), header)
}

// form posts to the token endpoint.
func (h *harness) form(v url.Values, header map[string]string) resp {
	h.t.Helper()
	return h.send(http.MethodPost, base+"/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()), header)
}
