package emulator

import "time"

// SCAStatus is where an SCA journey stands.
type SCAStatus string

// SCA journey statuses. PENDING covers every step before the PSU's decision.
const (
	SCAPending   SCAStatus = "PENDING"
	SCACompleted SCAStatus = "COMPLETED"
	SCAFailed    SCAStatus = "FAILED"
)

// SCAStep is the page a redirect journey shows next.
type SCAStep string

// The steps of a journey on Sandbank's pages.
const (
	StepSelectBank SCAStep = "select_bank" // provider-hosted bank list (connect)
	StepLogin      SCAStep = "login"
	StepOTP        SCAStep = "otp"
	StepConsent    SCAStep = "consent" // account selection, Approve or Deny
	StepDone       SCAStep = "done"
)

// FailReason says why a journey failed.
type FailReason string

// Reasons a journey fails.
const (
	FailDenied  FailReason = "access_denied"
	FailTimeout FailReason = "timeout"
	FailExpired FailReason = "expired"
)

// SCASession is one bank-side journey: a PSU proving who they are and
// consenting to share accounts with a client.
type SCASession struct {
	ID          string
	Provider    Provider
	BankID      string // empty while the PSU is still choosing a bank
	Model       SCAModel
	Status      SCAStatus
	Step        SCAStep
	PSUID       string
	RedirectURI string
	State       string
	Scope       string
	Failure     FailReason
	// Outcome is what the scenario makes the bank do with this journey,
	// set once the PSU is known (emulator.Behaviour.OutcomeFor).
	Outcome SCAOutcome
	// ConnectionID and Code are set once the PSU approves.
	ConnectionID string
	Code         string
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// Stranded reports whether the bank keeps the browser of a finished
// journey instead of sending it back to the client (scenario outcome
// never_return, once the consent is given).
func (s SCASession) Stranded() bool {
	return s.Status == SCACompleted && s.Outcome == OutcomeNeverReturn
}

// Connection is a PSU's consent to share some accounts with one client;
// Fintecture calls its id customer_id.
type Connection struct {
	ID         string
	BankID     string
	PSUID      string
	AccountIDs []string
	CreatedAt  time.Time
	// ExpiresAt, when set, is when the consent stops giving access (a
	// scenario's consent validity).
	ExpiresAt *time.Time
}

// Expired reports whether the consent has run out at now.
func (c Connection) Expired(now time.Time) bool {
	return c.ExpiresAt != nil && !now.Before(*c.ExpiresAt)
}

// Token is an issued access or refresh token, kept so it can be revoked.
type Token struct {
	ID           string // jti
	Kind         TokenKind
	Scope        string
	ConnectionID string
	IssuedAt     time.Time
	ExpiresAt    time.Time
	Revoked      bool
}

// TokenKind tells access tokens from refresh tokens.
type TokenKind string

// Token kinds.
const (
	AccessToken  TokenKind = "access"
	RefreshToken TokenKind = "refresh"
)
