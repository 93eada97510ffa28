package emulator_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"sync"
	"testing"

	"github.com/sandbank/sandbank/emulator"
)

// testRSA is one RSA key for the package: the key's strength does not
// matter here, so 1024 bits keep the test fast.
var testRSA = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	return k
})

func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func pkix(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf("PUBLIC KEY", der)
}

func TestParsePublicKeyAcceptsRSAAndEC(t *testing.T) {
	rk := testRSA()
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rk.PublicKey))
	for name, c := range map[string]struct {
		pem, kind string
	}{
		"PKIX RSA":   {pkix(t, &rk.PublicKey), "RSA 1024"},
		"PKCS#1 RSA": {pkcs1, "RSA 1024"},
		"PKIX EC":    {pkix(t, &ek.PublicKey), "EC P-256"},
		// A console form keeps what was pasted: blank lines around the
		// block and CRLF line ends are fine.
		"padded": {"\n\n" + strings.ReplaceAll(pkix(t, &rk.PublicKey), "\n", "\r\n") + "\n", "RSA 1024"},
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
	der, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	sum := sha256.Sum256(der)
	want := "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
	if got := (emulator.AppSettings{PublicKey: pkix(t, &rk.PublicKey)}).Fingerprint(); got != want {
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
	rk := testRSA()
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := pkix(t, &rk.PublicKey)
	for name, c := range map[string]struct{ pem, want string }{
		"empty":          {"", "not PEM"},
		"base64 only":    {base64.StdEncoding.EncodeToString([]byte("hello")), "not PEM"},
		"RSA private":    {pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)), "a private key was given: register the public key"},
		"PKCS#8":         {pemOf("PRIVATE KEY", mustPKCS8(t, rk)), "a private key was given"},
		"certificate":    {pemOf("CERTIFICATE", []byte("x")), "a certificate was given"},
		"Ed25519":        {pkix(t, edPriv.Public()), "unsupported key type Ed25519"},
		"other block":    {pemOf("OPENSSH THING", []byte("x")), "unsupported PEM block"},
		"garbage DER":    {pemOf("PUBLIC KEY", []byte("not DER")), "PUBLIC KEY block does not hold a public key"},
		"two keys":       {pub + pub, "more than one PEM block"},
		"text after":     {pub + "and a note\n", "unexpected text after"},
		"garbage PKCS#1": {pemOf("RSA PUBLIC KEY", []byte("junk")), "RSA PUBLIC KEY block does not hold"},
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
