package finqlink_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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
type harness struct{ providertest.Harness }

// newHarness starts a Sandbank on a new database with its clock at start;
// tweaks adjust its options.
func newHarness(t testing.TB, tweaks ...func(*instance.Options)) *harness {
	t.Helper()
	return &harness{providertest.StartAt(t, start, tweaks...)}
}

// resp is a reply, with FinqLink's reading of its error envelope.
type resp struct{ providertest.Response }

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
	r.WantStatus(t, status)
	var e errorBody
	r.Decode(t, &e)
	if e.ErrorID == "" || e.RequestID == "" || e.Code == "" || e.Message == "" {
		t.Fatalf("incomplete envelope: %s", r.Body)
	}
	return e
}

func (h *harness) send(method, path, ctype string, body io.Reader, header map[string]string) resp {
	h.T.Helper()
	return resp{h.Do(h.NewRequest(method, path, ctype, body, header))}
}

// post sends a JSON body to an API path.
func (h *harness) post(path, body string, header map[string]string) resp {
	h.T.Helper()
	return h.send(http.MethodPost, base+path, "application/json", strings.NewReader(body), header)
}

// form posts to the token endpoint.
func (h *harness) form(v url.Values, header map[string]string) resp {
	h.T.Helper()
	return h.send(http.MethodPost, base+"/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()), header)
}
