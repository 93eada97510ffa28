package instance

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/store"
)

// The instance runs the webhook dispatcher, and a clock change through the
// control plane delivers what became due before it returns: a receiver
// that was down gets the webhook once it is back and time has passed.
func TestClockChangeDeliversDueWebhooks(t *testing.T) {
	clock := emulator.NewManualClock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	in, err := New(context.Background(), Options{
		DB: filepath.Join(t.TempDir(), "s.db"), Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		SchedulerInterval: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })

	var up atomic.Bool
	var got atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get("x-signature") != "" && r.Header.Get("x-signature-kid") != "" {
			got.Add(1)
		}
	}))
	t.Cleanup(recv.Close)

	ctx := context.Background()
	tn, err := in.Store.EnsureTenant(ctx, emulator.FinqLink, "hook-client")
	if err != nil {
		t.Fatal(err)
	}
	d, err := in.Store.EnqueueWebhook(ctx, tn, emulator.Webhook{Provider: emulator.FinqLink, Type: "link_status_update", URL: recv.URL + "/hook", Body: []byte(`{"type":"link_status_update","status":"completed"}`), Subject: "link-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Webhooks.Flush(ctx, tn); err != nil {
		t.Fatal(err)
	}
	first, err := in.Store.WebhookDelivery(ctx, tn, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != emulator.WebhookPending || len(first.Attempts) != 1 || got.Load() != 0 {
		t.Fatalf("with the receiver down: %+v, received %d", first, got.Load())
	}

	up.Store(true)
	if _, err := in.Control.ChangeClock(ctx, tn.Key(), client.ClockChange{By: "10m"}); err != nil {
		t.Fatal(err)
	}
	done, err := in.Store.WebhookDelivery(ctx, tn, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != emulator.WebhookDelivered || got.Load() != 1 {
		t.Fatalf("after the clock change: %+v, received %d", done, got.Load())
	}
	if ds, err := in.Store.WebhookDeliveries(ctx, tn, store.WebhookFilter{}); err != nil || len(ds) != 1 || len(ds[0].Attempts) != 2 {
		t.Fatalf("every attempt recorded: %+v %v", ds, err)
	}

	// The control plane lists, shows and resends deliveries over HTTP.
	srv := httptest.NewServer(in.Handler)
	t.Cleanup(srv.Close)
	c := client.New(srv.URL)
	list, err := c.Webhooks(ctx, tn.Key(), "delivered", "link-1")
	if err != nil || len(list) != 1 || list[0].ID != d.ID || len(list[0].Attempts) != 2 || list[0].Attempts[0].Status != 503 || list[0].Attempts[1].Status != 200 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if string(list[0].Body) != `{"type":"link_status_update","status":"completed"}` {
		t.Fatalf("the body is shown as sent: %s", list[0].Body)
	}
	if none, err := c.Webhooks(ctx, tn.Key(), "failed", ""); err != nil || len(none) != 0 {
		t.Fatalf("failed ones: %+v %v", none, err)
	}
	again, err := c.ResendWebhook(ctx, tn.Key(), d.ID)
	if err != nil || again.ID == d.ID || again.ResentFrom != d.ID || again.Status != "delivered" || got.Load() != 2 {
		t.Fatalf("resend: %+v %v, received %d", again, err, got.Load())
	}
	if shown, err := c.Webhook(ctx, tn.Key(), again.ID); err != nil || shown.Status != "delivered" {
		t.Fatalf("show: %+v %v", shown, err)
	}
	for _, bad := range []struct {
		name string
		call func() error
		want int
	}{
		{"unknown status", func() error { _, err := c.Webhooks(ctx, tn.Key(), "lost", ""); return err }, 400},
		{"unknown id", func() error { _, err := c.Webhook(ctx, tn.Key(), "nope"); return err }, 404},
		{"resend unknown id", func() error { _, err := c.ResendWebhook(ctx, tn.Key(), "nope"); return err }, 404},
		{"unknown tenant", func() error { _, err := c.Webhooks(ctx, "nobody", "", ""); return err }, 404},
	} {
		var ce *client.Error
		if err := bad.call(); !errors.As(err, &ce) || ce.Status != bad.want {
			t.Errorf("%s: %v, want %d", bad.name, err, bad.want)
		}
	}
}

// A scenario's webhooks section breaks delivery on purpose: here the
// signature arrives corrupted, and the attempt records the sabotage.
func TestScenarioBreaksWebhooks(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "happy_path.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(src), "name: happy_path", "name: broken_hooks", 1) + "\nbehaviour:\n  webhooks:\n    bad_signature: true\n    duplicate: true\n"
	if strings.Count(doc, "\nbehaviour:") != 1 {
		t.Fatal("happy_path has a behaviour section already: adapt the test")
	}
	if err := os.WriteFile(filepath.Join(dir, "broken_hooks.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := New(context.Background(), Options{
		DB: filepath.Join(t.TempDir(), "s.db"), Clock: emulator.NewManualClock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SchedulerInterval: time.Hour, ScenariosDir: dir, Scenario: "broken_hooks",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	var got atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	t.Cleanup(recv.Close)
	ctx := context.Background()
	tn, err := in.Store.EnsureTenant(ctx, emulator.FinqLink, "broken-client")
	if err != nil {
		t.Fatal(err)
	}
	d, err := in.Store.EnqueueWebhook(ctx, tn, emulator.Webhook{Provider: emulator.FinqLink, Type: "job_status_update", URL: recv.URL, Body: []byte(`{"type":"job_status_update"}`), Subject: "job-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Webhooks.Flush(ctx, tn); err != nil {
		t.Fatal(err)
	}
	done, err := in.Store.WebhookDelivery(ctx, tn, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != emulator.WebhookDelivered || got.Load() != 2 {
		t.Fatalf("delivered twice: %+v, received %d", done, got.Load())
	}
	a := done.Attempts[0]
	if !slices.Contains(a.Faults, emulator.FaultBadSignature) {
		t.Fatalf("the attempt records the corrupted signature: %+v", a)
	}
}

// A scenario's receiver_errors plays a receiver answering 503 without
// touching the real one: the first attempts are recorded as 503s, marked
// as the scenario's doing, and nothing is sent; the retries then wait on
// the tenant's clock, and once it has moved far enough the real receiver
// gets the webhook, once, signed with the client's current key.
func TestScenarioReceiverErrorsThenRetriesDeliver(t *testing.T) {
	sb := newHookSandbank(t, map[string]string{"hooks_receiver_errors": "    receiver_errors: 2\n"})
	rcv := newHookReceiver(t)
	tn := sb.tenant("flaky-receiver", "hooks_receiver_errors")
	if tn.Behaviour.Webhooks.ReceiverErrors != 2 {
		t.Fatalf("the tenant's behaviour: %+v", tn.Behaviour.Webhooks)
	}
	start := sb.in.Store.Now(tn)
	d := sb.send("flaky-receiver", rcv.url("/hook"), 1)

	got := sb.delivery("flaky-receiver", d.ID)
	if got.Status != "pending" || len(got.Attempts) != 1 || len(rcv.got()) != 0 {
		t.Fatalf("after the first pass: %+v, receiver got %d", got, len(rcv.got()))
	}
	simulated := func(a client.WebhookAttempt) bool {
		return a.Status == 503 && slices.Equal(a.Faults, []string{string(emulator.FaultReceiverError)}) &&
			strings.Contains(a.Error, "simulated by the scenario") && a.KID == "" && a.Response == ""
	}
	if a := got.Attempts[0]; !simulated(a) || !a.At.Equal(start) {
		t.Fatalf("first attempt: %+v", a)
	}
	if !strings.Contains(got.LastError, "simulated by the scenario") || !got.DueAt.Equal(start.Add(30*time.Second)) {
		t.Fatalf("the retry: due %s, last error %q", got.DueAt, got.LastError)
	}

	// Not due yet: a pass sends nothing.
	sb.flush("flaky-receiver")
	if got := sb.delivery("flaky-receiver", d.ID); len(got.Attempts) != 1 {
		t.Fatalf("attempted before the retry was due: %+v", got.Attempts)
	}
	sb.advance("flaky-receiver", "30s")
	got = sb.delivery("flaky-receiver", d.ID)
	if len(got.Attempts) != 2 || !simulated(got.Attempts[1]) || len(rcv.got()) != 0 || got.Status != "pending" {
		t.Fatalf("second attempt: %+v, receiver got %d", got, len(rcv.got()))
	}
	sb.advance("flaky-receiver", "1m")
	got = sb.delivery("flaky-receiver", d.ID)
	if got.Status != "delivered" || len(got.Attempts) != 3 || got.Attempts[2].Status != 200 || len(got.Attempts[2].Faults) != 0 || got.LastError != "" {
		t.Fatalf("third attempt: %+v", got)
	}
	for i, at := range []time.Duration{0, 30 * time.Second, 90 * time.Second} {
		if !got.Attempts[i].At.Equal(start.Add(at)) {
			t.Errorf("attempt %d at +%s, want +%s", i+1, got.Attempts[i].At.Sub(start), at)
		}
	}
	q := rcv.request(d.ID)
	if !bytes.Equal(q.Body, hookBody(1)) || q.Header.Get("x-signature-kid") != sb.jwks("flaky-receiver")[0].Kid || got.Attempts[2].KID != q.Header.Get("x-signature-kid") {
		t.Fatalf("the receiver got %s signed by %s", q.Body, q.Header.Get("x-signature-kid"))
	}
}

// A real outage: the receiver's port refuses connections while webhooks
// pile up, Sandbank itself restarts in the middle of it, and the receiver
// comes back. Once the tenant's clock has passed every retry, each
// webhook arrives exactly once, in the order the events happened, byte
// for byte. (Deliveries retry on their own schedules, so a receiver that
// comes back while only some retries are due gets those first; past all
// of them, enqueue order holds.)
func TestReceiverOutageAndRestartLoseNothing(t *testing.T) {
	sb := newHookSandbank(t, nil)
	rcv := newHookReceiver(t)
	sb.tenant("outage", "")
	hook := rcv.url("/hook")
	rcv.stop()

	var ids []string
	ids = append(ids, sb.send("outage", hook, 1).ID)
	sb.advance("outage", "10s")
	ids = append(ids, sb.send("outage", hook, 2).ID)
	sb.advance("outage", "25s") // the first one's retry (30s) went out: refused again
	ids = append(ids, sb.send("outage", hook, 3).ID)
	for i, id := range ids {
		d := sb.delivery("outage", id)
		want := 1
		if i == 0 {
			want = 2
		}
		if d.Status != "pending" || len(d.Attempts) != want || d.Attempts[0].Status != 0 || !strings.Contains(d.LastError, "refused") {
			t.Fatalf("webhook %d during the outage: %+v", i+1, d)
		}
	}

	// Sandbank stops and starts again on the same database, the receiver
	// still down; another webhook fails meanwhile.
	sb.restart()
	for _, id := range ids {
		if d := sb.delivery("outage", id); d.Status != "pending" {
			t.Fatalf("after the restart: %+v", d)
		}
	}
	ids = append(ids, sb.send("outage", hook, 4).ID)
	if d := sb.delivery("outage", ids[3]); len(d.Attempts) != 1 || d.Attempts[0].Status != 0 {
		t.Fatalf("webhook 4 after the restart: %+v", d)
	}

	rcv.restart()
	if len(rcv.got()) != 0 {
		t.Fatal("the receiver got something while it was down")
	}
	sb.advance("outage", "1h")
	got := rcv.got()
	if len(got) != len(ids) {
		t.Fatalf("the receiver got %d webhooks, want %d", len(got), len(ids))
	}
	for i, q := range got {
		if q.Header.Get("x-webhook-id") != ids[i] || !bytes.Equal(q.Body, hookBody(i+1)) {
			t.Errorf("request %d: delivery %s with %s, want %s with %s", i+1, q.Header.Get("x-webhook-id"), q.Body, ids[i], hookBody(i+1))
		}
	}
	for i, id := range ids {
		d := sb.delivery("outage", id)
		if d.Status != "delivered" || d.Attempts[len(d.Attempts)-1].Status != 200 {
			t.Errorf("webhook %d after the recovery: %+v", i+1, d)
		}
	}
	// Nothing is sent twice, however the clock moves on.
	sb.advance("outage", "24h")
	if n := len(rcv.got()); n != len(ids) {
		t.Fatalf("the receiver got %d webhooks after a day, want still %d", n, len(ids))
	}
}
