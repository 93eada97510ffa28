// Package testkeys holds keys for tests, made once per test binary, and
// turns them into PEM. It is test support, not for production: the keys
// are small (RSA 1024 bits, the least Go accepts, as a key's strength is
// irrelevant in a test and it is quick to make) and the helpers panic
// where production code would return an error.
package testkeys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"sync"
)

var (
	rsaKey   = sync.OnceValue(func() *rsa.PrivateKey { return newRSA() })
	otherRSA = sync.OnceValue(func() *rsa.PrivateKey { return newRSA() })
	ecKey    = sync.OnceValue(func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
)

func newRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	return k
}

// RSA is the test binary's RSA key, 1024 bits.
func RSA() *rsa.PrivateKey { return rsaKey() }

// OtherRSA is a second RSA key of 1024 bits, not RSA's, for "signed with
// another key" cases.
func OtherRSA() *rsa.PrivateKey { return otherRSA() }

// EC is the test binary's EC key, on P-256.
func EC() *ecdsa.PrivateKey { return ecKey() }

// PEM encodes der as one PEM block of the given type.
func PEM(blockType string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}))
}

// PublicPEM is pub as a PKIX "PUBLIC KEY" PEM block. It panics on a key
// x509.MarshalPKIXPublicKey cannot marshal.
func PublicPEM(pub crypto.PublicKey) string {
	return PEM("PUBLIC KEY", pkix(pub))
}

// Fingerprint is pub's fingerprint as Sandbank shows it, computed here
// independently of Sandbank's code: "SHA256:" and the unpadded base64 of
// the SHA-256 of the key's PKIX DER. It panics on a key
// x509.MarshalPKIXPublicKey cannot marshal.
func Fingerprint(pub crypto.PublicKey) string {
	sum := sha256.Sum256(pkix(pub))
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

func pkix(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("testkeys: " + err.Error())
	}
	return der
}
