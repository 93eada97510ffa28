package client

import (
	"encoding/json"
	"time"

	"github.com/sandbank/sandbank/emulator/faults"
)

// Health is GET /_sandbank/health.
type Health struct {
	Status    string     `json:"status"`
	Version   string     `json:"version"`
	Uptime    string     `json:"uptime"`
	Contracts []Contract `json:"contracts"`
	Counts    Counts     `json:"counts"`
}

// Contract is one contract served, with its mount.
type Contract struct {
	Name        string `json:"name"`
	Mount       string `json:"mount"`
	Description string `json:"description"`
}

// Counts are totals over every tenant.
type Counts struct {
	Tenants     int `json:"tenants"`
	Connections int `json:"connections"`
	PendingSCA  int `json:"pending_sca"`
	Faults      int `json:"faults"`
	Journal     int `json:"journal"`
}

// Tenant is one tenant as the control plane shows it. Key is its handle
// in every /_sandbank/tenants/{key} path.
type Tenant struct {
	Key        string    `json:"key"`
	Provider   string    `json:"provider"`
	Credential string    `json:"credential"`
	HasSecret  bool      `json:"has_secret"`
	Scenario   string    `json:"scenario"`
	Seed       int64     `json:"seed"`
	Label      string    `json:"label,omitempty"`
	Clock      Clock     `json:"clock"`
	CreatedAt  time.Time `json:"created_at"`
	// Counts of the tenant's world and state.
	Banks       int `json:"banks"`
	PSUs        int `json:"psus"`
	Accounts    int `json:"accounts"`
	Connections int `json:"connections"`
	PendingSCA  int `json:"pending_sca"`
	// App is what the provider's console holds for the client: its
	// registered public key and whether requests must be signed.
	App App `json:"app"`
}

// NewTenant is POST /_sandbank/tenants.
type NewTenant struct {
	Provider   string `json:"provider"`
	Credential string `json:"credential"`
	// Secret, when set, is the tenant's secret from the start; otherwise
	// the first secret it presents becomes its secret.
	Secret   string `json:"secret,omitempty"`
	Scenario string `json:"scenario,omitempty"`
	Seed     int64  `json:"seed,omitempty"`
	Label    string `json:"label,omitempty"`
	// Frozen starts the tenant's clock frozen at At (or now).
	Frozen bool       `json:"frozen,omitempty"`
	At     *time.Time `json:"at,omitempty"`
	// PublicKey and RequireSignatures, when either is set, are the
	// tenant's app settings from the start (see App), over its
	// scenario's.
	PublicKey         string `json:"public_key,omitempty"`
	RequireSignatures bool   `json:"require_signatures,omitempty"`
}

// App is a tenant's app settings, what the provider's console holds for
// an API client, and the body of PUT /_sandbank/tenants/{key}/app, which
// replaces them (an empty PublicKey removes the key).
type App struct {
	// PublicKey is the PEM of the registered public key: PKIX "PUBLIC
	// KEY" (RSA or EC) or PKCS#1 "RSA PUBLIC KEY"; empty when none.
	PublicKey string `json:"public_key,omitempty"`
	// Fingerprint identifies the key: "SHA256:" and the unpadded base64
	// of the SHA-256 of its DER (PKIX) form. The server computes it; a
	// PUT may leave it out, and one that sends it must send the key's.
	Fingerprint string `json:"fingerprint,omitempty"`
	// RequireSignatures makes unsigned requests fail, as Fintecture does
	// in production; it needs a registered key.
	RequireSignatures bool `json:"require_signatures"`
}

// LoadScenario is POST /_sandbank/tenants/{key}/scenario.
type LoadScenario struct {
	Name string `json:"name"`
	Seed int64  `json:"seed,omitempty"`
}

// Scenario is one scenario the server knows.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Seed        int64  `json:"seed"`
	Builtin     bool   `json:"builtin"`
	File        string `json:"file,omitempty"`
	// Source is the YAML, on GET /_sandbank/scenarios/{name} only.
	Source string `json:"source,omitempty"`
}

// Clock is a tenant's clock.
type Clock struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
	// Offset is how far the tenant's time is from real time, as "90d",
	// "36h0m0s" or "-1h0m0s".
	Offset string `json:"offset"`
	// EventsRun is how many due events an advance ran.
	EventsRun int `json:"events_run,omitempty"`
	// Pending is the number of scheduled events not yet due.
	Pending int `json:"pending"`
	// NextDue is when the next scheduled event is due, if any.
	NextDue *time.Time `json:"next_due,omitempty"`
}

// ClockChange is POST /_sandbank/tenants/{key}/clock: exactly one of By
// (advance, e.g. "90d", "36h"), At (set), Freeze or Unfreeze.
type ClockChange struct {
	By       string     `json:"by,omitempty"`
	At       *time.Time `json:"at,omitempty"`
	Freeze   bool       `json:"freeze,omitempty"`
	Unfreeze bool       `json:"unfreeze,omitempty"`
}

// SCA is one bank-side journey.
type SCA struct {
	ID          string    `json:"id"`
	Provider    string    `json:"provider"`
	Bank        string    `json:"bank,omitempty"`
	Model       string    `json:"model"`
	Status      string    `json:"status"`
	Step        string    `json:"step"`
	PSU         string    `json:"psu,omitempty"` // the PSU's login, once known
	Outcome     string    `json:"outcome,omitempty"`
	RedirectURI string    `json:"redirect_uri,omitempty"`
	Failure     string    `json:"failure,omitempty"`
	Connection  string    `json:"connection,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	// URL is the journey's page for a browser.
	URL string `json:"url,omitempty"`
}

// SCAApproval is POST /_sandbank/tenants/{key}/sca/{id}/approve. A journey
// still on the bank list needs Bank; one before login takes PSU (a login)
// or the bank's first PSU with an account. Accounts default to all the
// PSU's accounts at the bank.
type SCAApproval struct {
	Bank     string   `json:"bank,omitempty"`
	PSU      string   `json:"psu,omitempty"`
	Accounts []string `json:"accounts,omitempty"`
}

// Connection is a PSU's consent.
type Connection struct {
	ID        string     `json:"id"`
	Bank      string     `json:"bank"`
	PSU       string     `json:"psu"`
	Accounts  []string   `json:"accounts"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Expired   bool       `json:"expired"`
}

// World is GET /_sandbank/tenants/{key}/world: banks, PSUs and accounts
// (transactions are listed per account).
type World struct {
	Banks    []Bank    `json:"banks"`
	PSUs     []PSU     `json:"psus"`
	Accounts []Account `json:"accounts"`
}

// Bank is one bank of a tenant's world.
type Bank struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country"`
	BIC     string `json:"bic"`
	Model   string `json:"model"`
}

// PSU is one bank customer, with the credentials to type on the pages.
type PSU struct {
	ID          string `json:"id"`
	Bank        string `json:"bank"`
	Login       string `json:"login"`
	Password    string `json:"password"`
	OTP         string `json:"otp"`
	DecoupledID string `json:"decoupled_id,omitempty"`
	Name        string `json:"name"`
	Outcome     string `json:"outcome"`
}

// Account is one account with its balances today.
type Account struct {
	ID       string `json:"id"`
	PSU      string `json:"psu"`
	Bank     string `json:"bank"`
	IBAN     string `json:"iban"`
	Currency string `json:"currency"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	// Balances in minor units.
	BookedCents   int64 `json:"booked_cents"`
	ExpectedCents int64 `json:"expected_cents"`
	Transactions  int   `json:"transactions"`
}

// Transaction is one movement, amounts in minor units.
type Transaction struct {
	ID           string `json:"id"`
	AmountCents  int64  `json:"amount_cents"`
	Currency     string `json:"currency"`
	BookingDate  string `json:"booking_date"`
	Description  string `json:"description"`
	Counterparty string `json:"counterparty,omitempty"`
	Pending      bool   `json:"pending"`
}

// JournalEntry is one request and its response.
type JournalEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Method     string    `json:"method"`
	URL        string    `json:"url"`
	Contract   string    `json:"contract,omitempty"`
	Operation  string    `json:"operation,omitempty"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
	Request    Message   `json:"request"`
	Response   Message   `json:"response"`
}

// Message is one side of an exchange, secrets masked.
type Message struct {
	Header    map[string][]string `json:"header,omitempty"`
	Body      string              `json:"body,omitempty"`
	Truncated bool                `json:"truncated,omitempty"`
}

// JournalQuery filters GET /_sandbank/tenants/{key}/journal (query
// parameters operation, method, path, status, before, limit).
type JournalQuery struct {
	Operation string
	Method    string
	Path      string
	// Status is an exact status ("404") or a class ("4xx").
	Status string
	// Before is an entry id: only older entries (paging backwards).
	Before int64
	Limit  int
}

// Fault is a fault rule with its counters.
type Fault struct {
	faults.Rule
	Source  string `json:"source"`
	Matched int64  `json:"matched"`
	Fired   int64  `json:"fired"`
}

// Bundle is one tenant exported: everything needed to reproduce its state
// in another Sandbank. Its Tables are opaque to clients.
type Bundle struct {
	Format     string          `json:"format"` // "sandbank-bundle"
	Version    int             `json:"version"`
	Sandbank   string          `json:"sandbank"`
	ExportedAt time.Time       `json:"exported_at"`
	Tenant     Tenant          `json:"tenant"`
	Scenario   Scenario        `json:"scenario"`
	State      json.RawMessage `json:"state"`
}

// Imported is the answer to POST /_sandbank/import.
type Imported struct {
	Tenant Tenant `json:"tenant"`
}

// Error is the control plane's error body: {"error": {...}}.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Code + ": " + e.Field + ": " + e.Message
	}
	return e.Code + ": " + e.Message
}

// ErrorBody wraps Error on the wire.
type ErrorBody struct {
	Error *Error `json:"error"`
}

// The list and change bodies below wrap the types above on the wire, so
// the server and this client share them by construction.

// TenantList is GET /_sandbank/tenants.
type TenantList struct {
	Tenants []Tenant `json:"tenants"`
}

// TenantChange is PATCH /_sandbank/tenants/{key}. Label is required; an
// empty string clears it.
type TenantChange struct {
	Label *string `json:"label"`
}

// ScenarioList is GET /_sandbank/scenarios (without sources).
type ScenarioList struct {
	Scenarios []Scenario `json:"scenarios"`
}

// SCAList is GET /_sandbank/tenants/{key}/sca: the pending journeys.
type SCAList struct {
	SCA []SCA `json:"sca"`
}

// TransactionList is GET /_sandbank/tenants/{key}/accounts/{id}/transactions.
type TransactionList struct {
	Transactions []Transaction `json:"transactions"`
}

// ConnectionList is GET /_sandbank/tenants/{key}/connections.
type ConnectionList struct {
	Connections []Connection `json:"connections"`
}

// JournalList is GET /_sandbank/tenants/{key}/journal, newest first.
type JournalList struct {
	Entries []JournalEntry `json:"entries"`
}

// JournalCleared is the answer to DELETE /_sandbank/tenants/{key}/journal.
type JournalCleared struct {
	Deleted int `json:"deleted"`
}

// FaultList is GET /_sandbank/faults.
type FaultList struct {
	Faults []Fault `json:"faults"`
}

// WebhookAttempt is one request sent for a webhook delivery.
type WebhookAttempt struct {
	N          int       `json:"n"`
	At         time.Time `json:"at"`          // tenant clock
	DurationMS int64     `json:"duration_ms"` // real time the receiver took
	Status     int       `json:"status"`      // 0 when no answer came
	Error      string    `json:"error,omitempty"`
	Response   string    `json:"response,omitempty"` // the start of the body
	KID        string    `json:"kid,omitempty"`
	Faults     []string  `json:"faults,omitempty"` // sabotage applied
}

// WebhookDelivery is one webhook in a tenant's outbox and what became of
// it (DESIGN.md §7).
type WebhookDelivery struct {
	ID          string           `json:"id"`
	Type        string           `json:"type"`
	URL         string           `json:"url"`
	Subject     string           `json:"subject,omitempty"`
	Body        json.RawMessage  `json:"body"`
	Status      string           `json:"status"` // pending, delivered, failed
	CreatedAt   time.Time        `json:"created_at"`
	DueAt       time.Time        `json:"due_at"`
	DeliveredAt *time.Time       `json:"delivered_at,omitempty"`
	LastError   string           `json:"last_error,omitempty"`
	ResentFrom  string           `json:"resent_from,omitempty"`
	Attempts    []WebhookAttempt `json:"attempts"`
}

// WebhookList is the answer to GET /_sandbank/tenants/{key}/webhooks.
type WebhookList struct {
	Webhooks []WebhookDelivery `json:"webhooks"`
}
