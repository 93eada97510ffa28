package web_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/web"
)

func TestTemplatesParse(t *testing.T) {
	tmpl, err := web.Templates()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"head", "foot", "alert", "select_bank.html", "login.html", "otp.html", "consent.html", "phone.html", "done.html", "error.html"} {
		if tmpl.Lookup(name) == nil {
			t.Errorf("template %s is missing", name)
		}
	}
}

func TestStaticHasStylesheet(t *testing.T) {
	css, err := fs.ReadFile(web.Static(), "style.css")
	if err != nil || len(css) == 0 {
		t.Fatalf("style.css: %d bytes, %v", len(css), err)
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
