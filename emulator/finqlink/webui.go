package finqlink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/web"
)

// FinqLink's hosted WebUI (DESIGN.md §5): the payment page of a link and
// the consent page of an AIS consent, where the payer or account holder
// sees what is asked, picks a bank and, back from the bank, follows the
// status live. The pages are server-rendered, work without JavaScript
// (the live status refreshes with a meta refresh) and come in the six
// ux_template themes.

// WebUI serves FinqLink's hosted pages beside the bank pages.
type WebUI struct {
	store *store.Store
	log   *slog.Logger
	tmpl  *template.Template
}

// NewWebUI parses the templates. A missing page stops start-up rather
// than failing a request.
func NewWebUI(st *store.Store, log *slog.Logger) (*WebUI, error) {
	if st == nil {
		return nil, errors.New("finqlink webui: a store is required")
	}
	tmpl, err := web.Templates()
	if err != nil {
		return nil, fmt.Errorf("finqlink webui: templates: %w", err)
	}
	for _, name := range []string{pageTemplate, errorTemplate} {
		if tmpl.Lookup(name) == nil {
			return nil, fmt.Errorf("finqlink webui: template %s is missing", name)
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &WebUI{store: st, log: log, tmpl: tmpl}, nil
}

// The WebUI's two templates: every page of a link or consent, and the
// pages of an unknown, expired or refused one.
const (
	pageTemplate  = "finqlink_page.html"
	errorTemplate = "finqlink_error.html"
)

// Mount registers the payment and consent pages. Their stylesheet and the
// banks' logos are the bank pages' static files (/bank/static/).
func (u *WebUI) Mount(r *mux.Router) {
	pay := WebUIPrefix + "/{key}/" + uiPay + "/{web_id}"
	consent := WebUIPrefix + "/{key}/" + uiConsent + "/{web_id}"
	r.Handle(pay, u.adapt(u.showPay)).Methods(http.MethodGet)
	r.Handle(pay, u.adapt(u.postPay)).Methods(http.MethodPost)
	r.Handle(consent, u.adapt(u.showConsent)).Methods(http.MethodGet)
	r.Handle(consent, u.adapt(u.postConsent)).Methods(http.MethodPost)
}

// uiPage is the data of the WebUI's page template, for both kinds of
// page; each state of a page fills a part of it.
type uiPage struct {
	Title string
	// Theme is the ux_template: the <body> carries class theme-{Theme}.
	Theme string
	Kind  string // uiPay or uiConsent
	App   string // the API client's name: "Return to {App}"
	// Heading is the page's <h1>.
	Heading string
	// Error is a problem with the form just sent; Notice a sentence about
	// the page's state (a change refused, a bank's odd answer).
	Error, Notice string
	// Action is the page's own path, where its forms post; Token the
	// form's anti-forgery token.
	Action, Token string
	// Refresh makes the page reload itself every two seconds while the
	// status may still change.
	Refresh bool

	// The payment's terms.
	Amount, Creditor, CreditorIBAN, Description string
	// The consent's terms.
	Scope        []string
	ValidityDays int
	// Expires says until when the link or consent can be used.
	Expires string

	// Choosing shows the bank list and the buttons.
	Choosing bool
	Banks    []bankChoice
	// Status is the live status, once there is one to follow.
	Status *statusLine
	// BankName is the bank chosen, if any.
	BankName string
	// ContinueURL leads back to a bank journey still pending; ReturnURL
	// to the client's redirect_url, once the payer is done.
	ContinueURL, ReturnURL string
}

// statusLine is a link's or consent's status: in words, as FinqLink's
// status name, and as a tone for its colour.
type statusLine struct {
	Words, Code string
	Tone        tone
}

// errorPage is the data of the error template. App and Refresh are
// always empty: the shared page head asks for them.
type errorPage struct {
	Title, Theme, Message, Link, LinkText string
	App                                   string
	Refresh                               bool
}

// uiError is an expected failure shown as an error page.
type uiError struct {
	status         int
	title, msg     string
	theme          string
	link, linkText string
}

func (e *uiError) Error() string { return e.msg }

// notFound answers a page whose tenant or web_id is unknown, alike, so a
// page never reveals whether a tenant exists.
func notFound(kind string) *uiError {
	what := "payment link"
	if kind == uiConsent {
		what = "consent link"
	}
	return &uiError{status: http.StatusNotFound, title: "Page not found",
		msg: "This " + what + " is unknown. Check the link you were given, or ask the application for a new one."}
}

// forged answers a form without the page's token: posted from somewhere
// else, or from a page older than the link's current state. Nothing
// changes.
func forged(here string, theme string) *uiError {
	return &uiError{status: http.StatusForbidden, title: "This form cannot be accepted", theme: theme,
		msg: "The form was not sent from this page, or the page is out of date. Nothing was changed.", link: here, linkText: "Reload the page"}
}

// uiPolicy keeps the WebUI to Sandbank's own stylesheet and images, as
// the bank pages are. There is no form-action limit: choosing a bank
// posts a form that is answered with a redirect to the bank.
var uiPolicy = web.Policy{
	CSP:      "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
	Referrer: "no-referrer",
}

// handler is a page handler: it writes a page or returns an error that
// adapt shows as an error page.
type handler func(w http.ResponseWriter, r *http.Request) error

func (u *WebUI) adapt(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			u.fail(w, r, err)
		}
	})
}

// fail shows an error page; only unexpected errors are logged, as they
// are Sandbank's fault rather than the visitor's.
func (u *WebUI) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := classify(err)
	if e.status >= 500 {
		u.log.ErrorContext(r.Context(), "finqlink webui failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	v := errorPage{Title: e.title, Theme: themeOf(e.theme), Message: e.msg, Link: e.link, LinkText: e.linkText}
	if rerr := web.Render(w, e.status, u.tmpl, errorTemplate, v, uiPolicy); rerr != nil {
		u.log.ErrorContext(r.Context(), "finqlink webui error page failed", "err", rerr)
		http.Error(w, e.msg, e.status)
	}
}

func classify(err error) *uiError {
	var ue *uiError
	if errors.As(err, &ue) {
		return ue
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &uiError{status: http.StatusRequestEntityTooLarge, title: "Form too large", msg: "The form sent is too large."}
	}
	var de *emulator.Error
	if errors.As(err, &de) {
		switch de.Code {
		case emulator.CodeNotFound:
			return &uiError{status: http.StatusNotFound, title: "Page not found", msg: "This link is unknown."}
		case emulator.CodeInvalid, emulator.CodeMissing:
			return &uiError{status: http.StatusBadRequest, title: "Bad request", msg: de.Message}
		case emulator.CodeConflict:
			return &uiError{status: http.StatusConflict, title: "This cannot be done now", msg: de.Message}
		}
	}
	return &uiError{status: http.StatusInternalServerError, title: "Something went wrong", msg: "Sandbank could not show this page."}
}

// render writes the page template.
func (u *WebUI) render(w http.ResponseWriter, status int, v uiPage) error {
	if err := web.Render(w, status, u.tmpl, pageTemplate, v, uiPolicy); err != nil {
		return fmt.Errorf("finqlink webui: %w", err)
	}
	return nil
}

// redirect answers a bare redirect.
func redirect(w http.ResponseWriter, location string) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusSeeOther)
	return nil
}

// tenantOf finds the FinqLink tenant a page URL names. Another provider's
// tenant key is as unknown as a made-up one.
func (u *WebUI) tenantOf(r *http.Request, kind string) (*emulator.Tenant, error) {
	t, err := u.store.TenantByKey(r.Context(), mux.Vars(r)["key"])
	if emulator.IsCode(err, emulator.CodeNotFound) || (err == nil && t.Provider != emulator.FinqLink) {
		return nil, notFound(kind)
	}
	if err != nil {
		return nil, err
	}
	httpapi.NoteTenant(r.Context(), t)
	return t, nil
}

// pagePath is a WebUI page's own path: where its forms post and its
// errors link back to.
func pagePath(t *emulator.Tenant, kind, webID string) string {
	return WebUIPrefix + "/" + t.Key() + "/" + kind + "/" + url.PathEscape(webID)
}

// formToken is a page's anti-forgery token: an HMAC of the page under a
// key only Sandbank and the API client know (the tenant's secret hash and
// the link's or consent's id, never shown on the page). A form posted by
// another web site cannot carry it, and it survives restarts, so a page
// opened before one still posts.
func formToken(t *emulator.Tenant, id, kind, webID string) string {
	m := hmac.New(sha256.New, []byte(t.SecretHash+"\x00"+id))
	m.Write([]byte("finqlink webui\x00" + kind + "\x00" + webID))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// tokenOK checks a posted form's token.
func tokenOK(r *http.Request, want string) bool {
	return hmac.Equal([]byte(r.PostForm.Get("token")), []byte(want))
}

// parseForm reads a posted form with a size limit; query parameters are
// not part of it.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r, 16<<10); !errors.Is(err, web.ErrBadForm) {
		return err
	}
	return &uiError{status: http.StatusBadRequest, title: "Bad request", msg: "The form could not be read."}
}

// returnURL is the client's redirect_url with the query FinqLink adds
// (Sandbank's choice of names, the get operations' own: web_id, the
// resource's id and its status), or empty when the client gave none.
func returnURL(redirectURL string, add url.Values) string {
	if redirectURL == "" {
		return ""
	}
	u, err := url.Parse(redirectURL)
	if err != nil {
		return ""
	}
	q := u.Query()
	for k, v := range add {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// callback is what a bank's return says, when the page is the bank's
// return address (SCASession.RedirectURI): the state, and whether the bank
// sent a code or an error.
type callback struct {
	state, code, err string
}

// callbackOf reads a bank's return from the query; ok is false for a
// plain visit.
func callbackOf(r *http.Request) (callback, bool) {
	q := r.URL.Query()
	c := callback{state: q.Get("state"), code: q.Get("code"), err: q.Get("error")}
	return c, q.Has("state") || q.Has("code") || q.Has("error")
}

// notice says what is odd about a bank's return: its state is not the
// page's (a bank scenario's badstate), or it carries neither a code nor
// an error (nocode). The status shown is the one the bank journey left.
func (c callback) notice(webID string) string {
	switch {
	case c.state != webID:
		return "Your bank's answer did not match this page (its state is wrong). The status below is what FinqLink knows."
	case c.code == "" && c.err == "":
		return "Your bank sent you back without an answer. The status below is what FinqLink knows."
	}
	return ""
}

// oneLine is free text the client sent on a single line, for the page
// title.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
