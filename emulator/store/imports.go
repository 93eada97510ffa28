package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// Importing (Kontomatik): redirections, import sessions, standing consents
// and import commands. See emulator/imports.go.

// decimalID is a decimal id, as Kontomatik's sessions and commands have:
// large enough to look real, unique within the tenant, and deterministic.
func decimalID(ctx context.Context, tx *sql.Tx, t *emulator.Tenant) (string, error) {
	seq, err := nextSeq(ctx, tx, t)
	if err != nil {
		return "", err
	}
	return fmt.Sprint(455000000 + seq), nil
}

// CreateRedirection starts a sign-in journey (in) and records what the
// client asked for, in one transaction. It answers the journey and the
// redirection, whose id is the journey's.
func (s *Store) CreateRedirection(ctx context.Context, t *emulator.Tenant, in emulator.SCASession, r emulator.Redirection, ttl time.Duration) (emulator.SCASession, emulator.Redirection, error) {
	now := s.Now(t)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if in, err = createSCASession(ctx, tx, t, in, now, ttl); err != nil {
			return err
		}
		// The session's id is reserved now: the given contract hands it
		// out before the user has signed in.
		r.ID = in.ID
		if r.SessionID, err = decimalID(ctx, tx, t); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO redirections (tenant_id, id, dialect, redirect_uri, owner_external_id, country, locale, mode, session_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, r.ID, r.Dialect, r.RedirectURI, r.OwnerExternalID, r.Country, r.Locale, r.Mode, r.SessionID)
		return err
	})
	return in, r, err
}

// Redirection finds a redirection by its id.
func (s *Store) Redirection(ctx context.Context, t *emulator.Tenant, id string) (emulator.Redirection, error) {
	return findRedirection(ctx, s.read, t, id)
}

func findRedirection(ctx context.Context, q queryer, t *emulator.Tenant, id string) (emulator.Redirection, error) {
	var r emulator.Redirection
	err := q.QueryRowContext(ctx, `SELECT id, dialect, redirect_uri, owner_external_id, country, locale, mode, session_id, consent_id FROM redirections WHERE tenant_id = ? AND id = ?`, t.ID, id).
		Scan(&r.ID, &r.Dialect, &r.RedirectURI, &r.OwnerExternalID, &r.Country, &r.Locale, &r.Mode, &r.SessionID, &r.ConsentID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, emulator.NotFound("redirection", id)
	}
	return r, err
}

// SessionRequest is what opening an import session needs.
type SessionRequest struct {
	ConnectionID    string
	OwnerExternalID string
	// Standing opens a standing consent with the session, valid ConsentTTL.
	Standing   bool
	ConsentTTL time.Duration
	SessionTTL time.Duration
}

// openSession opens a session with the given id (a new one when empty).
func openSession(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, now time.Time, in SessionRequest, id, consentID, historyFrom string) (emulator.ImportSession, error) {
	var err error
	if id == "" {
		if id, err = decimalID(ctx, tx, t); err != nil {
			return emulator.ImportSession{}, err
		}
	}
	if in.Standing {
		if consentID, err = nextID(ctx, tx, t, "consent"); err != nil {
			return emulator.ImportSession{}, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO standing_consents (tenant_id, id, connection_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			t.ID, consentID, in.ConnectionID, ns(now), ns(now.Add(in.ConsentTTL))); err != nil {
			return emulator.ImportSession{}, err
		}
	}
	x := emulator.ImportSession{ID: id, ConnectionID: in.ConnectionID, OwnerExternalID: in.OwnerExternalID, ConsentID: consentID,
		HistoryFrom: historyFrom, CreatedAt: now, ExpiresAt: now.Add(in.SessionTTL)}
	_, err = tx.ExecContext(ctx, `INSERT INTO import_sessions (tenant_id, id, connection_id, owner_external_id, consent_id, history_from, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, x.ID, x.ConnectionID, x.OwnerExternalID, x.ConsentID, x.HistoryFrom, ns(x.CreatedAt), ns(x.ExpiresAt))
	return x, err
}

// SignInDirectly signs a PSU in at a bank without a journey (a mock
// session): a connection to every account the PSU holds there and an
// import session on it (with a standing consent when asked), in one
// transaction.
func (s *Store) SignInDirectly(ctx context.Context, t *emulator.Tenant, bankID, psuID string, in SessionRequest) (emulator.ImportSession, error) {
	now := s.Now(t)
	var out emulator.ImportSession
	err := s.tx(ctx, func(tx *sql.Tx) error {
		owned, err := collectAccounts(tx.QueryContext(ctx, accountSelect+` WHERE a.tenant_id = ? AND a.psu_id = ? AND a.bank_id = ? ORDER BY a.position`, t.ID, psuID, bankID))
		if err != nil {
			return err
		}
		if len(owned) == 0 {
			return emulator.Errorf(emulator.CodeConflict, "the PSU has no account at %s", bankID)
		}
		if in.ConnectionID, err = nextID(ctx, tx, t, "connection"); err != nil {
			return err
		}
		var expires any
		if v := t.Behaviour.ConsentValidity; v > 0 {
			expires = ns(now.Add(v))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO connections (tenant_id, id, bank_id, psu_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.ID, in.ConnectionID, bankID, psuID, ns(now), expires); err != nil {
			return err
		}
		for _, a := range owned {
			if _, err := tx.ExecContext(ctx, `INSERT INTO connection_accounts (tenant_id, connection_id, account_id) VALUES (?, ?, ?)`, t.ID, in.ConnectionID, a.ID); err != nil {
				return err
			}
		}
		out, err = openSession(ctx, tx, t, now, in, "", "", "")
		return err
	})
	return out, err
}

// CompleteRedirection opens the reserved session (and the standing
// consent) of a redirection whose journey the user completed, once: later
// calls answer the redirection as it was completed.
func (s *Store) CompleteRedirection(ctx context.Context, t *emulator.Tenant, id string, in SessionRequest) (emulator.Redirection, error) {
	now := s.Now(t)
	var out emulator.Redirection
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := findRedirection(ctx, tx, t, id)
		if err != nil {
			return err
		}
		out = r
		if _, err := findImportSession(ctx, tx, t, r.SessionID); err == nil {
			return nil
		}
		in.Standing = r.Mode.Standing()
		in.OwnerExternalID = r.OwnerExternalID
		x, err := openSession(ctx, tx, t, now, in, r.SessionID, "", "")
		if err != nil {
			return err
		}
		out.ConsentID = x.ConsentID
		_, err = tx.ExecContext(ctx, `UPDATE redirections SET consent_id = ? WHERE tenant_id = ? AND id = ?`, x.ConsentID, t.ID, id)
		return err
	})
	return out, err
}

// ReuseConsent opens a session on a standing consent, without the user:
// its history starts historyFrom. An unknown, expired or revoked consent
// is not found.
func (s *Store) ReuseConsent(ctx context.Context, t *emulator.Tenant, consentID, historyFrom string, sessionTTL time.Duration) (emulator.ImportSession, error) {
	now := s.Now(t)
	var out emulator.ImportSession
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c, err := findConsent(ctx, tx, t, consentID)
		if err != nil {
			return err
		}
		if !c.Usable(now) {
			return emulator.NotFound("consent", consentID)
		}
		out, err = openSession(ctx, tx, t, now, SessionRequest{ConnectionID: c.ConnectionID, SessionTTL: sessionTTL}, "", c.ID, historyFrom)
		return err
	})
	return out, err
}

// Consent finds a standing consent, usable or not.
func (s *Store) Consent(ctx context.Context, t *emulator.Tenant, id string) (emulator.StandingConsent, error) {
	return findConsent(ctx, s.read, t, id)
}

func findConsent(ctx context.Context, q queryer, t *emulator.Tenant, id string) (emulator.StandingConsent, error) {
	var c emulator.StandingConsent
	var created, expires int64
	var revoked sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, connection_id, created_at, expires_at, revoked_at FROM standing_consents WHERE tenant_id = ? AND id = ?`, t.ID, id).
		Scan(&c.ID, &c.ConnectionID, &created, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return c, emulator.NotFound("consent", id)
	}
	c.CreatedAt, c.ExpiresAt, c.RevokedAt = fromNS(created), fromNS(expires), nullTime(revoked)
	return c, err
}

// RevokeConsent revokes a usable standing consent; an unknown, expired or
// already revoked one is not found.
func (s *Store) RevokeConsent(ctx context.Context, t *emulator.Tenant, id string) error {
	now := s.Now(t)
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := findConsent(ctx, tx, t, id)
		if err != nil {
			return err
		}
		if !c.Usable(now) {
			return emulator.NotFound("consent", id)
		}
		_, err = tx.ExecContext(ctx, `UPDATE standing_consents SET revoked_at = ? WHERE tenant_id = ? AND id = ?`, ns(now), t.ID, id)
		return err
	})
}

// ImportSession finds an import session.
func (s *Store) ImportSession(ctx context.Context, t *emulator.Tenant, id string) (emulator.ImportSession, error) {
	return findImportSession(ctx, s.read, t, id)
}

func findImportSession(ctx context.Context, q queryer, t *emulator.Tenant, id string) (emulator.ImportSession, error) {
	var x emulator.ImportSession
	var created, expires int64
	err := q.QueryRowContext(ctx, `SELECT id, connection_id, owner_external_id, consent_id, history_from, imported, created_at, expires_at FROM import_sessions WHERE tenant_id = ? AND id = ?`, t.ID, id).
		Scan(&x.ID, &x.ConnectionID, &x.OwnerExternalID, &x.ConsentID, &x.HistoryFrom, &x.Imported, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return x, emulator.NotFound("session", id)
	}
	x.CreatedAt, x.ExpiresAt = fromNS(created), fromNS(expires)
	return x, err
}

// CommandRequest is an import command to start.
type CommandRequest struct {
	SessionID       string
	Name            string
	Since           string
	OwnerExternalID string
	Queue, Run      time.Duration // how long it waits, then runs
	Failure         string
	FailureMessage  string
	Fatal           bool // the failure is fatal (Kontomatik's state "fatal")
	// ConsentLimit is how many commands a standing consent allows in
	// ConsentWindow (Kontomatik: 4 a day).
	ConsentLimit  int
	ConsentWindow time.Duration
}

// Typed refusals of StartImport, for the provider to name.
var (
	ErrAlreadyImported  = errors.New("store: the session's default import already ran")
	ErrConsentExhausted = errors.New("store: the standing consent's imports are used up for now")
)

// StartImport starts the one default import of a session: a used session
// answers ErrAlreadyImported, a standing consent past its limit
// ErrConsentExhausted, and neither changes anything.
func (s *Store) StartImport(ctx context.Context, t *emulator.Tenant, in CommandRequest) (emulator.ImportCommand, error) {
	now := s.Now(t)
	var out emulator.ImportCommand
	err := s.tx(ctx, func(tx *sql.Tx) error {
		x, err := findImportSession(ctx, tx, t, in.SessionID)
		if err != nil {
			return err
		}
		if x.Imported {
			return ErrAlreadyImported
		}
		if x.ConsentID != "" && in.ConsentLimit > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM import_commands WHERE tenant_id = ? AND consent_id = ? AND created_at > ?`,
				t.ID, x.ConsentID, ns(now.Add(-in.ConsentWindow))).Scan(&n); err != nil {
				return err
			}
			if n >= in.ConsentLimit {
				return ErrConsentExhausted
			}
		}
		id, err := decimalID(ctx, tx, t)
		if err != nil {
			return err
		}
		out = emulator.ImportCommand{ID: id, SessionID: x.ID, Name: in.Name, Since: in.Since, Failure: in.Failure, FailureMessage: in.FailureMessage, Fatal: in.Fatal,
			CreatedAt: now, StartsAt: now.Add(in.Queue), DoneAt: now.Add(in.Queue + in.Run)}
		if _, err := tx.ExecContext(ctx, `INSERT INTO import_commands (tenant_id, id, session_id, consent_id, name, since, failure, failure_message, fatal, created_at, starts_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, out.ID, out.SessionID, x.ConsentID, out.Name, out.Since, out.Failure, out.FailureMessage, out.Fatal, ns(out.CreatedAt), ns(out.StartsAt), ns(out.DoneAt)); err != nil {
			return err
		}
		owner := x.OwnerExternalID
		if in.OwnerExternalID != "" {
			owner = in.OwnerExternalID
		}
		_, err = tx.ExecContext(ctx, `UPDATE import_sessions SET imported = 1, owner_external_id = ? WHERE tenant_id = ? AND id = ?`, owner, t.ID, x.ID)
		return err
	})
	return out, err
}

// ImportCommand finds a command.
func (s *Store) ImportCommand(ctx context.Context, t *emulator.Tenant, id string) (emulator.ImportCommand, error) {
	var c emulator.ImportCommand
	var created, starts, done int64
	err := s.read.QueryRowContext(ctx, `SELECT id, session_id, name, since, failure, failure_message, fatal, created_at, starts_at, done_at FROM import_commands WHERE tenant_id = ? AND id = ?`, t.ID, id).
		Scan(&c.ID, &c.SessionID, &c.Name, &c.Since, &c.Failure, &c.FailureMessage, &c.Fatal, &created, &starts, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return c, emulator.NotFound("command", id)
	}
	c.CreatedAt, c.StartsAt, c.DoneAt = fromNS(created), fromNS(starts), fromNS(done)
	return c, err
}

// RedirectionBySession finds the redirection that reserved a session id.
func (s *Store) RedirectionBySession(ctx context.Context, t *emulator.Tenant, sessionID string) (emulator.Redirection, error) {
	var id string
	err := s.read.QueryRowContext(ctx, `SELECT id FROM redirections WHERE tenant_id = ? AND session_id = ?`, t.ID, sessionID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return emulator.Redirection{}, emulator.NotFound("session", sessionID)
	}
	if err != nil {
		return emulator.Redirection{}, err
	}
	return findRedirection(ctx, s.read, t, id)
}
