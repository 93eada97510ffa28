package web_test

import (
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/web"
)

func TestTemplatesParse(t *testing.T) {
	tmpl, err := web.Templates()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"head", "foot", "alert", "select_bank.html", "login.html", "otp.html", "consent.html", "phone.html", "done.html", "error.html",
		"finqlink_head", "finqlink_foot", "finqlink_page.html", "finqlink_error.html"} {
		if tmpl.Lookup(name) == nil {
			t.Errorf("template %s is missing", name)
		}
	}
}

func TestStaticHasStylesheet(t *testing.T) {
	for _, name := range []string{"style.css", "finqlink.css", "dashboard.css"} {
		css, err := fs.ReadFile(web.Static(), name)
		if err != nil || len(css) == 0 {
			t.Errorf("%s: %d bytes, %v", name, len(css), err)
		}
	}
}

// TestNoScript keeps the pages working without JavaScript (DESIGN.md §5):
// no template carries a script.
func TestNoScript(t *testing.T) {
	tmpl, err := web.Templates()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range tmpl.Templates() {
		if x.Tree != nil && strings.Contains(strings.ToLower(x.Tree.Root.String()), "<script") {
			t.Errorf("template %s has a script", x.Name())
		}
	}
}

// TestStaticHandler serves the assets to GET and HEAD, with nosniff, and
// refuses directory listings and other methods.
func TestStaticHandler(t *testing.T) {
	h := web.StaticHandler("/x/static/")
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/x/static/style.css", 200},
		{http.MethodHead, "/x/static/finqlink.css", 200},
		{http.MethodGet, "/x/static/logos/finqlink/rzb_ro.svg", 200},
		{http.MethodGet, "/x/static/", 404},
		{http.MethodGet, "/x/static/logos/", 404},
		{http.MethodPost, "/x/static/style.css", 404},
		{http.MethodGet, "/x/static/nope.css", 404},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, rec.Code, c.want)
		}
		if c.want == 200 && rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: no nosniff", c.method, c.path)
		}
	}
}

// TestParseForm reads posted fields only, tells an oversized form from a
// malformed one, and ignores the query.
func TestParseForm(t *testing.T) {
	post := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/p?action=deny", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	r := post("action=approve")
	if err := web.ParseForm(httptest.NewRecorder(), r, 64); err != nil || r.PostForm.Get("action") != "approve" || len(r.PostForm["action"]) != 1 {
		t.Fatalf("good form: %v %v", err, r.PostForm)
	}
	var tooBig *http.MaxBytesError
	if err := web.ParseForm(httptest.NewRecorder(), post("a="+strings.Repeat("x", 100)), 64); !errors.As(err, &tooBig) {
		t.Errorf("oversized form: %v", err)
	}
	if err := web.ParseForm(httptest.NewRecorder(), post("a=%zz"), 64); !errors.Is(err, web.ErrBadForm) {
		t.Errorf("malformed form: %v", err)
	}
}
