package emulator

import "time"

// SCAOutcome is what the bank does with a PSU's authentication, as a
// scenario sets it per PSU (DESIGN.md §8).
type SCAOutcome string

// The outcomes a scenario can give a PSU's journeys.
const (
	// OutcomeApprove lets the PSU approve or deny as they choose.
	OutcomeApprove SCAOutcome = "approve"
	// OutcomeDeny makes the bank refuse once the PSU has logged in: the
	// client gets the provider's access-denied return.
	OutcomeDeny SCAOutcome = "deny"
	// OutcomeTimeout makes the bank never answer: the journey stays
	// pending until its deadline, then fails with reason timeout.
	OutcomeTimeout SCAOutcome = "timeout"
	// OutcomeNeverReturn completes the consent at the bank but never sends
	// the browser back to the client's redirect URI.
	OutcomeNeverReturn SCAOutcome = "never_return"
	// OutcomeWrongState sends the browser back with a state parameter that
	// is not the one the client sent.
	OutcomeWrongState SCAOutcome = "wrong_state"
	// OutcomeNoCode sends the browser back without the authorization code.
	OutcomeNoCode SCAOutcome = "no_code"
)

// SCAOutcomes lists every outcome, for validation and documentation.
var SCAOutcomes = []SCAOutcome{OutcomeApprove, OutcomeDeny, OutcomeTimeout, OutcomeNeverReturn, OutcomeWrongState, OutcomeNoCode}

// OutcomeRule gives the journeys of PSUs with one login an outcome; the
// login "*" stands for every PSU.
type OutcomeRule struct {
	Login   string
	Outcome SCAOutcome
}

// Behaviour is how a tenant's world acts, beyond its data: what the banks
// do with SCA and how long things stay valid. A zero duration means the
// provider's own default.
type Behaviour struct {
	// SCA rules are tried in order; the first whose login matches wins.
	SCA []OutcomeRule
	// AccessTokenTTL and RefreshTokenTTL override the provider's token
	// lives.
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	// ConsentValidity is how long a connection (consent) may be read
	// after the PSU approves it; zero means it does not expire.
	ConsentValidity time.Duration
	// JourneyTTL and DecoupledTTL override how long a PSU has to finish a
	// redirect journey or approve on the phone.
	JourneyTTL   time.Duration
	DecoupledTTL time.Duration
	// VerificationDelay overrides how long an identity verification stays
	// pending before it is decided.
	VerificationDelay time.Duration
	// CommandDuration overrides how long an import command (Kontomatik)
	// runs on the tenant clock before its result is ready.
	CommandDuration time.Duration
	// CommandFailures make import commands fail; the first rule whose
	// login matches wins, and PSUs no rule names import normally.
	CommandFailures []CommandFailure
	// Webhooks breaks webhook delivery on purpose (DESIGN.md §8).
	Webhooks WebhookFaults
	// WebhookAlg is what a tenant's webhook keys sign with when nothing
	// chose otherwise; empty means RS256.
	WebhookAlg SigningAlg
	// PaymentOutcome is what the banks do with a payment the payer has
	// authorized (FinqLink links); empty means PaymentCompleted.
	PaymentOutcome PaymentOutcome
	// JobOutcome is how data refresh jobs end (FinqLink); empty means
	// JobOutcomeCompleted.
	JobOutcome JobOutcome
	// ConsentSuspendAfter, when set, makes the bank suspend an active AIS
	// consent this long after its authorization (FinqLink).
	ConsentSuspendAfter time.Duration
}

// PaymentOutcome is what happens to an authorized payment.
type PaymentOutcome string

// The payment outcomes a scenario can choose.
const (
	// PaymentCompleted: the bank executes the payment (and, where it
	// reports the creditor's side, the funds arrive).
	PaymentCompleted PaymentOutcome = "completed"
	// PaymentRejected: the bank rejects the payment after authorization;
	// the link fails.
	PaymentRejected PaymentOutcome = "rejected"
	// PaymentFundsRejected: the payment completes but the creditor's bank
	// sends the funds back (funds_rejected where the bank reports it).
	PaymentFundsRejected PaymentOutcome = "funds_rejected"
)

// PaymentOutcomes lists every payment outcome.
var PaymentOutcomes = []PaymentOutcome{PaymentCompleted, PaymentRejected, PaymentFundsRejected}

// JobOutcome is how a data refresh job ends.
type JobOutcome string

// The job outcomes a scenario can choose.
const (
	JobOutcomeCompleted JobOutcome = "completed"
	// JobOutcomePartial: transactions could not all be fetched
	// (job_partially_completed).
	JobOutcomePartial JobOutcome = "partial"
	// JobOutcomeFailed: the bank fails the job (job_failed).
	JobOutcomeFailed JobOutcome = "failed"
)

// JobOutcomes lists every job outcome.
var JobOutcomes = []JobOutcome{JobOutcomeCompleted, JobOutcomePartial, JobOutcomeFailed}

// CommandFailure makes the import commands of the PSU with one login
// ("*": every PSU) end in the provider's exception instead of a result.
type CommandFailure struct {
	Login string
	// Exception is one of CommandExceptions.
	Exception string
	// Message is the exception's text; empty: the provider's default.
	Message string
	// After is how long the command runs before it fails; zero: as long
	// as a successful command would (CommandDuration).
	After time.Duration
	// Fatal ends the command in Kontomatik's state "fatal" instead of
	// "error".
	Fatal bool
}

// CommandExceptions are the exception names Kontomatik puts in
// <exception name="…">, from its SDK's exception classes and captured
// replies (notes/kontomatik.md §7). A failing command can end in any.
var CommandExceptions = []string{
	"AlreadySignedIn", "CommandNotAvailable", "ConcurrentSessionsLimitExceed", "DefaultImportAlreadyExecuted",
	"InvalidCommandId", "InvalidCredentials", "InvalidIban", "InvalidMultipleAccessId", "InvalidOwnerExternalId",
	"InvalidParameter", "InvalidSessionId", "InvalidSessionIdSignature", "InvalidSince", "InvalidTarget",
	"JobsQuotaExceeded", "MultipleAccessLimitExceeded", "NoDataToCalculateScore", "NotSignedIn",
	"ServiceMaintenance", "ServiceTemporarilyUnavailable", "SessionExpired",
}

// CommandFailureFor returns the failure of the import commands of the PSU
// with that login, and false when they succeed.
func (b Behaviour) CommandFailureFor(login string) (CommandFailure, bool) {
	for _, r := range b.CommandFailures {
		if r.Login == login || r.Login == "*" {
			return r, true
		}
	}
	return CommandFailure{}, false
}

// OutcomeFor returns the outcome of the journeys of the PSU with that login.
func (b Behaviour) OutcomeFor(login string) SCAOutcome {
	for _, r := range b.SCA {
		if r.Login == login || r.Login == "*" {
			return r.Outcome
		}
	}
	return OutcomeApprove
}

// Or returns d, or def when d is zero: how handlers apply a behaviour's
// optional durations over the provider's defaults.
func Or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
