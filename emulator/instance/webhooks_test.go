package instance

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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
}
