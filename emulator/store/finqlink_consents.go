package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// FinqLink's AIS consents (notes/finqlink.md §3-§4). A consent moves
// created → started (the WebUI opened) → sca_url_retrieved (a bank journey
// exists) → awaiting_authz (the account holder logged in at the bank) →
// authorized (they approved) → active one second later on the tenant
// clock; then expired at authorized_until, or suspended when the scenario
// says so. A consent never authorized by its link's expires_at expires;
// one refused at the bank, timed out or cancelled on the WebUI fails; the
// client can revoke any consent that is not final. Every change writes a
// consent_status_update webhook in its own transaction.

// ConsentActivationDelay is how long after its authorization a consent
// becomes active: FinqLink reports the two statuses apart, and Sandbank
// keeps them one tenant-clock second apart so clients see both.
const ConsentActivationDelay = time.Second

// The consent steps an EventConsentStep can carry, after the consent id
// in its ref ("<id>/<step>").
const (
	stepActivate   = "activate"    // authorized → active
	stepExpireLink = "expire_link" // never authorized by expires_at → expired
	stepExpire     = "expire"      // authorized_until reached → expired
	stepSuspend    = "suspend"     // the scenario's suspension → suspended
)

// ConsentNotActiveError refuses a call that needs an active consent (data
// reads, refresh jobs) or a change a final consent cannot take; FinqLink
// answers it 400 consent_not_active.
type ConsentNotActiveError struct {
	ID     string
	Status emulator.ConsentStatus
}

func (e *ConsentNotActiveError) Error() string {
	return fmt.Sprintf("consent %s is %s, not active", e.ID, e.Status)
}

// NewConsent is what ais/consents/create asks for, checked by the caller
// against the contract; the store checks what needs the world (the
// bank) and its own invariants.
type NewConsent struct {
	Flow     emulator.FlowType
	Template string
	// Scope is accounts and balances, with or without transactions, in
	// any order (kept in FinqLink's order).
	Scope        []string
	ValidityDays int
	RedirectURL  string
	WebhookURL   string
	Method       emulator.AISMethodFilter
	EndUserID    string
	MerchantID   string
	// ExpiresIn is how long the consent link lives if never authorized.
	ExpiresIn time.Duration
	// Journey, when set, starts the bank journey with the consent
	// (wrapped_sca, direct_sca, redirect_sca): the consent is created at
	// sca_url_retrieved.
	Journey *ConsentJourney
}

// ConsentJourney is the bank journey a consent starts with.
type ConsentJourney struct {
	// BankID is the bank (ais_method.provider_id).
	BankID string
	// ReturnURL gives the journey's RedirectURI from the consent's web_id,
	// which only the store knows: the client's redirect_url for
	// direct_sca, the WebUI page otherwise.
	ReturnURL func(webID string) string
	// TTL is how long the account holder has at the bank; it is capped at
	// the link's expiry.
	TTL time.Duration
}

// consentScopes orders the data kinds as FinqLink writes them.
var consentScopes = []string{"accounts", "balances", "transactions"}

// normalScope returns scope in FinqLink's order, or false for a scope
// FinqLink refuses (notes §3: all three kinds, or accounts and balances).
func normalScope(scope []string) ([]string, bool) {
	seen := map[string]bool{}
	for _, s := range scope {
		if seen[s] {
			return nil, false
		}
		seen[s] = true
	}
	if !seen["accounts"] || !seen["balances"] || len(seen) != len(scope) {
		return nil, false
	}
	var out []string
	for _, s := range consentScopes {
		if seen[s] {
			out = append(out, s)
		}
	}
	if len(out) != len(scope) {
		return nil, false
	}
	return out, true
}

// ConsentHasTransactions reports whether a consent's scope covers
// transactions.
func ConsentHasTransactions(c emulator.AISConsent) bool {
	for _, s := range c.Scope {
		if s == "transactions" {
			return true
		}
	}
	return false
}

// MaxConsentLinkLife is the longest a consent link may live (notes §3:
// 45 days).
const MaxConsentLinkLife = 45 * 24 * time.Hour

// CreateConsent records a new consent and, for the flows that go straight
// to a bank, its bank journey, in one transaction. The returned session
// is zero when no journey was started.
func (s *Store) CreateConsent(ctx context.Context, t *emulator.Tenant, in NewConsent) (emulator.AISConsent, emulator.SCASession, error) {
	scope, ok := normalScope(in.Scope)
	switch {
	case !ok:
		return emulator.AISConsent{}, emulator.SCASession{}, emulator.FieldError(emulator.CodeInvalid, "consent.scope", "the scope is [accounts, balances, transactions] or [accounts, balances]")
	case in.ValidityDays < 1 || in.ValidityDays > 180:
		return emulator.AISConsent{}, emulator.SCASession{}, emulator.FieldError(emulator.CodeInvalid, "consent.validity_days", "validity_days is 1 to 180, got %d", in.ValidityDays)
	case in.ExpiresIn <= 0 || in.ExpiresIn > MaxConsentLinkLife:
		return emulator.AISConsent{}, emulator.SCASession{}, emulator.FieldError(emulator.CodeInvalid, "options.expires_in", "a consent link lives 1 second to 45 days")
	}
	now := s.Now(t)
	var c emulator.AISConsent
	var x emulator.SCASession
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if in.Method.ProviderID != "" {
			if _, err := findBank(ctx, tx, t, in.Method.ProviderID); err != nil {
				if emulator.IsCode(err, emulator.CodeNotFound) {
					return emulator.FieldError(emulator.CodeInvalid, "ais_method.provider_id", "no provider %q in this client's world", in.Method.ProviderID)
				}
				return err
			}
		}
		id, err := nextID(ctx, tx, t, "finqlink-consent")
		if err != nil {
			return err
		}
		web, err := nextID(ctx, tx, t, "finqlink-consent-web")
		if err != nil {
			return err
		}
		c = emulator.AISConsent{
			ID: uuidOf(id), WebID: "c" + web[:23], Status: emulator.ConsentCreated, Flow: in.Flow, Template: in.Template,
			Scope: scope, ValidityDays: in.ValidityDays, RedirectURL: in.RedirectURL, WebhookURL: in.WebhookURL,
			Method: in.Method, EndUserID: in.EndUserID, MerchantID: in.MerchantID,
			CreatedAt: now, ExpiresAt: now.Add(in.ExpiresIn), UpdatedAt: now,
		}
		method, err := json.Marshal(c.Method)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO finqlink_consents (tenant_id, id, web_id, status, flow, template, scope, validity_days, redirect_url, webhook_url, method, end_user_id, merchant_id, created_at, expires_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, c.ID, c.WebID, c.Status, c.Flow, c.Template, strings.Join(c.Scope, ","), c.ValidityDays, c.RedirectURL, c.WebhookURL, string(method),
			c.EndUserID, c.MerchantID, ns(c.CreatedAt), ns(c.ExpiresAt), ns(c.UpdatedAt)); err != nil {
			return err
		}
		// The link's expiry is scheduled before any journey's timeout, so
		// at the same instant the consent expires rather than fails.
		if err := schedule(ctx, tx, t, c.ExpiresAt, EventConsentStep, c.ID+"/"+stepExpireLink); err != nil {
			return err
		}
		if in.Journey == nil {
			return nil
		}
		x, err = startConsentJourney(ctx, tx, t, &c, in.Journey.BankID, in.Journey.ReturnURL(c.WebID), in.Journey.TTL, now)
		return err
	})
	return c, x, err
}

// startConsentJourney creates the consent's bank journey at bankID and
// moves the consent to sca_url_retrieved.
func startConsentJourney(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, c *emulator.AISConsent, bankID, returnURL string, ttl time.Duration, now time.Time) (emulator.SCASession, error) {
	b, err := findBank(ctx, tx, t, bankID)
	if err != nil {
		if emulator.IsCode(err, emulator.CodeNotFound) {
			return emulator.SCASession{}, emulator.FieldError(emulator.CodeInvalid, "bank", "no bank %q in this client's world", bankID)
		}
		return emulator.SCASession{}, err
	}
	if min(ttl, c.ExpiresAt.Sub(now)) <= 0 {
		return emulator.SCASession{}, emulator.Errorf(emulator.CodeConflict, "the consent link expired at %s", c.ExpiresAt.Format(time.RFC3339))
	}
	x, err := startFinqLinkJourney(ctx, tx, t, b, c.WebID, returnURL, "", ttl, c.ExpiresAt, now)
	if err != nil {
		return x, err
	}
	c.BankID, c.SCASessionID = b.ID, x.ID
	return x, moveConsent(ctx, tx, t, c, emulator.ConsentSCAURLRetrieved, now)
}

// uuidOf shapes a 32-hex-digit id as a version 4 UUID (8-4-4-4-12), the
// form FinqLink's consent and job ids have.
func uuidOf(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) < 16 {
		return h
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:16])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

const aisConsentSelect = `SELECT id, web_id, status, flow, template, scope, validity_days, redirect_url, webhook_url, method, bank_id, end_user_id, merchant_id,
	sca_session_id, connection_id, callback, created_at, expires_at, authorized_until, updated_at FROM finqlink_consents`

func scanAISConsent(row scanner) (emulator.AISConsent, error) {
	var c emulator.AISConsent
	var scope, method string
	var callback int
	var created, expires, updated int64
	var until sql.NullInt64
	err := row.Scan(&c.ID, &c.WebID, &c.Status, &c.Flow, &c.Template, &scope, &c.ValidityDays, &c.RedirectURL, &c.WebhookURL, &method, &c.BankID,
		&c.EndUserID, &c.MerchantID, &c.SCASessionID, &c.ConnectionID, &callback, &created, &expires, &until, &updated)
	if err != nil {
		return c, err
	}
	if scope != "" {
		c.Scope = strings.Split(scope, ",")
	}
	if err := json.Unmarshal([]byte(method), &c.Method); err != nil {
		return c, fmt.Errorf("consent %s: method: %w", c.ID, err)
	}
	c.Callback = callback != 0
	c.CreatedAt, c.ExpiresAt, c.UpdatedAt, c.AuthorizedUntil = fromNS(created), fromNS(expires), fromNS(updated), nullTime(until)
	return c, nil
}

// findAISConsent finds a consent by a column (id, web_id, sca_session_id).
func findAISConsent(ctx context.Context, q queryer, t *emulator.Tenant, column, value string) (emulator.AISConsent, error) {
	c, err := scanAISConsent(q.QueryRowContext(ctx, aisConsentSelect+` WHERE tenant_id = ? AND `+column+` = ?`, t.ID, value))
	if errors.Is(err, sql.ErrNoRows) {
		return c, emulator.NotFound("consent", value)
	}
	return c, err
}

// AISConsent finds a FinqLink consent by its consent_id.
func (s *Store) AISConsent(ctx context.Context, t *emulator.Tenant, id string) (emulator.AISConsent, error) {
	return findAISConsent(ctx, s.read, t, "id", id)
}

// AISConsents lists the tenant's FinqLink consents, oldest first.
func (s *Store) AISConsents(ctx context.Context, t *emulator.Tenant) ([]emulator.AISConsent, error) {
	return queryAll(ctx, s.read, scanAISConsent, aisConsentSelect+` WHERE tenant_id = ? ORDER BY created_at, id`, t.ID)
}

// saveConsent writes a consent's changing columns.
func saveConsent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, c emulator.AISConsent) error {
	_, err := tx.ExecContext(ctx, `UPDATE finqlink_consents SET status = ?, bank_id = ?, sca_session_id = ?, connection_id = ?, callback = ?, authorized_until = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`,
		c.Status, c.BankID, c.SCASessionID, c.ConnectionID, c.Callback, nsPtr(c.AuthorizedUntil), ns(c.UpdatedAt), t.ID, c.ID)
	return err
}

// consentWebhookType is the type of a consent's status webhooks.
const consentWebhookType = "consent_status_update"

// consentStatusUpdate is the consent_status_update webhook body (the
// contract's ConsentStatusUpdate), its fields in this order.
type consentStatusUpdate struct {
	Type      string                 `json:"type"`
	ConsentID string                 `json:"consent_id"`
	WebID     string                 `json:"web_id"`
	Status    emulator.ConsentStatus `json:"status"`
}

// moveConsent gives a consent a new status, saves it with its other
// changes and writes the webhook, all in the caller's transaction.
func moveConsent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, c *emulator.AISConsent, to emulator.ConsentStatus, now time.Time) error {
	c.Status, c.UpdatedAt = to, now
	if err := saveConsent(ctx, tx, t, *c); err != nil {
		return err
	}
	return finqlinkWebhook(ctx, tx, t, now, consentWebhookType, c.WebhookURL, c.ID, consentStatusUpdate{Type: consentWebhookType, ConsentID: c.ID, WebID: c.WebID, Status: to})
}

// consentRank orders the statuses of a consent on its way to active;
// the others (final, suspended) rank after.
func consentRank(s emulator.ConsentStatus) int {
	switch s {
	case emulator.ConsentCreated:
		return 0
	case emulator.ConsentStarted:
		return 1
	case emulator.ConsentSCAURLRetrieved:
		return 2
	case emulator.ConsentAwaitingAuthz:
		return 3
	case emulator.ConsentAuthorized:
		return 4
	case emulator.ConsentActive:
		return 5
	}
	return 6
}

// consentSCAChanged moves the consent whose journey x is, if any: the
// account holder logging in makes it awaiting_authz, an approval
// authorizes it (for direct_sca only once the client hands the callback
// over: the code FinqLink needs is in it), and a refusal, a timeout or an
// expiry fails it.
func consentSCAChanged(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, x emulator.SCASession, now time.Time) error {
	c, err := findAISConsent(ctx, tx, t, "sca_session_id", x.ID)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Status.Final() {
		return nil
	}
	switch x.Status {
	case emulator.SCAPending:
		if x.PSUID != "" && consentRank(c.Status) < consentRank(emulator.ConsentAwaitingAuthz) {
			return moveConsent(ctx, tx, t, &c, emulator.ConsentAwaitingAuthz, now)
		}
	case emulator.SCACompleted:
		if consentRank(c.Status) >= consentRank(emulator.ConsentAuthorized) {
			return nil
		}
		if c.Status != emulator.ConsentAwaitingAuthz {
			// Approved from the control plane before a login: the
			// holder still passed through the bank's authorization.
			if err := moveConsent(ctx, tx, t, &c, emulator.ConsentAwaitingAuthz, now); err != nil {
				return err
			}
		}
		if c.Flow == emulator.FlowDirectSCA {
			return nil
		}
		return authorizeConsent(ctx, tx, t, &c, x, now)
	case emulator.SCAFailed:
		if consentRank(c.Status) < consentRank(emulator.ConsentAuthorized) {
			return moveConsent(ctx, tx, t, &c, emulator.ConsentFailed, now)
		}
	}
	return nil
}

// authorizeConsent records the approved journey's connection as the
// consent's shared accounts, makes it authorized until now plus its
// validity, and schedules what follows on the tenant clock: active one
// second later, expired at authorized_until, and suspended when the
// tenant's scenario says so.
func authorizeConsent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, c *emulator.AISConsent, x emulator.SCASession, now time.Time) error {
	until := now.Add(time.Duration(c.ValidityDays) * 24 * time.Hour)
	c.ConnectionID, c.AuthorizedUntil = x.ConnectionID, &until
	if err := moveConsent(ctx, tx, t, c, emulator.ConsentAuthorized, now); err != nil {
		return err
	}
	if err := schedule(ctx, tx, t, now.Add(ConsentActivationDelay), EventConsentStep, c.ID+"/"+stepActivate); err != nil {
		return err
	}
	if err := schedule(ctx, tx, t, until, EventConsentStep, c.ID+"/"+stepExpire); err != nil {
		return err
	}
	if d := t.Behaviour.ConsentSuspendAfter; d > 0 && now.Add(d).Before(until) {
		return schedule(ctx, tx, t, now.Add(max(d, ConsentActivationDelay)), EventConsentStep, c.ID+"/"+stepSuspend)
	}
	return nil
}

// consentEvent runs a consent's due step (ref "<id>/<step>"). A step that
// finds the consent already moved on does nothing.
func consentEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ref string, due time.Time) error {
	id, step, _ := strings.Cut(ref, "/")
	c, err := findAISConsent(ctx, tx, t, "id", id)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch step {
	case stepActivate:
		if c.Status == emulator.ConsentAuthorized {
			return moveConsent(ctx, tx, t, &c, emulator.ConsentActive, due)
		}
	case stepExpireLink:
		if c.Status.Final() || consentRank(c.Status) >= consentRank(emulator.ConsentAuthorized) {
			return nil
		}
		if err := moveConsent(ctx, tx, t, &c, emulator.ConsentExpired, due); err != nil {
			return err
		}
		return endConsentJourney(ctx, tx, t, c, emulator.FailExpired, due)
	case stepExpire:
		switch c.Status {
		case emulator.ConsentAuthorized, emulator.ConsentActive, emulator.ConsentSuspended:
			if c.AuthorizedUntil != nil && !due.Before(*c.AuthorizedUntil) {
				return moveConsent(ctx, tx, t, &c, emulator.ConsentExpired, due)
			}
		}
	case stepSuspend:
		if c.Status == emulator.ConsentActive {
			return moveConsent(ctx, tx, t, &c, emulator.ConsentSuspended, due)
		}
	default:
		return fmt.Errorf("unknown consent step %q", ref)
	}
	return nil
}

// endConsentJourney fails the consent's bank journey if it is still
// pending, once the consent itself has ended: the bank page then says the
// authentication is over. The consent, already final, ignores the change.
func endConsentJourney(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, c emulator.AISConsent, reason emulator.FailReason, now time.Time) error {
	if c.SCASessionID == "" {
		return nil
	}
	return endPendingSCA(ctx, tx, t, c.SCASessionID, reason, now)
}

// changeConsent finds the consent whose column is value and runs change
// on it, with the tenant clock's now, in one transaction; it returns the
// consent as change left it (as found when change refuses).
func (s *Store) changeConsent(ctx context.Context, t *emulator.Tenant, column, value string, change func(tx *sql.Tx, c *emulator.AISConsent, now time.Time) error) (emulator.AISConsent, error) {
	now := s.Now(t)
	var c emulator.AISConsent
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = findAISConsent(ctx, tx, t, column, value); err != nil {
			return err
		}
		return change(tx, &c, now)
	})
	return c, err
}

// RevokeAISConsent is the client revoking a consent: any consent not final
// becomes revoked (a pending bank journey ends with it). Revoking a
// revoked consent changes nothing and returns it; an expired or failed
// one is refused (ConsentNotActiveError).
func (s *Store) RevokeAISConsent(ctx context.Context, t *emulator.Tenant, id string) (emulator.AISConsent, error) {
	return s.changeConsent(ctx, t, "id", id, func(tx *sql.Tx, c *emulator.AISConsent, now time.Time) error {
		switch c.Status {
		case emulator.ConsentRevoked:
			return nil
		case emulator.ConsentExpired, emulator.ConsentFailed:
			return &ConsentNotActiveError{ID: c.ID, Status: c.Status}
		}
		if err := moveConsent(ctx, tx, t, c, emulator.ConsentRevoked, now); err != nil {
			return err
		}
		return endConsentJourney(ctx, tx, t, *c, emulator.FailExpired, now)
	})
}

// HandleConsentCallback processes the bank callback of the direct_sca
// consent whose web_id is webID (the callback's state). An approval
// authorizes the consent (and with Wait makes it active at once); an
// error fails it. The first hand-over after the journey ended is
// processed, later ones are repeats; one while the journey is still at
// the bank changes nothing.
func (s *Store) HandleConsentCallback(ctx context.Context, t *emulator.Tenant, webID string, cb Callback) (emulator.AISConsent, CallbackResult, error) {
	now := s.Now(t)
	var c emulator.AISConsent
	result := CallbackProcessed
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = findAISConsent(ctx, tx, t, "web_id", webID); err != nil {
			return err
		}
		if c.Flow != emulator.FlowDirectSCA {
			return emulator.FieldError(emulator.CodeInvalid, "query_string", "state %q names a %s consent: only direct_sca consents hand their callback over", webID, c.Flow)
		}
		if c.Callback {
			result = CallbackRepeated
			return nil
		}
		if cb.Code == "" && cb.Error == "" {
			return emulator.FieldError(emulator.CodeMissing, "query_string", "the callback carries neither code nor error")
		}
		x, err := findSCASession(ctx, tx, t, c.SCASessionID)
		if err != nil {
			return err
		}
		switch {
		case cb.Error != "":
			if x.Status == emulator.SCAPending {
				if _, err := failSCA(ctx, tx, t, x.ID, emulator.FailDenied, now); err != nil {
					return err
				}
				if c, err = findAISConsent(ctx, tx, t, "id", c.ID); err != nil {
					return err
				}
			}
			if !c.Status.Final() && consentRank(c.Status) < consentRank(emulator.ConsentAuthorized) {
				if err := moveConsent(ctx, tx, t, &c, emulator.ConsentFailed, now); err != nil {
					return err
				}
			}
		case x.Status == emulator.SCAPending:
			result = CallbackPending
			return nil
		case x.Status == emulator.SCACompleted && !c.Status.Final():
			if cb.Code != x.Code {
				return emulator.FieldError(emulator.CodeInvalid, "query_string", "the code is not the one the bank issued for this consent")
			}
			if c.Status == emulator.ConsentAwaitingAuthz {
				if err := authorizeConsent(ctx, tx, t, &c, x, now); err != nil {
					return err
				}
			}
			if cb.Wait && c.Status == emulator.ConsentAuthorized {
				if err := moveConsent(ctx, tx, t, &c, emulator.ConsentActive, now); err != nil {
					return err
				}
			}
		}
		c.Callback = true
		return saveConsent(ctx, tx, t, c)
	})
	return c, result, err
}

// The WebUI's side of consents.

// ConsentByWebID returns the consent whose web_id is webID (NotFound if
// none).
func (s *Store) ConsentByWebID(ctx context.Context, t *emulator.Tenant, webID string) (emulator.AISConsent, error) {
	return findAISConsent(ctx, s.read, t, "web_id", webID)
}

// OpenConsent records the account holder opening the consent's WebUI
// page: created → started (with its webhook); any other status is left
// alone, and so is a consent whose link has expired.
func (s *Store) OpenConsent(ctx context.Context, t *emulator.Tenant, webID string) (emulator.AISConsent, error) {
	return s.changeConsent(ctx, t, "web_id", webID, func(tx *sql.Tx, c *emulator.AISConsent, now time.Time) error {
		if c.Status != emulator.ConsentCreated || !now.Before(c.ExpiresAt) {
			return nil
		}
		return moveConsent(ctx, tx, t, c, emulator.ConsentStarted, now)
	})
}

// ChooseConsentBank records the bank chosen on the WebUI and starts the
// bank journey (an SCA session at bankID, RedirectURI returnURL, State the
// web_id, living ttl); the consent becomes sca_url_retrieved. An expired,
// final or already started journey is refused (Conflict), except that a
// consent already at this bank with its journey pending gets it back.
// A bank that is not in the world, or not the one the client's
// ais_method names, is refused (Invalid).
func (s *Store) ChooseConsentBank(ctx context.Context, t *emulator.Tenant, webID, bankID, returnURL string, ttl time.Duration) (emulator.AISConsent, emulator.SCASession, error) {
	now := s.Now(t)
	var c emulator.AISConsent
	var x emulator.SCASession
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = findAISConsent(ctx, tx, t, "web_id", webID); err != nil {
			return err
		}
		if c.SCASessionID != "" && !c.Status.Final() {
			x, err = findSCASession(ctx, tx, t, c.SCASessionID)
			if err != nil {
				return err
			}
			if c.BankID == bankID && x.Status == emulator.SCAPending {
				return nil
			}
			return emulator.Errorf(emulator.CodeConflict, "the consent is already at %s (%s)", c.BankID, c.Status)
		}
		switch {
		case c.Status.Final():
			return emulator.Errorf(emulator.CodeConflict, "the consent is %s", c.Status)
		case !now.Before(c.ExpiresAt):
			return emulator.Errorf(emulator.CodeConflict, "the consent link expired at %s", c.ExpiresAt.Format(time.RFC3339))
		case c.Method.ProviderID != "" && c.Method.ProviderID != bankID:
			return emulator.FieldError(emulator.CodeInvalid, "bank", "this consent is for %s only", c.Method.ProviderID)
		}
		x, err = startConsentJourney(ctx, tx, t, &c, bankID, returnURL, ttl, now)
		return err
	})
	return c, x, err
}

// CancelConsent is the account holder cancelling on the WebUI before
// going to a bank: the consent becomes failed. A consent already at a
// bank, or final, is refused (Conflict).
func (s *Store) CancelConsent(ctx context.Context, t *emulator.Tenant, webID string) (emulator.AISConsent, error) {
	return s.changeConsent(ctx, t, "web_id", webID, func(tx *sql.Tx, c *emulator.AISConsent, now time.Time) error {
		if c.Status.Final() {
			return emulator.Errorf(emulator.CodeConflict, "the consent is %s", c.Status)
		}
		if c.SCASessionID != "" {
			return emulator.Errorf(emulator.CodeConflict, "the consent is already at %s", c.BankID)
		}
		return moveConsent(ctx, tx, t, c, emulator.ConsentFailed, now)
	})
}
