// Package webhooks delivers the webhooks providers put in the store's
// outbox (DESIGN.md §7): it POSTs each one, signed with the provider's
// scheme (FinqLink: a compact JWS in x-signature, its kid in
// x-signature-kid, keys published as a JWKS and rotated on the tenant's
// clock), retries with exponential backoff on the tenant's clock, and
// records every attempt. Nothing is lost: deliveries are rows in SQLite,
// so they outlive a receiver outage and a Sandbank restart.
//
// Order: a tenant's due deliveries are sent one at a time in enqueue
// order, so while the receiver is healthy it sees them in the order the
// state changed. Each delivery retries on its own schedule, though: a
// failing one never holds back those behind it (no head-of-line
// blocking), so after an outage deliveries may arrive out of their
// original order, as with real providers. Receivers should rely on the
// body, not the arrival order.
//
// Delivery is at least once: a Sandbank stopped in the middle of a send
// sends again, with the same x-webhook-id, once the claim's lease runs
// out.
//
// A scenario can sabotage deliveries (emulator.WebhookFaults): corrupt or
// foreign signatures, duplicates, reordering, delays, and a receiver that
// answers 503 to the first attempts of every delivery (receiver_errors;
// those attempts are recorded but never sent).
package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
)

// Defaults of Options.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultInterval    = 200 * time.Millisecond
	DefaultMaxAttempts = emulator.WebhookMaxAttempts
	// DefaultBackoffBase and DefaultBackoffMax shape the default backoff:
	// 30s after the first failure, doubling, at most an hour apart.
	DefaultBackoffBase = 30 * time.Second
	DefaultBackoffMax  = time.Hour
)

// The request headers a webhook carries beside Content-Type.
const (
	HeaderSignature = "x-signature"
	HeaderKID       = "x-signature-kid"
	HeaderID        = "x-webhook-id"
)

// batch is how many due deliveries one pass of a flush reads at a time.
const batch = 200

// Options configure a Dispatcher. Only Store is required.
type Options struct {
	Store *store.Store
	// Keys signs; nil makes one over Store. The keys live in the store,
	// so the provider serving the JWKS may use Dispatcher.Keys or a Keys
	// of its own over the same store: both publish the same set.
	Keys *Keys
	// Client sends the requests; nil uses a client of its own that does
	// not follow redirects (a 3xx is a failed attempt, as a webhook
	// receiver must answer 2xx itself).
	Client *http.Client
	// Clock measures attempt durations (real time); nil uses the store's.
	Clock emulator.Clock
	// Timeout bounds one attempt, answer body included (DefaultTimeout).
	Timeout time.Duration
	// Interval is how often Run looks for due deliveries (DefaultInterval).
	Interval time.Duration
	// MaxAttempts is how many attempts a delivery gets before it is
	// failed (DefaultMaxAttempts).
	MaxAttempts int
	// Backoff is the wait on the tenant's clock after the n-th failed
	// attempt (n from 1); nil is DefaultBackoff.
	Backoff func(n int) time.Duration
	// Faults gives the sabotage a tenant's scenario asks for; nil means
	// none. It is asked on every pass, so a change applies at once.
	Faults func(t *emulator.Tenant) emulator.WebhookFaults
	Log    *slog.Logger
}

// DefaultBackoff waits 30s after the first failure, then 1m, 2m, 4m …,
// never more than an hour: with ten attempts a receiver has about four
// hours of its tenant's time to come back.
func DefaultBackoff(n int) time.Duration {
	d := DefaultBackoffBase
	for i := 1; i < n && d < DefaultBackoffMax; i++ {
		d *= 2
	}
	return min(d, DefaultBackoffMax)
}

// Dispatcher sends due webhooks. Run sends in the background; Flush
// sends one tenant's due deliveries now. Within one process a tenant's
// deliveries are sent by one goroutine at a time; across processes the
// store's leases keep two senders off one delivery.
type Dispatcher struct {
	store       *store.Store
	keys        *Keys
	client      *http.Client
	clock       emulator.Clock
	timeout     time.Duration
	interval    time.Duration
	maxAttempts int
	backoff     func(int) time.Duration
	faults      func(*emulator.Tenant) emulator.WebhookFaults
	log         *slog.Logger

	mu    sync.Mutex
	slots map[int64]chan struct{} // tenant id → one-token semaphore
}

// New makes a dispatcher over a store.
func New(opts Options) (*Dispatcher, error) {
	if opts.Store == nil {
		return nil, errors.New("webhooks: a store is required")
	}
	d := &Dispatcher{
		store: opts.Store, keys: opts.Keys, client: opts.Client, clock: opts.Clock,
		timeout: opts.Timeout, interval: opts.Interval, maxAttempts: opts.MaxAttempts,
		backoff: opts.Backoff, faults: opts.Faults, log: opts.Log,
		slots: map[int64]chan struct{}{},
	}
	if d.keys == nil {
		d.keys = NewKeys(opts.Store)
	}
	if d.client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		d.client = &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if d.clock == nil {
		d.clock = opts.Store.Clock()
	}
	if d.timeout <= 0 {
		d.timeout = DefaultTimeout
	}
	if d.interval <= 0 {
		d.interval = DefaultInterval
	}
	if d.maxAttempts <= 0 {
		d.maxAttempts = DefaultMaxAttempts
	}
	if d.backoff == nil {
		d.backoff = DefaultBackoff
	}
	if d.faults == nil {
		d.faults = func(*emulator.Tenant) emulator.WebhookFaults { return emulator.WebhookFaults{} }
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	return d, nil
}

// Keys returns the signer the dispatcher uses, for serving the JWKS.
func (d *Dispatcher) Keys() *Keys { return d.keys }

// lease is how long a claim holds a delivery: long enough for two sends
// (a duplicate fault sends twice) and the recording after them.
func (d *Dispatcher) lease() time.Duration { return 2*d.timeout + 10*time.Second }

// slot is the tenant's semaphore: whoever holds it sends that tenant's
// deliveries.
func (d *Dispatcher) slot(id int64) chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.slots[id]
	if !ok {
		s = make(chan struct{}, 1)
		d.slots[id] = s
	}
	return s
}

// Run sends due deliveries of every tenant each interval until ctx ends,
// then waits for the sends under way to stop (they are cut off by ctx,
// and their deliveries given back as they were) and returns. Tenants are
// served side by side, so one tenant's slow receiver delays only its own
// webhooks.
func (d *Dispatcher) Run(ctx context.Context) {
	tick := time.NewTicker(d.interval)
	defer tick.Stop()
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		d.client.CloseIdleConnections()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		tenants, err := d.store.TenantsWithPendingWebhooks(ctx)
		if err != nil {
			if ctx.Err() == nil {
				d.log.Error("webhooks: list tenants", "err", err)
			}
			continue
		}
		for _, t := range tenants {
			slot := d.slot(t.ID)
			select {
			case slot <- struct{}{}:
			default:
				continue // a Flush or the previous tick is on it
			}
			wg.Go(func() {
				defer func() { <-slot }()
				if _, err := d.flush(ctx, t); err != nil && ctx.Err() == nil {
					d.log.Error("webhooks: deliver", "tenant", t.Credential, "err", err)
				}
			})
		}
	}
}

// Flush sends, now, every delivery of the tenant that is due on its
// clock, and returns how many it attempted. The control plane calls it
// after moving a tenant's clock, tests after a state change. It waits
// for a send of Run's on the same tenant to finish first. It never hangs:
// every attempt is bounded by the timeout, and after an attempt to a URL
// times out, the other deliveries to that URL wait for a later pass
// instead of each waiting out the timeout too.
func (d *Dispatcher) Flush(ctx context.Context, t *emulator.Tenant) (int, error) {
	slot := d.slot(t.ID)
	select {
	case slot <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { <-slot }()
	return d.flush(ctx, t)
}

// flush is one tenant's delivery pass; the caller holds its slot.
func (d *Dispatcher) flush(ctx context.Context, t *emulator.Tenant) (int, error) {
	seen := map[string]bool{}
	slow := map[string]bool{} // URLs that timed out in this flush
	sent := 0
	for {
		// The tenant as stored now: its clock may have moved since the
		// caller looked it up.
		t, err := d.store.Tenant(ctx, t.Provider, t.Credential)
		if emulator.IsCode(err, emulator.CodeNotFound) {
			return sent, nil
		}
		if err != nil {
			return sent, err
		}
		f := d.faults(t)
		due, err := d.store.DueWebhooks(ctx, t, batch)
		if err != nil {
			return sent, err
		}
		todo := slices.DeleteFunc(slices.Clone(due), func(w emulator.WebhookDelivery) bool { return seen[w.ID] })
		if len(todo) == 0 {
			return sent, nil
		}
		for _, w := range todo {
			seen[w.ID] = true
		}
		todo, err = d.delay(ctx, t, f, todo)
		if err != nil {
			return sent, err
		}
		outOfOrder := f.OutOfOrder && len(todo) > 1
		if outOfOrder {
			slices.Reverse(todo)
		}
		for _, w := range todo {
			if err := ctx.Err(); err != nil {
				return sent, err
			}
			if slow[w.URL] {
				continue
			}
			tried, timedOut, err := d.deliver(ctx, t, w.ID, f, outOfOrder)
			if err != nil {
				return sent, err
			}
			if tried {
				sent++
			}
			if timedOut {
				slow[w.URL] = true
			}
		}
		if len(due) < batch {
			return sent, nil
		}
	}
}

// delay applies the delay fault: deliveries not yet attempted nor delayed
// are pushed back on the tenant's clock and left out of this pass.
func (d *Dispatcher) delay(ctx context.Context, t *emulator.Tenant, f emulator.WebhookFaults, todo []emulator.WebhookDelivery) ([]emulator.WebhookDelivery, error) {
	if f.Delay <= 0 {
		return todo, nil
	}
	out := todo[:0]
	for _, w := range todo {
		if w.AttemptCount == 0 && w.Delay == 0 {
			if _, err := d.store.DelayWebhook(ctx, t, w.ID, f.Delay); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, w)
	}
	return out, nil
}

// deliver claims one delivery, sends it (twice under the duplicate
// fault), and records the outcome. It reports whether it sent anything
// and whether the receiver timed out.
func (d *Dispatcher) deliver(ctx context.Context, t *emulator.Tenant, id string, f emulator.WebhookFaults, outOfOrder bool) (tried, timedOut bool, err error) {
	c, ok, err := d.store.ClaimWebhook(ctx, t, id, d.lease())
	if err != nil || !ok {
		return false, false, err
	}
	var attempts []emulator.WebhookAttempt
	if c.AttemptCount < f.ReceiverErrors {
		// The scenario plays a receiver answering 5xx: nothing is sent.
		attempts = append(attempts, simulatedError(d.store.Now(t), c.AttemptCount+1, f.ReceiverErrors))
	} else if sig, err := d.keys.Sign(ctx, t, c.Body, f); err != nil {
		// Counted as a failed attempt, so a broken key cannot retry
		// forever; nothing reached the receiver.
		attempts = append(attempts, emulator.WebhookAttempt{At: d.store.Now(t), Error: "signing: " + err.Error()})
	} else {
		if outOfOrder {
			sig.Faults = append(sig.Faults, emulator.FaultOutOfOrder)
		}
		a, to := d.send(ctx, t, c, sig)
		attempts, timedOut = append(attempts, a), to
		if a.OK() && f.Duplicate {
			sig.Faults = append(slices.Clone(sig.Faults), emulator.FaultDuplicate)
			a, to := d.send(ctx, t, c, sig)
			attempts, timedOut = append(attempts, a), timedOut || to
		}
	}
	// Recording outlives ctx: a send cut off by shutdown is given back
	// without an attempt, so it goes out again at once after a restart.
	rec := context.WithoutCancel(ctx)
	if ctx.Err() != nil {
		attempts = slices.DeleteFunc(attempts, func(a emulator.WebhookAttempt) bool { return a.Status == 0 })
	}
	var retryAt *time.Time
	if n := c.AttemptCount + len(attempts); len(attempts) > 0 && n < d.maxAttempts {
		at := attempts[len(attempts)-1].At.Add(d.backoff(n))
		retryAt = &at
	}
	_, err = d.store.RecordWebhookAttempts(rec, t, c, attempts, retryAt)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		err = nil // the tenant was reset or deleted meanwhile
	}
	return len(attempts) > 0, timedOut, err
}

// simulatedError is the record of attempt n of a delivery that the
// scenario's receiver_errors (of count) turns into a receiver's 503: no
// request leaves Sandbank, and the record says so, so nobody reading the
// attempts looks for the failure at their receiver.
func simulatedError(at time.Time, n, count int) emulator.WebhookAttempt {
	return emulator.WebhookAttempt{
		At: at, Status: http.StatusServiceUnavailable,
		Error:  fmt.Sprintf("HTTP 503 simulated by the scenario (behaviour.webhooks.receiver_errors, %d of %d): not sent", n, count),
		Faults: []emulator.WebhookFault{emulator.FaultReceiverError},
	}
}

// send makes one request and describes what came back. It reports
// whether the attempt ran out of time.
func (d *Dispatcher) send(ctx context.Context, t *emulator.Tenant, c store.WebhookClaim, sig Signature) (emulator.WebhookAttempt, bool) {
	a := emulator.WebhookAttempt{At: d.store.Now(t), KID: sig.KID, Faults: sig.Faults}
	start := d.clock.Now()
	actx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	timedOut := func() bool { return ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) }
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.URL, bytes.NewReader(c.Body))
	if err != nil {
		a.Error = err.Error()
		return a, false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Sandbank-Webhooks/1")
	req.Header.Set(HeaderSignature, sig.JWS)
	req.Header.Set(HeaderKID, sig.KID)
	req.Header.Set(HeaderID, c.ID)
	resp, err := d.client.Do(req)
	if err != nil {
		a.Duration = d.clock.Now().Sub(start)
		if timedOut() {
			a.Error = fmt.Sprintf("no answer within %s", d.timeout)
			return a, true
		}
		a.Error = err.Error()
		return a, false
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, emulator.WebhookResponseMax))
	// Read a little more, so a short answer's connection can be reused.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	a.Duration = d.clock.Now().Sub(start)
	a.Status, a.Response = resp.StatusCode, excerpt(body)
	if rerr != nil && timedOut() {
		// The status came in time; the body did not. The status stands.
		a.Error = fmt.Sprintf("answer body not complete within %s", d.timeout)
		return a, true
	}
	return a, false
}

// excerpt makes a response body start safe to keep as text: a rune cut
// in two at the byte limit is dropped rather than stored broken.
func excerpt(b []byte) string {
	for i := 1; i < utf8.UTFMax && len(b) > 0 && !utf8.Valid(b); i++ {
		if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
			break
		}
		b = b[:len(b)-1]
	}
	return string(b)
}
