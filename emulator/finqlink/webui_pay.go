package finqlink

import (
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/bank"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/iban"
)

// The payment page of a link: its terms and the bank list while the
// payer has not chosen (created, started), then the live status.

// linkOpen reports whether a link still waits for the payer to choose a
// bank.
func linkOpen(l emulator.PayLink) bool {
	return l.Status == emulator.LinkCreated || l.Status == emulator.LinkStarted
}

// showPay serves GET on the payment page: the payer opening the link
// (created → started), or coming back from the bank with its callback.
func (u *WebUI) showPay(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, err := u.tenantOf(r, uiPay)
	if err != nil {
		return err
	}
	webID := mux.Vars(r)["web_id"]
	l, err := u.link(r, t, webID)
	if err != nil {
		return err
	}
	if linkOpen(l) && l.Expired(u.store.Now(t)) {
		return expiredLink(t, l)
	}
	if l.Status == emulator.LinkCreated {
		opened, err := u.store.OpenLink(ctx, t, webID)
		if emulator.IsCode(err, emulator.CodeConflict) {
			// It expired between the two reads.
			return expiredLink(t, l)
		}
		if err != nil {
			return err
		}
		l = opened
	}
	cb, isCallback := callbackOf(r)
	if isCallback && l.Flow == emulator.FlowRedirectSCA && l.RedirectURL != "" && cb.notice(webID) == "" {
		// redirect_sca: FinqLink takes the bank's callback and sends the
		// browser on to the client at once (notes §3).
		return redirect(w, linkReturnURL(l))
	}
	v, err := u.payView(r, t, l)
	if err != nil {
		return err
	}
	if isCallback {
		v.Notice = cb.notice(webID)
	}
	return u.render(w, http.StatusOK, v)
}

// link loads the link a page names.
func (u *WebUI) link(r *http.Request, t *emulator.Tenant, webID string) (emulator.PayLink, error) {
	l, err := u.store.LinkByWebID(r.Context(), t, webID)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return l, notFound(uiPay)
	}
	return l, err
}

// expiredLink is the page of a link whose time ran out before the payer
// chose a bank. 410: the link will never work again.
func expiredLink(t *emulator.Tenant, l emulator.PayLink) *uiError {
	return &uiError{status: http.StatusGone, title: "This payment link has expired", theme: l.Template,
		msg: "It could be used until " + when(l.ExpiresAt) + ". Ask " + appName(t) + " for a new one."}
}

// linkReturnURL is the way back to the client once the payer is done.
func linkReturnURL(l emulator.PayLink) string {
	return returnURL(l.RedirectURL, url.Values{"web_id": {l.WebID}, "link_id": {l.ID}, "status": {string(l.Status)}})
}

// payView is the payment page of a link as it stands.
func (u *WebUI) payView(r *http.Request, t *emulator.Tenant, l emulator.PayLink) (uiPage, error) {
	ctx := r.Context()
	amount := formatAmount(l.Amount, l.Currency)
	v := uiPage{
		Title: "Pay " + amount + " to " + oneLine(l.CreditorName) + " — FinqLink", Theme: themeOf(l.Template), Kind: uiPay, App: appName(t),
		Action: pagePath(t, uiPay, l.WebID), Token: formToken(t, l.ID, uiPay, l.WebID),
		Amount: amount, Creditor: l.CreditorName, CreditorIBAN: iban.Format(l.CreditorIBAN), Description: l.Description,
		Expires: when(l.ExpiresAt),
	}
	if l.BankID != "" {
		b, err := u.store.Bank(ctx, t, l.BankID)
		if err != nil {
			return v, err
		}
		v.BankName = b.Name
	}
	if linkOpen(l) {
		v.Heading, v.Choosing = "Pay "+amount, true
		banks, err := u.linkBanks(ctx, t, l)
		v.Banks = banks
		return v, err
	}
	words, tone := linkWords(l.Status)
	v.Heading = "Payment of " + amount
	v.Status = &statusLine{Words: words, Code: string(l.Status), Tone: tone}
	v.Refresh = !linkSettled(l)
	if linkReturnable(l) {
		v.ReturnURL = linkReturnURL(l)
	}
	if v.Refresh && l.SCASessionID != "" {
		cont, err := u.continueURL(r, t, l.SCASessionID)
		if err != nil {
			return v, err
		}
		v.ContinueURL = cont
	}
	return v, nil
}

// continueURL leads back to a bank journey the payer left pending (a
// closed tab, the back button), or is empty once the journey is over.
func (u *WebUI) continueURL(r *http.Request, t *emulator.Tenant, sessionID string) (string, error) {
	s, err := u.store.SCASession(r.Context(), t, sessionID)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return "", nil
	}
	if err != nil || s.Status != emulator.SCAPending || !u.store.Now(t).Before(s.ExpiresAt) {
		return "", err
	}
	return journeyURL(httpapi.BaseURL(r), t, s), nil
}

// journeyURL is the bank page a journey starts on: the phone page for a
// bank that authenticates in its app, else the bank's login.
func journeyURL(base string, t *emulator.Tenant, s emulator.SCASession) string {
	if s.Model == emulator.SCADecoupled {
		return bank.PhoneURL(base, t, s.ID)
	}
	return bank.JourneyURL(base, t, s.ID)
}

// postPay serves the payment page's form: choose a bank, or cancel.
func (u *WebUI) postPay(w http.ResponseWriter, r *http.Request) error {
	t, err := u.tenantOf(r, uiPay)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	l, err := u.link(r, t, mux.Vars(r)["web_id"])
	if err != nil {
		return err
	}
	if !tokenOK(r, formToken(t, l.ID, uiPay, l.WebID)) {
		return forged(pagePath(t, uiPay, l.WebID), l.Template)
	}
	switch action := r.PostForm.Get("action"); action {
	case "choose":
		return u.chooseLinkBank(w, r, t, l)
	case "cancel":
		if _, err := u.store.CancelLink(r.Context(), t, l.WebID); err != nil {
			return u.linkRefused(w, r, t, l, err, "This payment can no longer be cancelled here.")
		}
		return redirect(w, pagePath(t, uiPay, l.WebID))
	default:
		return &uiError{status: http.StatusBadRequest, title: "Bad request", theme: l.Template, msg: "This form has no such button."}
	}
}

// chooseLinkBank sends the payer to the bank chosen: the store starts the
// bank journey, returning to this page, and the browser goes to the bank.
func (u *WebUI) chooseLinkBank(w http.ResponseWriter, r *http.Request, t *emulator.Tenant, l emulator.PayLink) error {
	if linkOpen(l) && l.Expired(u.store.Now(t)) {
		return expiredLink(t, l)
	}
	// A choice must be one of the banks offered (an unknown bank, or one
	// the filter excludes, changes nothing and the page says what to do).
	// Once at a bank the store decides: the same bank gets its journey
	// back, another is refused with the page as it stands.
	bankID := r.PostForm.Get("bank_id")
	offered, err := u.linkBanks(r.Context(), t, l)
	if err != nil {
		return err
	}
	if _, ok := chosen(offered, bankID); !ok && linkOpen(l) {
		v, err := u.payView(r, t, l)
		if err != nil {
			return err
		}
		v.Error = "Choose one of the banks listed."
		return u.render(w, http.StatusBadRequest, v)
	}
	base := httpapi.BaseURL(r)
	ttl := emulator.Or(t.Behaviour.JourneyTTL, JourneyTTL)
	_, s, err := u.store.ChooseLinkBank(r.Context(), t, l.WebID, bankID, webURL(base, t, uiPay, l.WebID), ttl)
	if err != nil {
		return u.linkRefused(w, r, t, l, err, "This payment can no longer go to a bank.")
	}
	return redirect(w, journeyURL(base, t, s))
}

// linkRefused handles the store refusing a change: a link that moved on
// meanwhile (another tab, its expiry, the client) shows where it stands
// now, with why nothing happened. Other errors are error pages.
func (u *WebUI) linkRefused(w http.ResponseWriter, r *http.Request, t *emulator.Tenant, l emulator.PayLink, err error, why string) error {
	if !emulator.IsCode(err, emulator.CodeConflict) {
		return err
	}
	now, lerr := u.link(r, t, l.WebID)
	if lerr != nil {
		return lerr
	}
	if linkOpen(now) && now.Expired(u.store.Now(t)) {
		return expiredLink(t, now)
	}
	v, verr := u.payView(r, t, now)
	if verr != nil {
		return verr
	}
	v.Notice = why
	return u.render(w, http.StatusConflict, v)
}
