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
