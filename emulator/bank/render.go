package bank

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/web"
)

// page is the data of every template. One struct for all pages keeps the
// templates' field names checked by a single type; each page uses a few.
type page struct {
	Title  string // <title>, and the heading of the done and error pages
	Header string // the bar at the top: the provider's or the bank's name
	Brand  string // the provider's display name
	Bank   string // the bank's name
	Error  string // a form error, shown with role="alert"

	Banks    []emulator.Bank
	Username string // echoed back after a failed login
	PSUName  string
	Accounts []accountChoice
	NeedPSU  bool   // the phone page asks for the decoupled id first
	PSUInput string // echoed back after an unknown decoupled id

	Message string // the done and error pages' sentence
	Link    string // the done and error pages' link, if any

	// The login form's labels and the one-time-code page's sentence, in
	// the bank's words (see Wording).
	LoginLabel, PasswordLabel, OTPLabel, OTPPrompt string
	// Payment, when set, is the payment the journey authorizes: the
	// consent and phone pages ask to authorize it instead of sharing
	// accounts.
	Payment *Payment
}

// accountChoice is one checkbox of the consent page.
type accountChoice struct {
	ID, Name, IBAN, Currency string
	Checked                  bool
}

// pagePolicy keeps the bank pages to our own stylesheet. There is no
// form-action limit because a journey ends by redirecting a form post to
// the client.
var pagePolicy = web.Policy{CSP: "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"}

// render writes one page; see web.Render.
func (p *Pages) render(w http.ResponseWriter, status int, name string, v page) error {
	if err := web.Render(w, status, p.tmpl, name, v, pagePolicy); err != nil {
		return fmt.Errorf("bank: %w", err)
	}
	return nil
}

func noStore(h http.Header) { h.Set("Cache-Control", "no-store") }

// redirect answers a bare redirect, with no body: the auto-approving bank
// must look like plain 302 hops, and the other redirects need no page.
func redirect(w http.ResponseWriter, location string, status int) error {
	noStore(w.Header())
	w.Header().Set("Location", location)
	w.WriteHeader(status)
	return nil
}

// pageError is an expected failure shown as an error page.
type pageError struct {
	status int
	title  string
	msg    string
	link   string // where "Continue" leads, if anywhere
}

func (e *pageError) Error() string { return e.msg }

func unknownJourney() *pageError {
	return &pageError{
		status: http.StatusNotFound,
		title:  "Page not found",
		msg:    "This authentication link is unknown. Start again from the application.",
	}
}

func badRequest(format string, args ...any) *pageError {
	return &pageError{status: http.StatusBadRequest, title: "Bad request", msg: fmt.Sprintf(format, args...)}
}

// outOfDate answers a form posted from a step the journey has left, as
// after the back button: nothing changes, and the link leads to the step
// the journey is on.
func outOfDate(link string) *pageError {
	return &pageError{status: http.StatusConflict, title: "This page is out of date", msg: "This step is already behind you.", link: link}
}

// fail turns a handler's error into an error page; only unexpected errors
// are logged, as they are Sandbank's fault rather than the visitor's.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	pe := classify(err)
	if pe.status >= 500 {
		p.log.ErrorContext(r.Context(), "bank page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if rerr := p.render(w, pe.status, "error.html", page{Title: pe.title, Header: "Sandbank", Message: pe.msg, Link: pe.link}); rerr != nil {
		p.log.ErrorContext(r.Context(), "bank error page failed", "err", rerr)
		http.Error(w, pe.msg, pe.status)
	}
}

func classify(err error) *pageError {
	var pe *pageError
	if errors.As(err, &pe) {
		return pe
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &pageError{status: http.StatusRequestEntityTooLarge, title: "Form too large", msg: "The form sent is too large."}
	}
	var de *emulator.Error
	if errors.As(err, &de) {
		switch de.Code {
		case emulator.CodeNotFound:
			return &pageError{status: http.StatusNotFound, title: "Not found", msg: de.Message}
		case emulator.CodeInvalid, emulator.CodeMissing:
			return &pageError{status: http.StatusBadRequest, title: "Bad request", msg: de.Message}
		case emulator.CodeConflict:
			return &pageError{status: http.StatusConflict, title: "This cannot be done now", msg: de.Message}
		}
	}
	return &pageError{status: http.StatusInternalServerError, title: "Something went wrong", msg: "Sandbank could not show this page."}
}

// parseForm reads a posted form with a size limit; query parameters are
// not part of it, so handlers read r.PostForm.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r, 64<<10); !errors.Is(err, web.ErrBadForm) {
		return err
	}
	return badRequest("The form could not be read.")
}

// renderDone shows how a journey ended. It never redirects by itself: a PSU
// coming back to a finished journey chooses whether to return.
func (p *Pages) renderDone(w http.ResponseWriter, r *http.Request, j *journey, phone bool) error {
	v := page{Header: j.fin.Brand(), Message: "You can close this window."}
	if j.bank.Name != "" {
		v.Header = j.bank.Name
	}
	p.words(r, j).apply(&v)
	approved, denied := "Access approved", "Access denied"
	if v.Payment != nil {
		approved, denied = "Payment authorized", "Payment refused"
	}
	switch {
	case j.s.Status == emulator.SCACompleted && phone:
		v.Title = "Approved — return to the app"
	case j.s.Status == emulator.SCACompleted:
		v.Title = approved
	case j.s.Failure == emulator.FailTimeout:
		v.Title = "This request timed out"
	case j.s.Failure == emulator.FailExpired:
		v.Title = "This request has expired"
	case phone:
		v.Title = "Denied — return to the app"
	default:
		v.Title = denied
	}
	if j.s.Stranded() {
		v.Message = "Your bank did not send you back to the application."
	}
	if j.s.RedirectURI != "" && j.s.Status != emulator.SCAPending && !j.s.Stranded() {
		u, err := j.fin.ReturnURL(j.t, j.s)
		if err != nil {
			// The outcome is still worth showing without the link.
			p.log.ErrorContext(r.Context(), "bank return URL failed", "session", j.s.ID, "err", err)
		} else {
			v.Link = u
		}
	}
	return p.render(w, http.StatusOK, "done.html", v)
}

// settled handles the store refusing a change. A journey that finished
// meanwhile (in another tab, through the control plane, or by its timeout)
// shows its outcome; any other refusal is an error page.
func (p *Pages) settled(w http.ResponseWriter, r *http.Request, j *journey, err error, phone bool) error {
	if !emulator.IsCode(err, emulator.CodeConflict) {
		return err
	}
	s, lerr := p.store.SCASession(r.Context(), j.t, j.s.ID)
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	if s.Status == emulator.SCAPending {
		return err
	}
	j.s = s
	return p.renderDone(w, r, j, phone)
}
