package emulator_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/testkeys"
)

func TestParsePublicKeyAcceptsRSAAndEC(t *testing.T) {
	rk, ek := testkeys.RSA(), testkeys.EC()
	pkcs1 := testkeys.PEM("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rk.PublicKey))
	for name, c := range map[string]struct {
		pem, kind string
	}{
		"PKIX RSA":   {testkeys.PublicPEM(&rk.PublicKey), "RSA 1024"},
		"PKCS#1 RSA": {pkcs1, "RSA 1024"},
		"PKIX EC":    {testkeys.PublicPEM(&ek.PublicKey), "EC P-256"},
		// A console form keeps what was pasted: blank lines around the
		// block and CRLF line ends are fine.
		"padded": {"\n\n" + strings.ReplaceAll(testkeys.PublicPEM(&rk.PublicKey), "\n", "\r\n") + "\n", "RSA 1024"},
	} {
		k, err := emulator.ParsePublicKey(c.pem)
		if err != nil || k == nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		a := emulator.AppSettings{PublicKey: c.pem}
		if err := a.Validate(); err != nil {
			t.Errorf("%s: validate: %v", name, err)
		}
		if a.KeyType() != c.kind {
			t.Errorf("%s: key type %q, want %q", name, a.KeyType(), c.kind)
		}
	}

	// The fingerprint is of the PKIX DER, so both encodings of one key
	// agree, and it is what `openssl pkey -pubin -outform DER | sha256`
	// would give.
	want := testkeys.Fingerprint(&rk.PublicKey)
	if got := (emulator.AppSettings{PublicKey: testkeys.PublicPEM(&rk.PublicKey)}).Fingerprint(); got != want {
		t.Errorf("fingerprint %q, want %q", got, want)
	}
	if got := (emulator.AppSettings{PublicKey: pkcs1}).Fingerprint(); got != want {
		t.Errorf("PKCS#1 fingerprint %q, want %q", got, want)
	}
	if got := (emulator.AppSettings{}).Fingerprint(); got != "" {
		t.Errorf("no key: fingerprint %q", got)
	}
}

func TestParsePublicKeyRefusals(t *testing.T) {
	rk := testkeys.RSA()
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := testkeys.PublicPEM(&rk.PublicKey)
	for name, c := range map[string]struct{ pem, want string }{
		"empty":          {"", "not PEM"},
		"base64 only":    {base64.StdEncoding.EncodeToString([]byte("hello")), "not PEM"},
		"RSA private":    {testkeys.PEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)), "a private key was given: register the public key"},
		"PKCS#8":         {testkeys.PEM("PRIVATE KEY", mustPKCS8(t, rk)), "a private key was given"},
		"certificate":    {testkeys.PEM("CERTIFICATE", []byte("x")), "a certificate was given"},
		"Ed25519":        {testkeys.PublicPEM(edPriv.Public()), "unsupported key type Ed25519"},
		"other block":    {testkeys.PEM("OPENSSH THING", []byte("x")), "unsupported PEM block"},
		"garbage DER":    {testkeys.PEM("PUBLIC KEY", []byte("not DER")), "PUBLIC KEY block does not hold a public key"},
		"two keys":       {pub + pub, "more than one PEM block"},
		"text after":     {pub + "and a note\n", "unexpected text after"},
		"garbage PKCS#1": {testkeys.PEM("RSA PUBLIC KEY", []byte("junk")), "RSA PUBLIC KEY block does not hold"},
	} {
		_, err := emulator.ParsePublicKey(c.pem)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", name, err, c.want)
		}
		verr := emulator.AppSettings{PublicKey: c.pem}.Validate()
		if c.pem != "" && (!emulator.IsCode(verr, emulator.CodeInvalid) || emulator.AsError(verr).Field != "public_key") {
			t.Errorf("%s: validate gave %v, want invalid public_key", name, verr)
		}
	}
	err = emulator.AppSettings{RequireSignatures: true}.Validate()
	if e := emulator.AsError(err); e.Code != emulator.CodeInvalid || e.Field != "require_signatures" || !strings.Contains(e.Message, "public key must be registered first") {
		t.Errorf("required without a key: %v", err)
	}
	if err := (emulator.AppSettings{}).Validate(); err != nil {
		t.Errorf("no settings: %v", err)
	}
}

func mustPKCS8(t *testing.T, k *rsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
