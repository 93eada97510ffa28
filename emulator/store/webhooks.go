package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// The outbox (DESIGN.md §7). A provider's store method writes a webhook
// with enqueueWebhook inside its own transaction; the dispatcher
// (emulator/webhooks) later takes the deliveries that are due on their
// tenant's clock. Sending happens outside any transaction: the dispatcher
// claims a delivery with a lease (ClaimWebhook), sends, and records what
// happened in a new transaction (RecordWebhookAttempts). A dispatcher
// that dies mid-send leaves only a lease, which runs out, and the
// delivery is sent again: delivery is at least once.

// Webhook listing limits: a page holds WebhookLimitDefault deliveries
// unless the filter asks for more, never more than WebhookLimitMax.
const (
	WebhookLimitDefault = 100
	WebhookLimitMax     = 1000
)

// enqueueWebhook puts a webhook in the outbox, due at now, inside the
// caller's transaction, so it exists exactly when the state change that
// caused it does. now is the tenant's clock as the caller read it. It
// returns the delivery's id.
func enqueueWebhook(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, now time.Time, h emulator.Webhook) (string, error) {
	if h.Provider == "" {
		h.Provider = t.Provider
	}
	if err := checkWebhook(t, h); err != nil {
		return "", err
	}
	return insertDelivery(ctx, tx, t, now, h, "")
}

// checkWebhook refuses a webhook the dispatcher could never send, so the
// mistake shows at the state change rather than as a failed delivery.
func checkWebhook(t *emulator.Tenant, h emulator.Webhook) error {
	if h.Provider != t.Provider {
		return emulator.FieldError(emulator.CodeInvalid, "provider", "a %s tenant cannot send %s webhooks", t.Provider, h.Provider)
	}
	if h.Type == "" {
		return emulator.FieldError(emulator.CodeMissing, "type", "a webhook needs an event type")
	}
	u, err := url.Parse(h.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return emulator.FieldError(emulator.CodeInvalid, "url", "the webhook URL %q is not an absolute http(s) URL", h.URL)
	}
	if !json.Valid(h.Body) {
		return emulator.FieldError(emulator.CodeInvalid, "body", "a webhook body must be JSON")
	}
	return nil
}

func insertDelivery(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, now time.Time, h emulator.Webhook, resentFrom string) (string, error) {
	id, err := newWebhookID()
	if err != nil {
		return "", err
	}
	body := h.Body
	if body == nil {
		body = []byte{} // a nil slice binds as NULL
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (tenant_id, id, seq, provider, type, url, subject, body, status, created_at, due_at, resent_from)
		VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM webhook_deliveries WHERE tenant_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, id, t.ID, h.Provider, h.Type, h.URL, h.Subject, body, emulator.WebhookPending, ns(now), ns(now), resentFrom)
	return id, err
}

// newWebhookID draws a random UUID. Delivery ids never appear in API
// answers, so they need not replay from the seed; what matters is that a
// receiver deduplicating on x-webhook-id never sees one twice, even after
// a reset starts the tenant over.
func newWebhookID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// EnqueueWebhook puts a webhook in the outbox on its own, due now on the
// tenant's clock. Providers enqueue inside the transaction of the state
// change instead (enqueueWebhook); this serves the control plane and
// tests.
func (s *Store) EnqueueWebhook(ctx context.Context, t *emulator.Tenant, h emulator.Webhook) (emulator.WebhookDelivery, error) {
	var out emulator.WebhookDelivery
	err := s.tx(ctx, func(tx *sql.Tx) error {
		id, err := enqueueWebhook(ctx, tx, t, s.Now(t), h)
		if err != nil {
			return err
		}
		out, err = s.findDelivery(ctx, tx, t, id)
		return err
	})
	return out, err
}

// WebhookFilter selects a tenant's deliveries, newest first. Zero fields
// do not filter.
type WebhookFilter struct {
	Status  emulator.WebhookStatus
	Subject string
	// Limit caps the page (WebhookLimitDefault when zero, at most
	// WebhookLimitMax).
	Limit int
}

// WebhookDeliveries lists a tenant's deliveries, newest first, each with
// its attempts.
func (s *Store) WebhookDeliveries(ctx context.Context, t *emulator.Tenant, f WebhookFilter) ([]emulator.WebhookDelivery, error) {
	where, args := []string{"tenant_id = ?"}, []any{t.ID}
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, emulator.FieldError(emulator.CodeInvalid, "status", "unknown webhook status %q (pending, delivered or failed)", f.Status)
		}
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Subject != "" {
		where, args = append(where, "subject = ?"), append(args, f.Subject)
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = WebhookLimitDefault
	case limit > WebhookLimitMax:
		limit = WebhookLimitMax
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // read-only: there is nothing to commit
	out, err := s.queryDeliveries(ctx, tx, deliverySelect+` WHERE `+strings.Join(where, " AND ")+` ORDER BY seq DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	if err := attachAttempts(ctx, tx, t, out); err != nil {
		return nil, err
	}
	return out, nil
}

// WebhookDelivery finds one delivery of the tenant, with its attempts.
func (s *Store) WebhookDelivery(ctx context.Context, t *emulator.Tenant, id string) (emulator.WebhookDelivery, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return emulator.WebhookDelivery{}, err
	}
	defer tx.Rollback() // read-only: there is nothing to commit
	return s.findDelivery(ctx, tx, t, id)
}

// ResendWebhook enqueues a fresh copy of a delivery, whatever became of
// it, due now on the tenant's clock: same body, type and URL, a new id
// (a receiver deduplicating on x-webhook-id takes it as new) and
// ResentFrom pointing at the original, which keeps its history. Like
// every delivery it is signed when sent, with the key current then.
func (s *Store) ResendWebhook(ctx context.Context, t *emulator.Tenant, id string) (emulator.WebhookDelivery, error) {
	var out emulator.WebhookDelivery
	err := s.tx(ctx, func(tx *sql.Tx) error {
		orig, err := s.findDelivery(ctx, tx, t, id)
		if err != nil {
			return err
		}
		nid, err := insertDelivery(ctx, tx, t, s.Now(t), orig.Webhook, orig.ID)
		if err != nil {
			return err
		}
		out, err = s.findDelivery(ctx, tx, t, nid)
		return err
	})
	return out, err
}

// TenantsWithPendingWebhooks lists the tenants that have deliveries still
// pending, due or not: whether one is due depends on each tenant's clock,
// which the dispatcher asks per tenant (DueWebhooks).
func (s *Store) TenantsWithPendingWebhooks(ctx context.Context) ([]*emulator.Tenant, error) {
	ids, err := queryAll(ctx, s.read, scanTenantID, `SELECT DISTINCT tenant_id FROM webhook_deliveries WHERE status = 'pending'`)
	if err != nil {
		return nil, err
	}
	var out []*emulator.Tenant
	for _, id := range ids {
		t, err := s.tenantByID(ctx, id)
		if emulator.IsCode(err, emulator.CodeNotFound) {
			continue // deleted since
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// DueWebhooks lists, in enqueue order, up to limit pending deliveries of
// the tenant that are due on its clock and that no dispatcher holds. They
// come without their attempts.
func (s *Store) DueWebhooks(ctx context.Context, t *emulator.Tenant, limit int) ([]emulator.WebhookDelivery, error) {
	if limit <= 0 {
		limit = WebhookLimitDefault
	}
	return s.queryDeliveries(ctx, s.read, deliverySelect+` WHERE tenant_id = ? AND status = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY seq LIMIT ?`,
		t.ID, ns(s.Now(t)), ns(s.clock.Now()), limit)
}

// WebhookClaim is a delivery a dispatcher holds while it sends it. Token
// proves the hold when the outcome is recorded.
type WebhookClaim struct {
	emulator.WebhookDelivery
	Token string
}

// ClaimWebhook takes a due, pending delivery for one send: nobody else
// may claim it until the lease (real time: a frozen tenant clock must not
// pin a lease forever) runs out or the outcome is recorded. It reports
// false when the delivery is no longer there to take (sent, held by
// another dispatcher, not due, gone).
func (s *Store) ClaimWebhook(ctx context.Context, t *emulator.Tenant, id string, lease time.Duration) (WebhookClaim, bool, error) {
	token, err := newWebhookID()
	if err != nil {
		return WebhookClaim{}, false, err
	}
	var c WebhookClaim
	ok := false
	err = s.tx(ctx, func(tx *sql.Tx) error {
		real := s.clock.Now()
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET lease_until = ?, lease_token = ?
			WHERE tenant_id = ? AND id = ? AND status = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)`,
			ns(real.Add(lease)), token, t.ID, id, ns(s.Now(t)), ns(real))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		d, err := s.findDelivery(ctx, tx, t, id)
		if err != nil {
			return err
		}
		c, ok = WebhookClaim{WebhookDelivery: d, Token: token}, true
		return nil
	})
	return c, ok, err
}

// DelayWebhook applies a scenario's delay fault: it pushes a delivery
// not yet attempted nor delayed back by d on the tenant's clock, once. It
// reports whether it did.
func (s *Store) DelayWebhook(ctx context.Context, t *emulator.Tenant, id string, d time.Duration) (bool, error) {
	if d <= 0 {
		return false, nil
	}
	ok := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET due_at = due_at + ?, delay_ns = ?
			WHERE tenant_id = ? AND id = ? AND status = 'pending' AND attempts = 0 AND delay_ns = 0 AND (lease_until IS NULL OR lease_until <= ?)`,
			int64(d), int64(d), t.ID, id, ns(s.clock.Now()))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		ok = n > 0
		return nil
	})
	return ok, err
}

// RecordWebhookAttempts records the requests sent for a claim, in one
// transaction, and what becomes of the delivery: delivered when one of
// them got a 2xx, otherwise pending again, due at retryAt, or failed when
// retryAt is nil (its attempts ran out). The lease ends. If the claim was
// lost meanwhile (the lease ran out and another dispatcher took the
// delivery), the attempts are still recorded, since they happened, but
// the delivery's course is left to its new holder unless this send
// delivered it. A delivery deleted meanwhile is CodeNotFound.
func (s *Store) RecordWebhookAttempts(ctx context.Context, t *emulator.Tenant, c WebhookClaim, attempts []emulator.WebhookAttempt, retryAt *time.Time) (emulator.WebhookDelivery, error) {
	var out emulator.WebhookDelivery
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		var status, token string
		err := tx.QueryRowContext(ctx, `SELECT attempts, status, lease_token FROM webhook_deliveries WHERE tenant_id = ? AND id = ?`, t.ID, c.ID).Scan(&n, &status, &token)
		if errors.Is(err, sql.ErrNoRows) {
			return emulator.NotFound("webhook", c.ID)
		}
		if err != nil {
			return err
		}
		var delivered *emulator.WebhookAttempt
		for i, a := range attempts {
			faults := make([]string, len(a.Faults))
			for j, f := range a.Faults {
				faults[j] = string(f)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (tenant_id, delivery_id, n, at, duration_ns, status, error, response, kid, faults) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				t.ID, c.ID, n+i+1, ns(a.At), int64(a.Duration), a.Status, a.Error, a.Response, a.KID, strings.Join(faults, ",")); err != nil {
				return err
			}
			if a.OK() && delivered == nil {
				delivered = &attempts[i]
			}
		}
		owned := token == c.Token && status == string(emulator.WebhookPending)
		switch {
		case delivered != nil && status == string(emulator.WebhookPending):
			_, err = tx.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + ?, status = ?, delivered_at = ?, last_error = '', lease_until = NULL, lease_token = '' WHERE tenant_id = ? AND id = ?`,
				len(attempts), emulator.WebhookDelivered, ns(delivered.At), t.ID, c.ID)
		case owned && len(attempts) > 0:
			next, due := emulator.WebhookFailed, c.DueAt
			if retryAt != nil {
				next, due = emulator.WebhookPending, *retryAt
			}
			_, err = tx.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + ?, status = ?, due_at = ?, last_error = ?, lease_until = NULL, lease_token = '' WHERE tenant_id = ? AND id = ?`,
				len(attempts), next, ns(due), attemptError(attempts[len(attempts)-1]), t.ID, c.ID)
		case owned:
			// Nothing was sent: give the delivery back as it was.
			_, err = tx.ExecContext(ctx, `UPDATE webhook_deliveries SET lease_until = NULL, lease_token = '' WHERE tenant_id = ? AND id = ?`, t.ID, c.ID)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + ? WHERE tenant_id = ? AND id = ?`, len(attempts), t.ID, c.ID)
		}
		if err != nil {
			return err
		}
		out, err = s.findDelivery(ctx, tx, t, c.ID)
		return err
	})
	return out, err
}

// attemptError is how a failed attempt reads in a delivery's LastError.
func attemptError(a emulator.WebhookAttempt) string {
	if a.Error != "" {
		return a.Error
	}
	return fmt.Sprintf("HTTP %d", a.Status)
}

const deliverySelect = `SELECT id, seq, provider, type, url, subject, body, status, created_at, due_at, attempts, delay_ns, delivered_at, last_error, resent_from, lease_until FROM webhook_deliveries`

func scanDelivery(row scanner, real time.Time) (emulator.WebhookDelivery, error) {
	var d emulator.WebhookDelivery
	var created, due, delay int64
	var delivered, lease sql.NullInt64
	err := row.Scan(&d.ID, &d.Seq, &d.Provider, &d.Type, &d.URL, &d.Subject, &d.Body, &d.Status, &created, &due, &d.AttemptCount, &delay, &delivered, &d.LastError, &d.ResentFrom, &lease)
	if err != nil {
		return d, err
	}
	if d.Body == nil {
		d.Body = []byte{}
	}
	d.CreatedAt, d.DueAt, d.Delay = fromNS(created), fromNS(due), time.Duration(delay)
	d.DeliveredAt = nullTime(delivered)
	d.InFlight = d.Status == emulator.WebhookPending && lease.Valid && lease.Int64 > ns(real)
	return d, nil
}

func (s *Store) queryDeliveries(ctx context.Context, q queryer, query string, args ...any) ([]emulator.WebhookDelivery, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	real := s.clock.Now()
	out := []emulator.WebhookDelivery{}
	for rows.Next() {
		d, err := scanDelivery(rows, real)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// findDelivery reads one delivery of the tenant with its attempts; a
// foreign or unknown id is CodeNotFound.
func (s *Store) findDelivery(ctx context.Context, q queryer, t *emulator.Tenant, id string) (emulator.WebhookDelivery, error) {
	d, err := scanDelivery(q.QueryRowContext(ctx, deliverySelect+` WHERE tenant_id = ? AND id = ?`, t.ID, id), s.clock.Now())
	if errors.Is(err, sql.ErrNoRows) {
		return d, emulator.NotFound("webhook", id)
	}
	if err != nil {
		return d, err
	}
	ds := []emulator.WebhookDelivery{d}
	if err := attachAttempts(ctx, q, t, ds); err != nil {
		return d, err
	}
	return ds[0], nil
}

// attachAttempts fills in the attempts of the given deliveries with one
// query.
func attachAttempts(ctx context.Context, q queryer, t *emulator.Tenant, ds []emulator.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	at := make(map[string]int, len(ds))
	args := []any{t.ID}
	for i, d := range ds {
		at[d.ID] = i
		ds[i].Attempts = []emulator.WebhookAttempt{}
		args = append(args, d.ID)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ds)), ", ")
	rows, err := q.QueryContext(ctx, `SELECT delivery_id, n, at, duration_ns, status, error, response, kid, faults FROM webhook_attempts
		WHERE tenant_id = ? AND delivery_id IN (`+marks+`) ORDER BY delivery_id, n`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, faults string
		var a emulator.WebhookAttempt
		var when, dur int64
		if err := rows.Scan(&id, &a.N, &when, &dur, &a.Status, &a.Error, &a.Response, &a.KID, &faults); err != nil {
			return err
		}
		a.At, a.Duration = fromNS(when), time.Duration(dur)
		if faults != "" {
			for _, f := range strings.Split(faults, ",") {
				a.Faults = append(a.Faults, emulator.WebhookFault(f))
			}
		}
		i := at[id]
		ds[i].Attempts = append(ds[i].Attempts, a)
	}
	return rows.Err()
}
