package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// EventSCATimeout fails a journey the PSU never finished.
const EventSCATimeout = "sca.timeout"

// EventSCADecide is the bank acting on a decoupled journey by itself, as
// the PSU's scenario says: a PSU whose outcome is deny refuses on the
// phone DecoupledDecision after the request reaches it.
const EventSCADecide = "sca.decide"

// DecoupledDecision is how long after a decoupled journey knows its PSU the
// bank's app acts on a scripted outcome.
const DecoupledDecision = 3 * time.Second

// scheduleDecision schedules the scripted decision of a decoupled journey
// once its PSU is known.
func scheduleDecision(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, x emulator.SCASession, now time.Time) error {
	if x.Model != emulator.SCADecoupled || x.Outcome != emulator.OutcomeDeny {
		return nil
	}
	return schedule(ctx, tx, t, now.Add(DecoupledDecision), EventSCADecide, x.ID)
}

// CreateSCASession starts a journey and schedules its timeout on the tenant
// clock, in one transaction.
func (s *Store) CreateSCASession(ctx context.Context, t *emulator.Tenant, in emulator.SCASession, ttl time.Duration) (emulator.SCASession, error) {
	now := s.Now(t)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		in, err = createSCASession(ctx, tx, t, in, now, ttl)
		return err
	})
	return in, err
}

func createSCASession(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, in emulator.SCASession, now time.Time, ttl time.Duration) (emulator.SCASession, error) {
	id, err := nextID(ctx, tx, t, "sca")
	if err != nil {
		return in, err
	}
	in.ID, in.Status, in.CreatedAt, in.ExpiresAt = id, emulator.SCAPending, now, now.Add(ttl)
	if in.Outcome, err = outcomeOf(ctx, tx, t, in.PSUID); err != nil {
		return in, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sca_sessions (tenant_id, id, provider, bank_id, model, status, step, psu_id, redirect_uri, state, scope, outcome, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, in.ID, in.Provider, in.BankID, in.Model, in.Status, in.Step, in.PSUID, in.RedirectURI, in.State, in.Scope, in.Outcome, ns(in.CreatedAt), ns(in.ExpiresAt))
	if err != nil {
		return in, err
	}
	if err := scheduleDecision(ctx, tx, t, in, now); err != nil {
		return in, err
	}
	return in, schedule(ctx, tx, t, in.ExpiresAt, EventSCATimeout, in.ID)
}

// outcomeOf is what the tenant's scenario makes the bank do with the
// journeys of a PSU; empty while the PSU is unknown.
func outcomeOf(ctx context.Context, q queryer, t *emulator.Tenant, psuID string) (emulator.SCAOutcome, error) {
	if psuID == "" {
		return "", nil
	}
	var login string
	err := q.QueryRowContext(ctx, `SELECT login FROM psus WHERE tenant_id = ? AND id = ?`, t.ID, psuID).Scan(&login)
	if errors.Is(err, sql.ErrNoRows) {
		return "", emulator.NotFound("psu", psuID)
	}
	if err != nil {
		return "", err
	}
	return t.Behaviour.OutcomeFor(login), nil
}

const scaSelect = `SELECT id, provider, bank_id, model, status, step, psu_id, redirect_uri, state, scope, failure, outcome, connection_id, code, created_at, expires_at FROM sca_sessions`

func scanSCASession(row scanner) (emulator.SCASession, error) {
	var x emulator.SCASession
	var created, expires int64
	err := row.Scan(&x.ID, &x.Provider, &x.BankID, &x.Model, &x.Status, &x.Step, &x.PSUID, &x.RedirectURI, &x.State, &x.Scope, &x.Failure, &x.Outcome, &x.ConnectionID, &x.Code, &created, &expires)
	x.CreatedAt, x.ExpiresAt = fromNS(created), fromNS(expires)
	return x, err
}

func findSCASession(ctx context.Context, q queryer, t *emulator.Tenant, id string) (emulator.SCASession, error) {
	x, err := scanSCASession(q.QueryRowContext(ctx, scaSelect+` WHERE tenant_id = ? AND id = ?`, t.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, emulator.NotFound("session", id)
	}
	return x, err
}

// SCASession finds a journey by id.
func (s *Store) SCASession(ctx context.Context, t *emulator.Tenant, id string) (emulator.SCASession, error) {
	return findSCASession(ctx, s.read, t, id)
}

// PendingSCASessions lists the tenant's journeys still awaiting the PSU.
func (s *Store) PendingSCASessions(ctx context.Context, t *emulator.Tenant) ([]emulator.SCASession, error) {
	return queryAll(ctx, s.read, scanSCASession, scaSelect+` WHERE tenant_id = ? AND status = ? ORDER BY created_at, id`, t.ID, emulator.SCAPending)
}

// queryAll runs a query and reads each of its rows with scan; no rows is
// a nil slice.
func queryAll[T any](ctx context.Context, q queryer, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// pendingSession loads a journey for a change and refuses one that is over.
func pendingSession(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, id string) (emulator.SCASession, error) {
	x, err := findSCASession(ctx, tx, t, id)
	if err != nil {
		return x, err
	}
	if x.Status != emulator.SCAPending {
		return x, emulator.Errorf(emulator.CodeConflict, "this authentication is already %s", x.Status)
	}
	return x, nil
}

// AdvanceSCA moves a pending journey to its next step, recording the bank
// chosen on a selection page or the PSU who logged in.
func (s *Store) AdvanceSCA(ctx context.Context, t *emulator.Tenant, id string, step emulator.SCAStep, bankID, psuID string) (emulator.SCASession, error) {
	var out emulator.SCASession
	err := s.tx(ctx, func(tx *sql.Tx) error {
		x, err := pendingSession(ctx, tx, t, id)
		if err != nil {
			return err
		}
		if bankID != "" {
			x.BankID = bankID
		}
		if psuID != "" {
			x.PSUID = psuID
			if x.Outcome, err = outcomeOf(ctx, tx, t, psuID); err != nil {
				return err
			}
		}
		x.Step = step
		_, err = tx.ExecContext(ctx, `UPDATE sca_sessions SET step = ?, bank_id = ?, psu_id = ?, outcome = ? WHERE tenant_id = ? AND id = ?`, x.Step, x.BankID, x.PSUID, x.Outcome, t.ID, id)
		if err == nil && psuID != "" {
			err = scheduleDecision(ctx, tx, t, x, s.Now(t))
		}
		if err == nil {
			err = scaChanged(ctx, tx, t, x, s.Now(t))
		}
		out = x
		return err
	})
	return out, err
}

// SetSCAModel switches a pending journey's SCA model, as a connect journey
// does once the PSU picks a decoupled bank.
func (s *Store) SetSCAModel(ctx context.Context, t *emulator.Tenant, id string, m emulator.SCAModel) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := pendingSession(ctx, tx, t, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE sca_sessions SET model = ? WHERE tenant_id = ? AND id = ?`, m, t.ID, id)
		return err
	})
}

// ApproveSCA completes a journey: it creates the connection sharing the
// chosen accounts (all of the PSU's at that bank when none are named) and an
// authorization code valid for codeTTL, in one transaction.
func (s *Store) ApproveSCA(ctx context.Context, t *emulator.Tenant, id string, accountIDs []string, codeTTL time.Duration) (emulator.SCASession, error) {
	return s.ApproveSCAAs(ctx, t, id, "", "", accountIDs, codeTTL)
}

// ApproveSCAAs approves a journey on the PSU's behalf (the control plane):
// it first records the bank (for a journey still on the bank list) and the
// PSU (for one before login) it is given, all in one transaction, so a
// refused approval changes nothing.
func (s *Store) ApproveSCAAs(ctx context.Context, t *emulator.Tenant, id, bankID, psuID string, accountIDs []string, codeTTL time.Duration) (emulator.SCASession, error) {
	now := s.Now(t)
	var out emulator.SCASession
	err := s.tx(ctx, func(tx *sql.Tx) error {
		x, err := pendingSession(ctx, tx, t, id)
		if err != nil {
			return err
		}
		if x.BankID == "" && bankID != "" {
			if _, err := scanBank(tx.QueryRowContext(ctx, bankSelect+` WHERE tenant_id = ? AND id = ?`, t.ID, bankID)); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return emulator.FieldError(emulator.CodeInvalid, "bank", "no bank %q in this tenant's world", bankID)
				}
				return err
			}
			x.BankID = bankID
		}
		if x.PSUID == "" && psuID != "" {
			var at string
			if err := tx.QueryRowContext(ctx, `SELECT bank_id FROM psus WHERE tenant_id = ? AND id = ?`, t.ID, psuID).Scan(&at); err != nil || at != x.BankID {
				return emulator.FieldError(emulator.CodeInvalid, "psu", "that PSU is not a customer of %s", x.BankID)
			}
			x.PSUID = psuID
			if x.Outcome, err = outcomeOf(ctx, tx, t, psuID); err != nil {
				return err
			}
		}
		if x.BankID == "" || x.PSUID == "" {
			return emulator.Errorf(emulator.CodeConflict, "the PSU has not chosen a bank and logged in yet")
		}
		owned, err := collectAccounts(tx.QueryContext(ctx, accountSelect+` WHERE a.tenant_id = ? AND a.psu_id = ? AND a.bank_id = ? ORDER BY a.position`, t.ID, x.PSUID, x.BankID))
		if err != nil {
			return err
		}
		chosen, err := chooseAccounts(owned, accountIDs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sca_sessions SET bank_id = ?, psu_id = ?, outcome = ? WHERE tenant_id = ? AND id = ?`, x.BankID, x.PSUID, x.Outcome, t.ID, id); err != nil {
			return err
		}
		if x.ConnectionID, err = nextID(ctx, tx, t, "connection"); err != nil {
			return err
		}
		if x.Code, err = nextID(ctx, tx, t, "code"); err != nil {
			return err
		}
		// A scenario's consent validity makes the connection stop giving
		// access at a fixed instant of the tenant clock.
		var expires any
		if v := t.Behaviour.ConsentValidity; v > 0 {
			expires = ns(now.Add(v))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO connections (tenant_id, id, bank_id, psu_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.ID, x.ConnectionID, x.BankID, x.PSUID, ns(now), expires); err != nil {
			return err
		}
		for _, a := range chosen {
			if _, err := tx.ExecContext(ctx, `INSERT INTO connection_accounts (tenant_id, connection_id, account_id) VALUES (?, ?, ?)`, t.ID, x.ConnectionID, a); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO auth_codes (tenant_id, code, connection_id, expires_at) VALUES (?, ?, ?, ?)`,
			t.ID, x.Code, x.ConnectionID, ns(now.Add(codeTTL))); err != nil {
			return err
		}
		x.Status, x.Step = emulator.SCACompleted, emulator.StepDone
		_, err = tx.ExecContext(ctx, `UPDATE sca_sessions SET status = ?, step = ?, connection_id = ?, code = ? WHERE tenant_id = ? AND id = ?`,
			x.Status, x.Step, x.ConnectionID, x.Code, t.ID, id)
		if err == nil {
			err = scaChanged(ctx, tx, t, x, now)
		}
		out = x
		return err
	})
	return out, err
}

func chooseAccounts(owned []emulator.Account, want []string) ([]string, error) {
	if len(owned) == 0 {
		return nil, emulator.Errorf(emulator.CodeConflict, "the PSU has no account at this bank")
	}
	var out []string
	if len(want) == 0 {
		for _, a := range owned {
			out = append(out, a.ID)
		}
		return out, nil
	}
	ownedSet := map[string]bool{}
	for _, a := range owned {
		ownedSet[a.ID] = true
	}
	seen := map[string]bool{}
	for _, id := range want {
		if !ownedSet[id] {
			return nil, emulator.FieldError(emulator.CodeInvalid, "accounts", "account %q is not one of the PSU's accounts at this bank", id)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// FailSCA ends a pending journey with a reason (denied, timed out, expired).
func (s *Store) FailSCA(ctx context.Context, t *emulator.Tenant, id string, reason emulator.FailReason) (emulator.SCASession, error) {
	var out emulator.SCASession
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = failSCA(ctx, tx, t, id, reason, s.Now(t))
		return err
	})
	return out, err
}

// endPendingSCA fails a journey that is still pending; one already over,
// or gone, is left alone.
func endPendingSCA(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, id string, reason emulator.FailReason, now time.Time) error {
	if _, err := failSCA(ctx, tx, t, id, reason, now); err != nil && !emulator.IsCode(err, emulator.CodeConflict) && !emulator.IsCode(err, emulator.CodeNotFound) {
		return err
	}
	return nil
}

func failSCA(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, id string, reason emulator.FailReason, now time.Time) (emulator.SCASession, error) {
	x, err := pendingSession(ctx, tx, t, id)
	if err != nil {
		return x, err
	}
	x.Status, x.Step, x.Failure = emulator.SCAFailed, emulator.StepDone, reason
	_, err = tx.ExecContext(ctx, `UPDATE sca_sessions SET status = ?, step = ?, failure = ? WHERE tenant_id = ? AND id = ?`, x.Status, x.Step, x.Failure, t.ID, id)
	if err != nil {
		return x, err
	}
	return x, scaChanged(ctx, tx, t, x, now)
}
