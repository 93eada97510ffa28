package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/faults"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// harness is one Sandbank-shaped server: a real store, an engine, and
// three wrapped operations on two contracts, with tenants picked by the
// X-Tenant header the way a provider's auth middleware would.
type harness struct {
	t       *testing.T
	st      *store.Store
	clock   *emulator.ManualClock
	eng     *faults.Engine
	srv     *httptest.Server
	tenants map[string]*emulator.Tenant // by credential
	// handled counts the calls that reached the handler; subjects the
	// calls of the SubjectFunc.
	handled  atomic.Int64
	subjects atomic.Int64
	// logs is what the engine logged.
	logs syncBuffer
}

// syncBuffer is a log sink the server's goroutines write while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	contractSandbox = &httpapi.Contract{Name: "fintecture", Prefix: "/fintecture"}
	contractLive    = &httpapi.Contract{Name: "live/fintecture", Prefix: "/live/fintecture"}
	opAccounts      = httpapi.ContractOperation{ID: "getAccounts", Method: http.MethodGet, Path: "/accounts"}
	opPayments      = httpapi.ContractOperation{ID: "createPayment", Method: http.MethodGet, Path: "/payments"}
)

// newHarness opens a fresh database holding three tenants: "app" and
// "other" of Fintecture, and "fq" of FinqLink, all with the given seed.
func newHarness(t *testing.T, seed int64) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t, clock: emulator.NewManualClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)), tenants: map[string]*emulator.Tenant{}}
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "sandbank.db"), Clock: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.st = st
	for cred, p := range map[string]emulator.Provider{"app": emulator.Fintecture, "other": emulator.Fintecture, "fq": emulator.FinqLink} {
		tn, err := st.CreateTenant(ctx, p, cred, "default", seed)
		if err != nil {
			t.Fatal(err)
		}
		h.tenants[cred] = tn
	}
	h.eng = faults.New(st, slog.New(slog.NewTextHandler(&h.logs, nil)))
	if err := h.eng.Load(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.eng.Close)

	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.handled.Add(1)
		io.WriteString(w, "ok")
	})
	mux := http.NewServeMux()
	mux.Handle("/fintecture/accounts", h.eng.Wrap(contractSandbox, opAccounts, writeError, h.subject, ok))
	mux.Handle("/fintecture/payments", h.eng.Wrap(contractSandbox, opPayments, writeError, h.subject, ok))
	mux.Handle("/live/fintecture/accounts", h.eng.Wrap(contractLive, opAccounts, writeError, h.subject, ok))
	mux.Handle("/nosubject/accounts", h.eng.Wrap(contractSandbox, opAccounts, writeError, nil, ok))
	h.srv = httptest.NewServer(h.auth(mux))
	t.Cleanup(h.srv.Close)
	return h
}

// auth puts the tenant the X-Tenant header names into the context, as a
// provider's auth middleware does; no header means no tenant.
func (h *harness) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tn := h.tenants[r.Header.Get("X-Tenant")]; tn != nil {
			r = r.WithContext(httpapi.WithTenant(r.Context(), tn))
		}
		next.ServeHTTP(w, r)
	})
}

// subject reads bank, PSU, account and IBAN from the query, counting its
// calls so tests can tell it ran lazily.
func (h *harness) subject(r *http.Request) httpapi.Subject {
	h.subjects.Add(1)
	q := r.URL.Query()
	return httpapi.Subject{Bank: q.Get("bank"), PSU: q.Get("psu"), Account: q.Get("account"), IBAN: q.Get("iban"), Provider: emulator.Fintecture}
}

// errorBody is the test provider's envelope.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := emulator.AsError(err)
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(errorBody{Code: string(e.Code), Message: e.Message})
}

// answer is what a client saw.
type answer struct {
	status int
	header http.Header
	body   string
}

// call makes one request as tenant (empty: no tenant) and fails the test
// on a transport error.
func (h *harness) call(tenant, path string, q url.Values) answer {
	h.t.Helper()
	a, err := h.try(http.DefaultClient, tenant, path, q)
	if err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	return a
}

// try makes one request with a given client and returns its error.
func (h *harness) try(c *http.Client, tenant, path string, q url.Values) (answer, error) {
	u := h.srv.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return answer{}, err
	}
	if tenant != "" {
		req.Header.Set("X-Tenant", tenant)
	}
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

// add stores a rule through the engine and fails the test if it cannot.
func (h *harness) add(tenant string, r faults.Rule) faults.Rule {
	h.t.Helper()
	var tn *emulator.Tenant
	if tenant != "" {
		tn = h.tenants[tenant]
	}
	out, err := h.eng.Add(context.Background(), tn, r)
	if err != nil {
		h.t.Fatalf("add %+v: %v", r, err)
	}
	return out
}

// statuses makes n calls as tenant to path and returns their statuses.
func (h *harness) statuses(n int, tenant, path string) []int {
	h.t.Helper()
	out := make([]int, n)
	for i := range out {
		out[i] = h.call(tenant, path, nil).status
	}
	return out
}

// status finds one rule's Status in a listing.
func status(t *testing.T, list []faults.Status, id string) faults.Status {
	t.Helper()
	for _, s := range list {
		if s.Rule.ID == id {
			return s
		}
	}
	t.Fatalf("rule %s not listed in %+v", id, list)
	return faults.Status{}
}

// noKeepAlive is a client on a fresh connection per request, so a dropped
// connection is not retried on another one (net/http retries idempotent
// requests that die on a reused connection).
func noKeepAlive(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

func dur(d time.Duration) emulator.Duration { return emulator.Duration(d) }
