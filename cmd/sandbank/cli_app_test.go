package main

import (
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/sandbanktest"
	"github.com/sandbank/sandbank/emulator/testkeys"
)

// keyFiles writes the test key's public half (PKIX PEM) and its private
// half to files, and returns their paths and the public key's fingerprint.
func keyFiles(t *testing.T) (pub, priv, fingerprint string) {
	t.Helper()
	k := testkeys.RSA()
	dir := t.TempDir()
	pub, priv = filepath.Join(dir, "app.pub.pem"), filepath.Join(dir, "app.pem")
	if err := os.WriteFile(pub, []byte(testkeys.PublicPEM(&k.PublicKey)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(priv, []byte(testkeys.PEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k))), 0o600); err != nil {
		t.Fatal(err)
	}
	return pub, priv, testkeys.Fingerprint(&k.PublicKey)
}

func TestCLIApp(t *testing.T) {
	s := newCLIServer(t)
	pub, priv, fp := keyFiles(t)
	s.run(t, "tenants", "create", "--provider", "fintecture", "--credential", "app-1").
		want(t, 0, "public key  none registered", "signatures  optional")
	key := client.TenantKey("fintecture", "app-1")

	s.run(t, "app", "fintecture:app-1", "--public-key", pub, "--require-signatures").
		want(t, 0, "key         "+key, "public key  "+fp+" (RSA 1024)", "signatures  required")
	s.run(t, "app", key).want(t, 0, fp, "signatures  required")
	s.run(t, "tenants", "show", key).want(t, 0, "public key  "+fp+" (RSA 1024)", "signatures  required", "scenario")

	r := s.run(t, "app", key, "--json")
	var app client.App
	if err := json.Unmarshal([]byte(r.stdout), &app); err != nil || app.Fingerprint != fp || !app.RequireSignatures || !strings.Contains(app.PublicKey, "BEGIN PUBLIC KEY") {
		t.Fatalf("app --json: %v %s", err, r.stdout)
	}

	// The switch alone keeps the registered key.
	s.run(t, "app", key, "--require-signatures=false").want(t, 0, fp, "signatures  optional")
	s.run(t, "app", key, "--require-signatures").want(t, 0, fp, "signatures  required")

	// A private key is refused before it is sent; a missing file too.
	s.run(t, "app", key, "--public-key", priv).want(t, 1, "a private key was given: register the public key")
	s.run(t, "app", key, "--public-key", filepath.Join(t.TempDir(), "none.pem")).want(t, 1, "none.pem")
	s.run(t, "app", key).want(t, 0, fp, "signatures  required")

	s.run(t, "app", key, "--clear").want(t, 0, "public key  none registered", "signatures  optional")
	// Signatures cannot be required without a key: the server says so.
	s.run(t, "app", key, "--require-signatures").
		want(t, 1, "sandbank: invalid: require_signatures: a public key must be registered first")
	s.run(t, "app", "000000000000").want(t, 1, "not_found")

	// A tenant can start with a key.
	s.run(t, "tenants", "create", "--provider", "fintecture", "--credential", "app-2", "--public-key", pub, "--require-signatures").
		want(t, 0, "public key  "+fp, "signatures  required")
	s.run(t, "tenants", "create", "--provider", "fintecture", "--credential", "app-3", "--require-signatures").
		want(t, 1, "invalid: require_signatures: ")

	for _, args := range [][]string{
		{"app"},
		{"app", key, "extra"},
		{"app", key, "--clear", "--require-signatures"},
		{"app", key, "--clear", "--public-key", pub},
		{"app", key, "--clear=false"},
		{"app", key, "--public-key", ""},
		{"app", key, "--label", "x"},
		{"tenants", "list", "--public-key", pub},
	} {
		r := s.run(t, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "usage: sandbank "+args[0]) {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// TestCLIAppFromScenario runs a whole Sandbank with a scenario file that
// has an app section: the scenario sets the settings on create, load and
// reset, a scenario without one leaves them, and bundles carry them.
func TestCLIAppFromScenario(t *testing.T) {
	pub, _, fp := keyFiles(t)
	pemText, err := os.ReadFile(pub)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	yaml := "name: signed\nseed: 5\nworld:\n  currencies: [EUR]\napp:\n  public_key: |\n    " +
		strings.ReplaceAll(strings.TrimSpace(string(pemText)), "\n", "\n    ") + "\n  require_signatures: true\n"
	if err := os.WriteFile(filepath.Join(dir, "signed.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	sb := sandbanktest.Start(t, sandbanktest.Options{ScenariosDir: dir, DB: filepath.Join(t.TempDir(), "app.db")})
	s := &cliServer{url: sb.URL}

	s.run(t, "tenants", "create", "--provider", "fintecture", "--credential", "signed-app", "--scenario", "signed").
		want(t, 0, "public key   "+fp+" (RSA 1024)", "signatures   required")
	tn := "fintecture:signed-app"
	// The default scenario has no app section: the settings stay.
	s.run(t, "scenarios", "load", tn, "default").want(t, 0, "scenario     default", fp, "signatures   required")
	s.run(t, "reset", tn).want(t, 0, fp, "signatures   required")
	s.run(t, "app", tn, "--require-signatures=false").want(t, 0, "signatures  optional")
	s.run(t, "reset", tn).want(t, 0, "signatures   optional")
	// Loading the signed scenario brings its settings back.
	s.run(t, "scenarios", "load", tn, "signed").want(t, 0, fp, "signatures   required")

	bundle := filepath.Join(t.TempDir(), "bundle.json")
	s.run(t, "export", tn, "--out", bundle).want(t, 0)
	s.run(t, "import", bundle, "--credential", "copy").want(t, 0, "credential   copy", fp, "signatures   required")
}
