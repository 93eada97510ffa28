package finqlink

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/sandbank/sandbank/emulator"
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
func consentLapsed(c emulator.AISConsent, now time.Time) bool {
	if consentOpen(c) {
		return !now.Before(c.ExpiresAt)
	}
	return c.Status == emulator.ConsentExpired && c.AuthorizedUntil == nil
}

// consentPage is the consent page of an AIS consent.
var consentPage = pageKind{
	name: uiConsent,
	load: func(u *WebUI, ctx context.Context, t *emulator.Tenant, webID string) (pageItem, error) {
		c, err := u.store.ConsentByWebID(ctx, t, webID)
		return consentItem{u: u, c: c}, err
	},
	noCancel: "This consent can no longer be cancelled here.",
	noChoose: "This consent can no longer go to a bank.",
}

// showConsent serves GET on the consent page.
func (u *WebUI) showConsent(w http.ResponseWriter, r *http.Request) error {
	return u.showPage(w, r, consentPage)
}

// postConsent serves the consent page's form: choose a bank, or cancel.
func (u *WebUI) postConsent(w http.ResponseWriter, r *http.Request) error {
	return u.postPage(w, r, consentPage)
}

// consentItem is a consent as the consent page sees it.
type consentItem struct {
	u *WebUI
	c emulator.AISConsent
}

// The pageItem steps for a consent, each as pageItem documents it.
func (i consentItem) id() string        { return i.c.ID }
func (i consentItem) webID() string     { return i.c.WebID }
func (i consentItem) template() string  { return i.c.Template }
func (i consentItem) choosing() bool    { return consentOpen(i.c) }
func (i consentItem) created() bool     { return i.c.Status == emulator.ConsentCreated }
func (i consentItem) returnURL() string { return consentReturnURL(i.c) }

func (i consentItem) lapsed(now time.Time) bool { return consentLapsed(i.c, now) }

func (i consentItem) expired(t *emulator.Tenant) *uiError { return expiredConsent(t, i.c) }

func (i consentItem) skipsPage() bool {
	return i.c.Flow == emulator.FlowRedirectSCA && i.c.RedirectURL != ""
}

func (i consentItem) open(ctx context.Context, t *emulator.Tenant) (pageItem, error) {
	c, err := i.u.store.OpenConsent(ctx, t, i.c.WebID)
	return consentItem{u: i.u, c: c}, err
}

func (i consentItem) view(r *http.Request, t *emulator.Tenant) (uiPage, error) {
	return i.u.consentView(r, t, i.c)
}

func (i consentItem) banks(ctx context.Context, t *emulator.Tenant) ([]bankChoice, error) {
	return i.u.consentBanks(ctx, t, i.c)
}

func (i consentItem) cancel(ctx context.Context, t *emulator.Tenant) error {
	_, err := i.u.store.CancelConsent(ctx, t, i.c.WebID)
	return err
}

func (i consentItem) choose(ctx context.Context, t *emulator.Tenant, bankID, returnURL string, ttl time.Duration) (emulator.SCASession, error) {
	_, s, err := i.u.store.ChooseConsentBank(ctx, t, i.c.WebID, bankID, returnURL, ttl)
	return s, err
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
	var err error
	if v.BankName, err = u.bankName(ctx, t, c.BankID); err != nil {
		return v, err
	}
	if consentOpen(c) {
		v.Heading, v.Choosing = "Share your account data with "+app, true
		v.Banks, err = u.consentBanks(ctx, t, c)
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
	if v.Refresh {
		v.ContinueURL, err = u.continueURL(r, t, c.SCASessionID)
	}
	return v, err
}
