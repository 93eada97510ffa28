package finqlink

import (
	"errors"
	"net/http"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// AIS consents (Data): create, get, revoke, and the direct_sca callback
// hand-over. The consent's life on the tenant clock is the store's
// (store/finqlink_consents.go); these handlers map the wire onto it.

// ConsentLinkTTL is how long a consent link lives when options.expires_in
// is left out. FinqLink publishes no default (notes §3 gives only the
// 45-day maximum); a day is Sandbank's choice, stated in the contract.
const ConsentLinkTTL = 24 * time.Hour

// ConsentValidityDays is consent.validity_days when left out (the
// contract's default).
const ConsentValidityDays = 90

type aisMethodInput struct {
	ProviderID       string   `json:"provider_id"`
	AccountOwnerType []string `json:"account_owner_type"`
	InterfaceType    string   `json:"interface_type"`
	InterfaceEnv     string   `json:"interface_env"`
}

type consentTermsInput struct {
	Scope        []string `json:"scope"`
	ValidityDays *int     `json:"validity_days"`
}

type consentOptionsInput struct {
	Type        emulator.FlowType `json:"type"`
	ExpiresIn   *int64            `json:"expires_in"`
	RedirectURL string            `json:"redirect_url"`
	WebhookURL  string            `json:"webhook_url"`
	UxTemplate  string            `json:"ux_template"`
}

type consentTrackingInput struct {
	EndUserID  string `json:"end_user_id"`
	MerchantID string `json:"merchant_id"`
}

type createConsentRequest struct {
	AisMethod   aisMethodInput       `json:"ais_method"`
	Consent     *consentTermsInput   `json:"consent"`
	Options     consentOptionsInput  `json:"options"`
	TrackingIDs consentTrackingInput `json:"tracking_ids"`
}

type createConsentReply struct {
	RequestID           string `json:"request_id"`
	CreatedAt           string `json:"created_at"`
	ExpiresAt           string `json:"expires_at"`
	ConsentValidityDays int    `json:"consent_validity_days"`
	APIClientApp        string `json:"api_client_app"`
	ConsentID           string `json:"consent_id"`
	WebID               string `json:"web_id"`
	WebURL              string `json:"web_url"`
}

// createConsent serves POST /v2/ais/consents/create. The link and
// wrapped_sca flows answer the WebUI page; direct_sca and redirect_sca
// answer the bank's SCA URL, their journey (and wrapped_sca's) started
// with the consent, which is then at sca_url_retrieved.
func (p *Provider) createConsent(w http.ResponseWriter, r *http.Request) error {
	var in createConsentRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	nc, err := p.newConsent(r, t, in)
	if err != nil {
		return err
	}
	c, x, err := p.store.CreateConsent(ctx, t, nc)
	if err != nil {
		return err
	}
	out := createConsentReply{
		RequestID: httpapi.RequestID(ctx), CreatedAt: wireTime(c.CreatedAt), ExpiresAt: wireTime(c.ExpiresAt),
		ConsentValidityDays: c.ValidityDays, APIClientApp: appName(t), ConsentID: c.ID, WebID: c.WebID,
	}
	switch c.Flow {
	case emulator.FlowDirectSCA, emulator.FlowRedirectSCA:
		out.WebURL = journeyURL(httpapi.BaseURL(r), t, x)
	default:
		out.WebURL = webURL(httpapi.BaseURL(r), t, uiConsent, c.WebID)
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// newConsent checks a create request beyond the contract (which has
// checked types, enums and bounds) and fills in FinqLink's defaults.
func (p *Provider) newConsent(r *http.Request, t *emulator.Tenant, in createConsentRequest) (store.NewConsent, error) {
	if in.Consent == nil {
		return store.NewConsent{}, emulator.FieldError(emulator.CodeMissing, "consent", "consent is required (scope, validity_days)")
	}
	nc := store.NewConsent{
		Flow: in.Options.Type, Template: in.Options.UxTemplate, Scope: in.Consent.Scope, ValidityDays: ConsentValidityDays,
		RedirectURL: in.Options.RedirectURL, WebhookURL: in.Options.WebhookURL,
		Method: emulator.AISMethodFilter{
			ProviderID: in.AisMethod.ProviderID, AccountOwnerType: in.AisMethod.AccountOwnerType,
			InterfaceType: in.AisMethod.InterfaceType, InterfaceEnv: in.AisMethod.InterfaceEnv,
		},
		EndUserID: in.TrackingIDs.EndUserID, MerchantID: in.TrackingIDs.MerchantID, ExpiresIn: ConsentLinkTTL,
	}
	if nc.Flow == "" {
		nc.Flow = emulator.FlowLink
	}
	if nc.Template == "" {
		nc.Template = emulator.UXTemplates[0]
	}
	if len(nc.Scope) == 0 {
		nc.Scope = []string{"accounts", "balances", "transactions"}
	}
	if in.Consent.ValidityDays != nil {
		nc.ValidityDays = *in.Consent.ValidityDays
	}
	if in.Options.ExpiresIn != nil {
		nc.ExpiresIn = time.Duration(*in.Options.ExpiresIn) * time.Second
	}
	for _, u := range [][2]string{{"options.redirect_url", nc.RedirectURL}, {"options.webhook_url", nc.WebhookURL}} {
		if u[1] != "" && !absoluteURL(u[1], true) {
			return nc, emulator.FieldError(emulator.CodeInvalid, u[0], "%q is not an absolute http(s) URL", u[1])
		}
	}
	if nc.Flow != emulator.FlowLink && nc.Method.ProviderID == "" {
		return nc, emulator.FieldError(emulator.CodeMissing, "ais_method.provider_id", "a %s consent goes straight to one bank: name it in ais_method.provider_id", nc.Flow)
	}
	if nc.Flow == emulator.FlowDirectSCA && nc.RedirectURL == "" {
		return nc, emulator.FieldError(emulator.CodeMissing, "options.redirect_url", "a direct_sca consent needs options.redirect_url: the bank sends the account holder back there")
	}
	if err := p.checkAISMethod(r, t, nc.Method); err != nil {
		return nc, err
	}
	switch nc.Flow {
	case emulator.FlowWrappedSCA, emulator.FlowDirectSCA, emulator.FlowRedirectSCA:
		base := httpapi.BaseURL(r)
		returnURL := func(webID string) string { return webURL(base, t, uiConsent, webID) }
		if nc.Flow == emulator.FlowDirectSCA {
			returnURL = func(string) string { return nc.RedirectURL }
		}
		nc.Journey = &store.ConsentJourney{BankID: nc.Method.ProviderID, ReturnURL: returnURL, TTL: emulator.Or(t.Behaviour.JourneyTTL, JourneyTTL)}
	}
	return nc, nil
}

// checkAISMethod refuses an ais_method filter that names a bank outside
// the client's world (validation_error) or that no AIS method matches
// (method_selection_error: the WebUI would have no bank to offer).
func (p *Provider) checkAISMethod(r *http.Request, t *emulator.Tenant, m emulator.AISMethodFilter) error {
	kept, known, err := banksAllowing(r.Context(), p.store, t, m.ProviderID, aisAllows(m))
	switch {
	case err != nil:
		return err
	case !known:
		return emulator.FieldError(emulator.CodeInvalid, "ais_method.provider_id", "no provider %q: see providers/list", m.ProviderID)
	case len(kept) == 0:
		return fail(http.StatusBadRequest, "method_selection_error", "no AIS method matches ais_method (account_owner_type, interface_type, interface_env)")
	}
	return nil
}

// aisMethodOf is the bank's first AIS method that the filter admits, as
// the providers catalogue describes the bank.
func aisMethodOf(b emulator.Bank, m emulator.AISMethodFilter) (aisMethodJSON, bool) {
	methods := aisMethods(catalogueEntry(b), m)
	if len(methods) == 0 {
		return aisMethodJSON{}, false
	}
	return aisMethodWire(methods[0]), true
}

type consentIDRequest struct {
	ConsentID string `json:"consent_id"`
}

type providerSummaryJSON struct {
	ProviderID string `json:"provider_id"`
	Name       string `json:"name"`
}

type getConsentReply struct {
	RequestID           string                 `json:"request_id"`
	Status              emulator.ConsentStatus `json:"status"`
	ExpiresAt           string                 `json:"expires_at"`
	ConsentValidityDays int                    `json:"consent_validity_days"`
	AuthorizedUntil     *string                `json:"authorized_until"`
	APIClientApp        string                 `json:"api_client_app"`
	ConsentID           string                 `json:"consent_id"`
	WebID               string                 `json:"web_id"`
	WebURL              *string                `json:"web_url"`
	Scope               []string               `json:"scope"`
	AisMethod           *aisMethodJSON         `json:"ais_method"`
	Provider            *providerSummaryJSON   `json:"provider"`
	Accounts            []aisAccountJSON       `json:"accounts,omitempty"`
}

// getConsent serves POST /v2/ais/consents/get: 200 for any consent of the
// client, whatever its status (notes §3). The bank and its AIS method are
// null until chosen, authorized_until until authorized, and the shared
// accounts appear once the consent is active.
func (p *Provider) getConsent(w http.ResponseWriter, r *http.Request) error {
	var in consentIDRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	c, err := p.store.AISConsent(ctx, t, in.ConsentID)
	if err != nil {
		return err
	}
	out := getConsentReply{
		RequestID: httpapi.RequestID(ctx), Status: c.Status, ExpiresAt: wireTime(c.ExpiresAt), ConsentValidityDays: c.ValidityDays,
		APIClientApp: appName(t), ConsentID: c.ID, WebID: c.WebID, Scope: c.Scope,
	}
	if c.AuthorizedUntil != nil {
		s := wireTime(*c.AuthorizedUntil)
		out.AuthorizedUntil = &s
	}
	base := httpapi.BaseURL(r)
	switch c.Flow {
	case emulator.FlowLink, emulator.FlowWrappedSCA:
		u := webURL(base, t, uiConsent, c.WebID)
		out.WebURL = &u
	case emulator.FlowRedirectSCA:
		if x, err := p.store.SCASession(ctx, t, c.SCASessionID); err == nil {
			u := journeyURL(base, t, x)
			out.WebURL = &u
		}
	}
	// direct_sca: null once created (notes §8.6: get-consent says so).
	if c.BankID != "" {
		b, err := p.store.Bank(ctx, t, c.BankID)
		if err != nil {
			return err
		}
		out.Provider = &providerSummaryJSON{ProviderID: b.ID, Name: b.Name}
		m, ok := aisMethodOf(b, c.Method)
		if !ok {
			m, _ = aisMethodOf(b, emulator.AISMethodFilter{})
		}
		out.AisMethod = &m
	}
	if c.Status == emulator.ConsentActive {
		accts, err := p.consentAccounts(r, t, c)
		if err != nil {
			return err
		}
		out.Accounts = accts
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

type revokeConsentReply struct {
	RequestID    string                 `json:"request_id"`
	APIClientApp string                 `json:"api_client_app"`
	ConsentID    string                 `json:"consent_id"`
	Status       emulator.ConsentStatus `json:"status"`
}

// revokeConsent serves POST /v2/ais/consents/revoke. Any consent not yet
// final becomes revoked (a journey still at the bank ends with it);
// revoking a revoked consent answers it again; an expired or failed one
// answers 400 consent_not_active (Sandbank's choice: there is nothing
// left to revoke, and the page was not captured).
func (p *Provider) revokeConsent(w http.ResponseWriter, r *http.Request) error {
	var in consentIDRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	c, err := p.store.RevokeAISConsent(ctx, t, in.ConsentID)
	if err != nil {
		return aisFailure(err)
	}
	return httpapi.JSON(w, http.StatusOK, revokeConsentReply{RequestID: httpapi.RequestID(ctx), APIClientApp: appName(t), ConsentID: c.ID, Status: c.Status})
}

type consentRedirectReply struct {
	RequestID    string `json:"request_id"`
	Status       string `json:"status"`
	APIClientApp string `json:"api_client_app"`
	ConsentID    string `json:"consent_id"`
	WebID        string `json:"web_id"`
}

// handleConsentRedirect serves POST /v2/ais/consents/redirect: a
// direct_sca client hands over the bank's callback, whose state is the
// consent's web_id. 202 redirect_in_progress while the account holder is
// still at the bank; 200 when this call processed the callback (an
// approval makes the consent authorized, and with wait true active at
// once, since Sandbank's bank answers instantly; an error fails it); 201
// when it had been handed over before.
func (p *Provider) handleConsentRedirect(w http.ResponseWriter, r *http.Request) error {
	state, cb, err := handedCallback(r, "the callback has no state")
	if err != nil {
		return err
	}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	c, res, err := p.store.HandleConsentCallback(ctx, t, state, cb)
	if err != nil {
		return err
	}
	out := consentRedirectReply{RequestID: httpapi.RequestID(ctx), APIClientApp: appName(t), ConsentID: c.ID, WebID: c.WebID}
	var status int
	status, out.Status = redirectStatus(res, string(c.Status))
	return httpapi.JSON(w, status, out)
}

// aisFailure names the store's refusals in FinqLink's words: a consent
// that is not active (consent_not_active) and a refresh inside the
// cooldown (cooldown_failed), both 400 (notes §2-§3).
func aisFailure(err error) error {
	var na *store.ConsentNotActiveError
	if errors.As(err, &na) {
		return fail(http.StatusBadRequest, "consent_not_active", "consent %s is %s, not active", na.ID, na.Status)
	}
	var cd *store.CooldownError
	if errors.As(err, &cd) {
		return fail(http.StatusBadRequest, "cooldown_failed", "%s", cd.Error())
	}
	return err
}

// activeConsent decodes a Data request into in and finds the consent it
// names, whose data may be read now, refusing one that is not active with
// 400 consent_not_active. consentID points at in's consent_id, read once
// in is decoded.
func (p *Provider) activeConsent(r *http.Request, in any, consentID *string) (*emulator.Tenant, emulator.AISConsent, error) {
	if err := httpapi.DecodeJSON(r, in); err != nil {
		return nil, emulator.AISConsent{}, err
	}
	t := httpapi.TenantFrom(r.Context())
	c, err := p.store.AISConsent(r.Context(), t, *consentID)
	if err != nil {
		return t, c, err
	}
	if !store.ConsentActive(c, p.store.Now(t)) {
		return t, c, aisFailure(&store.ConsentNotActiveError{ID: c.ID, Status: c.Status})
	}
	return t, c, nil
}
