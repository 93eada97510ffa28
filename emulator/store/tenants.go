package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// Now is the tenant's current time.
func (s *Store) Now(t *emulator.Tenant) time.Time { return t.Clock.At(s.clock.Now()) }

func tenantKey(p emulator.Provider, credential string) string { return string(p) + "\x00" + credential }

// Tenant finds a tenant by credential; CodeNotFound when there is none.
func (s *Store) Tenant(ctx context.Context, p emulator.Provider, credential string) (*emulator.Tenant, error) {
	s.mu.RLock()
	t, ok := s.tenants[tenantKey(p, credential)]
	s.mu.RUnlock()
	if ok {
		return t, nil
	}
	t, err := findTenant(ctx, s.read, p, credential)
	if err != nil {
		return nil, err
	}
	s.cache(t)
	return t, nil
}

func (s *Store) cache(t *emulator.Tenant) {
	s.mu.Lock()
	s.tenants[tenantKey(t.Provider, t.Credential)] = t
	s.mu.Unlock()
}

// EnsureTenant returns the tenant for a credential, creating it and its world
// when it is new (DESIGN.md §3: unknown credentials create a tenant on first
// use, seeded from the default scenario).
func (s *Store) EnsureTenant(ctx context.Context, p emulator.Provider, credential string) (*emulator.Tenant, error) {
	t, err := s.Tenant(ctx, p, credential)
	if err == nil || !emulator.IsCode(err, emulator.CodeNotFound) {
		return t, err
	}
	return s.CreateTenant(ctx, p, credential, s.opts.DefaultScenario, s.opts.DefaultSeed)
}

// CreateTenant creates a tenant and generates its world in one transaction.
// Creating one that exists already returns the existing one.
func (s *Store) CreateTenant(ctx context.Context, p emulator.Provider, credential, scenario string, seed int64) (*emulator.Tenant, error) {
	if credential == "" {
		return nil, emulator.FieldError(emulator.CodeMissing, "credential", "a tenant needs a credential")
	}
	var out *emulator.Tenant
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if t, err := findTenant(ctx, tx, p, credential); err == nil {
			out = t
			return nil
		} else if !emulator.IsCode(err, emulator.CodeNotFound) {
			return err
		}
		now := s.clock.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO tenants (provider, credential, key, scenario, seed, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			p, credential, emulator.TenantKey(p, credential), scenario, seed, ns(now))
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		t := &emulator.Tenant{ID: id, Provider: p, Credential: credential, Scenario: scenario, Seed: seed, CreatedAt: now}
		if s.opts.BuildWorld != nil {
			w, err := s.opts.BuildWorld(*t, now)
			if err != nil {
				return fmt.Errorf("build world: %w", err)
			}
			if err := insertWorld(ctx, tx, id, w); err != nil {
				return fmt.Errorf("insert world: %w", err)
			}
		}
		out = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.cache(out)
	return out, nil
}

// TenantByKey finds a tenant by its public key (Tenant.Key), as page URLs
// carry it.
func (s *Store) TenantByKey(ctx context.Context, key string) (*emulator.Tenant, error) {
	t, err := scanTenant(s.read.QueryRowContext(ctx, tenantSelect+` WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, emulator.NotFound("tenant", key)
	}
	if err != nil {
		return nil, err
	}
	return s.Tenant(ctx, t.Provider, t.Credential)
}

// CheckSecret makes the first secret a tenant presents its secret, and
// rejects any other one later with CodeBadSecret.
func (s *Store) CheckSecret(ctx context.Context, t *emulator.Tenant, secret string) error {
	h := emulator.HashSecret(secret)
	s.mu.RLock()
	known := t.SecretHash
	s.mu.RUnlock()
	if known != "" {
		if known != h {
			return emulator.Errorf(emulator.CodeBadSecret, "the secret does not match this client")
		}
		return nil
	}
	var stored string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET secret_hash = ? WHERE id = ? AND secret_hash = ''`, h, t.ID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT secret_hash FROM tenants WHERE id = ?`, t.ID).Scan(&stored)
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	t.SecretHash = stored
	s.mu.Unlock()
	if stored != h {
		return emulator.Errorf(emulator.CodeBadSecret, "the secret does not match this client")
	}
	return nil
}

// Tenants lists every tenant, oldest first.
func (s *Store) Tenants(ctx context.Context) ([]emulator.Tenant, error) {
	rows, err := s.read.QueryContext(ctx, tenantSelect+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []emulator.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

const tenantSelect = `SELECT id, provider, credential, secret_hash, scenario, seed, clock_offset, frozen_at, created_at FROM tenants`

type scanner interface{ Scan(dest ...any) error }

func scanTenant(row scanner) (*emulator.Tenant, error) {
	var t emulator.Tenant
	var offset, created int64
	var frozen sql.NullInt64
	if err := row.Scan(&t.ID, &t.Provider, &t.Credential, &t.SecretHash, &t.Scenario, &t.Seed, &offset, &frozen, &created); err != nil {
		return nil, err
	}
	t.Clock = emulator.TenantClock{Offset: time.Duration(offset), FrozenAt: nullTime(frozen)}
	t.CreatedAt = fromNS(created)
	return &t, nil
}

func findTenant(ctx context.Context, q queryer, p emulator.Provider, credential string) (*emulator.Tenant, error) {
	t, err := scanTenant(q.QueryRowContext(ctx, tenantSelect+` WHERE provider = ? AND credential = ?`, p, credential))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, emulator.NotFound("tenant", credential)
	}
	return t, err
}

// nextID draws the tenant's next id. Ids derive from the tenant's seed and a
// per-tenant sequence, so one scenario and seed replay to the same ids; the
// 32 lowercase hex digits match Fintecture's id shape (notes §2.3).
func nextID(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, kind string) (string, error) {
	var seq int64
	if err := tx.QueryRowContext(ctx, `UPDATE tenants SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq`, t.ID).Scan(&seq); err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%d/%s/%s/%d", t.Seed, t.Credential, kind, seq)))
	return hex.EncodeToString(sum[:16]), nil
}
