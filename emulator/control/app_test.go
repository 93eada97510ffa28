package control_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/testkeys"
)

func TestAppSettings(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	rk, ek := testkeys.RSA(), testkeys.EC()
	key := h.tenant("app-1").Key
	if got, err := h.c.Tenant(ctx, key); err != nil || got.App != (client.App{}) {
		t.Fatalf("a new tenant's app: %+v %v", got.App, err)
	}

	rsaPEM, rsaFP := testkeys.PublicPEM(&rk.PublicKey), testkeys.Fingerprint(&rk.PublicKey)
	set, err := h.c.SetApp(ctx, key, client.App{PublicKey: rsaPEM, RequireSignatures: true})
	if err != nil {
		t.Fatal(err)
	}
	want := client.App{PublicKey: rsaPEM, Fingerprint: rsaFP, RequireSignatures: true}
	if set.App != want || set.Key != key {
		t.Fatalf("set: %+v", set.App)
	}
	if shown, err := h.c.Tenant(ctx, key); err != nil || shown.App != want {
		t.Fatalf("show: %+v %v", shown.App, err)
	}
	if app, err := h.c.App(ctx, key); err != nil || app != want {
		t.Fatalf("GET app: %+v %v", app, err)
	}
	// The wire form is the documented one.
	_, body := h.get(t, "/_sandbank/tenants/"+key)
	var wire struct {
		App map[string]any `json:"app"`
	}
	if err := json.Unmarshal(body, &wire); err != nil || wire.App["public_key"] != rsaPEM || wire.App["fingerprint"] != rsaFP || wire.App["require_signatures"] != true {
		t.Fatalf("wire: %s", body)
	}

	// What GET shows can be sent back as it is: the fingerprint is
	// checked, not taken.
	if _, err := h.c.SetApp(ctx, key, want); err != nil {
		t.Fatalf("echoing the shown settings: %v", err)
	}

	// Bad input: 400 naming the field, and nothing changes.
	private := testkeys.PEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk))
	ecPEM := testkeys.PublicPEM(&ek.PublicKey)
	for _, c := range []struct {
		name  string
		in    client.App
		field string
		msg   string
	}{
		{"not PEM", client.App{PublicKey: "ssh-rsa AAAA"}, "public_key", "not PEM"},
		{"private key", client.App{PublicKey: private}, "public_key", "a private key was given: register the public key"},
		{"required without key", client.App{RequireSignatures: true}, "require_signatures", "a public key must be registered first"},
		{"wrong fingerprint", client.App{PublicKey: ecPEM, Fingerprint: rsaFP}, "fingerprint", "is not the fingerprint"},
	} {
		_, err := h.c.SetApp(ctx, key, c.in)
		wantError(t, err, http.StatusBadRequest, "invalid", c.field)
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: message %q lacks %q", c.name, err, c.msg)
		}
	}
	for _, c := range []struct{ body, code, field string }{
		{``, "missing", "body"},
		{`{"public_key": 12}`, "invalid", "public_key"},
		{`{"require_signatures": "yes"}`, "invalid", "require_signatures"},
		{`{"publickey": "x"}`, "invalid", "publickey"},
	} {
		code, _, e := h.raw(http.MethodPut, "/_sandbank/tenants/"+key+"/app", "application/json", c.body)
		if code != http.StatusBadRequest || e.Code != c.code || e.Field != c.field {
			t.Errorf("PUT %s: %d %+v", c.body, code, e)
		}
	}
	if shown, _ := h.c.Tenant(ctx, key); shown.App != want {
		t.Fatalf("refused calls changed the settings: %+v", shown.App)
	}

	// A reset keeps them: the key is the console's, not the world's.
	if reset, err := h.c.ResetTenant(ctx, key); err != nil || reset.App != want {
		t.Fatalf("reset: %+v %v", reset.App, err)
	}

	// Another key replaces the settings as a whole; an empty one clears.
	ecSet, err := h.c.SetApp(ctx, key, client.App{PublicKey: ecPEM})
	if err != nil || ecSet.App.PublicKey != ecPEM || ecSet.App.RequireSignatures || !strings.HasPrefix(ecSet.App.Fingerprint, "SHA256:") {
		t.Fatalf("EC key: %+v %v", ecSet.App, err)
	}
	cleared, err := h.c.SetApp(ctx, key, client.App{})
	if err != nil || cleared.App != (client.App{}) {
		t.Fatalf("clear: %+v %v", cleared.App, err)
	}
	_, body = h.get(t, "/_sandbank/tenants/"+key+"/app")
	if got := strings.TrimSpace(string(body)); got != `{"require_signatures":false}` {
		t.Fatalf("cleared app on the wire: %s", got)
	}

	_, err = h.c.SetApp(ctx, "000000000000", client.App{})
	wantError(t, err, http.StatusNotFound, "not_found", "")
	code, hdr, _ := h.raw(http.MethodPost, "/_sandbank/tenants/"+key+"/app", "application/json", "{}")
	if code != http.StatusMethodNotAllowed || !strings.Contains(hdr.Get("Allow"), http.MethodPut) {
		t.Fatalf("POST app: %d, Allow %q", code, hdr.Get("Allow"))
	}
}

func TestCreateTenantWithApp(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	rk := testkeys.RSA()
	rsaPEM, rsaFP := testkeys.PublicPEM(&rk.PublicKey), testkeys.Fingerprint(&rk.PublicKey)
	got, err := h.c.CreateTenant(ctx, client.NewTenant{Provider: "fintecture", Credential: "signed", PublicKey: rsaPEM, RequireSignatures: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.App != (client.App{PublicKey: rsaPEM, Fingerprint: rsaFP, RequireSignatures: true}) {
		t.Fatalf("created: %+v", got.App)
	}

	_, err = h.c.CreateTenant(ctx, client.NewTenant{Provider: "fintecture", Credential: "unsigned", RequireSignatures: true})
	wantError(t, err, http.StatusBadRequest, "invalid", "require_signatures")
	_, err = h.c.CreateTenant(ctx, client.NewTenant{Provider: "fintecture", Credential: "unsigned", PublicKey: "junk"})
	wantError(t, err, http.StatusBadRequest, "invalid", "public_key")
	if list, _ := h.c.Tenants(ctx); len(list) != 1 {
		t.Fatalf("refused creates made tenants: %+v", list)
	}
}

// get fetches a path and returns the status and body.
func (h *harness) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	res, err := h.srv.Client().Get(h.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}
