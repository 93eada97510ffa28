package emulator

import "time"

// FinqLink's resources: payment links (Pay), AIS consents and data refresh
// jobs (Data). Their statuses are FinqLink's own words (notes/finqlink.md
// §4); Sandbank moves them by the payer's actions on the pages, by the
// tenant clock and by scenarios.

// FlowType is how a FinqLink link or consent reaches the bank.
type FlowType string

// The four flow types (notes §3).
const (
	// FlowLink is a transportable WebUI link: the payer picks a bank there.
	FlowLink FlowType = "link"
	// FlowWrappedSCA wraps the bank's SCA URL in a WebUI link.
	FlowWrappedSCA FlowType = "wrapped_sca"
	// FlowDirectSCA hands the client the bank's SCA URL itself; the bank
	// sends the browser back to the client, who passes the callback on
	// (the handle-redirect operations).
	FlowDirectSCA FlowType = "direct_sca"
	// FlowRedirectSCA is direct_sca with the bank's callback going
	// through the WebUI, which then sends the browser to the client.
	FlowRedirectSCA FlowType = "redirect_sca"
)

// FlowTypes lists every flow type.
var FlowTypes = []FlowType{FlowLink, FlowWrappedSCA, FlowDirectSCA, FlowRedirectSCA}

// UXTemplates are the WebUI themes (ux_template), the first the default.
var UXTemplates = []string{"default", "classic", "compact", "cards", "glass", "sheet"}

// LinkStatus is where a payment link stands.
type LinkStatus string

// A link's statuses, in the order a successful payment passes them; failed
// and revoked end a link early, and funds_received / funds_rejected follow
// completed where the bank confirms the creditor's side (libra_ro).
const (
	LinkCreated        LinkStatus = "created"
	LinkStarted        LinkStatus = "started"
	LinkRequested      LinkStatus = "requested"
	LinkIntentAccepted LinkStatus = "intent_accepted"
	LinkAwaitingAuthz  LinkStatus = "awaiting_authz"
	LinkReceived       LinkStatus = "received"
	LinkSubmitted      LinkStatus = "submitted"
	LinkCompleted      LinkStatus = "completed"
	LinkFailed         LinkStatus = "failed"
	LinkRevoked        LinkStatus = "revoked"
	LinkFundsReceived  LinkStatus = "funds_received"
	LinkFundsRejected  LinkStatus = "funds_rejected"
)

// Final reports whether a link status never changes again.
func (s LinkStatus) Final() bool {
	switch s {
	case LinkFailed, LinkRevoked, LinkFundsReceived, LinkFundsRejected:
		return true
	}
	return false
}

// PayLink is a FinqLink payment link: one transfer a payer is asked to
// make, through the WebUI or straight at a bank.
type PayLink struct {
	ID     string // link_id, a UUID
	WebID  string // web_id, the public id in web URLs
	Status LinkStatus
	Flow   FlowType
	// Template is the WebUI theme (one of UXTemplates).
	Template string
	// Amount is the decimal string the client sent, as sent.
	Amount       string
	Currency     string
	CreditorName string
	CreditorIBAN string
	DebtorName   string
	DebtorIBAN   string
	DebtorPSUID  string
	Description  string
	UserEditable bool
	RedirectURL  string
	WebhookURL   string
	// Method is the client's payment_method filter; BankID is the bank the
	// payer chose (empty until then).
	Method LinkMethodFilter
	BankID string
	// EndUserID and MerchantID are the tracking ids.
	EndUserID  string
	MerchantID string
	// SCASessionID is the bank journey, once the payer is sent to a bank.
	SCASessionID string
	// Callback is set once a direct_sca link's bank callback has been
	// handed over (links/redirect): the second hand-over answers 201.
	Callback  bool
	CreatedAt time.Time
	ExpiresAt time.Time
	UpdatedAt time.Time
}

// Expired reports whether the link can no longer be used at now. Expiry is
// not a status: get-link answers is_expired.
func (l PayLink) Expired(now time.Time) bool { return !now.Before(l.ExpiresAt) }

// LinkMethodFilter restricts the payment methods a link offers.
type LinkMethodFilter struct {
	ProviderID    string   `json:"provider_id,omitempty"`
	RemitterType  []string `json:"remitter_type,omitempty"`
	PaymentScheme string   `json:"payment_scheme,omitempty"`
	Env           string   `json:"env,omitempty"`
}

// ConsentStatus is where an AIS consent stands.
type ConsentStatus string

// A consent's statuses (notes §4): created → started → sca_url_retrieved →
// awaiting_authz → authorized → active, then expired or revoked; failed
// when the account holder or the bank refuses, suspended when the bank
// stops honouring it.
const (
	ConsentCreated         ConsentStatus = "created"
	ConsentStarted         ConsentStatus = "started"
	ConsentSCAURLRetrieved ConsentStatus = "sca_url_retrieved"
	ConsentAwaitingAuthz   ConsentStatus = "awaiting_authz"
	ConsentAuthorized      ConsentStatus = "authorized"
	ConsentActive          ConsentStatus = "active"
	ConsentExpired         ConsentStatus = "expired"
	ConsentRevoked         ConsentStatus = "revoked"
	ConsentFailed          ConsentStatus = "failed"
	ConsentSuspended       ConsentStatus = "suspended"
)

// Final reports whether a consent status never changes again.
func (s ConsentStatus) Final() bool {
	switch s {
	case ConsentExpired, ConsentRevoked, ConsentFailed:
		return true
	}
	return false
}

// AISConsent is a FinqLink AIS consent: an account holder's permission to
// read some of their accounts' data for a number of days.
type AISConsent struct {
	ID       string // consent_id, a UUID
	WebID    string
	Status   ConsentStatus
	Flow     FlowType
	Template string
	// Scope is accounts, balances and, unless left out, transactions.
	Scope        []string
	ValidityDays int
	RedirectURL  string
	WebhookURL   string
	// Method is the client's ais_method filter; BankID is the bank chosen.
	Method       AISMethodFilter
	BankID       string
	EndUserID    string
	MerchantID   string
	SCASessionID string
	// ConnectionID is the shared accounts, once authorized.
	ConnectionID string
	Callback     bool
	CreatedAt    time.Time
	// ExpiresAt is when the consent link expires if never authorized.
	ExpiresAt time.Time
	// AuthorizedUntil is authorization time plus ValidityDays; nil until
	// authorized.
	AuthorizedUntil *time.Time
	UpdatedAt       time.Time
}

// AISMethodFilter restricts the banks a consent offers.
type AISMethodFilter struct {
	ProviderID       string   `json:"provider_id,omitempty"`
	AccountOwnerType []string `json:"account_owner_type,omitempty"`
	InterfaceType    string   `json:"interface_type,omitempty"`
	InterfaceEnv     string   `json:"interface_env,omitempty"`
}

// JobStatus is where a data refresh job stands.
type JobStatus string

// A job's statuses (notes §4).
const (
	JobStarted              JobStatus = "job_started"
	JobAccountsReady        JobStatus = "accounts_ready"
	JobBalancesReady        JobStatus = "balances_ready"
	JobTransactionsFetching JobStatus = "transactions_fetching"
	JobPartiallyCompleted   JobStatus = "job_partially_completed"
	JobCompleted            JobStatus = "job_completed"
	JobFailed               JobStatus = "job_failed"
)

// Final reports whether a job status never changes again.
func (s JobStatus) Final() bool {
	return s == JobPartiallyCompleted || s == JobCompleted || s == JobFailed
}

// RefreshJob is a FinqLink data refresh job on an active consent.
type RefreshJob struct {
	ID          string
	ConsentID   string
	Status      JobStatus
	CallbackURL string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
