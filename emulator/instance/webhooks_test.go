package instance

import (
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
