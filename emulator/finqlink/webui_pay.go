package finqlink

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/sandbank/sandbank/emulator"
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

// payPage is the payment page of a link.
var payPage = pageKind{
	name: uiPay,
	load: func(u *WebUI, ctx context.Context, t *emulator.Tenant, webID string) (pageItem, error) {
		l, err := u.store.LinkByWebID(ctx, t, webID)
		return linkItem{u: u, l: l}, err
	},
	noCancel: "This payment can no longer be cancelled here.",
	noChoose: "This payment can no longer go to a bank.",
}

// showPay serves GET on the payment page: the payer opening the link
// (created → started), or coming back from the bank with its callback.
func (u *WebUI) showPay(w http.ResponseWriter, r *http.Request) error {
	return u.showPage(w, r, payPage)
}

// postPay serves the payment page's form: choose a bank, or cancel.
func (u *WebUI) postPay(w http.ResponseWriter, r *http.Request) error {
	return u.postPage(w, r, payPage)
}

// linkItem is a link as the payment page sees it.
type linkItem struct {
	u *WebUI
	l emulator.PayLink
}

// The pageItem steps for a link, each as pageItem documents it.
func (i linkItem) id() string        { return i.l.ID }
func (i linkItem) webID() string     { return i.l.WebID }
func (i linkItem) template() string  { return i.l.Template }
func (i linkItem) choosing() bool    { return linkOpen(i.l) }
func (i linkItem) created() bool     { return i.l.Status == emulator.LinkCreated }
func (i linkItem) returnURL() string { return linkReturnURL(i.l) }

func (i linkItem) lapsed(now time.Time) bool {
	return linkOpen(i.l) && i.l.Expired(now)
}

func (i linkItem) expired(t *emulator.Tenant) *uiError { return expiredLink(t, i.l) }

func (i linkItem) skipsPage() bool {
	return i.l.Flow == emulator.FlowRedirectSCA && i.l.RedirectURL != ""
}

func (i linkItem) open(ctx context.Context, t *emulator.Tenant) (pageItem, error) {
	l, err := i.u.store.OpenLink(ctx, t, i.l.WebID)
	return linkItem{u: i.u, l: l}, err
}

func (i linkItem) view(r *http.Request, t *emulator.Tenant) (uiPage, error) {
	return i.u.payView(r, t, i.l)
}

func (i linkItem) banks(ctx context.Context, t *emulator.Tenant) ([]bankChoice, error) {
	return i.u.linkBanks(ctx, t, i.l)
}

func (i linkItem) cancel(ctx context.Context, t *emulator.Tenant) error {
	_, err := i.u.store.CancelLink(ctx, t, i.l.WebID)
	return err
}

func (i linkItem) choose(ctx context.Context, t *emulator.Tenant, bankID, returnURL string, ttl time.Duration) (emulator.SCASession, error) {
	_, s, err := i.u.store.ChooseLinkBank(ctx, t, i.l.WebID, bankID, returnURL, ttl)
	return s, err
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
	var err error
	if v.BankName, err = u.bankName(ctx, t, l.BankID); err != nil {
		return v, err
	}
	if linkOpen(l) {
		v.Heading, v.Choosing = "Pay "+amount, true
		v.Banks, err = u.linkBanks(ctx, t, l)
		return v, err
	}
	words, tone := linkWords(l.Status)
	v.Heading = "Payment of " + amount
	v.Status = &statusLine{Words: words, Code: string(l.Status), Tone: tone}
	v.Refresh = !linkSettled(l)
	if linkReturnable(l) {
		v.ReturnURL = linkReturnURL(l)
	}
	if v.Refresh {
		v.ContinueURL, err = u.continueURL(r, t, l.SCASessionID)
	}
	return v, err
}

// continueURL leads back to a bank journey the payer left pending (a
// closed tab, the back button), or is empty when there is none or it is
// over.
func (u *WebUI) continueURL(r *http.Request, t *emulator.Tenant, sessionID string) (string, error) {
	if sessionID == "" {
		return "", nil
	}
	s, err := u.store.SCASession(r.Context(), t, sessionID)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return "", nil
	}
	if err != nil || s.Status != emulator.SCAPending || !u.store.Now(t).Before(s.ExpiresAt) {
		return "", err
	}
	return journeyURL(httpapi.BaseURL(r), t, s), nil
}

// bankName is the name of the bank a link or consent went to, or empty
// before one is chosen.
func (u *WebUI) bankName(ctx context.Context, t *emulator.Tenant, bankID string) (string, error) {
	if bankID == "" {
		return "", nil
	}
	b, err := u.store.Bank(ctx, t, bankID)
	return b.Name, err
}
