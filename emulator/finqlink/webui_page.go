package finqlink

import (
	"context"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// The payment page of a link and the consent page of a consent follow one
// flow: load what the page names, show a lapsed one as expired, open it on
// first sight, take the bank's callback, render; on POST check the form
// token, then choose a bank or cancel. The flow is written once here; each
// kind of page supplies only what differs, as a pageKind and a pageItem.

// pageKind is one kind of WebUI page: its path segment, how to load what
// it names, and the notices shown when the store refuses a change.
type pageKind struct {
	name string // uiPay or uiConsent
	// load finds the link or consent by web id; the store's not-found
	// becomes the page's own 404.
	load func(u *WebUI, ctx context.Context, t *emulator.Tenant, webID string) (pageItem, error)
	// noCancel and noChoose say why a cancel or a bank choice changed
	// nothing, on the page as it now stands.
	noCancel, noChoose string
}

// pageItem is a link or a consent as one request loaded it, with the
// steps in which the two pages differ.
type pageItem interface {
	// id, webID and template are the item's id (signing the form token),
	// its web id and its ux_template (theming the error pages).
	id() string
	webID() string
	template() string
	// choosing reports whether it still waits for a bank to be chosen.
	choosing() bool
	// lapsed reports whether it ran out before a bank was chosen.
	lapsed(now time.Time) bool
	// expired is the page of a lapsed item.
	expired(t *emulator.Tenant) *uiError
	// created reports whether its page was never opened.
	created() bool
	// open marks it opened (created → started); a conflict means it
	// expired meanwhile.
	open(ctx context.Context, t *emulator.Tenant) (pageItem, error)
	// skipsPage reports whether the bank's callback sends the browser on
	// to the client at once: redirect_sca with a redirect_url (notes §3).
	skipsPage() bool
	// returnURL is the way back to the client.
	returnURL() string
	// view is its page as it stands.
	view(r *http.Request, t *emulator.Tenant) (uiPage, error)
	// banks lists the banks it may go to.
	banks(ctx context.Context, t *emulator.Tenant) ([]bankChoice, error)
	// cancel and choose ask the store for the change; a conflict means
	// it moved on meanwhile.
	cancel(ctx context.Context, t *emulator.Tenant) error
	choose(ctx context.Context, t *emulator.Tenant, bankID, returnURL string, ttl time.Duration) (emulator.SCASession, error)
}

// showPage serves GET on a page: its holder opening it (created →
// started), or coming back from the bank with its callback.
func (u *WebUI) showPage(w http.ResponseWriter, r *http.Request, k pageKind) error {
	ctx := r.Context()
	t, err := u.tenantOf(r, k.name)
	if err != nil {
		return err
	}
	webID := mux.Vars(r)["web_id"]
	it, err := u.item(r, t, k, webID)
	if err != nil {
		return err
	}
	if it.lapsed(u.store.Now(t)) {
		return it.expired(t)
	}
	if it.created() {
		opened, err := it.open(ctx, t)
		if emulator.IsCode(err, emulator.CodeConflict) {
			// It expired between the two reads.
			return it.expired(t)
		}
		if err != nil {
			return err
		}
		it = opened
	}
	cb, isCallback := callbackOf(r)
	if isCallback && it.skipsPage() && cb.notice(webID) == "" {
		// redirect_sca: FinqLink takes the bank's callback and sends the
		// browser on to the client at once (notes §3).
		return redirect(w, it.returnURL())
	}
	v, err := it.view(r, t)
	if err != nil {
		return err
	}
	if isCallback {
		v.Notice = cb.notice(webID)
	}
	return u.render(w, http.StatusOK, v)
}

// item loads what a page names.
func (u *WebUI) item(r *http.Request, t *emulator.Tenant, k pageKind, webID string) (pageItem, error) {
	it, err := k.load(u, r.Context(), t, webID)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return nil, notFound(k.name)
	}
	return it, err
}

// postPage serves a page's form: choose a bank, or cancel.
func (u *WebUI) postPage(w http.ResponseWriter, r *http.Request, k pageKind) error {
	t, err := u.tenantOf(r, k.name)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	it, err := u.item(r, t, k, mux.Vars(r)["web_id"])
	if err != nil {
		return err
	}
	if !tokenOK(r, formToken(t, it.id(), k.name, it.webID())) {
		return forged(pagePath(t, k.name, it.webID()), it.template())
	}
	switch action := r.PostForm.Get("action"); action {
	case "choose":
		return u.chooseBank(w, r, t, k, it)
	case "cancel":
		if err := it.cancel(r.Context(), t); err != nil {
			return u.refused(w, r, t, k, it, err, k.noCancel)
		}
		return redirect(w, pagePath(t, k.name, it.webID()))
	default:
		return &uiError{status: http.StatusBadRequest, title: "Bad request", theme: it.template(), msg: "This form has no such button."}
	}
}

// chooseBank sends the holder to the bank chosen: the store starts the
// bank journey, returning to this page, and the browser goes to the bank.
func (u *WebUI) chooseBank(w http.ResponseWriter, r *http.Request, t *emulator.Tenant, k pageKind, it pageItem) error {
	if it.lapsed(u.store.Now(t)) {
		return it.expired(t)
	}
	// A choice must be one of the banks offered (an unknown bank, or one
	// the filter excludes, changes nothing and the page says what to do).
	// Once at a bank the store decides: the same bank gets its journey
	// back, another is refused with the page as it stands.
	bankID := r.PostForm.Get("bank_id")
	offered, err := it.banks(r.Context(), t)
	if err != nil {
		return err
	}
	if _, ok := chosen(offered, bankID); !ok && it.choosing() {
		v, err := it.view(r, t)
		if err != nil {
			return err
		}
		v.Error = "Choose one of the banks listed."
		return u.render(w, http.StatusBadRequest, v)
	}
	base := httpapi.BaseURL(r)
	ttl := emulator.Or(t.Behaviour.JourneyTTL, JourneyTTL)
	s, err := it.choose(r.Context(), t, bankID, webURL(base, t, k.name, it.webID()), ttl)
	if err != nil {
		return u.refused(w, r, t, k, it, err, k.noChoose)
	}
	return redirect(w, journeyURL(base, t, s))
}

// refused handles the store refusing a change: an item that moved on
// meanwhile (another tab, its expiry, the client) shows where it stands
// now, with why nothing happened. Other errors are error pages.
func (u *WebUI) refused(w http.ResponseWriter, r *http.Request, t *emulator.Tenant, k pageKind, it pageItem, err error, why string) error {
	if !emulator.IsCode(err, emulator.CodeConflict) {
		return err
	}
	now, lerr := u.item(r, t, k, it.webID())
	if lerr != nil {
		return lerr
	}
	if now.lapsed(u.store.Now(t)) {
		return now.expired(t)
	}
	v, verr := now.view(r, t)
	if verr != nil {
		return verr
	}
	v.Notice = why
	return u.render(w, http.StatusConflict, v)
}
