package finqlink

import (
	"net/http"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// Data refresh jobs (Data): a client asks FinqLink to fetch an active
// consent's data from the bank again and follows the job's progress on
// its callback_url (job_status_update webhooks) or with jobs/get. The
// job's steps on the tenant clock are the store's
// (store/finqlink_jobs.go).

// JobCooldown is how soon after a consent's previous refresh job another
// may be created: FinqLink refuses one inside a cooldown (400
// cooldown_failed, notes §3) whose length it does not publish; a minute
// of the tenant clock is Sandbank's choice, stated in the contract.
const JobCooldown = time.Minute

type createJobRequest struct {
	ConsentID   string `json:"consent_id"`
	CallbackURL string `json:"callback_url"`
}

type jobReply struct {
	RequestID    string             `json:"request_id"`
	ConsentID    string             `json:"consent_id"`
	JobID        string             `json:"job_id"`
	Status       emulator.JobStatus `json:"status"`
	APIClientApp string             `json:"api_client_app"`
}

// createJob serves POST /v2/ais/jobs/create: 400 consent_not_active
// unless the consent is active, 400 cooldown_failed inside JobCooldown
// of the consent's previous job; otherwise the job, job_started.
func (p *Provider) createJob(w http.ResponseWriter, r *http.Request) error {
	var in createJobRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.CallbackURL != "" && !absoluteURL(in.CallbackURL, true) {
		return emulator.FieldError(emulator.CodeInvalid, "callback_url", "%q is not an absolute http(s) URL", in.CallbackURL)
	}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	j, err := p.store.CreateJob(ctx, t, in.ConsentID, in.CallbackURL, JobCooldown)
	if err != nil {
		return aisFailure(err)
	}
	return httpapi.JSON(w, http.StatusOK, jobReply{RequestID: httpapi.RequestID(ctx), ConsentID: j.ConsentID, JobID: j.ID, Status: j.Status, APIClientApp: appName(t)})
}

type getJobRequest struct {
	JobID     string `json:"job_id"`
	ConsentID string `json:"consent_id"`
}

// getJob serves POST /v2/ais/jobs/get, whatever the consent's status now.
// A job asked for under another consent is unknown (404), as is an
// unknown consent.
func (p *Provider) getJob(w http.ResponseWriter, r *http.Request) error {
	var in getJobRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	if _, err := p.store.AISConsent(ctx, t, in.ConsentID); err != nil {
		return err
	}
	j, err := p.store.Job(ctx, t, in.ConsentID, in.JobID)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, jobReply{RequestID: httpapi.RequestID(ctx), ConsentID: j.ConsentID, JobID: j.ID, Status: j.Status, APIClientApp: appName(t)})
}
