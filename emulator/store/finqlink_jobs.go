package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// FinqLink's data refresh jobs (notes/finqlink.md §3-§4): started on an
// active consent, a job moves on the tenant clock job_started →
// accounts_ready → balances_ready → transactions_fetching (only when the
// consent's scope has transactions) → job_completed, or ends as the
// tenant's scenario says (job_partially_completed, job_failed). A job
// whose consent stops being active on the way fails. Every change writes
// a job_status_update webhook in its own transaction.

// CooldownError refuses a job created too soon after the consent's
// previous one; FinqLink answers it 400 cooldown_failed.
type CooldownError struct {
	ConsentID string
	// Until is when the next job may be created, on the tenant clock.
	Until time.Time
}

func (e *CooldownError) Error() string {
	return fmt.Sprintf("a refresh of consent %s ran recently: the next may start at %s", e.ConsentID, e.Until.UTC().Format(time.RFC3339))
}

// CreateJob starts a data refresh job on an active consent, unless the
// consent's previous job was created less than cooldown ago on the tenant
// clock. Its progress webhooks go to callbackURL, or to the consent's
// webhook_url when it is empty.
func (s *Store) CreateJob(ctx context.Context, t *emulator.Tenant, consentID, callbackURL string, cooldown time.Duration) (emulator.RefreshJob, error) {
	now := s.Now(t)
	var j emulator.RefreshJob
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c, err := findAISConsent(ctx, tx, t, "id", consentID)
		if err != nil {
			return err
		}
		if !ConsentActive(c, now) {
			return &ConsentNotActiveError{ID: c.ID, Status: c.Status}
		}
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(created_at) FROM finqlink_jobs WHERE tenant_id = ? AND consent_id = ?`, t.ID, c.ID).Scan(&last); err != nil {
			return err
		}
		if last.Valid {
			if until := fromNS(last.Int64).Add(cooldown); now.Before(until) {
				return &CooldownError{ConsentID: c.ID, Until: until}
			}
		}
		id, err := nextID(ctx, tx, t, "finqlink-job")
		if err != nil {
			return err
		}
		j = emulator.RefreshJob{ID: uuidOf(id), ConsentID: c.ID, Status: emulator.JobStarted, CallbackURL: callbackURL, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO finqlink_jobs (tenant_id, id, consent_id, status, callback_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, j.ID, j.ConsentID, j.Status, j.CallbackURL, ns(j.CreatedAt), ns(j.UpdatedAt)); err != nil {
			return err
		}
		return scheduleJobStep(ctx, tx, t, j, now)
	})
	return j, err
}

// ConsentActive reports whether a consent's data can be read at now: it
// is active and its validity has not run out (the expiry event may not
// have run yet).
func ConsentActive(c emulator.AISConsent, now time.Time) bool {
	return c.Status == emulator.ConsentActive && (c.AuthorizedUntil == nil || now.Before(*c.AuthorizedUntil))
}

const jobSelect = `SELECT id, consent_id, status, callback_url, created_at, updated_at FROM finqlink_jobs`

func scanJob(row scanner) (emulator.RefreshJob, error) {
	var j emulator.RefreshJob
	var created, updated int64
	err := row.Scan(&j.ID, &j.ConsentID, &j.Status, &j.CallbackURL, &created, &updated)
	j.CreatedAt, j.UpdatedAt = fromNS(created), fromNS(updated)
	return j, err
}

func findJob(ctx context.Context, q queryer, t *emulator.Tenant, id string) (emulator.RefreshJob, error) {
	j, err := scanJob(q.QueryRowContext(ctx, jobSelect+` WHERE tenant_id = ? AND id = ?`, t.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, emulator.NotFound("job", id)
	}
	return j, err
}

// Job finds a job of a consent: a job id paired with another consent is
// as unknown as one that does not exist.
func (s *Store) Job(ctx context.Context, t *emulator.Tenant, consentID, jobID string) (emulator.RefreshJob, error) {
	j, err := findJob(ctx, s.read, t, jobID)
	if err == nil && j.ConsentID != consentID {
		return emulator.RefreshJob{}, emulator.NotFound("job", jobID)
	}
	return j, err
}

// Jobs lists a consent's jobs, oldest first.
func (s *Store) Jobs(ctx context.Context, t *emulator.Tenant, consentID string) ([]emulator.RefreshJob, error) {
	return queryAll(ctx, s.read, scanJob, jobSelect+` WHERE tenant_id = ? AND consent_id = ? ORDER BY created_at, id`, t.ID, consentID)
}

// jobWebhookType is the type of a job's status webhooks.
const jobWebhookType = "job_status_update"

// jobStatusUpdate is the job_status_update webhook body exactly as the
// jobs page shows it (notes §5), its fields in this order.
type jobStatusUpdate struct {
	Type      string             `json:"type"`
	ConsentID string             `json:"consent_id"`
	JobID     string             `json:"job_id"`
	Status    emulator.JobStatus `json:"status"`
}

// jobNext is the status a job moves to after from.
func jobNext(from emulator.JobStatus, withTransactions bool, outcome emulator.JobOutcome) emulator.JobStatus {
	end := emulator.JobCompleted
	if outcome == emulator.JobOutcomePartial {
		end = emulator.JobPartiallyCompleted
	}
	switch from {
	case emulator.JobStarted:
		if outcome == emulator.JobOutcomeFailed {
			return emulator.JobFailed
		}
		return emulator.JobAccountsReady
	case emulator.JobAccountsReady:
		return emulator.JobBalancesReady
	case emulator.JobBalancesReady:
		if withTransactions {
			return emulator.JobTransactionsFetching
		}
		return end
	}
	return end
}

// jobStepLength is how long a job stays at a status on the tenant clock:
// a second per stage, two for fetching the transactions.
func jobStepLength(s emulator.JobStatus) time.Duration {
	if s == emulator.JobTransactionsFetching {
		return 2 * time.Second
	}
	return time.Second
}

// scheduleJobStep schedules a job's next step (ref "<id>/<status it
// leaves>").
func scheduleJobStep(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, j emulator.RefreshJob, now time.Time) error {
	return schedule(ctx, tx, t, now.Add(jobStepLength(j.Status)), EventJobStep, j.ID+"/"+string(j.Status))
}

// jobEvent runs a job's due step: ref "<id>/<status>" moves the job on
// from that status, if it is still there. A job whose consent is no
// longer active fails.
func jobEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ref string, due time.Time) error {
	id, from, _ := strings.Cut(ref, "/")
	j, err := findJob(ctx, tx, t, id)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if string(j.Status) != from || j.Status.Final() {
		return nil
	}
	c, err := findAISConsent(ctx, tx, t, "id", j.ConsentID)
	if err != nil {
		return err
	}
	next := jobNext(j.Status, ConsentHasTransactions(c), t.Behaviour.JobOutcome)
	if !ConsentActive(c, due) {
		next = emulator.JobFailed
	}
	if err := moveJob(ctx, tx, t, &j, c, next, due); err != nil {
		return err
	}
	if next.Final() {
		return nil
	}
	return scheduleJobStep(ctx, tx, t, j, due)
}

// moveJob gives a job a new status and writes its webhook, to the job's
// callback_url or else the consent's webhook_url.
func moveJob(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, j *emulator.RefreshJob, c emulator.AISConsent, to emulator.JobStatus, now time.Time) error {
	j.Status, j.UpdatedAt = to, now
	if _, err := tx.ExecContext(ctx, `UPDATE finqlink_jobs SET status = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`, j.Status, ns(j.UpdatedAt), t.ID, j.ID); err != nil {
		return err
	}
	url := j.CallbackURL
	if url == "" {
		url = c.WebhookURL
	}
	return finqlinkWebhook(ctx, tx, t, now, jobWebhookType, url, j.ID, jobStatusUpdate{Type: jobWebhookType, ConsentID: j.ConsentID, JobID: j.ID, Status: to})
}
