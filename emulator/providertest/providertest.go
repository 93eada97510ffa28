// Package providertest runs a Sandbank for a provider's HTTP tests: a real
// SQLite file, a real listener on a random loopback port, and every
// contract response validated against its document, a violation failing
// the test (DESIGN.md §9). Each provider's test harness builds on it.
package providertest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
