package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// FinqLink payment links (Pay). A link is created by the API
// (CreateLink), opened and sent to a bank by the WebUI (OpenLink,
// ChooseLinkBank) or at creation for the flows that go straight to the
// bank, follows its bank journey (linkSCAChanged), and, once the payer
// authorized it, moves on by itself on the tenant clock (linkEvent):
//
//	created → started → requested → intent_accepted → awaiting_authz →
//	received → submitted → completed [→ funds_received | funds_rejected]
//
// with failed (journey denied, timed out or expired, payment rejected, or
// a payer who is not the prefilled debtor) and revoked (cancelled on the
// WebUI) ending it early. Every change writes a link_status_update webhook
// to the link's webhook_url in the same transaction.

// LinkWebhookType is the type of a link's status webhooks (the contract's
// LinkStatusUpdate).
const LinkWebhookType = "link_status_update"

// How long an authorized payment takes to move on, on the tenant clock:
// the bank submits it LinkSubmitDelay after the payer authorized it,
// completes it LinkCompleteDelay later and, where the bank reports the
// creditor's side, the funds arrive (or come back) LinkFundsDelay after
// that. FinqLink publishes no timings; these are Sandbank's, short so a
// test reaches every status with one clock step.
const (
	LinkSubmitDelay   = 2 * time.Second
	LinkCompleteDelay = 3 * time.Second
	LinkFundsDelay    = 5 * time.Second
)

// Links listing limits (links/list pagination.limit: 1-250, default 50,
// from FinqLink's changelog).
const (
	LinkLimitDefault = 50
	LinkLimitMax     = 250
)

// LinkFundsReported reports whether a bank tells FinqLink when a paid
// link's funds reach the creditor, so the link goes on from completed to
// funds_received or funds_rejected. Only libra_ro does (seed 002
// changelog; fixtures/finqlink_providers.yaml gives it the feature
// funds_received). The store names the bank itself because it does not
// read the provider catalogue: main wires the fixtures in.
func LinkFundsReported(bankID string) bool { return bankID == "libra_ro" }

// NewLink is a link as create-link asks for it.
type NewLink struct {
	// Link holds the client's fields: Flow, Template, the payment
	// (Amount, Currency, Creditor*, Debtor*, Description), UserEditable,
	// RedirectURL, WebhookURL, Method and the tracking ids. CreateLink
	// sets the ids, status, bank, journey and instants itself.
	Link emulator.PayLink
	// ExpiresIn is the link's life from its creation.
	ExpiresIn time.Duration
	// JourneyTTL and JourneyReturn serve the flows that start the bank
	// journey at creation (wrapped_sca, direct_sca, redirect_sca), at the
	// bank Link.Method.ProviderID. JourneyReturn gives the journey's
	// RedirectURI from the new link's web_id (the WebUI page, or the
	// client's redirect_url for direct_sca); the journey lives JourneyTTL,
	// but never past the link's expiry.
	JourneyTTL    time.Duration
	JourneyReturn func(webID string) string
}

// linkStartsJourney reports whether a flow sends the payer to the bank
// without a bank choice on the WebUI, so the journey exists from creation.
func linkStartsJourney(f emulator.FlowType) bool {
	return f == emulator.FlowWrappedSCA || f == emulator.FlowDirectSCA || f == emulator.FlowRedirectSCA
}

// CreateLink creates a link and, for the flows that go straight to the
// bank, its bank journey (the link is then requested), in one
// transaction. It returns the journey too (zero for the link flow).
func (s *Store) CreateLink(ctx context.Context, t *emulator.Tenant, in NewLink) (emulator.PayLink, emulator.SCASession, error) {
	l := in.Link
	switch {
	case !slices.Contains(emulator.FlowTypes, l.Flow):
		return l, emulator.SCASession{}, emulator.FieldError(emulator.CodeInvalid, "options.type", "unknown flow type %q", l.Flow)
	case in.ExpiresIn <= 0:
		return l, emulator.SCASession{}, emulator.FieldError(emulator.CodeInvalid, "options.expires_in", "a link must live a positive time")
	case linkStartsJourney(l.Flow) && (l.Method.ProviderID == "" || in.JourneyReturn == nil || in.JourneyTTL <= 0):
		return l, emulator.SCASession{}, emulator.FieldError(emulator.CodeMissing, "payment_method.provider_id", "a %s link goes straight to a bank: name it in payment_method.provider_id", l.Flow)
	}
	method, err := json.Marshal(l.Method)
	if err != nil {
		return l, emulator.SCASession{}, err
	}
	// The tenant clock to the microsecond: what the API shows, so a
	// reply's instant used as a list filter finds the link it came from.
	now := s.Now(t).Truncate(time.Microsecond)
	var x emulator.SCASession
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var bank emulator.Bank
		if l.Method.ProviderID != "" {
			b, err := findBank(ctx, tx, t, l.Method.ProviderID)
			if emulator.IsCode(err, emulator.CodeNotFound) {
				return emulator.FieldError(emulator.CodeInvalid, "payment_method.provider_id", "no provider %q in this client's world", l.Method.ProviderID)
			}
			if err != nil {
				return err
			}
			bank = b
		}
		id, err := nextID(ctx, tx, t, "finqlink-link")
		if err != nil {
			return err
		}
		web, err := nextID(ctx, tx, t, "finqlink-link-web")
		if err != nil {
			return err
		}
		l.ID, l.WebID, l.Status = linkUUID(id), web[:24], emulator.LinkCreated
		l.BankID, l.SCASessionID, l.Callback = "", "", false
		l.CreatedAt, l.ExpiresAt, l.UpdatedAt = now, now.Add(in.ExpiresIn), now
		_, err = tx.ExecContext(ctx, `INSERT INTO finqlink_links (tenant_id, id, web_id, status, flow, template, amount, currency,
			creditor_name, creditor_iban, debtor_name, debtor_iban, debtor_psu_id, description, user_editable, redirect_url, webhook_url,
			method, end_user_id, merchant_id, created_at, expires_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, l.ID, l.WebID, l.Status, l.Flow, l.Template, l.Amount, l.Currency,
			l.CreditorName, l.CreditorIBAN, l.DebtorName, l.DebtorIBAN, l.DebtorPSUID, l.Description, l.UserEditable, l.RedirectURL, l.WebhookURL,
			string(method), l.EndUserID, l.MerchantID, ns(l.CreatedAt), ns(l.ExpiresAt), ns(l.UpdatedAt))
		if err != nil || !linkStartsJourney(l.Flow) {
			return err
		}
		x, err = startLinkJourney(ctx, tx, t, &l, bank, in.JourneyReturn(l.WebID), in.JourneyTTL, now)
		return err
	})
	return l, x, err
}

// linkUUID shapes the 32 hex digits of an id drawn with nextID as a
// version 4 UUID (link_id is a UUID, notes §3), keeping the seed's
// determinism.
func linkUUID(h string) string {
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// startLinkJourney sends a link's payer to bank: it creates the SCA
// session (state the web_id, returning to returnURL, living ttl but not
// past the link's expiry) and makes the link requested.
func startLinkJourney(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, l *emulator.PayLink, bank emulator.Bank, returnURL string, ttl time.Duration, now time.Time) (emulator.SCASession, error) {
	x, err := startFinqLinkJourney(ctx, tx, t, bank, l.WebID, returnURL, "payment", ttl, l.ExpiresAt, now)
	if err != nil {
		return x, err
	}
	l.BankID, l.SCASessionID = bank.ID, x.ID
	return x, setLinkStatus(ctx, tx, t, l, emulator.LinkRequested, now)
}

// linkStatusUpdate is the body of a link's webhook: the contract's
// LinkStatusUpdate, fields in its order.
type linkStatusUpdate struct {
	Type   string              `json:"type"`
	LinkID string              `json:"link_id"`
	WebID  string              `json:"web_id"`
	Status emulator.LinkStatus `json:"status"`
}

// saveLink writes a link's changing columns.
func saveLink(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, l emulator.PayLink) error {
	_, err := tx.ExecContext(ctx, `UPDATE finqlink_links SET status = ?, bank_id = ?, sca_session_id = ?, callback = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
		l.Status, l.BankID, l.SCASessionID, l.Callback, ns(l.UpdatedAt), t.ID, l.ID)
	return err
}

// setLinkStatus moves a link to status to, saves it with its other
// changes and, when the client gave a webhook_url, writes the
// link_status_update webhook in the same transaction.
func setLinkStatus(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, l *emulator.PayLink, to emulator.LinkStatus, now time.Time) error {
	l.Status, l.UpdatedAt = to, now
	if err := saveLink(ctx, tx, t, *l); err != nil {
		return err
	}
	return finqlinkWebhook(ctx, tx, t, now, LinkWebhookType, l.WebhookURL, l.ID, linkStatusUpdate{Type: LinkWebhookType, LinkID: l.ID, WebID: l.WebID, Status: to})
}

// linkAuthChain is the part of the lifecycle a bank journey walks. A
// journey can skip pages (a decoupled bank learns the PSU and asks for
// approval at once; the control plane approves from the login page), so
// the link walks every status between where it is and where the journey
// is, each with its webhook, and a client never sees a gap.
var linkAuthChain = []emulator.LinkStatus{emulator.LinkRequested, emulator.LinkIntentAccepted, emulator.LinkAwaitingAuthz, emulator.LinkReceived}

// walkLink moves a link along linkAuthChain up to target; a link not on
// the chain, or already at or past target, is left alone.
func walkLink(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, l *emulator.PayLink, target emulator.LinkStatus, now time.Time) error {
	from, to := slices.Index(linkAuthChain, l.Status), slices.Index(linkAuthChain, target)
	if from < 0 || to <= from {
		return nil
	}
	for _, st := range linkAuthChain[from+1 : to+1] {
		if err := setLinkStatus(ctx, tx, t, l, st, now); err != nil {
			return err
		}
	}
	return nil
}

const linkSelect = `SELECT id, web_id, status, flow, template, amount, currency, creditor_name, creditor_iban, debtor_name, debtor_iban,
	debtor_psu_id, description, user_editable, redirect_url, webhook_url, method, bank_id, end_user_id, merchant_id,
	sca_session_id, callback, created_at, expires_at, updated_at FROM finqlink_links`

// scanLink reads a link.
func scanLink(row scanner) (emulator.PayLink, error) {
	var l emulator.PayLink
	var method string
	var created, expires, updated int64
	err := row.Scan(&l.ID, &l.WebID, &l.Status, &l.Flow, &l.Template, &l.Amount, &l.Currency, &l.CreditorName, &l.CreditorIBAN,
		&l.DebtorName, &l.DebtorIBAN, &l.DebtorPSUID, &l.Description, &l.UserEditable, &l.RedirectURL, &l.WebhookURL, &method,
		&l.BankID, &l.EndUserID, &l.MerchantID, &l.SCASessionID, &l.Callback, &created, &expires, &updated)
	if err != nil {
		return l, err
	}
	l.CreatedAt, l.ExpiresAt, l.UpdatedAt = fromNS(created), fromNS(expires), fromNS(updated)
	if err := json.Unmarshal([]byte(method), &l.Method); err != nil {
		return l, fmt.Errorf("link %s: method: %w", l.ID, err)
	}
	return l, nil
}

// findLink finds one of the tenant's links by a column (id, web_id or
// sca_session_id); the error names what was looked up by ref.
func findLink(ctx context.Context, q queryer, t *emulator.Tenant, column, value string) (emulator.PayLink, error) {
	l, err := scanLink(q.QueryRowContext(ctx, linkSelect+` WHERE tenant_id = ? AND `+column+` = ?`, t.ID, value))
	if errors.Is(err, sql.ErrNoRows) {
		return l, emulator.NotFound("link", value)
	}
	return l, err
}

// Link finds a link by its link_id. Another tenant's link is unknown.
func (s *Store) Link(ctx context.Context, t *emulator.Tenant, id string) (emulator.PayLink, error) {
	return findLink(ctx, s.read, t, "id", id)
}

// LinkFilter selects a tenant's links for links/list; zero fields do not
// filter, and the criteria are AND-ed.
type LinkFilter struct {
	Status emulator.LinkStatus
	// From and To bound the creation instant: From included, To excluded.
	From, To time.Time
	// After is the link_id of the previous page's last link (keyset
	// pagination); empty for the first page.
	After string
	// Limit caps the page: LinkLimitDefault when zero, at most
	// LinkLimitMax.
	Limit int
}

// Links lists one page of a tenant's links, newest first: by creation
// instant, then by link_id, both descending, so the order is total and a
// page boundary never repeats or skips a link. more reports that another
// page follows. An After that is not one of the tenant's links is refused
// (CodeInvalid): a cursor of another client is as unknown as a made-up
// one.
func (s *Store) Links(ctx context.Context, t *emulator.Tenant, f LinkFilter) (links []emulator.PayLink, more bool, err error) {
	switch {
	case f.Limit == 0:
		f.Limit = LinkLimitDefault
	case f.Limit < 0 || f.Limit > LinkLimitMax:
		return nil, false, emulator.FieldError(emulator.CodeInvalid, "pagination.limit", "limit is 1 to %d, got %d", LinkLimitMax, f.Limit)
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.From.After(f.To) {
		return nil, false, emulator.FieldError(emulator.CodeInvalid, "filter.inserted_at_from", "inserted_at_from is after inserted_at_to")
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	where, args := []string{"tenant_id = ?"}, []any{t.ID}
	if f.After != "" {
		last, err := findLink(ctx, tx, t, "id", f.After)
		if emulator.IsCode(err, emulator.CodeNotFound) {
			return nil, false, emulator.FieldError(emulator.CodeInvalid, "pagination.after", "%q is not a cursor of this client's links", f.After)
		}
		if err != nil {
			return nil, false, err
		}
		where = append(where, "(created_at < ? OR (created_at = ? AND id < ?))")
		args = append(args, ns(last.CreatedAt), ns(last.CreatedAt), last.ID)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if !f.From.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, ns(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, ns(f.To))
	}
	links, err = queryAll(ctx, tx, scanLink, linkSelect+` WHERE `+strings.Join(where, " AND ")+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, f.Limit+1)...)
	if err != nil {
		return nil, false, err
	}
	if len(links) > f.Limit {
		return links[:f.Limit], true, nil
	}
	return links, false, nil
}

// CallbackResult is what handing over a direct_sca bank callback did,
// for a link or a consent alike (links/redirect and ais/consents/redirect
// answer 202, 200 or 201).
type CallbackResult string

// The results of a hand-over.
const (
	// CallbackPending: the bank journey is still going on; nothing changed.
	CallbackPending CallbackResult = "pending"
	// CallbackProcessed: this hand-over settled the link or moved the
	// consent (or found its journey already ended by the bank).
	CallbackProcessed CallbackResult = "processed"
	// CallbackRepeated: an earlier hand-over did so already.
	CallbackRepeated CallbackResult = "repeated"
)

// Callback is the bank's callback query as a direct_sca client hands it
// over (links/redirect, ais/consents/redirect), read by the handler.
type Callback struct {
	// Code and Error are the query's code and error parameters (empty
	// when absent).
	Code, Error string
	// Wait moves an authorized payment on to its submission in the same
	// call instead of LinkSubmitDelay later, and makes an approved
	// consent active within the call instead of a second later.
	Wait bool
}

// HandLinkCallback takes the bank callback of the direct_sca link whose
// web_id (the callback's state) is webID, in one transaction:
//   - a journey still pending: CallbackPending, nothing changes;
//   - a journey that failed: the link is failed already; CallbackProcessed;
//   - an approved journey: the callback's code must be the journey's
//     (else CodeInvalid, nothing changes); the link becomes received and
//     moves on by the clock (or, with Wait, at once to submitted);
//     CallbackProcessed;
//   - a second hand-over after one of the last two: CallbackRepeated.
//
// An unknown webID is NotFound; a link of another flow is CodeInvalid.
func (s *Store) HandLinkCallback(ctx context.Context, t *emulator.Tenant, webID string, cb Callback) (emulator.PayLink, CallbackResult, error) {
	var l emulator.PayLink
	var res CallbackResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now(t)
		var err error
		if l, err = findLink(ctx, tx, t, "web_id", webID); err != nil {
			return err
		}
		if l.Flow != emulator.FlowDirectSCA {
			return emulator.FieldError(emulator.CodeInvalid, "query_string", "state %q is a %s link: only direct_sca links hand their bank callback over", webID, l.Flow)
		}
		if l.Callback {
			res = CallbackRepeated
			return nil
		}
		x, err := findSCASession(ctx, tx, t, l.SCASessionID)
		if err != nil {
			return err
		}
		switch x.Status {
		case emulator.SCAPending:
			res = CallbackPending
			return nil
		case emulator.SCAFailed:
			// The journey's failure failed the link already.
			if !l.Status.Final() {
				if err := setLinkStatus(ctx, tx, t, &l, emulator.LinkFailed, now); err != nil {
					return err
				}
			}
		default:
			switch {
			case cb.Error != "":
				return emulator.FieldError(emulator.CodeInvalid, "query_string", "the callback says %s, but the payer approved the payment at the bank", cb.Error)
			case cb.Code == "":
				return emulator.FieldError(emulator.CodeInvalid, "query_string", "the callback carries no code")
			case cb.Code != x.Code:
				return emulator.FieldError(emulator.CodeInvalid, "query_string", "the callback's code is not the one the bank gave")
			}
			if err := walkLink(ctx, tx, t, &l, emulator.LinkReceived, now); err != nil {
				return err
			}
			if l.Status == emulator.LinkReceived {
				if cb.Wait {
					err = linkStep(ctx, tx, t, &l, now)
				} else {
					err = scheduleLinkStep(ctx, tx, t, l, now.Add(LinkSubmitDelay))
				}
				if err != nil {
					return err
				}
			}
		}
		l.Callback, res = true, CallbackProcessed
		return saveLink(ctx, tx, t, l)
	})
	return l, res, err
}

// linkStepRef is the ref of a link's due step: the link and the status it
// leaves, so a step that finds the link elsewhere (moved on by a
// links/redirect with wait, or failed meanwhile) does nothing.
func linkStepRef(l emulator.PayLink) string { return l.ID + " " + string(l.Status) }

// scheduleLinkStep schedules the link's next step from its current status.
func scheduleLinkStep(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, l emulator.PayLink, due time.Time) error {
	return schedule(ctx, tx, t, due, EventLinkStep, linkStepRef(l))
}

// linkStep moves an authorized link one status on at now and schedules
// the step after: received → submitted (or failed when the tenant's banks
// reject payments) → completed → funds_received or funds_rejected where
// the bank reports the creditor's side.
func linkStep(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, l *emulator.PayLink, now time.Time) error {
	switch l.Status {
	case emulator.LinkReceived:
		if t.Behaviour.PaymentOutcome == emulator.PaymentRejected {
			return setLinkStatus(ctx, tx, t, l, emulator.LinkFailed, now)
		}
		if err := setLinkStatus(ctx, tx, t, l, emulator.LinkSubmitted, now); err != nil {
			return err
		}
		return scheduleLinkStep(ctx, tx, t, *l, now.Add(LinkCompleteDelay))
	case emulator.LinkSubmitted:
		if err := setLinkStatus(ctx, tx, t, l, emulator.LinkCompleted, now); err != nil {
			return err
		}
		if !LinkFundsReported(l.BankID) {
			return nil
		}
		return scheduleLinkStep(ctx, tx, t, *l, now.Add(LinkFundsDelay))
	case emulator.LinkCompleted:
		if t.Behaviour.PaymentOutcome == emulator.PaymentFundsRejected {
			return setLinkStatus(ctx, tx, t, l, emulator.LinkFundsRejected, now)
		}
		return setLinkStatus(ctx, tx, t, l, emulator.LinkFundsReceived, now)
	}
	return nil
}

// linkEvent runs a link's due step (EventLinkStep), at the instant it was
// due, so the statuses keep their spacing however far the clock jumped.
func linkEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ref string, due time.Time) error {
	id, from, ok := strings.Cut(ref, " ")
	if !ok {
		return fmt.Errorf("link step %q: malformed ref", ref)
	}
	l, err := findLink(ctx, tx, t, "id", id)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return nil
	}
	if err != nil || string(l.Status) != from {
		return err
	}
	return linkStep(ctx, tx, t, &l, due)
}

// linkSCAChanged moves the link whose journey x is, if any, in the
// journey's transaction: a PSU logged in (step otp) makes it
// intent_accepted, the OTP passed (step consent) awaiting_authz, an
// approval received (a direct_sca link stays awaiting_authz until its
// client hands the callback over: HandLinkCallback), a failure failed.
//
// A link that prefills its debtor (debtor.iban, debtor.psu_id) can only
// be paid by that debtor: when the PSU who logs in does not hold that IBAN
// at the bank (or has another login than the PSU id), the bank refuses
// the journey (access_denied) and the link fails.
func linkSCAChanged(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, x emulator.SCASession, now time.Time) error {
	l, err := findLink(ctx, tx, t, "sca_session_id", x.ID)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return nil
	}
	if err != nil || l.Status.Final() {
		return err
	}
	if x.Status == emulator.SCAFailed {
		return setLinkStatus(ctx, tx, t, &l, emulator.LinkFailed, now)
	}
	if x.PSUID == "" {
		return nil // the bank was chosen, no one logged in yet
	}
	if l.Status == emulator.LinkRequested {
		ok, err := linkDebtorMatches(ctx, tx, t, l, x)
		if err != nil {
			return err
		}
		if !ok {
			if x.Status == emulator.SCAPending {
				// failSCA comes back here with the failure.
				_, err := failSCA(ctx, tx, t, x.ID, emulator.FailDenied, now)
				return err
			}
			return setLinkStatus(ctx, tx, t, &l, emulator.LinkFailed, now)
		}
	}
	if x.Status == emulator.SCAPending {
		target := emulator.LinkIntentAccepted
		if x.Step == emulator.StepConsent {
			target = emulator.LinkAwaitingAuthz
		}
		return walkLink(ctx, tx, t, &l, target, now)
	}
	if l.Flow == emulator.FlowDirectSCA {
		return walkLink(ctx, tx, t, &l, emulator.LinkAwaitingAuthz, now)
	}
	if err := walkLink(ctx, tx, t, &l, emulator.LinkReceived, now); err != nil || l.Status != emulator.LinkReceived {
		return err
	}
	return scheduleLinkStep(ctx, tx, t, l, now.Add(LinkSubmitDelay))
}

// linkDebtorMatches reports whether the PSU of journey x is the debtor the
// link prefills, if it prefills one.
func linkDebtorMatches(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, l emulator.PayLink, x emulator.SCASession) (bool, error) {
	if l.DebtorPSUID != "" {
		var login string
		err := tx.QueryRowContext(ctx, `SELECT login FROM psus WHERE tenant_id = ? AND id = ?`, t.ID, x.PSUID).Scan(&login)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		if login != l.DebtorPSUID {
			return false, nil
		}
	}
	if l.DebtorIBAN != "" {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE tenant_id = ? AND psu_id = ? AND bank_id = ? AND iban = ?`,
			t.ID, x.PSUID, x.BankID, l.DebtorIBAN).Scan(&n)
		if err != nil || n == 0 {
			return false, err
		}
	}
	return true, nil
}

// linkForWebUI loads a link for a change the WebUI asks for, refusing an
// expired one: expiry is not a status (get-link answers is_expired), but
// an expired link can no longer be acted on.
func linkForWebUI(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, webID string, now time.Time) (emulator.PayLink, error) {
	l, err := findLink(ctx, tx, t, "web_id", webID)
	if err != nil {
		return l, err
	}
	if l.Expired(now) {
		return l, emulator.Errorf(emulator.CodeConflict, "this link expired at %s", l.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return l, nil
}

// The WebUI's side of links.

// LinkByWebID returns the link whose web_id is webID (NotFound if none).
func (s *Store) LinkByWebID(ctx context.Context, t *emulator.Tenant, webID string) (emulator.PayLink, error) {
	return findLink(ctx, s.read, t, "web_id", webID)
}

// OpenLink records the payer opening the link's WebUI page: created →
// started (with its webhook); any other status is left alone. It returns
// the link as it now stands. An expired link is refused (Conflict),
// whatever its status.
func (s *Store) OpenLink(ctx context.Context, t *emulator.Tenant, webID string) (emulator.PayLink, error) {
	var l emulator.PayLink
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now(t)
		var err error
		if l, err = linkForWebUI(ctx, tx, t, webID, now); err != nil || l.Status != emulator.LinkCreated {
			return err
		}
		return setLinkStatus(ctx, tx, t, &l, emulator.LinkStarted, now)
	})
	return l, err
}

// ChooseLinkBank records the bank the payer chose on the WebUI and starts
// the bank journey: an SCA session at bankID whose RedirectURI is
// returnURL and State the web_id, living ttl (never past the link's
// expiry); the link becomes requested. An expired, final or already
// requested link is refused (Conflict), except that a link already at this
// bank with its journey pending gets that journey back. A bank the link's
// payment_method.provider_id excludes, or not in the world, is
// CodeInvalid.
func (s *Store) ChooseLinkBank(ctx context.Context, t *emulator.Tenant, webID, bankID, returnURL string, ttl time.Duration) (emulator.PayLink, emulator.SCASession, error) {
	var l emulator.PayLink
	var x emulator.SCASession
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now(t)
		var err error
		if l, err = linkForWebUI(ctx, tx, t, webID, now); err != nil {
			return err
		}
		if l.Status.Final() {
			return emulator.Errorf(emulator.CodeConflict, "this link is %s", l.Status)
		}
		if l.SCASessionID != "" {
			if l.BankID == bankID {
				if x, err = findSCASession(ctx, tx, t, l.SCASessionID); err != nil || x.Status == emulator.SCAPending {
					return err
				}
			}
			return emulator.Errorf(emulator.CodeConflict, "the payer already went to a bank with this link (it is %s)", l.Status)
		}
		if l.Method.ProviderID != "" && bankID != l.Method.ProviderID {
			return emulator.FieldError(emulator.CodeInvalid, "bank", "this link pays through %s only", l.Method.ProviderID)
		}
		if ttl <= 0 {
			return emulator.FieldError(emulator.CodeInvalid, "ttl", "a bank journey must live a positive time")
		}
		bank, err := findBank(ctx, tx, t, bankID)
		if emulator.IsCode(err, emulator.CodeNotFound) {
			return emulator.FieldError(emulator.CodeInvalid, "bank", "no bank %q in this client's world", bankID)
		}
		if err != nil {
			return err
		}
		x, err = startLinkJourney(ctx, tx, t, &l, bank, returnURL, ttl, now)
		return err
	})
	return l, x, err
}

// CancelLink is the payer cancelling on the WebUI before going to a bank:
// the link becomes revoked. A link already at a bank, final or expired is
// refused (Conflict).
func (s *Store) CancelLink(ctx context.Context, t *emulator.Tenant, webID string) (emulator.PayLink, error) {
	var l emulator.PayLink
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now(t)
		var err error
		if l, err = linkForWebUI(ctx, tx, t, webID, now); err != nil {
			return err
		}
		if l.Status != emulator.LinkCreated && l.Status != emulator.LinkStarted {
			return emulator.Errorf(emulator.CodeConflict, "a %s link can no longer be cancelled", l.Status)
		}
		return setLinkStatus(ctx, tx, t, &l, emulator.LinkRevoked, now)
	})
	return l, err
}
