package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/web"
)

// handler serves one page or action; a returned error becomes an error
// page (see fail), so handlers never pick error statuses themselves.
type handler func(w http.ResponseWriter, r *http.Request) error

// methods are the handlers of one route. get also answers HEAD; any
// answers every method (the catch-all 404).
type methods struct{ get, post, any handler }

// layout is what every page template uses: the title, the breadcrumbs,
// the message of the action just done and the error of a refused form.
type layout struct {
	Title  string
	Crumbs []crumb
	// Done is the message of the action that redirected here (?done=),
	// shown as a status message.
	Done string
	// Error is why the form just posted was refused, shown as an alert.
	Error string
}

// crumb is one link of the breadcrumb trail.
type crumb struct{ Label, Href string }

// dispatch picks the route's handler for the method, refuses cross-site
// writes and turns a returned error into an error page.
func (d *Dashboard) dispatch(m methods) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := m.any
		safe := r.Method == http.MethodGet || r.Method == http.MethodHead
		switch {
		case safe && m.get != nil:
			h = m.get
		case r.Method == http.MethodPost && m.post != nil:
			h = m.post
		}
		var err error
		switch {
		case !safe && !sameOrigin(r):
			// Checked before anything else, so another site's page learns
			// nothing, not even whether a route exists.
			err = &pageError{status: http.StatusForbidden, title: "Cross-site request refused",
				msg: "This form was sent from another web site. The dashboard only accepts forms sent from its own pages."}
		case h == nil:
			err = notAllowed(m, w)
		default:
			err = h(w, r)
		}
		if err != nil {
			d.fail(w, r, err)
		}
	})
}

// sameOrigin tells whether a state-changing request comes from the
// dashboard's own pages. Sandbank is a local tool without logins, so any
// web page the developer visits could otherwise post forms to it (CSRF).
// Browsers say where a request comes from: Sec-Fetch-Site on current ones,
// which is trusted when present (a privacy setting can make Origin "null"
// on a same-origin post), else Origin, compared with the Host. A request
// with neither (curl, a test's HTTP client) is let through: it is not a
// browser driven by another site. The same order as Go's
// http.CrossOriginProtection, plus the public URL as a second own origin.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "cross-site":
		return false
	}
	// Absent, or "same-site": another port of localhost is the same site
	// but another origin, so Origin decides.
	origin := r.Header.Get("Origin")
	if origin == "" {
		return r.Header.Get("Sec-Fetch-Site") == ""
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		// "null" (a sandboxed frame) or junk: it cannot be shown to come
		// from here.
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	// Behind a proxy that rewrites Host, the browser's origin is the
	// public URL (--public-url).
	if pub, err := url.Parse(httpapi.BaseURL(r)); err == nil && strings.EqualFold(u.Host, pub.Host) {
		return true
	}
	return false
}

func notAllowed(m methods, w http.ResponseWriter) error {
	var allow []string
	if m.get != nil {
		allow = append(allow, http.MethodGet, http.MethodHead)
	}
	if m.post != nil {
		allow = append(allow, http.MethodPost)
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	msg := "This address only takes a form sent with one of the dashboard's buttons."
	if m.post == nil {
		msg = "This page can only be read."
	}
	return &pageError{status: http.StatusMethodNotAllowed, title: "Method not allowed", msg: msg}
}

func (d *Dashboard) notFound(w http.ResponseWriter, r *http.Request) error {
	return &pageError{status: http.StatusNotFound, title: "Page not found", msg: "There is no dashboard page or action at this address."}
}

// home sends GET /dashboard and /dashboard/tenants to the index page,
// which lists the tenants.
func (d *Dashboard) home(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/#tenants", http.StatusSeeOther)
	return nil
}

// pagePolicy lets the dashboard load only its own stylesheet and post
// forms only back to itself. The referrer policy is same-origin, not
// no-referrer: with no-referrer a browser sends "Origin: null" on the
// dashboard's own form posts, which would then look cross-site.
var pagePolicy = web.Policy{
	CSP:      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	Referrer: "same-origin",
}

// render writes one page; see web.Render.
func (d *Dashboard) render(w http.ResponseWriter, status int, name string, v any) error {
	if err := web.Render(w, status, d.tmpl, name, v, pagePolicy); err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	return nil
}

// done redirects (303) to path after a successful action, with its message
// in the query for the next page to show, and a fragment that scrolls back
// to the section the form was in.
func done(w http.ResponseWriter, r *http.Request, path, msg, fragment string) error {
	loc := path + "?" + url.Values{"done": {msg}}.Encode()
	if fragment != "" {
		loc += "#" + fragment
	}
	http.Redirect(w, r, loc, http.StatusSeeOther)
	return nil
}

// flash reads the message of the action that redirected here. It is text
// from the URL, so it is only ever shown escaped, and kept short.
func flash(r *http.Request) string {
	msg := r.URL.Query().Get("done")
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return msg
}

// pageError is an expected failure shown as an error page.
type pageError struct {
	status int
	title  string
	msg    string
}

func (e *pageError) Error() string { return e.msg }

// badInput reports a form field the dashboard could not read, before any
// control-plane call.
func badInput(field, format string, args ...any) error {
	return emulator.FieldError(emulator.CodeInvalid, field, format, args...)
}

// classify turns an error into the status, title and message to show.
// Control-plane errors are *emulator.Error, whose codes say whose fault
// they are; anything else is Sandbank's own fault, a 500.
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
		status, title := http.StatusBadRequest, "This cannot be done"
		switch de.Code {
		case emulator.CodeNotFound:
			status, title = http.StatusNotFound, "Not found"
		case emulator.CodeConflict:
			status = http.StatusConflict
		case emulator.CodeForbidden, emulator.CodeUnauthenticated, emulator.CodeBadSecret:
			status = http.StatusForbidden
		case emulator.CodeTooLarge:
			status = http.StatusRequestEntityTooLarge
		case emulator.CodeRateLimited:
			status = http.StatusTooManyRequests
		case emulator.CodeUnavailable:
			status, title = http.StatusServiceUnavailable, "Not available"
		case emulator.CodeInternal:
			status, title = http.StatusInternalServerError, "Something went wrong"
		}
		if de.Status >= 400 && de.Status <= 599 {
			status = de.Status
		}
		msg := de.Message
		if status == http.StatusInternalServerError {
			msg = "Sandbank could not do this. The server log says why."
		}
		return &pageError{status: status, title: title, msg: msg}
	}
	return &pageError{status: http.StatusInternalServerError, title: "Something went wrong", msg: "Sandbank could not show this page. The server log says why."}
}

// errorView is the data of the error page.
type errorView struct {
	layout
	Message string
	Back    string // a link back to where the visitor came from
}

// fail shows an error page; only unexpected errors are logged, as they are
// Sandbank's fault rather than the visitor's.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, err error) {
	pe := classify(err)
	if pe.status >= 500 && pe.status != http.StatusServiceUnavailable {
		d.log.ErrorContext(r.Context(), "dashboard failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	back := "/"
	if key := httpapi.Var(r, "key"); key != "" && pe.status != http.StatusNotFound {
		back = tenantPath(key)
	}
	v := errorView{layout: layout{Title: pe.title}, Message: pe.msg, Back: back}
	if rerr := d.render(w, pe.status, "dashboard_error.html", v); rerr != nil {
		d.log.ErrorContext(r.Context(), "dashboard error page failed", "err", rerr)
		http.Error(w, pe.msg, pe.status)
	}
}

// parseForm reads a posted form with a size limit. Handlers read
// r.PostForm, so query parameters never stand in for form fields.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r, 64<<10); !errors.Is(err, web.ErrBadForm) {
		return err
	}
	return &pageError{status: http.StatusBadRequest, title: "Bad request", msg: "The form could not be read."}
}

// tenantName is how pages name a tenant: "sandbank-demo (fintecture)".
func tenantName(t client.Tenant) string { return t.Credential + " (" + t.Provider + ")" }

// tenantCrumbs is the breadcrumb trail of a page under a tenant's.
func tenantCrumbs(t client.Tenant) []crumb {
	return []crumb{{"Sandbank", "/"}, {tenantName(t), tenantPath(t.Key)}}
}

// tenantPath is the dashboard page of a tenant. Keys are hex, but escaping
// keeps a hand-typed key from making a broken URL.
func tenantPath(key string) string { return "/dashboard/tenants/" + url.PathEscape(key) }
