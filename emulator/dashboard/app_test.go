package dashboard_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator/client"
)

func TestTenantPageShowsAppSettings(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	key := h.demo.Key()
	_, body := h.get(t, h.page(key))
	mustContain(t, "no key", body, "<dt>Public key</dt>", `<dd id="app-key">none registered</dd>`, `<dd id="app-signatures">optional</dd>`)

	// 1024 bits: the page only shows the key.
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	set, err := h.ctl.SetApp(ctx, key, client.App{PublicKey: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), RequireSignatures: true})
	if err != nil {
		t.Fatal(err)
	}
	_, body = h.get(t, h.page(key))
	// html/template writes the base64 '+' as a character reference.
	fp := strings.ReplaceAll(set.App.Fingerprint, "+", "&#43;")
	mustContain(t, "registered key", body, `<dd id="app-key"><code>`+fp+`</code> (RSA 1024)</dd>`, `<dd id="app-signatures">required</dd>`)
}
