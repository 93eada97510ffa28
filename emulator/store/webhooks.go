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
	"sync"
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
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT tenant_id FROM webhook_deliveries WHERE status = 'pending'`)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
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

// Signing keys. Keys follow each other in periods of
// emulator.SigningKeyLifetime counted from the tenant's key epoch (the
// instant its first key became current), all on the tenant's clock. At
// tenant time now the current period is p = floor((now - epoch) /
// lifetime); the key of p signs and the key of p-1 is still published,
// so the JWKS always lists exactly two keys, current first (notes/
// finqlink.md §5). At the very first need both are made, the previous one
// dated a period back, so even a new tenant has a previous key. Keys are
// made lazily when asked for, from the tenant's clock alone, so advancing
// that clock by 100 days rotates on the next read with the same result as
// if Sandbank had been watching all along; and since each period has at
// most one key (the table's key), concurrent readers agree on it.

// KeyMinter makes a fresh private key for alg, with its kid; the store
// numbers, dates and keeps it. The webhooks package provides it, so the
// store holds keys without knowing JOSE.
type KeyMinter func(alg emulator.SigningAlg) (emulator.SigningKey, error)

// WebhookKeys returns a tenant's current and previous signing keys for a
// provider at the tenant's present time, making (with mint) and keeping
// the ones that do not exist yet and dropping those older than the
// previous one.
func (s *Store) WebhookKeys(ctx context.Context, t *emulator.Tenant, p emulator.Provider, mint KeyMinter) (current, previous emulator.SigningKey, err error) {
	// Minting happens outside the write transaction: an RSA key takes
	// ~100ms, which must not hold the one writer. Two callers racing both
	// mint; the first to commit wins, the other's keys are dropped, and
	// both read back the same ones.
	for try := 0; try < 4; try++ {
		now := s.Now(t)
		ks, err := readKeyState(ctx, s.read, t, p)
		if err != nil {
			return current, previous, err
		}
		cur := ks.period(now)
		c, okc := ks.keys[cur]
		pr, okp := ks.keys[cur-1]
		if okc && okp {
			return c, pr, nil
		}
		n := 0
		for _, ok := range []bool{okc, okp} {
			if !ok {
				n++
			}
		}
		minted, err := mintKeys(mint, ks.alg, n)
		if err != nil {
			return current, previous, err
		}
		if err := s.tx(ctx, func(tx *sql.Tx) error { return installKeys(ctx, tx, t, p, now, minted) }); err != nil {
			return current, previous, err
		}
	}
	return current, previous, fmt.Errorf("webhook keys of %s: they kept changing while being made", t.Credential)
}

// WebhookAlg is the algorithm a tenant's new keys for a provider get
// (RS256 unless set).
func (s *Store) WebhookAlg(ctx context.Context, t *emulator.Tenant, p emulator.Provider) (emulator.SigningAlg, error) {
	ks, err := readKeyState(ctx, s.read, t, p)
	return ks.alg, err
}

// SetWebhookAlg changes the algorithm a tenant's webhooks are signed with.
// Keys of another algorithm are dropped at once, so the next signature
// and the JWKS use the new one (a receiver sees an unknown kid and
// fetches the JWKS again, as after any rotation); the rotation schedule
// stays.
func (s *Store) SetWebhookAlg(ctx context.Context, t *emulator.Tenant, p emulator.Provider, alg emulator.SigningAlg) error {
	if err := alg.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_settings (tenant_id, provider, alg) VALUES (?, ?, ?)
			ON CONFLICT (tenant_id, provider) DO UPDATE SET alg = excluded.alg`, t.ID, p, alg); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM webhook_keys WHERE tenant_id = ? AND provider = ? AND alg <> ?`, t.ID, p, alg)
		return err
	})
}

// keyState is a tenant's stored signing set-up for one provider.
type keyState struct {
	alg   emulator.SigningAlg
	epoch *time.Time
	keys  map[int64]emulator.SigningKey
	max   *int64 // newest stored period
}

func readKeyState(ctx context.Context, q queryer, t *emulator.Tenant, p emulator.Provider) (keyState, error) {
	ks := keyState{alg: emulator.RS256, keys: map[int64]emulator.SigningKey{}}
	var alg string
	var epoch sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT alg, key_epoch FROM webhook_settings WHERE tenant_id = ? AND provider = ?`, t.ID, p).Scan(&alg, &epoch)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return ks, err
	default:
		ks.alg, ks.epoch = emulator.SigningAlg(alg), nullTime(epoch)
	}
	rows, err := q.QueryContext(ctx, `SELECT period, kid, alg, private_key, not_before, created_at FROM webhook_keys WHERE tenant_id = ? AND provider = ? ORDER BY period`, t.ID, p)
	if err != nil {
		return ks, err
	}
	defer rows.Close()
	for rows.Next() {
		k := emulator.SigningKey{Provider: p}
		var notBefore, created int64
		if err := rows.Scan(&k.Period, &k.KID, &k.Alg, &k.PrivateKey, &notBefore, &created); err != nil {
			return ks, err
		}
		k.NotBefore, k.CreatedAt = fromNS(notBefore), fromNS(created)
		ks.keys[k.Period] = k
		period := k.Period
		ks.max = &period
	}
	return ks, rows.Err()
}

// period is the current rotation period at now. Before any key exists it
// is 0 (the epoch will be now). A tenant clock set back never brings an
// older key back: keys only move forward.
func (ks keyState) period(now time.Time) int64 {
	if ks.epoch == nil {
		return 0
	}
	life := int64(emulator.SigningKeyLifetime)
	d := ns(now) - ns(*ks.epoch)
	p := d / life
	if d < 0 && d%life != 0 {
		p-- // floor, not truncation, before the epoch
	}
	if ks.max != nil && *ks.max > p {
		p = *ks.max
	}
	return p
}

// installKeys fills the current and previous periods that have no key
// with minted keys, inside one write transaction, and drops keys older
// than the previous period. Keys minted for another algorithm than the
// current setting are not used (the caller mints again).
func installKeys(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, p emulator.Provider, now time.Time, minted []emulator.SigningKey) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_settings (tenant_id, provider) VALUES (?, ?) ON CONFLICT DO NOTHING`, t.ID, p); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_settings SET key_epoch = ? WHERE tenant_id = ? AND provider = ? AND key_epoch IS NULL`, ns(now), t.ID, p); err != nil {
		return err
	}
	ks, err := readKeyState(ctx, tx, t, p)
	if err != nil {
		return err
	}
	cur := ks.period(now)
	for _, period := range []int64{cur - 1, cur} {
		if _, ok := ks.keys[period]; ok {
			continue
		}
		for len(minted) > 0 && minted[0].Alg != ks.alg {
			minted = minted[1:]
		}
		if len(minted) == 0 {
			break
		}
		k := minted[0]
		minted = minted[1:]
		notBefore := ks.epoch.Add(time.Duration(period) * emulator.SigningKeyLifetime)
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_keys (tenant_id, provider, period, kid, alg, private_key, not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, p, period, k.KID, k.Alg, k.PrivateKey, ns(notBefore), ns(now)); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM webhook_keys WHERE tenant_id = ? AND provider = ? AND period < ?`, t.ID, p, cur-1)
	return err
}

// mintKeys makes n keys at once, in parallel: RSA key generation is the
// slow part of a tenant's first webhook.
func mintKeys(mint KeyMinter, alg emulator.SigningAlg, n int) ([]emulator.SigningKey, error) {
	keys := make([]emulator.SigningKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			keys[i], errs[i] = mint(alg)
			if errs[i] == nil && (keys[i].KID == "" || keys[i].PrivateKey == "" || keys[i].Alg != alg) {
				errs[i] = fmt.Errorf("minted key for %s: kid, key or algorithm missing", alg)
			}
		})
	}
	wg.Wait()
	return keys, errors.Join(errs...)
}
