package emulator

import (
	"fmt"
	"time"
)

// Webhook is one event a provider tells a client about by POSTing to the
// client's URL (DESIGN.md §7). A provider writes it to the outbox in the
// same transaction as the state change it reports, so the event exists
// exactly when the change does.
type Webhook struct {
	Provider Provider
	// Type is the provider's event type, e.g. FinqLink's
	// "link_status_update" (notes/finqlink.md §5).
	Type string
	// URL is where the client asked to be called.
	URL string
	// Body is the exact JSON sent, kept byte for byte: FinqLink's
	// signature covers the raw body, so it must never be re-encoded.
	Body []byte
	// Subject is the id of the resource the event is about (a link,
	// consent or job id), so the dashboard can show a resource's events.
	Subject string
}

// WebhookStatus is where a delivery stands. The set is closed.
type WebhookStatus string

// The states of a delivery: pending until a 2xx answer (delivered) or
// until its attempts run out (failed).
const (
	WebhookPending   WebhookStatus = "pending"
	WebhookDelivered WebhookStatus = "delivered"
	WebhookFailed    WebhookStatus = "failed"
)

// Valid tells a known status from anything else, so a filter naming an
// unknown status is refused rather than matching nothing.
func (s WebhookStatus) Valid() bool {
	switch s {
	case WebhookPending, WebhookDelivered, WebhookFailed:
		return true
	}
	return false
}

// WebhookDelivery is one webhook in the outbox and what became of it.
type WebhookDelivery struct {
	// ID is sent as the x-webhook-id header; a duplicate (fault or
	// network) carries the same one, so a receiver can deduplicate on it.
	// A resend is a new delivery with a new ID.
	ID string
	// Seq numbers a tenant's deliveries in enqueue order.
	Seq int64
	Webhook
	Status WebhookStatus
	// CreatedAt and DueAt are on the tenant's clock: a retry is due when
	// the tenant's clock says so (DESIGN.md §6).
	CreatedAt time.Time
	DueAt     time.Time
	// AttemptCount is how many requests were sent; Attempts lists them
	// when the delivery was read with its attempts.
	AttemptCount int
	Attempts     []WebhookAttempt
	// Delay is the delay a scenario's fault added to the due time, zero
	// when none did.
	Delay       time.Duration
	DeliveredAt *time.Time
	// LastError says why the last attempt failed; empty once delivered.
	LastError string
	// ResentFrom is the delivery this one copies, when it was resent.
	ResentFrom string
	// InFlight tells that a dispatcher holds the delivery right now.
	InFlight bool
}

// WebhookResponseMax caps the response body kept per attempt: enough to
// read a receiver's error, never a whole page.
const WebhookResponseMax = 1024

// WebhookAttempt is one request sent for a delivery and what came back.
type WebhookAttempt struct {
	// N counts a delivery's attempts from 1.
	N int
	// At is when the request started, on the tenant's clock.
	At time.Time
	// Duration is measured on the real clock: how long the receiver took.
	Duration time.Duration
	// Status is the HTTP status answered; 0 when none came (refused,
	// reset, timed out), and then Error says what happened.
	Status int
	Error  string
	// Response is the start of the response body, at most
	// WebhookResponseMax bytes.
	Response string
	// KID is the key id the request was signed with.
	KID string
	// Faults lists the sabotage applied to this request, if any.
	Faults []WebhookFault
}

// OK tells a 2xx answer, the only one that counts as delivered.
func (a WebhookAttempt) OK() bool { return a.Status >= 200 && a.Status < 300 }

// WebhookFault names one way a scenario breaks a delivery on purpose
// (DESIGN.md §8). The set is closed.
type WebhookFault string

// The delivery faults, as attempts record them.
const (
	FaultBadSignature WebhookFault = "bad_signature"
	FaultUnknownKID   WebhookFault = "unknown_kid"
	FaultDuplicate    WebhookFault = "duplicate"
	FaultOutOfOrder   WebhookFault = "out_of_order"
	FaultDelay        WebhookFault = "delay"
	// FaultReceiverError marks an attempt that was never sent: the
	// scenario's receiver_errors recorded it as the receiver's 503.
	FaultReceiverError WebhookFault = "receiver_error"
)

// WebhookMaxAttempts is how many attempts a delivery gets by default
// before it is failed (the dispatcher may be set to fewer). A scenario's
// receiver_errors is bounded by it: at that count every delivery fails
// without ever being sent, which is as far as that fault can go.
const WebhookMaxAttempts = 10

// WebhookFaults is the sabotage a tenant's scenario asks of its webhook
// deliveries. The zero value delivers faithfully.
type WebhookFaults struct {
	// BadSignature signs with the right kid, then corrupts the signature.
	BadSignature bool
	// UnknownKID signs with a key that is not in the JWKS and sends its kid.
	UnknownKID bool
	// Duplicate sends every successful request a second time, identical.
	Duplicate bool
	// OutOfOrder sends the deliveries due together newest first.
	OutOfOrder bool
	// Delay pushes a new delivery's due time back by this much on the
	// tenant's clock.
	Delay time.Duration
	// ReceiverErrors plays a receiver answering 5xx: the first this many
	// attempts of every delivery are not sent but recorded as a 503
	// (marked FaultReceiverError), so the delivery retries with backoff
	// on the tenant's clock and is sent for real once they are used up.
	// A receiver test can thus go through the retries without taking its
	// own endpoint down.
	ReceiverErrors int
}

// SigningAlg is a JWS algorithm webhook keys sign with. FinqLink signs
// with RS256 or ES256 (notes/finqlink.md §5).
type SigningAlg string

// The signing algorithms. RS256 is the default.
const (
	RS256 SigningAlg = "RS256"
	ES256 SigningAlg = "ES256"
)

// Validate refuses an algorithm the providers do not use.
func (a SigningAlg) Validate() error {
	switch a {
	case RS256, ES256:
		return nil
	}
	return FieldError(CodeInvalid, "alg", "unknown signing algorithm %q (RS256 or ES256)", string(a))
}

// SigningKeyLifetime is how long a key signs before the next takes over,
// and how long it stays published after that: FinqLink rotates about
// every 90 days and keeps the previous key in the JWKS about 90 more
// (notes/finqlink.md §5).
const SigningKeyLifetime = 90 * 24 * time.Hour

// SigningKey is one of a tenant's webhook signing keys. Keys follow each
// other in periods of SigningKeyLifetime on the tenant's clock: the key of
// period p is current from NotBefore until the key of period p+1 takes
// over, then previous for one more period, then gone.
type SigningKey struct {
	Provider Provider
	KID      string
	Alg      SigningAlg
	// PrivateKey is the key as PKCS#8 PEM.
	PrivateKey string
	Period     int64
	NotBefore  time.Time
	CreatedAt  time.Time
}

// String names a key without its secret, for logs.
func (k SigningKey) String() string {
	return fmt.Sprintf("%s key %s (%s, period %d)", k.Provider, k.KID, k.Alg, k.Period)
}
