package finqlink_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
)

type jobOut struct {
	RequestID    string `json:"request_id"`
	ConsentID    string `json:"consent_id"`
	JobID        string `json:"job_id"`
	Status       string `json:"status"`
	APIClientApp string `json:"api_client_app"`
}

func (a *ais) startJob(consentID, callback string) jobOut {
	a.T.Helper()
	extra := ""
	if callback != "" {
		extra = fmt.Sprintf(`"callback_url":%q`, callback)
	}
	var j jobOut
	a.fetch("/v2/ais/jobs/create", consentFields(consentID, extra), http.StatusOK, &j)
	return j
}

func (a *ais) job(consentID, jobID string) jobOut {
	a.T.Helper()
	var j jobOut
	a.fetch("/v2/ais/jobs/get", consentFields(consentID, fmt.Sprintf(`"job_id":%q`, jobID)), http.StatusOK, &j)
	return j
}

// jobSteps advances the clock a second at a time, collecting the job's
// statuses as jobs/get answers them, until it is final.
func (a *ais) jobSteps(consentID, jobID string) []string {
	a.T.Helper()
	var seen []string
	for range 20 {
		a.advance(time.Second)
		s := a.job(consentID, jobID).Status
		if len(seen) == 0 || seen[len(seen)-1] != s {
			seen = append(seen, s)
		}
		if s == "job_completed" || s == "job_partially_completed" || s == "job_failed" {
			return seen
		}
	}
	a.T.Fatalf("job %s never ended: %v", jobID, seen)
	return nil
}

// A refresh job walks its stages on the tenant clock, reporting each to
// its callback_url; another job inside the cooldown is refused.
func TestJobs(t *testing.T) {
	a := newAIS(t)
	c := a.active("rzb_ro", "9999999998", "")
	callback := a.hook + "/jobs"
	j := a.startJob(c.ConsentID, callback)
	if j.Status != "job_started" || !uuidRE.MatchString(j.JobID) || j.ConsentID != c.ConsentID || j.APIClientApp == "" || j.RequestID == "" {
		t.Fatalf("created: %+v", j)
	}
	if got := a.job(c.ConsentID, j.JobID); got.Status != "job_started" || got.JobID != j.JobID {
		t.Fatalf("get: %+v", got)
	}
	// A second after, accounts_ready; 1+1+1+2 seconds in all.
	if got := a.jobSteps(c.ConsentID, j.JobID); !slices.Equal(got, []string{"accounts_ready", "balances_ready", "transactions_fetching", "job_completed"}) {
		t.Fatalf("steps %v", got)
	}
	if s, _ := a.store().Job(context.Background(), a.tenant(), c.ConsentID, j.JobID); !s.UpdatedAt.Equal(start.Add(time.Second + 5*time.Second)) {
		t.Fatalf("completed at %s", s.UpdatedAt)
	}
	var got []string
	for _, h := range a.hooks(j.JobID) {
		want := fmt.Sprintf(`{"type":"job_status_update","consent_id":%q,"job_id":%q,"status":%q}`, c.ConsentID, j.JobID, h.Status)
		if h.raw != want || h.url != callback {
			t.Fatalf("webhook %s to %s, want %s to %s", h.raw, h.url, want, callback)
		}
		got = append(got, h.Status)
	}
	if !slices.Equal(got, []string{"accounts_ready", "balances_ready", "transactions_fetching", "job_completed"}) {
		t.Fatalf("webhooks %v", got)
	}

	// The job was created at +1 s; the cooldown runs to +61 s.
	a.advance(54 * time.Second)
	before := a.snapshot()
	if e := a.call("/v2/ais/jobs/create", fmt.Sprintf(`"consent_id":%q`, c.ConsentID)).failure(t, 400); e.Code != "cooldown_failed" {
		t.Fatalf("inside the cooldown: %+v", e)
	}
	if a.snapshot() != before {
		t.Fatal("a refused job changed state")
	}
	a.advance(time.Second)
	second := a.startJob(c.ConsentID, "")
	if second.JobID == j.JobID {
		t.Fatal("the same job id twice")
	}
	a.jobSteps(c.ConsentID, second.JobID)
	for _, h := range a.hooks(second.JobID) {
		if h.url != a.hook {
			t.Fatalf("without callback_url the consent's webhook_url gets the job's webhooks: %s", h.url)
		}
	}

	// Pairing and unknown ids.
	other := a.active("bt_ro", "testbt", "")
	for _, bad := range []string{
		fmt.Sprintf(`"consent_id":%q,"job_id":%q`, other.ConsentID, j.JobID),
		fmt.Sprintf(`"consent_id":%q,"job_id":"00000000-0000-4000-8000-000000000000"`, c.ConsentID),
		fmt.Sprintf(`"consent_id":"nope","job_id":%q`, j.JobID),
	} {
		if e := a.call("/v2/ais/jobs/get", bad).failure(t, 404); e.Code != "not_found" {
			t.Errorf("%s: %+v", bad, e)
		}
	}
	stranger := &ais{harness: a.harness, client: "fq-stranger", secret: "s", hook: a.hook}
	if e := stranger.call("/v2/ais/jobs/get", fmt.Sprintf(`"consent_id":%q,"job_id":%q`, c.ConsentID, j.JobID)).failure(t, 404); e.Code != "not_found" {
		t.Errorf("another client's job: %+v", e)
	}
	before = a.snapshot()
	for _, bad := range []struct {
		fields string
		status int
		code   string
	}{
		{`"consent_id":"nope"`, 404, "not_found"},
		{``, 400, "validation_error"},
		{fmt.Sprintf(`"consent_id":%q,"callback_url":"not a url"`, other.ConsentID), 400, "validation_error"},
		{fmt.Sprintf(`"consent_id":%q,"callback_url":"ftp://client.example/x"`, other.ConsentID), 400, "validation_error"},
		{fmt.Sprintf(`"consent_id":%q,"callback_url":42`, other.ConsentID), 400, "validation_error"},
	} {
		if e := a.call("/v2/ais/jobs/create", bad.fields).failure(t, bad.status); e.Code != bad.code {
			t.Errorf("create %s: %+v", bad.fields, e)
		}
	}
	if e := a.call("/v2/ais/jobs/get", fmt.Sprintf(`"consent_id":%q`, c.ConsentID)).failure(t, 400); e.Code != "validation_error" {
		t.Errorf("get without job_id: %+v", e)
	}
	if a.snapshot() != before {
		t.Fatal("a refused job call changed state")
	}
}

// Without transactions in the scope a job skips transactions_fetching; a
// job whose consent is revoked on the way fails.
func TestJobScopeAndRevocation(t *testing.T) {
	a := newAIS(t)
	c := a.active("cec_ro", "testcecapi", `"consent":{"scope":["balances","accounts"]}`)
	j := a.startJob(c.ConsentID, "")
	if got := a.jobSteps(c.ConsentID, j.JobID); !slices.Equal(got, []string{"accounts_ready", "balances_ready", "job_completed"}) {
		t.Fatalf("steps without transactions: %v", got)
	}

	d := a.active("bt_ro", "testbt", "")
	k := a.startJob(d.ConsentID, "")
	a.advance(time.Second)
	a.call("/v2/ais/consents/revoke", fmt.Sprintf(`"consent_id":%q`, d.ConsentID)).WantStatus(t, 200)
	if got := a.jobSteps(d.ConsentID, k.JobID); !slices.Equal(got, []string{"job_failed"}) {
		t.Fatalf("after the revocation: %v", got)
	}
	if got := a.hookStatuses(k.JobID); !slices.Equal(got, []string{"accounts_ready", "job_failed"}) {
		t.Fatalf("webhooks %v", got)
	}
	// jobs/get answers whatever the consent's status.
	if got := a.job(d.ConsentID, k.JobID); got.Status != "job_failed" {
		t.Fatalf("get after revocation: %+v", got)
	}
}

// The scenario's jobs.outcome ends jobs partially, or fails them right
// after job_started.
func TestJobOutcomes(t *testing.T) {
	a := newAISScenario(t)
	c := a.active("bt_ro", "testbt", "")
	j := a.startJob(c.ConsentID, "")
	if got := a.jobSteps(c.ConsentID, j.JobID); !slices.Equal(got, []string{"accounts_ready", "balances_ready", "transactions_fetching", "job_partially_completed"}) {
		t.Fatalf("partial: %v", got)
	}

	// The same world with failing jobs, for another client.
	f := &ais{harness: a.harness, client: "fq-failing-jobs", secret: "failing-secret", hook: a.hook}
	if _, _, err := a.store().CreateTenantFrom(context.Background(), store.TenantSpec{Provider: emulator.FinqLink, Credential: f.client, Secret: f.secret, Scenario: "fq_fail"}); err != nil {
		t.Fatal(err)
	}
	fc := f.active("bt_ro", "testbt", "")
	fj := f.startJob(fc.ConsentID, "")
	if got := f.jobSteps(fc.ConsentID, fj.JobID); !slices.Equal(got, []string{"job_failed"}) {
		t.Fatalf("failed: %v", got)
	}
	if got := f.hookStatuses(fj.JobID); !slices.Equal(got, []string{"job_failed"}) {
		t.Fatalf("failed webhooks: %v", got)
	}
}
