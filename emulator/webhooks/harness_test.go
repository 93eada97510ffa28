package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/emulator/webhooks"
)

var t0 = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// harness is one Sandbank's webhook side on a real SQLite file: a store
// on a manual real clock, one FinqLink tenant and a dispatcher.
type harness struct {
	t      testing.TB
	path   string
	clock  *emulator.ManualClock
	opts   webhooks.Options
	st     *store.Store
	tn     *emulator.Tenant
	d      *webhooks.Dispatcher
	faults atomic.Pointer[emulator.WebhookFaults]
}

func newHarness(t testing.TB, alg emulator.SigningAlg, opts webhooks.Options) *harness {
	t.Helper()
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "sandbank.db"), clock: emulator.NewManualClock(t0), opts: opts}
	h.faults.Store(&emulator.WebhookFaults{})
	h.open()
	if err := h.st.SetWebhookAlg(context.Background(), h.tn, h.tn.Provider, alg); err != nil {
		t.Fatal(err)
	}
	return h
}

// open opens (again) the store on the harness's file and makes a new
// dispatcher over it, as a restarted Sandbank would.
func (h *harness) open() {
	h.t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: h.path, Clock: h.clock, DefaultScenario: "test", DefaultSeed: 1})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { st.Close() })
	h.st = st
	if h.tn, err = st.EnsureTenant(ctx, emulator.FinqLink, "client"); err != nil {
		h.t.Fatal(err)
	}
	opts := h.opts
	opts.Store = st
	opts.Faults = func(*emulator.Tenant) emulator.WebhookFaults { return *h.faults.Load() }
	if h.d, err = webhooks.New(opts); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) setFaults(f emulator.WebhookFaults) { h.faults.Store(&f) }

func body(n int) []byte {
	return []byte(fmt.Sprintf(`{"type":"link_status_update", "link_id":"link-%d","web_id":"w%d","status":"paid"}`, n, n))
}

func (h *harness) enqueue(url string, n int) emulator.WebhookDelivery {
	h.t.Helper()
	d, err := h.st.EnqueueWebhook(context.Background(), h.tn, emulator.Webhook{
		Provider: emulator.FinqLink, Type: "link_status_update", URL: url, Body: body(n), Subject: fmt.Sprint("link-", n),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

func (h *harness) flush() int {
	h.t.Helper()
	n, err := h.d.Flush(context.Background(), h.tn)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// advance moves the tenant's clock as the control plane does.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	tn, err := h.st.SetClock(context.Background(), h.tn, emulator.TenantClock{Offset: h.tn.Clock.Offset + d})
	if err != nil {
		h.t.Fatal(err)
	}
	h.tn = tn
}

func (h *harness) delivery(id string) emulator.WebhookDelivery {
	h.t.Helper()
	d, err := h.st.WebhookDelivery(context.Background(), h.tn, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// jwks fetches the tenant's key set as a receiver gets it: through JSON.
func (h *harness) jwks() (jose.JSONWebKeySet, []map[string]any) {
	h.t.Helper()
	set, err := h.d.Keys().JWKS(context.Background(), h.tn)
	if err != nil {
		h.t.Fatal(err)
	}
	raw, err := json.Marshal(set)
	if err != nil {
		h.t.Fatal(err)
	}
	var out jose.JSONWebKeySet
	var fields struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		h.t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		h.t.Fatal(err)
	}
	return out, fields.Keys
}

// received is one request a receiver got.
type received struct {
	Header http.Header
	Body   []byte
}

// receiver is a real HTTP webhook endpoint that answers status (200
// unless told otherwise) and keeps every request.
type receiver struct {
	*httptest.Server
	status atomic.Int64
	mu     sync.Mutex
	reqs   []received
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{}
	r.status.Store(http.StatusOK)
	r.Server = httptest.NewServer(r)
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, received{Header: req.Header.Clone(), Body: b})
	r.mu.Unlock()
	status := int(r.status.Load())
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"answer":%d}`, status)
}

func (r *receiver) got() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

func (r *receiver) hook() string { return r.URL + "/hook" }

// downURL is an address nothing listens on (connection refused), which
// can be listened on again later.
func downURL(t testing.TB) (url, addr string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = l.Addr().String()
	l.Close()
	return "http://" + addr + "/hook", addr
}

// listenAgain starts a receiver on an address that was down.
func listenAgain(t testing.TB, addr string) *receiver {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	r := &receiver{}
	r.status.Store(http.StatusOK)
	r.Server = httptest.NewUnstartedServer(r)
	r.Server.Listener.Close()
	r.Server.Listener = l
	r.Start()
	t.Cleanup(r.Close)
	return r
}

// verify checks a received webhook as the FinqLink docs tell a receiver
// to (seed 002, "How to verify"): the JWS in x-signature must verify with
// the JWKS key named by x-signature-kid, and its payload must equal the
// raw body. It returns the kid.
func verify(set jose.JSONWebKeySet, r received) (string, error) {
	sig, kid := r.Header.Get("x-signature"), r.Header.Get("x-signature-kid")
	if sig == "" || kid == "" {
		return "", errors.New("no x-signature or x-signature-kid")
	}
	obj, err := jose.ParseSignedCompact(sig, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return kid, err
	}
	if len(obj.Signatures) != 1 || obj.Signatures[0].Protected.KeyID != kid {
		return kid, fmt.Errorf("JWS header kid %q, header x-signature-kid %q", obj.Signatures[0].Protected.KeyID, kid)
	}
	payload, err := obj.Verify(set)
	if err != nil {
		return kid, err
	}
	if !bytes.Equal(payload, r.Body) {
		return kid, fmt.Errorf("payload %q is not the body %q", payload, r.Body)
	}
	return kid, nil
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
