// Package browsertest starts real headless Chromium (Debian's chromium)
// for tests of Sandbank's pages, driven through chromedp.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// New starts a headless Chromium for one test and returns its context,
// closed when the test ends. A missing browser fails the test: the pages
// promise to work in a real one.
func New(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no Chromium at %s: install Debian's chromium (apt-get install -y chromium, or make deps)", path)
	}
	// Made before the cancels are registered, so it is removed after
	// Chromium has exited.
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// The machine's network is closed: without these Chromium keeps
		// trying to reach Google's services.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	return browserCtx
}

// Button finds a button by its visible name, as a person (or a screen
// reader) would.
func Button(name string) chromedp.Search {
	return chromedp.Search(buttonXPath(name))
}

// Await waits until the page has a visible element matching the XPath. It
// asks the page's own script on each try rather than holding DOM node ids,
// so a navigation in between (a form post, a redirect) cannot make it fail
// with a node that no longer exists: it just tries again on the new page.
func Await(xpath string) chromedp.Action[chromedp.Void] {
	probe := `(() => { const n = document.evaluate(` + quoteJS(xpath) + `, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		return !!n && !!(n.offsetWidth || n.offsetHeight || n.getClientRects().length); })()`
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			if ok, err := chromedp.Evaluate[bool](probe)(ctx, t); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", xpath, ctx.Err())
			case <-time.After(25 * time.Millisecond):
			}
		}
	})
}

// Press waits for the button with that visible name and clicks it; see
// Click.
func Press(name string) chromedp.Action[chromedp.Void] { return Click(buttonXPath(name)) }

// Click waits for the element matching the XPath and clicks it through the
// page's script, which is safe when the click navigates away. A page that
// is replaced between the wait and the click (the previous step's
// navigation landing late) is waited for again; a script error after the
// click means the click navigated, which is what was asked.
func Click(xpath string) chromedp.Action[chromedp.Void] {
	click := `(() => { const b = document.evaluate(` + quoteJS(xpath) + `, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		if (!b) return false; b.click(); return true; })()`
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			if _, err := Await(xpath)(ctx, t); err != nil {
				return err
			}
			ok, err := chromedp.Evaluate[bool](click)(ctx, t)
			if err != nil || ok {
				return nil
			}
		}
	})
}

// TextOf reads the text of the first element matching the XPath, once it is
// visible.
func TextOf(xpath string) chromedp.Action[string] {
	read := `(() => { const n = document.evaluate(` + quoteJS(xpath) + `, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		return n ? n.textContent : ""; })()`
	return func(ctx context.Context, t *chromedp.Target) (string, error) {
		if _, err := Await(xpath)(ctx, t); err != nil {
			return "", err
		}
		return chromedp.Evaluate[string](read)(ctx, t)
	}
}

func buttonXPath(name string) string { return `//button[normalize-space()="` + name + `"]` }

// quoteJS writes s as a JavaScript string literal.
func quoteJS(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Fill sets the value of the input or select with that id through the
// page's script, once it is visible, and fires the input and change events
// a person's typing would. Like Await it holds no DOM node ids, so it cannot
// trip over a page that was just replaced.
func Fill(id, value string) chromedp.Action[chromedp.Void] {
	xpath := `//*[@id=` + quoteXPath(id) + `]`
	set := `(() => { const e = document.getElementById(` + quoteJS(id) + `); if (!e) return false;
		e.value = ` + quoteJS(value) + `; e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return e.value === ` + quoteJS(value) + `; })()`
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			if _, err := Await(xpath)(ctx, t); err != nil {
				return err
			}
			if ok, err := chromedp.Evaluate[bool](set)(ctx, t); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("filling #%s: %w", id, ctx.Err())
			case <-time.After(25 * time.Millisecond):
			}
		}
	})
}

// quoteXPath writes s as an XPath string literal (ids here never hold both
// kinds of quote).
func quoteXPath(s string) string {
	if strings.Contains(s, `"`) {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}

// ClientApp is the integrating application's return page, on its own
// loopback server: it shows the query it was sent back with in the element
// with id "result", as a real app would consume it. ResultXPath finds it.
func ClientApp(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>client</title><p id="result">%s</p>`, html.EscapeString(r.URL.RawQuery))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// ResultXPath is where ClientApp shows the query.
const ResultXPath = `//*[@id="result"]`
