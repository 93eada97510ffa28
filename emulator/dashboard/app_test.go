package dashboard_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/testkeys"
)

func TestTenantPageShowsAppSettings(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	key := h.demo.Key()
	_, body := h.get(t, h.page(key))
	mustContain(t, "no key", body, "<dt>Public key</dt>", `<dd id="app-key">none registered</dd>`, `<dd id="app-signatures">optional</dd>`)

	// testkeys.RSA is 1024 bits: the page only shows the key.
	set, err := h.ctl.SetApp(ctx, key, client.App{PublicKey: testkeys.PublicPEM(&testkeys.RSA().PublicKey), RequireSignatures: true})
	if err != nil {
		t.Fatal(err)
	}
	_, body = h.get(t, h.page(key))
	// html/template writes the base64 '+' as a character reference.
	fp := strings.ReplaceAll(set.App.Fingerprint, "+", "&#43;")
	mustContain(t, "registered key", body, `<dd id="app-key"><code>`+fp+`</code> (RSA 1024)</dd>`, `<dd id="app-signatures">required</dd>`)
}
