package instance

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// joseDir holds the npm project that pins the jose package (the library
// FinqLink's own webhook guide verifies with, seed 002) and verify.mjs,
// the receiver-side check written as that guide writes it.
var joseDir = filepath.Join("testdata", "jose")

// joseCase is one received webhook for verify.mjs to check.
type joseCase struct {
	Name    string            `json:"name"`
	JWKSURL string            `json:"jwks_url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body_base64"`
}

// joseResult is verify.mjs's verdict on one case.
type joseResult struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	KID     string `json:"kid"`
	Alg     string `json:"alg"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// received turns a request the receiver got into a case, as it came.
func received(name, jwksURL string, q hookRequest) joseCase {
	return joseCase{
		Name: name, JWKSURL: jwksURL, Body: base64.StdEncoding.EncodeToString(q.Body),
		Headers: map[string]string{"x-signature": q.Header.Get("x-signature"), "x-signature-kid": q.Header.Get("x-signature-kid")},
	}
}

// nodeWithJose finds Node.js and makes sure the pinned jose is installed.
// `make test` installs both first (`make deps`); when the package is
// missing the test installs it itself from the lockfile, as the
// Fintecture SDK test does. Neither is optional: this is the independent
// check that Sandbank's signatures are what a real receiver accepts.
func nodeWithJose(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("Node.js is needed to verify webhook signatures with the npm jose package: run `make deps` (it installs Debian's nodejs and npm, and the pinned packages)")
	}
	if _, err := os.Stat(filepath.Join(joseDir, "node_modules", "jose", "package.json")); err == nil {
		return node
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("npm is needed to install the jose package into %s: run `make deps`", joseDir)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = joseDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", joseDir, err, out)
	}
	return node
}

// verifyWithJose runs verify.mjs over the cases and returns its verdicts
// by case name.
func verifyWithJose(t *testing.T, node string, cases []joseCase) map[string]joseResult {
	t.Helper()
	raw, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "verify.mjs", path)
	cmd.Dir = joseDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node verify.mjs: %v\n%s%s", err, out, stderr.Bytes())
	}
	got := map[string]joseResult{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var r joseResult
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("verify.mjs printed %q: %v", out, err)
		}
		got[r.Name] = r
	}
	if len(got) != len(cases) {
		t.Fatalf("verify.mjs judged %d of %d cases:\n%s%s", len(got), len(cases), out, stderr.Bytes())
	}
	return got
}

// TestJoseVerifiesWebhooks checks Sandbank's FinqLink webhook signatures
// with code that is not Sandbank's: the npm jose package, used as
// FinqLink's guide tells receivers to (seed 002: createRemoteJWKSet on
// /.well-known/jwks.json, compactVerify, the protected kid equal to
// x-signature-kid, the payload equal to the raw body). A real receiver
// keeps what it got; jose, fetching the JWKS from Sandbank's listener,
// must accept RS256 and ES256 webhooks, webhooks signed before a key
// rotation, and must reject the scenario faults bad_signature and
// unknown_kid, a changed body, a kid header that does not match, and a
// key retired from the JWKS.
func TestJoseVerifiesWebhooks(t *testing.T) {
	node := nodeWithJose(t)
	sb := newHookSandbank(t, map[string]string{
		"hooks_es256":         "    alg: ES256\n",
		"hooks_bad_signature": "    bad_signature: true\n",
		"hooks_unknown_kid":   "    unknown_kid: true\n",
	})
	rcv := newHookReceiver(t)
	tenants := map[string]string{ // credential → scenario
		"jose-rs256": "", "jose-es256": "hooks_es256",
		"jose-bad-signature": "hooks_bad_signature", "jose-unknown-kid": "hooks_unknown_kid",
	}
	for cred, scenario := range tenants {
		sb.tenant(cred, scenario)
	}

	// Before any rotation: each client's JWKS lists exactly two keys of
	// its algorithm, current first.
	rsKeys := sb.jwks("jose-rs256")
	esKeys := sb.jwks("jose-es256")
	if len(rsKeys) != 2 || len(esKeys) != 2 {
		t.Fatalf("JWKS sizes %d and %d, want exactly 2", len(rsKeys), len(esKeys))
	}
	for _, k := range rsKeys {
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.N == "" || k.E == "" || k.Kid == "" {
			t.Errorf("RS256 client's key: %+v", k)
		}
	}
	for _, k := range esKeys {
		if k.Kty != "EC" || k.Crv != "P-256" || k.Alg != "ES256" || k.Use != "sig" || k.X == "" || k.Y == "" || k.Kid == "" {
			t.Errorf("ES256 client's key: %+v", k)
		}
	}

	sent := map[string]string{} // case name → delivery id
	for cred := range tenants {
		sent[cred] = sb.send(cred, rcv.url("/hooks/"+cred), 1).ID
	}
	beforeRotation := rcv.request(sent["jose-rs256"])
	if kid := beforeRotation.Header.Get("x-signature-kid"); kid != rsKeys[0].Kid {
		t.Fatalf("signed with %s, want the current key %s", kid, rsKeys[0].Kid)
	}

	// 91 days later on the client's clock, through the control plane: a
	// new key signs, and the JWKS lists it first, then the one it
	// replaced, and nothing else.
	sb.advance("jose-rs256", "91d")
	rotated := sb.jwks("jose-rs256")
	if len(rotated) != 2 || rotated[1].Kid != rsKeys[0].Kid || rotated[0].Kid == rsKeys[0].Kid || rotated[0].Kid == rsKeys[1].Kid {
		t.Fatalf("JWKS after 91 days: %s, %s; want a new key, then %s", rotated[0].Kid, rotated[1].Kid, rsKeys[0].Kid)
	}
	sent["rotated"] = sb.send("jose-rs256", rcv.url("/hooks/jose-rs256"), 2).ID
	afterRotation := rcv.request(sent["rotated"])
	if kid := afterRotation.Header.Get("x-signature-kid"); kid != rotated[0].Kid {
		t.Fatalf("after the rotation, signed with %s, want the new key %s", kid, rotated[0].Kid)
	}

	// What the receiver got, judged by jose. Two cases are the receiver
	// got tampered with: they prove verify.mjs checks the body and the
	// kid header, not only the signature.
	cases := []joseCase{
		received("rs256 before rotation", sb.jwksURL("jose-rs256"), beforeRotation),
		received("rs256 after rotation", sb.jwksURL("jose-rs256"), afterRotation),
		received("es256", sb.jwksURL("jose-es256"), rcv.request(sent["jose-es256"])),
		received("bad_signature", sb.jwksURL("jose-bad-signature"), rcv.request(sent["jose-bad-signature"])),
		received("unknown_kid", sb.jwksURL("jose-unknown-kid"), rcv.request(sent["jose-unknown-kid"])),
	}
	changed := received("changed body", sb.jwksURL("jose-rs256"), afterRotation)
	changed.Body = base64.StdEncoding.EncodeToString(bytes.Replace(afterRotation.Body, []byte(`"completed"`), []byte(`"failed"`), 1))
	otherKid := received("kid header of another key", sb.jwksURL("jose-rs256"), afterRotation)
	otherKid.Headers["x-signature-kid"] = rotated[1].Kid
	cases = append(cases, changed, otherKid)

	got := verifyWithJose(t, node, cases)
	for name, want := range map[string]joseResult{
		"rs256 before rotation":     {OK: true, KID: rsKeys[0].Kid, Alg: "RS256"},
		"rs256 after rotation":      {OK: true, KID: rotated[0].Kid, Alg: "RS256"},
		"es256":                     {OK: true, KID: esKeys[0].Kid, Alg: "ES256"},
		"bad_signature":             {Code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"},
		"unknown_kid":               {Code: "ERR_JWKS_NO_MATCHING_KEY"},
		"changed body":              {Code: "ERR_PAYLOAD_MISMATCH"},
		"kid header of another key": {Code: "ERR_KID_MISMATCH"},
	} {
		r := got[name]
		if r.OK != want.OK || r.Code != want.Code || (want.OK && (r.KID != want.KID || r.Alg != want.Alg)) {
			t.Errorf("%s: jose says %+v, want %+v", name, r, want)
		}
	}
	if t.Failed() {
		return
	}

	// 90 more days: the key that signed the first webhook leaves the
	// JWKS, and jose no longer accepts what it signed; the key of the
	// second webhook is now the previous one and still verifies.
	sb.advance("jose-rs256", "90d")
	retired := sb.jwks("jose-rs256")
	if len(retired) != 2 || retired[1].Kid != rotated[0].Kid {
		t.Fatalf("JWKS after 181 days: %+v", retired)
	}
	got = verifyWithJose(t, node, cases[:2])
	if r := got["rs256 before rotation"]; r.OK || r.Code != "ERR_JWKS_NO_MATCHING_KEY" {
		t.Errorf("a webhook signed with a retired key: jose says %+v, want ERR_JWKS_NO_MATCHING_KEY", r)
	}
	if r := got["rs256 after rotation"]; !r.OK || r.KID != rotated[0].Kid {
		t.Errorf("a webhook signed with the previous key: jose says %+v", r)
	}
}
