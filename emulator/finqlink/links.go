package finqlink

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/iban"
	"github.com/sandbank/sandbank/emulator/store"
)

// Payment links (Pay): links/create, links/get, links/list and the
// direct_sca callback hand-over links/redirect (notes/finqlink.md §3). The
// store keeps the lifecycle; these handlers check what the contract
// cannot say, and build the URLs.

// LinkExpiresIn is a link's life when create-link gives no
// options.expires_in. FinqLink publishes no default; a day is Sandbank's
// choice (the contract says so).
const LinkExpiresIn = 24 * time.Hour

// linkPartyJSON is the creditor or debtor of a payment intent.
type linkPartyJSON struct {
	Name  string `json:"name"`
	IBAN  string `json:"iban"`
	PSUID string `json:"psu_id"`
}

type linkIntentJSON struct {
	Amount      string         `json:"amount"`
	Currency    string         `json:"currency"`
	Creditor    linkPartyJSON  `json:"creditor"`
	Debtor      *linkPartyJSON `json:"debtor"`
	Description string         `json:"description"`
}

type linkMethodFilterJSON struct {
	ProviderID    string   `json:"provider_id"`
	RemitterType  []string `json:"remitter_type"`
	PaymentScheme string   `json:"payment_scheme"`
	Env           string   `json:"env"`
}

type linkOptionsJSON struct {
	Type         emulator.FlowType `json:"type"`
	UserEditable bool              `json:"user_editable"`
	UXTemplate   string            `json:"ux_template"`
	ExpiresIn    int64             `json:"expires_in"`
	RedirectURL  string            `json:"redirect_url"`
	WebhookURL   string            `json:"webhook_url"`
}

type linkTrackingJSON struct {
	EndUserID  string `json:"end_user_id"`
	MerchantID string `json:"merchant_id"`
}

type createLinkRequest struct {
	PaymentIntent linkIntentJSON       `json:"payment_intent"`
	PaymentMethod linkMethodFilterJSON `json:"payment_method"`
	Options       linkOptionsJSON      `json:"options"`
	TrackingIDs   linkTrackingJSON     `json:"tracking_ids"`
}

type createLinkReply struct {
	RequestID    string  `json:"request_id"`
	CreatedAt    string  `json:"created_at"`
	ExpiresAt    string  `json:"expires_at"`
	APIClientApp string  `json:"api_client_app"`
	LinkID       string  `json:"link_id"`
	WebID        string  `json:"web_id"`
	WebURL       *string `json:"web_url"`
}

type getLinkRequest struct {
	LinkID string `json:"link_id"`
}

type linkProviderJSON struct {
	ProviderID string `json:"provider_id"`
	Name       string `json:"name"`
}

type linkPaymentMethodJSON struct {
	ProviderID    string   `json:"provider_id"`
	RemitterType  []string `json:"remitter_type"`
	PaymentScheme string   `json:"payment_scheme"`
	Env           string   `json:"env"`
	Features      []string `json:"features"`
}

type getLinkReply struct {
	RequestID       string                 `json:"request_id"`
	Status          emulator.LinkStatus    `json:"status"`
	ExpiresAt       string                 `json:"expires_at"`
	IsExpired       bool                   `json:"is_expired"`
	APIClientApp    string                 `json:"api_client_app"`
	LinkID          string                 `json:"link_id"`
	WebID           string                 `json:"web_id"`
	WebURL          *string                `json:"web_url"`
	PaymentMethod   *linkPaymentMethodJSON `json:"payment_method"`
	ServiceProvider *linkProviderJSON      `json:"service_provider"`
}

type listLinksRequest struct {
	Filter struct {
		Status         emulator.LinkStatus `json:"status"`
		InsertedAtFrom string              `json:"inserted_at_from"`
		InsertedAtTo   string              `json:"inserted_at_to"`
	} `json:"filter"`
	Pagination struct {
		Limit int    `json:"limit"`
		After string `json:"after"`
	} `json:"pagination"`
}

type linkSummaryJSON struct {
	LinkID     string              `json:"link_id"`
	WebID      string              `json:"web_id"`
	Status     emulator.LinkStatus `json:"status"`
	ExpiresAt  string              `json:"expires_at"`
	IsExpired  bool                `json:"is_expired"`
	WebURL     *string             `json:"web_url"`
	InsertedAt string              `json:"inserted_at"`
}

// linkPaginationJSON is the contract's Pagination; "more?" is Finqware's
// own name, question mark included.
type linkPaginationJSON struct {
	Count int     `json:"count"`
	More  bool    `json:"more?"`
	After *string `json:"after"`
}

type listLinksReply struct {
	RequestID    string             `json:"request_id"`
	APIClientApp string             `json:"api_client_app"`
	ClientID     string             `json:"client_id"`
	Links        []linkSummaryJSON  `json:"links"`
	Pagination   linkPaginationJSON `json:"pagination"`
}

type linkRedirectReply struct {
	RequestID    string `json:"request_id"`
	Status       string `json:"status"`
	APIClientApp string `json:"api_client_app"`
	LinkID       string `json:"link_id"`
	WebID        string `json:"web_id"`
}

// createLink serves POST /v2/links/create.
func (p *Provider) createLink(w http.ResponseWriter, r *http.Request) error {
	var in createLinkRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	link, err := p.newLink(r, t, in)
	if err != nil {
		return err
	}
	base := httpapi.BaseURL(r)
	req := store.NewLink{Link: link, ExpiresIn: LinkExpiresIn}
	if in.Options.ExpiresIn > 0 {
		req.ExpiresIn = time.Duration(in.Options.ExpiresIn) * time.Second
	}
	if link.Flow != emulator.FlowLink {
		req.JourneyTTL = emulator.Or(t.Behaviour.JourneyTTL, JourneyTTL)
		req.JourneyReturn = func(webID string) string {
			if link.Flow == emulator.FlowDirectSCA {
				return link.RedirectURL // the client takes the callback itself
			}
			return webURL(base, t, uiPay, webID)
		}
	}
	l, x, err := p.store.CreateLink(ctx, t, req)
	if err != nil {
		return err
	}
	web := webURL(base, t, uiPay, l.WebID)
	if link.Flow == emulator.FlowDirectSCA || link.Flow == emulator.FlowRedirectSCA {
		// create-link hands out the bank's SCA URL itself (notes §3).
		web = journeyURL(base, t, x)
	}
	return httpapi.JSON(w, http.StatusOK, createLinkReply{
		RequestID: httpapi.RequestID(ctx), CreatedAt: wireTime(l.CreatedAt), ExpiresAt: wireTime(l.ExpiresAt),
		APIClientApp: appName(t), LinkID: l.ID, WebID: l.WebID, WebURL: &web,
	})
}

// newLink checks what the contract cannot (a non-zero amount, IBAN
// checksums, a provider of the client's world with a method the filter
// allows, what each flow type needs) and builds the link the store
// creates.
func (p *Provider) newLink(r *http.Request, t *emulator.Tenant, in createLinkRequest) (emulator.PayLink, error) {
	pi, opt := in.PaymentIntent, in.Options
	if strings.Trim(strings.Replace(pi.Amount, ".", "", 1), "0") == "" {
		return emulator.PayLink{}, emulator.FieldError(emulator.CodeInvalid, "payment_intent.amount", "the amount must be more than zero, got %q", pi.Amount)
	}
	if err := iban.Valid(pi.Creditor.IBAN); err != nil {
		return emulator.PayLink{}, emulator.FieldError(emulator.CodeInvalid, "payment_intent.creditor.iban", "%v", err)
	}
	debtor := linkPartyJSON{}
	if pi.Debtor != nil {
		debtor = *pi.Debtor
		if debtor.IBAN != "" {
			if err := iban.Valid(debtor.IBAN); err != nil {
				return emulator.PayLink{}, emulator.FieldError(emulator.CodeInvalid, "payment_intent.debtor.iban", "%v", err)
			}
		}
	}
	if opt.Type == "" {
		opt.Type = emulator.FlowLink
	}
	if opt.UXTemplate == "" {
		opt.UXTemplate = emulator.UXTemplates[0]
	}
	if opt.RedirectURL != "" && !absoluteURL(opt.RedirectURL, false) {
		return emulator.PayLink{}, emulator.FieldError(emulator.CodeInvalid, "options.redirect_url", "%q is not an absolute URL", opt.RedirectURL)
	}
	if opt.WebhookURL != "" && !absoluteURL(opt.WebhookURL, true) {
		return emulator.PayLink{}, emulator.FieldError(emulator.CodeInvalid, "options.webhook_url", "%q is not an absolute http(s) URL", opt.WebhookURL)
	}
	method := emulator.LinkMethodFilter{
		ProviderID: in.PaymentMethod.ProviderID, RemitterType: in.PaymentMethod.RemitterType,
		PaymentScheme: in.PaymentMethod.PaymentScheme, Env: in.PaymentMethod.Env,
	}
	switch {
	case opt.Type != emulator.FlowLink && method.ProviderID == "":
		return emulator.PayLink{}, emulator.FieldError(emulator.CodeMissing, "payment_method.provider_id", "a %s link goes straight to a bank: name it in payment_method.provider_id", opt.Type)
	case opt.Type == emulator.FlowDirectSCA && opt.RedirectURL == "":
		return emulator.PayLink{}, emulator.FieldError(emulator.CodeMissing, "options.redirect_url", "a direct_sca link needs options.redirect_url: the bank sends the payer back there")
	}
	if err := p.checkLinkMethods(r, t, method); err != nil {
		return emulator.PayLink{}, err
	}
	return emulator.PayLink{
		Flow: opt.Type, Template: opt.UXTemplate,
		Amount: pi.Amount, Currency: pi.Currency, CreditorName: pi.Creditor.Name, CreditorIBAN: pi.Creditor.IBAN,
		DebtorName: debtor.Name, DebtorIBAN: debtor.IBAN, DebtorPSUID: debtor.PSUID, Description: pi.Description,
		UserEditable: opt.UserEditable, RedirectURL: opt.RedirectURL, WebhookURL: opt.WebhookURL, Method: method,
		EndUserID: in.TrackingIDs.EndUserID, MerchantID: in.TrackingIDs.MerchantID,
	}, nil
}

// checkLinkMethods refuses a payment_method filter no bank can pay
// through: provider_id must be a provider of the client's world
// (validation_error), and that provider, or without one some provider,
// must have a payment method the filter allows (method_selection_error).
func (p *Provider) checkLinkMethods(r *http.Request, t *emulator.Tenant, f emulator.LinkMethodFilter) error {
	kept, known, err := banksAllowing(r.Context(), p.store, t, f.ProviderID, payAllows(f))
	switch {
	case err != nil:
		return err
	case !known:
		return emulator.FieldError(emulator.CodeInvalid, "payment_method.provider_id", "no provider %q in this client's world", f.ProviderID)
	case len(kept) > 0:
		return nil
	case f.ProviderID != "":
		return fail(http.StatusBadRequest, "method_selection_error", "provider %s has no payment method the payment_method filter allows", f.ProviderID)
	}
	return fail(http.StatusBadRequest, "method_selection_error", "no provider has a payment method the payment_method filter allows")
}

// absoluteURL reports whether s is an absolute URL; web limits it to
// http(s), as a webhook receiver must be. A redirect URL may be an app's
// own scheme.
func absoluteURL(s string, web bool) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	if !web {
		return true
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// linkWebURL is a link's web_url as get-link and list-links show it: the
// WebUI page for link and wrapped_sca, the bank's SCA URL for
// redirect_sca, and null for direct_sca (notes §3: the client has that
// URL from create-link, and the payer comes back to the client).
func linkWebURL(base string, t *emulator.Tenant, l emulator.PayLink, banks map[string]emulator.Bank) *string {
	var u string
	switch l.Flow {
	case emulator.FlowDirectSCA:
		return nil
	case emulator.FlowRedirectSCA:
		u = sessionURL(base, t, l.SCASessionID, banks[l.BankID].Model)
	default:
		u = webURL(base, t, uiPay, l.WebID)
	}
	return &u
}

// bankMap indexes the tenant's banks by id.
func (p *Provider) bankMap(r *http.Request, t *emulator.Tenant) (map[string]emulator.Bank, error) {
	banks, err := p.store.Banks(r.Context(), t)
	if err != nil {
		return nil, err
	}
	out := make(map[string]emulator.Bank, len(banks))
	for _, b := range banks {
		out[b.ID] = b
	}
	return out, nil
}

// getLink serves POST /v2/links/get.
func (p *Provider) getLink(w http.ResponseWriter, r *http.Request) error {
	var in getLinkRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	l, err := p.store.Link(ctx, t, in.LinkID)
	if err != nil {
		return err
	}
	banks, err := p.bankMap(r, t)
	if err != nil {
		return err
	}
	out := getLinkReply{
		RequestID: httpapi.RequestID(ctx), Status: l.Status, ExpiresAt: wireTime(l.ExpiresAt), IsExpired: l.Expired(p.store.Now(t)),
		APIClientApp: appName(t), LinkID: l.ID, WebID: l.WebID, WebURL: linkWebURL(httpapi.BaseURL(r), t, l, banks),
	}
	if b, ok := banks[l.BankID]; ok {
		out.ServiceProvider = &linkProviderJSON{ProviderID: b.ID, Name: b.Name}
		out.PaymentMethod = chosenLinkMethod(l, b)
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// chosenLinkMethod is the payment method of the bank the payer went to:
// the first of that bank's methods the link's filter allows. The WebUI offers the bank, not a method, so this
// is the method the bank pays through.
func chosenLinkMethod(l emulator.PayLink, b emulator.Bank) *linkPaymentMethodJSON {
	meta := catalogueEntry(b)
	methods := payMethods(meta, l.Method)
	if len(methods) == 0 {
		methods = meta.PaymentMethods
	}
	if len(methods) == 0 {
		return nil
	}
	m := methods[0]
	return &linkPaymentMethodJSON{ProviderID: l.BankID, RemitterType: strs(m.RemitterType), PaymentScheme: string(m.PaymentScheme), Env: string(m.Env), Features: features(m)}
}

// listLinks serves POST /v2/links/list: newest first (creation instant,
// then link_id, descending), pagination.after being the link_id of the
// previous page's last link.
func (p *Provider) listLinks(w http.ResponseWriter, r *http.Request) error {
	var in listLinksRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	f := store.LinkFilter{Status: in.Filter.Status, After: in.Pagination.After, Limit: in.Pagination.Limit}
	var err error
	if f.From, err = linkFilterTime("filter.inserted_at_from", in.Filter.InsertedAtFrom); err != nil {
		return err
	}
	if f.To, err = linkFilterTime("filter.inserted_at_to", in.Filter.InsertedAtTo); err != nil {
		return err
	}
	links, more, err := p.store.Links(ctx, t, f)
	if err != nil {
		return err
	}
	banks, err := p.bankMap(r, t)
	if err != nil {
		return err
	}
	now, base := p.store.Now(t), httpapi.BaseURL(r)
	out := listLinksReply{RequestID: httpapi.RequestID(ctx), APIClientApp: appName(t), ClientID: t.Credential, Links: []linkSummaryJSON{}}
	for _, l := range links {
		out.Links = append(out.Links, linkSummaryJSON{
			LinkID: l.ID, WebID: l.WebID, Status: l.Status, ExpiresAt: wireTime(l.ExpiresAt), IsExpired: l.Expired(now),
			WebURL: linkWebURL(base, t, l, banks), InsertedAt: wireTime(l.CreatedAt),
		})
	}
	out.Pagination = linkPaginationJSON{Count: len(out.Links), More: more}
	if more {
		after := links[len(links)-1].ID
		out.Pagination.After = &after
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// linkFilterTime reads a date-time filter value; empty is no bound.
func linkFilterTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return at, emulator.FieldError(emulator.CodeInvalid, field, "%q is not an RFC 3339 date-time", v)
	}
	return at, nil
}

// handleLinkRedirect serves POST /v2/links/redirect: a direct_sca client
// hands over the bank's callback query. The state names the link (404
// not_found for a state no link of the client's has, as a tampered state
// is); 202 redirect_in_progress while the journey is still at the bank,
// 200 when this call settled the link (received, or failed after an
// access_denied), 201 with the link's status for a repeat. A code that is
// missing or not the bank's is refused (400 validation_error) and changes
// nothing. With wait, an approval moves the payment on to submitted within
// the call instead of waiting for the tenant clock.
func (p *Provider) handleLinkRedirect(w http.ResponseWriter, r *http.Request) error {
	state, cb, err := handedCallback(r, "the callback carries no state")
	if err != nil {
		return err
	}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	l, res, err := p.store.HandLinkCallback(ctx, t, state, cb)
	if err != nil {
		return err
	}
	out := linkRedirectReply{RequestID: httpapi.RequestID(ctx), APIClientApp: appName(t), LinkID: l.ID, WebID: l.WebID}
	var status int
	status, out.Status = redirectStatus(res, string(l.Status))
	return httpapi.JSON(w, status, out)
}
