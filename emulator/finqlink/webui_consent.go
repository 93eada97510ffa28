package finqlink

import (
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// The consent page of an AIS consent: what will be shared and for how
// long, the bank list while the account holder has not chosen, then the
// live status. It mirrors the payment page.

// consentOpen reports whether a consent still waits for a bank to be
// chosen.
func consentOpen(c emulator.AISConsent) bool {
	return c.Status == emulator.ConsentCreated || c.Status == emulator.ConsentStarted
}

// consentLapsed reports whether a consent's link ran out before it was
// authorized: by the clock, or already marked expired without ever having
// been authorized.
func (u *WebUI) consentLapsed(t *emulator.Tenant, c emulator.AISConsent) bool {
	if consentOpen(c) {
		return !u.store.Now(t).Before(c.ExpiresAt)
	}
	return c.Status == emulator.ConsentExpired && c.AuthorizedUntil == nil
}

// showConsent serves GET on the consent page.
func (u *WebUI) showConsent(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, err := u.tenantOf(r, uiConsent)
	if err != nil {
		return err
	}
	webID := mux.Vars(r)["web_id"]
	c, err := u.consent(r, t, webID)
	if err != nil {
		return err
	}
	if u.consentLapsed(t, c) {
		return expiredConsent(t, c)
	}
	if c.Status == emulator.ConsentCreated {
		opened, err := u.store.OpenConsent(ctx, t, webID)
		if emulator.IsCode(err, emulator.CodeConflict) {
			return expiredConsent(t, c)
		}
		if err != nil {
			return err
		}
		c = opened
	}
	cb, isCallback := callbackOf(r)
	if isCallback && c.Flow == emulator.FlowRedirectSCA && c.RedirectURL != "" && cb.notice(webID) == "" {
		return redirect(w, consentReturnURL(c))
	}
	v, err := u.consentView(r, t, c)
	if err != nil {
		return err
	}
	if isCallback {
		v.Notice = cb.notice(webID)
	}
	return u.render(w, http.StatusOK, v)
}

// consent loads the consent a page names.
func (u *WebUI) consent(r *http.Request, t *emulator.Tenant, webID string) (emulator.AISConsent, error) {
	c, err := u.store.ConsentByWebID(r.Context(), t, webID)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return c, notFound(uiConsent)
	}
	return c, err
}

// expiredConsent is the page of a consent link that ran out unused.
func expiredConsent(t *emulator.Tenant, c emulator.AISConsent) *uiError {
	return &uiError{status: http.StatusGone, title: "This consent link has expired", theme: c.Template,
		msg: "It could be used until " + when(c.ExpiresAt) + ". Ask " + appName(t) + " for a new one."}
}

// consentReturnURL is the way back to the client.
func consentReturnURL(c emulator.AISConsent) string {
	return returnURL(c.RedirectURL, url.Values{"web_id": {c.WebID}, "consent_id": {c.ID}, "status": {string(c.Status)}})
}

// consentView is the consent page as the consent stands.
func (u *WebUI) consentView(r *http.Request, t *emulator.Tenant, c emulator.AISConsent) (uiPage, error) {
	ctx := r.Context()
	app := appName(t)
	v := uiPage{
		Title: "Share your account data with " + oneLine(app) + " — FinqLink", Theme: themeOf(c.Template), Kind: uiConsent, App: app,
		Action: pagePath(t, uiConsent, c.WebID), Token: formToken(t, c.ID, uiConsent, c.WebID),
		Scope: scopeWords(c.Scope), ValidityDays: c.ValidityDays, Expires: when(c.ExpiresAt),
	}
	if c.BankID != "" {
		b, err := u.store.Bank(ctx, t, c.BankID)
		if err != nil {
			return v, err
		}
		v.BankName = b.Name
	}
	if consentOpen(c) {
		v.Heading, v.Choosing = "Share your account data with "+app, true
		banks, err := u.consentBanks(ctx, t, c)
		v.Banks = banks
		return v, err
	}
	words, tone := consentWords(c.Status)
	v.Heading = "Access to your account data"
	v.Status = &statusLine{Words: words, Code: string(c.Status), Tone: tone}
	settled := consentSettled(c)
	v.Refresh = !settled
	if settled {
		v.ReturnURL = consentReturnURL(c)
	}
	if !settled && c.SCASessionID != "" {
		cont, err := u.continueURL(r, t, c.SCASessionID)
		if err != nil {
			return v, err
		}
		v.ContinueURL = cont
	}
	return v, nil
}

// postConsent serves the consent page's form: choose a bank, or cancel.
func (u *WebUI) postConsent(w http.ResponseWriter, r *http.Request) error {
	t, err := u.tenantOf(r, uiConsent)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	c, err := u.consent(r, t, mux.Vars(r)["web_id"])
	if err != nil {
		return err
	}
	if !tokenOK(r, formToken(t, c.ID, uiConsent, c.WebID)) {
		return forged(pagePath(t, uiConsent, c.WebID), c.Template)
	}
	switch action := r.PostForm.Get("action"); action {
	case "choose":
		return u.chooseConsentBank(w, r, t, c)
	case "cancel":
		if _, err := u.store.CancelConsent(r.Context(), t, c.WebID); err != nil {
			return u.consentRefused(w, r, t, c, err, "This consent can no longer be cancelled here.")
		}
		return redirect(w, pagePath(t, uiConsent, c.WebID))
	default:
		return &uiError{status: http.StatusBadRequest, title: "Bad request", theme: c.Template, msg: "This form has no such button."}
	}
}

// chooseConsentBank sends the account holder to the bank chosen.
func (u *WebUI) chooseConsentBank(w http.ResponseWriter, r *http.Request, t *emulator.Tenant, c emulator.AISConsent) error {
	if u.consentLapsed(t, c) {
		return expiredConsent(t, c)
	}
	// A choice must be one of the banks offered (an unknown bank, or one
	// the filter excludes, changes nothing and the page says what to do).
	// Once at a bank the store decides: the same bank gets its journey
	// back, another is refused with the page as it stands.
	bankID := r.PostForm.Get("bank_id")
	offered, err := u.consentBanks(r.Context(), t, c)
	if err != nil {
		return err
	}
	if _, ok := chosen(offered, bankID); !ok && consentOpen(c) {
		v, err := u.consentView(r, t, c)
		if err != nil {
			return err
		}
		v.Error = "Choose one of the banks listed."
		return u.render(w, http.StatusBadRequest, v)
	}
	base := httpapi.BaseURL(r)
	ttl := emulator.Or(t.Behaviour.JourneyTTL, JourneyTTL)
	_, s, err := u.store.ChooseConsentBank(r.Context(), t, c.WebID, bankID, webURL(base, t, uiConsent, c.WebID), ttl)
	if err != nil {
		return u.consentRefused(w, r, t, c, err, "This consent can no longer go to a bank.")
	}
	return redirect(w, journeyURL(base, t, s))
}

// consentRefused is linkRefused for consents.
func (u *WebUI) consentRefused(w http.ResponseWriter, r *http.Request, t *emulator.Tenant, c emulator.AISConsent, err error, why string) error {
	if !emulator.IsCode(err, emulator.CodeConflict) {
		return err
	}
	now, lerr := u.consent(r, t, c.WebID)
	if lerr != nil {
		return lerr
	}
	if u.consentLapsed(t, now) {
		return expiredConsent(t, now)
	}
	v, verr := u.consentView(r, t, now)
	if verr != nil {
		return verr
	}
	v.Notice = why
	return u.render(w, http.StatusConflict, v)
}
