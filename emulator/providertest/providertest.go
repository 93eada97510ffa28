// Package providertest runs a Sandbank for a provider's HTTP tests: a real
// SQLite file, a real listener on a random loopback port, and every
// contract response validated against its document, a violation failing
// the test (DESIGN.md §9). Each provider's test harness builds on it.
package providertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/instance"
)

// Server is one Sandbank under test.
type Server struct {
	In  *instance.Instance
	Srv *httptest.Server

	t          testing.TB
	mu         sync.Mutex
	violations []string
	once       sync.Once
}

// Start opens the database at db on clock and serves it until the test
// ends (or Close). Tests run due events themselves, so the scheduler is
// all but idle. tweaks adjust the options before the instance starts.
func Start(t testing.TB, db string, clock emulator.Clock, tweaks ...func(*instance.Options)) *Server {
	t.Helper()
	s := &Server{t: t}
	opts := instance.Options{
		DB: db, Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		ValidateResponses: true, OnViolation: s.violation, SchedulerInterval: time.Hour,
	}
	for _, tw := range tweaks {
		tw(&opts)
	}
	in, err := instance.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	s.In = in
	s.Srv = httptest.NewServer(in.Handler)
	t.Cleanup(s.Close)
	return s
}

// Harness is what every provider's test harness builds on: a Sandbank,
// the test it serves and the manual clock it runs on, for the test to
// move. A provider's harness embeds it and adds its own wire's readings.
type Harness struct {
	*Server
	T     testing.TB
	Clock *emulator.ManualClock
}

// StartAt is Start on a new database in t.TempDir() and on a manual
// clock that reads at.
func StartAt(t testing.TB, at time.Time, tweaks ...func(*instance.Options)) Harness {
	t.Helper()
	return StartOn(t, filepath.Join(t.TempDir(), "sandbank.db"), emulator.NewManualClock(at), tweaks...)
}

// StartOn is Start on a manual clock, as a Harness: a test can start a
// second Sandbank on the database and clock where the first stopped.
func StartOn(t testing.TB, db string, clock *emulator.ManualClock, tweaks ...func(*instance.Options)) Harness {
	t.Helper()
	return Harness{Server: Start(t, db, clock, tweaks...), T: t, Clock: clock}
}

// Close stops the server and the instance, and fails the test for every
// response that violated its contract. Later calls do nothing.
func (s *Server) Close() {
	s.once.Do(func() {
		s.Srv.Close()
		s.In.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, v := range s.violations {
			s.t.Errorf("response violates the contract: %s", v)
		}
	})
}

func (s *Server) violation(r *http.Request, op httpapi.ContractOperation, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, fmt.Sprintf("%s %s (%s): %v", r.Method, r.URL, op.ID, err))
}

// RunDue runs a tenant's due events, as the scheduler would.
func (s *Server) RunDue(p emulator.Provider, credential string) {
	s.t.Helper()
	tn, err := s.In.Store.Tenant(context.Background(), p, credential)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.In.Store.RunDue(context.Background(), tn); err != nil {
		s.t.Fatal(err)
	}
}

// Response is one reply as a test reads it: its status, its header and
// its whole body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// WantStatus fails the test unless the reply has the given status.
func (r Response) WantStatus(t testing.TB, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want status %d, got %d: %s", status, r.Status, r.Body)
	}
}

// Decode unmarshals the JSON body into v, failing the test if it cannot.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// NewRequest builds a request to target, a path under this server or an
// absolute URL, with the Content-Type ctype unless it is empty (and GET
// for an empty method, as http.NewRequest) and header's fields set on it.
// It fails the test on a malformed request.
func (s *Server) NewRequest(method, target, ctype string, body io.Reader, header map[string]string) *http.Request {
	s.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = s.Srv.URL + target
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

// noRedirects is the client Do sends with: it returns a redirect as the
// reply, so a test sees where the provider sends the browser.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Do sends req and reads its whole reply; a redirect is returned, not
// followed. It fails the test if the exchange fails.
func (s *Server) Do(req *http.Request) Response {
	s.t.Helper()
	res, err := noRedirects.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: body}
}
