package instance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
)

// hookSandbank is one Sandbank as the webhook tests run it: the instance
// on a real SQLite file, served on a real loopback listener, on a manual
// clock (tenant clocks move only through the control plane), with
// scenarios of the test's own. restart closes it and opens a new one on
// the same file, as a Sandbank process that stops and starts again.
type hookSandbank struct {
	t     *testing.T
	db    string
	dir   string
	clock *emulator.ManualClock
	in    *Instance
	srv   *httptest.Server
	c     *client.Client
}

// newHookSandbank starts a Sandbank whose scenarios directory holds, for
// each name given, happy_path with that webhooks section (lines indented
// under "webhooks:").
func newHookSandbank(t *testing.T, webhookScenarios map[string]string) *hookSandbank {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "happy_path.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "\nbehaviour:") {
		t.Fatal("happy_path has a behaviour section already: adapt the test")
	}
	dir := t.TempDir()
	for name, hooks := range webhookScenarios {
		doc := strings.Replace(string(src), "name: happy_path", "name: "+name, 1) + "\nbehaviour:\n  webhooks:\n" + hooks
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := &hookSandbank{t: t, db: filepath.Join(t.TempDir(), "sandbank.db"), dir: dir,
		clock: emulator.NewManualClock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))}
	s.open()
	t.Cleanup(s.close)
	return s
}

func (s *hookSandbank) open() {
	s.t.Helper()
	in, err := New(context.Background(), Options{
		DB: s.db, Clock: s.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		SchedulerInterval: time.Hour, ScenariosDir: s.dir,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	s.in, s.srv = in, httptest.NewServer(in.Handler)
	s.c = client.New(s.srv.URL)
}

func (s *hookSandbank) close() {
	if s.in == nil {
		return
	}
	s.srv.Close()
	if err := s.in.Close(); err != nil {
		s.t.Errorf("close: %v", err)
	}
	s.in = nil
}

// restart stops this Sandbank and starts another on the same database
// (at a new URL).
func (s *hookSandbank) restart() {
	s.t.Helper()
	s.close()
	s.open()
}

// tenant creates a FinqLink tenant through the control plane, on a
// scenario ("" for the default one), and returns it as the store has it.
func (s *hookSandbank) tenant(credential, scenario string) *emulator.Tenant {
	s.t.Helper()
	if _, err := s.c.CreateTenant(context.Background(), client.NewTenant{Provider: "finqlink", Credential: credential, Scenario: scenario}); err != nil {
		s.t.Fatal(err)
	}
	return s.current(credential)
}

// current reads a tenant again: its clock moves with the control plane.
func (s *hookSandbank) current(credential string) *emulator.Tenant {
	s.t.Helper()
	tn, err := s.in.Store.Tenant(context.Background(), emulator.FinqLink, credential)
	if err != nil {
		s.t.Fatal(err)
	}
	return tn
}

// hookBody is a link_status_update as FinqLink sends it (notes §5), with
// spacing of its own: the signature must cover these exact bytes.
func hookBody(n int) []byte {
	return fmt.Appendf(nil, `{"type": "link_status_update","link_id":"5f0c1b2e-0000-4000-8000-%012d", "web_id":"w%d","status":"completed"}`, n, n)
}

// send puts the n-th webhook of a tenant in the outbox and runs a
// delivery pass, as a state change in a running Sandbank does.
func (s *hookSandbank) send(credential, url string, n int) emulator.WebhookDelivery {
	s.t.Helper()
	d := s.enqueue(credential, url, n)
	s.flush(credential)
	return d
}

func (s *hookSandbank) enqueue(credential, url string, n int) emulator.WebhookDelivery {
	s.t.Helper()
	d, err := s.in.Store.EnqueueWebhook(context.Background(), s.current(credential), emulator.Webhook{
		Provider: emulator.FinqLink, Type: "link_status_update", URL: url, Body: hookBody(n), Subject: fmt.Sprint("link-", n),
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return d
}

func (s *hookSandbank) flush(credential string) {
	s.t.Helper()
	if _, err := s.in.Webhooks.Flush(context.Background(), s.current(credential)); err != nil {
		s.t.Fatal(err)
	}
}

// advance moves a tenant's clock through the control plane's HTTP API,
// which sends the webhooks that became due before it answers.
func (s *hookSandbank) advance(credential, by string) {
	s.t.Helper()
	if _, err := s.c.Advance(context.Background(), emulator.TenantKey(emulator.FinqLink, credential), by); err != nil {
		s.t.Fatal(err)
	}
}

// delivery reads one delivery, with its attempts, through the control
// plane.
func (s *hookSandbank) delivery(credential, id string) client.WebhookDelivery {
	s.t.Helper()
	d, err := s.c.Webhook(context.Background(), emulator.TenantKey(emulator.FinqLink, credential), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return d
}

// jwksURL is where a receiver of the client's webhooks gets the keys.
func (s *hookSandbank) jwksURL(credential string) string {
	return s.srv.URL + "/finqlink/.well-known/jwks.json?" + url.Values{"client_id": {credential}}.Encode()
}

// jwk is one key of a JWKS as the wire has it.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Crv string `json:"crv"`
	N   string `json:"n"`
	E   string `json:"e"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// jwks fetches the client's key set over HTTP, as a receiver does.
func (s *hookSandbank) jwks(credential string) []jwk {
	s.t.Helper()
	res, err := http.Get(s.jwksURL(credential))
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil || res.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %d %v", s.jwksURL(credential), res.StatusCode, err)
	}
	return set.Keys
}

// hookRequest is one request a receiver got: the raw body and headers,
// which is all a receiver has to verify a webhook with.
type hookRequest struct {
	Path   string
	Header http.Header
	Body   []byte
}

// hookReceiver is a real HTTP webhook endpoint. It keeps every request
// and answers 200. It can go down (connection refused) and come back on
// the same address, keeping what it got before.
type hookReceiver struct {
	t    *testing.T
	addr string
	mu   sync.Mutex
	srv  *httptest.Server
	reqs []hookRequest
	up   atomic.Bool
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{t: t}
	r.start(nil)
	t.Cleanup(r.stop)
	return r
}

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, hookRequest{Path: req.URL.Path, Header: req.Header.Clone(), Body: b})
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// start listens on l, or on a new loopback port when l is nil.
func (r *hookReceiver) start(l net.Listener) {
	srv := httptest.NewUnstartedServer(r)
	if l != nil {
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	r.mu.Lock()
	r.srv, r.addr = srv, srv.Listener.Addr().String()
	r.mu.Unlock()
	r.up.Store(true)
}

// stop takes the receiver down: its port refuses connections.
func (r *hookReceiver) stop() {
	if r.up.Swap(false) {
		r.srv.Close()
	}
}

// restart brings the receiver back on its address.
func (r *hookReceiver) restart() {
	r.t.Helper()
	l, err := net.Listen("tcp", r.addr)
	if err != nil {
		r.t.Fatalf("listen again on %s: %v", r.addr, err)
	}
	r.start(l)
}

// url is the receiver's endpoint for one client.
func (r *hookReceiver) url(path string) string { return "http://" + r.addr + path }

func (r *hookReceiver) got() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookRequest(nil), r.reqs...)
}

// request is the one request the receiver got for a delivery.
func (r *hookReceiver) request(id string) hookRequest {
	r.t.Helper()
	var out []hookRequest
	for _, q := range r.got() {
		if q.Header.Get("x-webhook-id") == id {
			out = append(out, q)
		}
	}
	if len(out) != 1 {
		r.t.Fatalf("receiver got delivery %s %d times, want once", id, len(out))
	}
	return out[0]
}
