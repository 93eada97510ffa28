package webhooks_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/webhooks"
)

func TestDeliveryIsSignedAndVerifiesAgainstTheJWKS(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.RS256, webhooks.Options{})
	rcv := newReceiver(t)
	d := h.enqueue(rcv.hook(), 1)
	if n := h.flush(); n != 1 {
		t.Fatalf("flush attempted %d, want 1", n)
	}
	got := rcv.got()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	r := got[0]
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if id := r.Header.Get("x-webhook-id"); id != d.ID {
		t.Errorf("x-webhook-id %q, want %q", id, d.ID)
	}
	if !bytes.Equal(r.Body, body(1)) {
		t.Errorf("body changed on the way: %q", r.Body)
	}

	set, fields := h.jwks()
	if len(fields) != 2 {
		t.Fatalf("JWKS lists %d keys, want exactly 2", len(fields))
	}
	for _, f := range fields {
		for _, k := range []string{"kty", "kid", "alg", "use", "n", "e"} {
			if _, ok := f[k]; !ok {
				t.Errorf("JWKS key without %q: %v", k, f)
			}
		}
		if f["kty"] != "RSA" || f["alg"] != "RS256" || f["use"] != "sig" {
			t.Errorf("JWKS key: %v", f)
		}
		if _, ok := f["d"]; ok {
			t.Fatalf("the JWKS publishes a private key")
		}
	}
	kid, err := verify(set, r)
	if err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	if kid != set.Keys[0].KeyID {
		t.Errorf("signed with %s, not with the current key %s (listed first)", kid, set.Keys[0].KeyID)
	}
	// Compact, not detached: the middle part is the body itself.
	parts := strings.Split(r.Header.Get("x-signature"), ".")
	if len(parts) != 3 || parts[1] != base64.RawURLEncoding.EncodeToString(body(1)) {
		t.Errorf("x-signature is not header.payload.signature over the raw body: %q", r.Header.Get("x-signature"))
	}
	obj, _ := jose.ParseSignedCompact(r.Header.Get("x-signature"), []jose.SignatureAlgorithm{jose.RS256})
	if alg := obj.Signatures[0].Protected.Algorithm; alg != "RS256" {
		t.Errorf("JWS alg %q", alg)
	}

	d = h.delivery(d.ID)
	if d.Status != emulator.WebhookDelivered || d.DeliveredAt == nil || len(d.Attempts) != 1 {
		t.Fatalf("delivery after a 200: %+v", d)
	}
	a := d.Attempts[0]
	if a.Status != 200 || a.Response != `{"answer":200}` || a.KID != kid || !a.At.Equal(h.st.Now(h.tn)) || a.Error != "" {
		t.Errorf("attempt: %+v", a)
	}
	if n := h.flush(); n != 0 || len(rcv.got()) != 1 {
		t.Errorf("a delivered webhook was sent again")
	}
}

func TestES256Tenant(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.ES256, webhooks.Options{})
	rcv := newReceiver(t)
	h.enqueue(rcv.hook(), 1)
	h.flush()
	set, fields := h.jwks()
	for _, f := range fields {
		if f["kty"] != "EC" || f["crv"] != "P-256" || f["alg"] != "ES256" || f["use"] != "sig" || f["x"] == nil || f["y"] == nil {
			t.Errorf("ES256 JWKS key: %v", f)
		}
	}
	got := rcv.got()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests", len(got))
	}
	if _, err := verify(set, got[0]); err != nil {
		t.Fatalf("ES256 signature does not verify: %v", err)
	}
}

func TestReceiverOutageRetriesOnTheTenantClockAndLosesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.RS256, webhooks.Options{})
	rcv := newReceiver(t)
	rcv.status.Store(503)
	d := h.enqueue(rcv.hook(), 1)
	start := h.st.Now(h.tn)

	h.flush()
	d = h.delivery(d.ID)
	if d.Status != emulator.WebhookPending || d.AttemptCount != 1 || !d.DueAt.Equal(start.Add(30*time.Second)) || d.LastError != "HTTP 503" {
		t.Fatalf("after one 503: %+v", d)
	}
	if a := d.Attempts[0]; a.Status != 503 || a.Response != `{"answer":503}` {
		t.Errorf("attempt: %+v", a)
	}
	// Not due yet on the tenant's clock: nothing is sent.
	if n := h.flush(); n != 0 {
		t.Fatalf("sent %d before the retry was due", n)
	}
	h.advance(30 * time.Second)
	h.flush()
	d = h.delivery(d.ID)
	if d.AttemptCount != 2 || !d.DueAt.Equal(start.Add(30*time.Second+time.Minute)) {
		t.Fatalf("second retry due %s (attempts %d), want 1m after the second attempt", d.DueAt, d.AttemptCount)
	}
	h.advance(time.Minute)
	h.flush()
	h.advance(2 * time.Minute)
	rcv.status.Store(200)
	h.flush()
	d = h.delivery(d.ID)
	if d.Status != emulator.WebhookDelivered || d.AttemptCount != 4 {
		t.Fatalf("after the receiver came back: %+v", d)
	}
	want := []time.Duration{0, 30 * time.Second, 90 * time.Second, 210 * time.Second}
	for i, a := range d.Attempts {
		if !a.At.Equal(start.Add(want[i])) {
			t.Errorf("attempt %d at +%s, want +%s", a.N, a.At.Sub(start), want[i])
		}
	}
	h.advance(24 * time.Hour)
	h.flush()
	ok := 0
	for _, r := range rcv.got() {
		if _, err := verify(must(h.jwks()), r); err != nil {
			t.Errorf("a retry does not verify: %v", err)
		}
		ok++
	}
	if ok != 4 {
		t.Errorf("receiver got %d requests, want 3 refused and 1 accepted", ok)
	}
}

func must(set jose.JSONWebKeySet, _ []map[string]any) jose.JSONWebKeySet { return set }

func TestAttemptsRunOutAndTheDeliveryFails(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.ES256, webhooks.Options{MaxAttempts: 3})
	url, _ := downURL(t)
	d := h.enqueue(url, 1)
	for range 5 {
		h.flush()
		h.advance(time.Hour)
	}
	d = h.delivery(d.ID)
	if d.Status != emulator.WebhookFailed || d.AttemptCount != 3 {
		t.Fatalf("want failed after 3 attempts, got %+v", d)
	}
	for _, a := range d.Attempts {
		if a.Status != 0 || !strings.Contains(a.Error, "connection refused") {
			t.Errorf("attempt against a closed port: %+v", a)
		}
	}
	if !strings.Contains(d.LastError, "connection refused") {
		t.Errorf("last error %q", d.LastError)
	}
}

func TestPendingDeliverySurvivesARestartMidOutage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.ES256, webhooks.Options{})
	url, addr := downURL(t)
	d := h.enqueue(url, 1)
	h.flush()
	if got := h.delivery(d.ID); got.AttemptCount != 1 || got.Status != emulator.WebhookPending {
		t.Fatalf("before the restart: %+v", got)
	}
	if err := h.st.Close(); err != nil {
		t.Fatal(err)
	}

	h.open() // a new Sandbank process on the same file
	rcv := listenAgain(t, addr)
	if n := h.flush(); n != 0 {
		t.Fatalf("sent %d before the retry was due", n)
	}
	h.advance(30 * time.Second)
	if n := h.flush(); n != 1 {
		t.Fatalf("after the restart, flush attempted %d, want 1", n)
	}
	got := h.delivery(d.ID)
	if got.Status != emulator.WebhookDelivered || got.AttemptCount != 2 {
		t.Fatalf("after the restart: %+v", got)
	}
	if reqs := rcv.got(); len(reqs) != 1 || reqs[0].Header.Get("x-webhook-id") != d.ID {
		t.Fatalf("receiver got %d requests, want the one delivery", len(reqs))
	}
}

func TestASendCutOffByACrashIsSentAgainAfterTheLease(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.ES256, webhooks.Options{Timeout: time.Second})
	rcv := newReceiver(t)
	d := h.enqueue(rcv.hook(), 1)
	// A dispatcher claims it and dies before recording anything.
	if _, ok, err := h.st.ClaimWebhook(context.Background(), h.tn, d.ID, 12*time.Second); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	h.st.Close()
	h.open()
	if n := h.flush(); n != 0 {
		t.Fatalf("sent a delivery another process still holds")
	}
	h.clock.Advance(12 * time.Second) // the lease runs out in real time
	if n := h.flush(); n != 1 {
		t.Fatalf("flush attempted %d after the lease, want 1", n)
	}
	if got := h.delivery(d.ID); got.Status != emulator.WebhookDelivered || len(rcv.got()) != 1 {
		t.Fatalf("after the lease: %+v", got)
	}
}

func TestKeysRotateOnTheTenantClock(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.RS256, webhooks.Options{})
	rcv := newReceiver(t)
	day := 24 * time.Hour

	set0, _ := h.jwks()
	if len(set0.Keys) != 2 {
		t.Fatalf("a new tenant's JWKS has %d keys, want 2", len(set0.Keys))
	}
	first := set0.Keys[0].KeyID
	h.enqueue(rcv.hook(), 1)
	h.flush()
	old := rcv.got()[0]
	if kid, err := verify(set0, old); err != nil || kid != first {
		t.Fatalf("before rotation: kid %s, %v", kid, err)
	}

	h.advance(91 * day)
	set1, _ := h.jwks()
	if len(set1.Keys) != 2 || set1.Keys[1].KeyID != first || set1.Keys[0].KeyID == first {
		t.Fatalf("after 91 days the JWKS is %v, %v; want a new key, then %s", set1.Keys[0].KeyID, set1.Keys[1].KeyID, first)
	}
	h.enqueue(rcv.hook(), 2)
	h.flush()
	fresh := rcv.got()[1]
	if kid, err := verify(set1, fresh); err != nil || kid != set1.Keys[0].KeyID {
		t.Fatalf("after rotation: signed with %s (%v), want the new key %s", kid, err, set1.Keys[0].KeyID)
	}
	// A webhook signed just before the rotation still verifies.
	if _, err := verify(set1, old); err != nil {
		t.Errorf("the previous key no longer verifies: %v", err)
	}

	h.advance(90 * day) // 181 days
	set2, _ := h.jwks()
	if len(set2.Keys) != 2 || set2.Keys[1].KeyID != set1.Keys[0].KeyID {
		t.Fatalf("after 181 days: %v, %v", set2.Keys[0].KeyID, set2.Keys[1].KeyID)
	}
	for _, k := range set2.Keys {
		if k.KeyID == first {
			t.Fatalf("the first key is still published after 181 days")
		}
	}
	if _, err := verify(set2, old); !errors.Is(err, jose.ErrJWKSKidNotFound) {
		t.Errorf("a webhook signed with the dropped key: want unknown kid, got %v", err)
	}
}

func TestSabotage(t *testing.T) {
	t.Parallel()
	t.Run("bad signature", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.ES256, webhooks.Options{})
		rcv := newReceiver(t)
		h.setFaults(emulator.WebhookFaults{BadSignature: true})
		d := h.enqueue(rcv.hook(), 1)
		h.flush()
		set, _ := h.jwks()
		r := rcv.got()[0]
		kid, err := verify(set, r)
		if err == nil || errors.Is(err, jose.ErrJWKSKidNotFound) {
			t.Fatalf("want a signature that fails with a known kid, got %v", err)
		}
		if kid != set.Keys[0].KeyID {
			t.Errorf("kid %s is not the current key %s", kid, set.Keys[0].KeyID)
		}
		if a := h.delivery(d.ID).Attempts[0]; len(a.Faults) != 1 || a.Faults[0] != emulator.FaultBadSignature {
			t.Errorf("attempt faults: %v", a.Faults)
		}
	})
	t.Run("unknown kid", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.ES256, webhooks.Options{})
		rcv := newReceiver(t)
		h.setFaults(emulator.WebhookFaults{UnknownKID: true})
		h.enqueue(rcv.hook(), 1)
		h.flush()
		set, _ := h.jwks()
		r := rcv.got()[0]
		if _, err := verify(set, r); !errors.Is(err, jose.ErrJWKSKidNotFound) {
			t.Fatalf("want an unknown kid, got %v", err)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.ES256, webhooks.Options{})
		rcv := newReceiver(t)
		h.setFaults(emulator.WebhookFaults{Duplicate: true})
		d := h.enqueue(rcv.hook(), 1)
		h.flush()
		set, _ := h.jwks()
		got := rcv.got()
		if len(got) != 2 {
			t.Fatalf("receiver got %d requests, want 2", len(got))
		}
		for _, r := range got {
			if r.Header.Get("x-webhook-id") != d.ID || !bytes.Equal(r.Body, body(1)) {
				t.Errorf("the duplicate differs: %v %q", r.Header, r.Body)
			}
			if _, err := verify(set, r); err != nil {
				t.Errorf("a duplicate does not verify: %v", err)
			}
		}
		d = h.delivery(d.ID)
		if d.Status != emulator.WebhookDelivered || d.AttemptCount != 2 || len(d.Attempts[1].Faults) != 1 || d.Attempts[1].Faults[0] != emulator.FaultDuplicate {
			t.Errorf("delivery: %+v", d)
		}
	})
	t.Run("out of order", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.ES256, webhooks.Options{})
		rcv := newReceiver(t)
		h.setFaults(emulator.WebhookFaults{OutOfOrder: true})
		for i := 1; i <= 3; i++ {
			h.enqueue(rcv.hook(), i)
		}
		h.flush()
		var order []string
		for _, r := range rcv.got() {
			order = append(order, string(r.Body[strings.Index(string(r.Body), "link-"):][:6]))
		}
		if strings.Join(order, ",") != "link-3,link-2,link-1" {
			t.Errorf("arrival order %v, want newest first", order)
		}
	})
	t.Run("delay", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.ES256, webhooks.Options{})
		rcv := newReceiver(t)
		h.setFaults(emulator.WebhookFaults{Delay: 5 * time.Minute})
		d := h.enqueue(rcv.hook(), 1)
		if n := h.flush(); n != 0 || len(rcv.got()) != 0 {
			t.Fatalf("a delayed webhook went out at once")
		}
		got := h.delivery(d.ID)
		if got.Delay != 5*time.Minute || !got.DueAt.Equal(d.CreatedAt.Add(5*time.Minute)) {
			t.Fatalf("delayed delivery: %+v", got)
		}
		h.advance(4 * time.Minute)
		if h.flush(); len(rcv.got()) != 0 {
			t.Fatalf("a delayed webhook went out early")
		}
		h.advance(time.Minute)
		h.flush()
		if got := h.delivery(d.ID); got.Status != emulator.WebhookDelivered || len(rcv.got()) != 1 {
			t.Fatalf("after the delay: %+v", got)
		}
	})
}

// TestReceiverErrors: the scenario's simulated 503s are attempts that
// retry on the tenant's clock like real ones, without a request leaving
// Sandbank; once they are used up the webhook goes out for real.
func TestReceiverErrors(t *testing.T) {
	t.Parallel()
	t.Run("then delivered", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.RS256, webhooks.Options{})
		rcv := newReceiver(t)
		h.setFaults(emulator.WebhookFaults{ReceiverErrors: 2, Duplicate: true})
		d := h.enqueue(rcv.hook(), 1)
		start := h.st.Now(h.tn)
		if n := h.flush(); n != 1 {
			t.Fatalf("flush attempted %d, want the simulated attempt", n)
		}
		got := h.delivery(d.ID)
		if got.Status != emulator.WebhookPending || got.AttemptCount != 1 || !got.DueAt.Equal(start.Add(30*time.Second)) || len(rcv.got()) != 0 {
			t.Fatalf("after one simulated 503: %+v, receiver got %d", got, len(rcv.got()))
		}
		a := got.Attempts[0]
		if a.Status != 503 || !slices.Equal(a.Faults, []emulator.WebhookFault{emulator.FaultReceiverError}) || a.KID != "" ||
			a.Error != "HTTP 503 simulated by the scenario (behaviour.webhooks.receiver_errors, 1 of 2): not sent" || got.LastError != a.Error {
			t.Fatalf("simulated attempt: %+v (last error %q)", a, got.LastError)
		}
		h.advance(30 * time.Second)
		h.flush()
		if got := h.delivery(d.ID); got.AttemptCount != 2 || !strings.Contains(got.Attempts[1].Error, "2 of 2") || len(rcv.got()) != 0 {
			t.Fatalf("second simulated 503: %+v", got)
		}
		h.advance(time.Minute)
		h.flush()
		got = h.delivery(d.ID)
		// The duplicate fault still applies to the real send.
		if got.Status != emulator.WebhookDelivered || got.AttemptCount != 4 || len(rcv.got()) != 2 {
			t.Fatalf("after the simulated errors: %+v, receiver got %d", got, len(rcv.got()))
		}
		for _, r := range rcv.got() {
			if _, err := verify(must(h.jwks()), r); err != nil {
				t.Errorf("the real send does not verify: %v", err)
			}
		}
	})
	t.Run("as many as the attempts", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.ES256, webhooks.Options{MaxAttempts: 3})
		rcv := newReceiver(t)
		h.setFaults(emulator.WebhookFaults{ReceiverErrors: 3})
		d := h.enqueue(rcv.hook(), 1)
		for range 5 {
			h.flush()
			h.advance(time.Hour)
		}
		if got := h.delivery(d.ID); got.Status != emulator.WebhookFailed || got.AttemptCount != 3 || len(rcv.got()) != 0 {
			t.Fatalf("want failed after 3 simulated 503s and nothing sent: %+v, receiver got %d", got, len(rcv.got()))
		}
	})
	t.Run("a resend starts over", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.ES256, webhooks.Options{})
		rcv := newReceiver(t)
		h.setFaults(emulator.WebhookFaults{ReceiverErrors: 1})
		d := h.enqueue(rcv.hook(), 1)
		h.flush()
		h.advance(30 * time.Second)
		h.flush()
		if got := h.delivery(d.ID); got.Status != emulator.WebhookDelivered || len(rcv.got()) != 1 {
			t.Fatalf("original: %+v", got)
		}
		c, err := h.st.ResendWebhook(context.Background(), h.tn, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		h.flush()
		if got := h.delivery(c.ID); got.Status != emulator.WebhookPending || got.AttemptCount != 1 || got.Attempts[0].Status != 503 || len(rcv.got()) != 1 {
			t.Fatalf("the copy is a delivery like any other: %+v", got)
		}
	})
}

func TestDeliveriesGoInEnqueueOrderAndAFailingOneBlocksNoOther(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.ES256, webhooks.Options{})
	rcv := newReceiver(t)
	down, _ := downURL(t)
	var ids []string
	for i := 1; i <= 4; i++ {
		url := rcv.hook()
		if i == 2 {
			url = down
		}
		ids = append(ids, h.enqueue(url, i).ID)
	}
	h.flush()
	var order []string
	for _, r := range rcv.got() {
		order = append(order, r.Header.Get("x-webhook-id"))
	}
	if want := []string{ids[0], ids[2], ids[3]}; strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("arrival order %v, want %v", order, want)
	}
	if d := h.delivery(ids[1]); d.Status != emulator.WebhookPending || d.AttemptCount != 1 {
		t.Errorf("the failing delivery: %+v", d)
	}
}

func TestResendDeliversAFreshCopy(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.RS256, webhooks.Options{})
	rcv := newReceiver(t)
	d := h.enqueue(rcv.hook(), 1)
	h.flush()
	h.advance(91 * 24 * time.Hour) // the key rotates in between
	re, err := h.st.ResendWebhook(context.Background(), h.tn, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := h.flush(); n != 1 {
		t.Fatalf("flush attempted %d, want the resent copy", n)
	}
	got := rcv.got()
	if len(got) != 2 || got[1].Header.Get("x-webhook-id") != re.ID || re.ID == d.ID || !bytes.Equal(got[1].Body, got[0].Body) {
		t.Fatalf("resend: %d requests, ids %s / %s", len(got), d.ID, re.ID)
	}
	set, _ := h.jwks()
	kid, err := verify(set, got[1])
	if err != nil || kid != set.Keys[0].KeyID {
		t.Errorf("the resent copy is not signed anew with the current key: %s, %v", kid, err)
	}
	if r := h.delivery(re.ID); r.Status != emulator.WebhookDelivered || r.ResentFrom != d.ID {
		t.Errorf("resent delivery: %+v", r)
	}
}

func TestASlowReceiverIsCutOffByTheTimeout(t *testing.T) {
	t.Parallel()
	timeout := 300 * time.Millisecond
	h := newHarness(t, emulator.ES256, webhooks.Options{Timeout: timeout, Clock: emulator.SystemClock{}})
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client hanging up;
		// the answer comes only once the test ends, long after the timeout.
		io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	slowHook := slow.URL + "/hook"
	fast := newReceiver(t)
	s1 := h.enqueue(slowHook, 1)
	s2 := h.enqueue(slowHook, 2)
	f := h.enqueue(fast.hook(), 3)

	began := time.Now()
	h.flush()
	if took := time.Since(began); took > 3*timeout+time.Second {
		t.Errorf("flush took %s with a %s timeout", took, timeout)
	}
	d1 := h.delivery(s1.ID)
	if d1.Status != emulator.WebhookPending || d1.AttemptCount != 1 || d1.Attempts[0].Status != 0 || !strings.Contains(d1.LastError, "no answer within 300ms") {
		t.Fatalf("timed-out delivery: %+v", d1)
	}
	if dur := d1.Attempts[0].Duration; dur < timeout || dur > timeout+time.Second {
		t.Errorf("timed-out attempt took %s", dur)
	}
	if d2 := h.delivery(s2.ID); d2.AttemptCount != 0 || d2.Status != emulator.WebhookPending {
		t.Errorf("the second delivery to the slow receiver should wait for a later pass: %+v", d2)
	}
	if d3 := h.delivery(f.ID); d3.Status != emulator.WebhookDelivered {
		t.Errorf("a fast receiver's delivery waited for the slow one: %+v", d3)
	}
}

func TestRunDeliversInTheBackgroundAndStopsCleanly(t *testing.T) {
	// Not parallel: it counts goroutines.
	h := newHarness(t, emulator.ES256, webhooks.Options{Interval: 10 * time.Millisecond})
	rcv := newReceiver(t)
	baseline := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.d.Run(ctx)
	}()
	var ids []string
	for i := 1; i <= 3; i++ {
		ids = append(ids, h.enqueue(rcv.hook(), i).ID)
	}
	waitFor(t, "three deliveries", func() bool {
		for _, id := range ids {
			if h.delivery(id).Status != emulator.WebhookDelivered {
				return false
			}
		}
		return true
	})
	// A Flush beside Run waits its turn and finds nothing left.
	var wg sync.WaitGroup
	wg.Go(func() { h.d.Flush(context.Background(), h.tn) })
	wg.Wait()
	if n := len(rcv.got()); n != 3 {
		t.Errorf("receiver got %d requests, want 3", n)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= baseline })
}
