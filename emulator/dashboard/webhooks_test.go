package dashboard_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/store"
)

// hookReceiver is a real webhook endpoint that answers status and counts
// what it gets.
type hookReceiver struct {
	*httptest.Server
	status atomic.Int64
	mu     sync.Mutex
	ids    []string // x-webhook-id of every request, in arrival order
}

func newHookReceiver(t *testing.T, status int) *hookReceiver {
	r := &hookReceiver{}
	r.status.Store(int64(status))
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		r.ids = append(r.ids, req.Header.Get("x-webhook-id"))
		r.mu.Unlock()
		w.WriteHeader(int(r.status.Load()))
		io.WriteString(w, `{"receiver":"says <i>hi</i>"}`)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *hookReceiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

// hookTenant creates a FinqLink tenant on a scenario, and returns it as
// the store has it.
func (h *harness) hookTenant(t *testing.T, credential, scenario string) *emulator.Tenant {
	t.Helper()
	ctx := context.Background()
	if _, err := h.ctl.CreateTenant(ctx, client.NewTenant{Provider: "finqlink", Credential: credential, Scenario: scenario}); err != nil {
		t.Fatal(err)
	}
	tn, err := h.st.Tenant(ctx, emulator.FinqLink, credential)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// sendHook enqueues a webhook and runs one delivery pass, as a state
// change in a running Sandbank would.
func (h *harness) sendHook(t *testing.T, tn *emulator.Tenant, url, subject, body string) emulator.WebhookDelivery {
	t.Helper()
	ctx := context.Background()
	d, err := h.st.EnqueueWebhook(ctx, tn, emulator.Webhook{Provider: emulator.FinqLink, Type: "link_status_update", URL: url, Body: []byte(body), Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.hooks.Flush(ctx, tn); err != nil {
		t.Fatal(err)
	}
	return d
}

func (h *harness) deliveries(t *testing.T, tn *emulator.Tenant) []emulator.WebhookDelivery {
	t.Helper()
	ds, err := h.st.WebhookDeliveries(context.Background(), tn, store.WebhookFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestWebhookDeliveriesAndResend: the tenant's page lists its deliveries
// with their status and last answer, a delivery's page shows every
// attempt, a clock change sends the retry that became due, and Resend
// sends a fresh copy through the control plane.
func TestWebhookDeliveriesAndResend(t *testing.T) {
	h := newHarness(t)
	rcv := newHookReceiver(t, http.StatusServiceUnavailable)
	tn := h.hookTenant(t, "hooks-client", "calm")
	page := h.page(tn.Key())
	body := `{"type":"link_status_update","link_id":"<script>x</script>","status":"completed"}`
	d := h.sendHook(t, tn, rcv.URL+"/hook", "link-1", body)

	_, list := h.get(t, page)
	mustContain(t, "tenant page", list,
		`<a href="#webhooks">Webhooks (1)</a>`,
		`<tr id="webhook-`+d.ID+`">`, `<a href="`+page+`/webhooks/`+d.ID+`">link_status_update</a>`,
		"<code>link-1</code>", "<code>"+rcv.URL+"/hook</code>", `<span class="tag pending">pending</span>`,
		`<td class="num">1</td><td class="num debit">503</td>`,
		`<form method="post" action="`+page+`/webhooks/`+d.ID+`/resend">`, `aria-label="Resend webhook `+d.ID+`">Resend</button>`,
		`href="/finqlink/.well-known/jwks.json?client_id=hooks-client"`,
	)

	_, detail := h.get(t, page+"/webhooks/"+d.ID)
	mustContain(t, "delivery page", detail,
		"<code>"+d.ID+"</code>", `<span class="tag pending" id="webhook-status">pending</span>`,
		// the retry waits 30s on the tenant clock
		"Next attempt due", "2026-03-02 10:00:30 UTC", "HTTP 503",
		`<tr id="attempt-1">`, `<td class="num debit">503</td>`,
		// the receiver's answer and the body, escaped
		"{&#34;receiver&#34;:&#34;says &lt;i&gt;hi&lt;/i&gt;&#34;}",
		"&#34;link_id&#34;: &#34;&lt;script&gt;x&lt;/script&gt;&#34;",
		`<form method="post" action="`+page+`/webhooks/`+d.ID+`/resend" class="inline">`,
	)
	if strings.Contains(detail, "<script>") || strings.Contains(detail, "<i>hi") {
		t.Fatal("the delivery page shows markup from the body or the answer unescaped")
	}
	kid := regexp.MustCompile(`<code class="id">([A-Za-z0-9_-]{20,})</code>`).FindStringSubmatch(detail)
	if kid == nil {
		t.Fatal("the attempt does not show the kid it was signed with")
	}

	// The receiver comes back; advancing the clock from the dashboard
	// sends the retry that became due.
	rcv.status.Store(http.StatusOK)
	h.done(t, page+"/clock", url.Values{"by": {"1m"}})
	_, detail = h.get(t, page+"/webhooks/"+d.ID)
	mustContain(t, "after the retry", detail,
		`<span class="tag delivered" id="webhook-status">delivered</span>`, `<tr id="attempt-2">`, `<td class="num">200</td>`,
		"<dt>Delivered</dt><dd><time datetime=\"2026-03-02T10:01:00Z\">",
	)
	if strings.Contains(detail, "Next attempt due") {
		t.Error("a delivered webhook shows a next attempt")
	}
	if got := rcv.got(); len(got) != 2 || got[0] != d.ID || got[1] != d.ID {
		t.Fatalf("receiver got %v, want the delivery twice (503, then 200)", got)
	}

	// Resend: a new delivery, sent at once, shown on its own page.
	loc, copyPage := h.done(t, page+"/webhooks/"+d.ID+"/resend", url.Values{})
	ds := h.deliveries(t, tn)
	if len(ds) != 2 || ds[0].ResentFrom != d.ID || ds[0].ID == d.ID || ds[0].Status != emulator.WebhookDelivered || string(ds[0].Body) != body {
		t.Fatalf("after resend: %+v", ds)
	}
	if !strings.HasPrefix(loc, page+"/webhooks/"+ds[0].ID+"?done=") || !strings.HasSuffix(loc, "#attempts") {
		t.Errorf("resend leads to %q, want the copy's page", loc)
	}
	mustContain(t, "the copy's page", copyPage,
		`role="status">Webhook resent as `+ds[0].ID+`: delivered`,
		"<dt>Copy of</dt>", `<a href="`+page+`/webhooks/`+d.ID+`"><code>`+d.ID+`</code></a>`,
	)
	if got := rcv.got(); len(got) != 3 || got[2] != ds[0].ID {
		t.Fatalf("receiver got %v, want the copy last", got)
	}
	_, list = h.get(t, page)
	mustContain(t, "tenant page after resend", list, `<a href="#webhooks">Webhooks (2)</a>`, "(resent)")
	if strings.Index(list, `id="webhook-`+ds[0].ID+`"`) > strings.Index(list, `id="webhook-`+d.ID+`"`) {
		t.Error("deliveries are not listed newest first")
	}

	// Refusals change nothing.
	h.refused(t, page+"/webhooks/nope/resend", url.Values{}, http.StatusNotFound)
	if code, body := h.get(t, page+"/webhooks/nope"); code != http.StatusNotFound || !strings.Contains(body, `webhook &#34;nope&#34; is unknown`) {
		t.Errorf("unknown delivery page: %d\n%s", code, body)
	}
	if code, _ := h.get(t, page+"/webhooks/"+d.ID+"/resend"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET on resend: %d, want 405", code)
	}
	if res, _ := h.postWith(t, page+"/webhooks/"+d.ID+"/resend", url.Values{}, map[string]string{"Origin": "http://evil.example"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site resend: %d, want 403", res.StatusCode)
	}
	// Another tenant's delivery is not this tenant's to show or resend.
	other := h.hookTenant(t, "other-client", "calm")
	h.refused(t, h.page(other.Key())+"/webhooks/"+d.ID+"/resend", url.Values{}, http.StatusNotFound)
	if code, _ := h.get(t, h.page(other.Key())+"/webhooks/"+d.ID); code != http.StatusNotFound {
		t.Errorf("another tenant's delivery page: %d, want 404", code)
	}
	if n := len(h.deliveries(t, tn)); n != 2 || len(rcv.got()) != 3 || len(h.deliveries(t, other)) != 0 {
		t.Fatalf("a refused resend sent something: %d deliveries, %d requests", n, len(rcv.got()))
	}
}

// TestWebhookPageShowsSimulatedReceiverErrors: an attempt the scenario's
// receiver_errors recorded without sending says so, so nobody hunts for
// it in their receiver's logs.
func TestWebhookPageShowsSimulatedReceiverErrors(t *testing.T) {
	h := newHarness(t)
	rcv := newHookReceiver(t, http.StatusOK)
	tn := h.hookTenant(t, "flaky-client", "flaky_receiver")
	page := h.page(tn.Key())
	d := h.sendHook(t, tn, rcv.URL+"/hook", "job-1", `{"type":"job_status_update","job_id":"job-1","status":"job_completed"}`)
	if got := rcv.got(); len(got) != 0 {
		t.Fatalf("a simulated 503 reached the receiver: %v", got)
	}
	_, list := h.get(t, page)
	mustContain(t, "tenant page", list, `<td class="num debit">503 (simulated)</td>`)
	_, detail := h.get(t, page+"/webhooks/"+d.ID)
	mustContain(t, "simulated attempt", detail,
		`<tr id="attempt-1">`, `<td class="num debit">503</td>`, `<span class="tag simulated">simulated</span>`,
		"Not sent: the scenario's <code>receiver_errors</code> recorded this attempt as the receiver's 503.",
		"simulated by the scenario", `<span class="tag pending" id="webhook-status">pending</span>`,
	)
	h.done(t, page+"/clock", url.Values{"by": {"30s"}})
	_, detail = h.get(t, page+"/webhooks/"+d.ID)
	mustContain(t, "after the retry", detail, `<span class="tag delivered" id="webhook-status">delivered</span>`, `<tr id="attempt-2">`)
	if got := rcv.got(); len(got) != 1 || got[0] != d.ID {
		t.Fatalf("receiver got %v, want the delivery once", got)
	}
}

// TestWebhooksSectionWhenNone: a tenant without deliveries says so, and
// only FinqLink tenants get the JWKS note.
func TestWebhooksSectionWhenNone(t *testing.T) {
	h := newHarness(t)
	_, body := h.get(t, h.page(h.demo.Key()))
	mustContain(t, "demo page", body, `<a href="#webhooks">Webhooks (0)</a>`, "No webhook sent yet.")
	if strings.Contains(body, "jwks.json") {
		t.Error("a Fintecture tenant's page points at FinqLink's JWKS")
	}
}
