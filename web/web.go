// Package web holds the HTML templates and static assets of Sandbank's own
// pages: the providers' hosted bank lists and the fake banks' SCA journeys
// (DESIGN.md §5). They are embedded so the binary, the Docker image and an
// in-process emulator inside a Go test all serve the same pages.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static/*
var static embed.FS

// Templates parses every page template. Each page is named by its file name
// ("login.html", ...); base.html defines the shared "head", "foot" and
// "alert" blocks. It is meant to be called once at start-up, so a broken
// template stops Sandbank from starting rather than failing one request.
func Templates() (*template.Template, error) {
	// missingkey=error makes a page that asks for data it was not given fail
	// loudly in tests instead of printing "<no value>".
	return template.New("web").Option("missingkey=error").ParseFS(templates, "templates/*.html")
}

// Static is the tree of static assets (style.css), rooted so that
// "style.css" names the file.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// fs.Sub fails only for an invalid path name, and "static" is valid.
		panic(err)
	}
	return sub
}

// Policy is what a page answer allows its browser, beyond the defaults
// every page gets (no framing, no sniffing, no caching).
type Policy struct {
	// CSP is the Content-Security-Policy.
	CSP string
	// Referrer, when set, is the Referrer-Policy.
	Referrer string
}

// Render executes one template into a buffer first, so a template failure
// becomes an error rather than half a page, then writes it with the
// headers every Sandbank page carries: never cached (pages show live
// state), never framed (clickjacking), never sniffed.
func Render(w http.ResponseWriter, status int, t *template.Template, name string, v any, p Policy) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", p.CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	if p.Referrer != "" {
		h.Set("Referrer-Policy", p.Referrer)
	}
	w.WriteHeader(status)
	// A write error means the browser went away; there is no one to tell.
	_, _ = w.Write(buf.Bytes())
	return nil
}

// ErrBadForm is ParseForm's answer to a posted form that does not parse;
// each page turns it into its own 400 page.
var ErrBadForm = errors.New("the form could not be read")

// ParseForm reads a posted form of at most max bytes. Query parameters are
// not part of it, so handlers read r.PostForm and a query never stands in
// for a form field. A form over the limit returns the
// *http.MaxBytesError; any other unreadable form returns ErrBadForm.
func ParseForm(w http.ResponseWriter, r *http.Request, max int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, max)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return ErrBadForm
	}
	return nil
}

// StaticHandler serves Static() under prefix (e.g. "/bank/static/") to GET
// and HEAD only, refusing directory listings, and forbids sniffing.
func StaticHandler(prefix string) http.Handler {
	files := http.StripPrefix(prefix, http.FileServerFS(Static()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
