package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

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

// defaultAlg is what a tenant's keys sign with until SetWebhookAlg says
// otherwise: its scenario's choice, else RS256.
func defaultAlg(t *emulator.Tenant) emulator.SigningAlg {
	if a := t.Behaviour.WebhookAlg; a != "" {
		return a
	}
	return emulator.RS256
}

// keyState is a tenant's stored signing set-up for one provider.
type keyState struct {
	alg   emulator.SigningAlg
	epoch *time.Time
	keys  map[int64]emulator.SigningKey
	max   *int64 // newest stored period
}

func readKeyState(ctx context.Context, q queryer, t *emulator.Tenant, p emulator.Provider) (keyState, error) {
	ks := keyState{alg: defaultAlg(t), keys: map[int64]emulator.SigningKey{}}
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
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_settings (tenant_id, provider, alg) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, t.ID, p, defaultAlg(t)); err != nil {
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
