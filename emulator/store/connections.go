package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// Connection finds a connection by id.
func (s *Store) Connection(ctx context.Context, t *emulator.Tenant, id string) (emulator.Connection, error) {
	return cached(s, cacheKey("connection", t, id), func() (emulator.Connection, error) { return s.findConnection(ctx, t, id) })
}

func (s *Store) findConnection(ctx context.Context, t *emulator.Tenant, id string) (emulator.Connection, error) {
	c, err := scanConnection(s.read.QueryRowContext(ctx, connectionSelect+` WHERE tenant_id = ? AND id = ?`, t.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, emulator.NotFound("customer", id)
	}
	return c, err
}

// Connections lists the tenant's live connections, oldest first.
func (s *Store) Connections(ctx context.Context, t *emulator.Tenant) ([]emulator.Connection, error) {
	rows, err := s.read.QueryContext(ctx, connectionSelect+` WHERE tenant_id = ? ORDER BY created_at, id`, t.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []emulator.Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const connectionSelect = `SELECT id, bank_id, psu_id, created_at, expires_at FROM connections`

func scanConnection(row scanner) (emulator.Connection, error) {
	var c emulator.Connection
	var created int64
	var expires sql.NullInt64
	err := row.Scan(&c.ID, &c.BankID, &c.PSUID, &created, &expires)
	c.CreatedAt, c.ExpiresAt = fromNS(created), nullTime(expires)
	return c, err
}

// DeleteConnection removes a connection with its account links and codes,
// and revokes every token bound to it, in one transaction.
func (s *Store) DeleteConnection(ctx context.Context, t *emulator.Tenant, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM connections WHERE tenant_id = ? AND id = ?`, t.ID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return emulator.NotFound("customer", id)
		}
		_, err = tx.ExecContext(ctx, `UPDATE tokens SET revoked = 1 WHERE tenant_id = ? AND connection_id = ?`, t.ID, id)
		return err
	})
}

// RedeemCode checks an authorization code and returns its connection. Codes
// stay valid until they expire: Fintecture's own SDK tests exchange one code
// repeatedly (notes/fintecture.md §1.2).
func (s *Store) RedeemCode(ctx context.Context, t *emulator.Tenant, code string) (string, error) {
	var conn string
	var expires int64
	err := s.read.QueryRowContext(ctx, `SELECT connection_id, expires_at FROM auth_codes WHERE tenant_id = ? AND code = ?`, t.ID, code).Scan(&conn, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return "", emulator.Errorf(emulator.CodeBadCode, "the authorization code is unknown")
	}
	if err != nil {
		return "", err
	}
	if !s.Now(t).Before(fromNS(expires)) {
		return "", emulator.Errorf(emulator.CodeBadCode, "the authorization code has expired")
	}
	return conn, nil
}

// TokenRequest describes a token pair to issue.
type TokenRequest struct {
	Scope        string
	ConnectionID string
	AccessTTL    time.Duration
	// RefreshTTL > 0 also issues a refresh token.
	RefreshTTL time.Duration
	// Replaces, when set, is the refresh token being used: the access
	// token issued with it is revoked (a refresh invalidates the previous
	// token, notes/fintecture.md §1.2).
	Replaces string
}

// IssueTokens records a new access token (and refresh token) and returns
// them; the caller encodes them.
func (s *Store) IssueTokens(ctx context.Context, t *emulator.Tenant, in TokenRequest) (access, refresh emulator.Token, err error) {
	now := s.Now(t)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if in.Replaces != "" {
			old, err := findToken(ctx, tx, t, in.Replaces)
			if err != nil || old.Kind != emulator.RefreshToken || old.Revoked || !now.Before(old.ExpiresAt) {
				return emulator.Errorf(emulator.CodeBadCode, "the refresh token is unknown, revoked or expired")
			}
			in.Scope, in.ConnectionID = old.Scope, old.ConnectionID
			if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked = 1 WHERE tenant_id = ? AND (id = ? OR pair_id = ?)`, t.ID, old.ID, old.ID); err != nil {
				return err
			}
		}
		if in.ConnectionID != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM connections WHERE tenant_id = ? AND id = ?`, t.ID, in.ConnectionID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return emulator.Errorf(emulator.CodeBadCode, "the connection behind this code or token was deleted")
			}
		}
		var err error
		if access.ID, err = nextID(ctx, tx, t, "token"); err != nil {
			return err
		}
		access = emulator.Token{ID: access.ID, Kind: emulator.AccessToken, Scope: in.Scope, ConnectionID: in.ConnectionID, IssuedAt: now, ExpiresAt: now.Add(in.AccessTTL)}
		if in.RefreshTTL > 0 {
			if refresh.ID, err = nextID(ctx, tx, t, "token"); err != nil {
				return err
			}
			refresh = emulator.Token{ID: refresh.ID, Kind: emulator.RefreshToken, Scope: in.Scope, ConnectionID: in.ConnectionID, IssuedAt: now, ExpiresAt: now.Add(in.RefreshTTL)}
			if err := insertToken(ctx, tx, t, refresh, ""); err != nil {
				return err
			}
		}
		return insertToken(ctx, tx, t, access, refresh.ID)
	})
	return access, refresh, err
}

func insertToken(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, k emulator.Token, pair string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO tokens (tenant_id, id, kind, scope, connection_id, pair_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, k.ID, k.Kind, k.Scope, k.ConnectionID, pair, ns(k.IssuedAt), ns(k.ExpiresAt))
	return err
}

func findToken(ctx context.Context, q queryer, t *emulator.Tenant, id string) (emulator.Token, error) {
	var k emulator.Token
	var issued, expires int64
	var revoked int
	err := q.QueryRowContext(ctx, `SELECT id, kind, scope, connection_id, issued_at, expires_at, revoked FROM tokens WHERE tenant_id = ? AND id = ?`, t.ID, id).
		Scan(&k.ID, &k.Kind, &k.Scope, &k.ConnectionID, &issued, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return k, emulator.Errorf(emulator.CodeUnauthenticated, "the token is unknown")
	}
	k.IssuedAt, k.ExpiresAt, k.Revoked = fromNS(issued), fromNS(expires), revoked != 0
	return k, err
}

// Token finds an issued token by id (jti).
func (s *Store) Token(ctx context.Context, t *emulator.Tenant, id string) (emulator.Token, error) {
	return cached(s, cacheKey("token", t, id), func() (emulator.Token, error) { return findToken(ctx, s.read, t, id) })
}
