package emulator

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// AppSettings are what a provider's console holds for an API client.
// They are provider-neutral: Fintecture verifies HTTP request signatures
// against the registered key (notes/fintecture.md), and FinqLink's
// private_key_jwt client authentication will check its client assertions
// against the same key.
type AppSettings struct {
	// PublicKey is the PEM of the registered public key ("" = none):
	// PKIX "PUBLIC KEY" (RSA or EC) or PKCS#1 "RSA PUBLIC KEY".
	PublicKey string
	// RequireSignatures makes unsigned requests fail, as Fintecture does
	// in production; a sandbox app may sign or not.
	RequireSignatures bool
}

// Validate checks the settings as a console would before saving them: the
// key must parse, and signatures can be required only once a key is
// registered. Errors name the field (public_key, require_signatures).
func (a AppSettings) Validate() error {
	if a.PublicKey != "" {
		if _, err := ParsePublicKey(a.PublicKey); err != nil {
			return FieldError(CodeInvalid, "public_key", "%v", err)
		}
	}
	if a.RequireSignatures && a.PublicKey == "" {
		return FieldError(CodeInvalid, "require_signatures", "a public key must be registered first: signatures cannot be checked without one")
	}
	return nil
}

// Key returns the registered public key, nil when there is none (or when
// the stored PEM no longer parses, which Validate prevents on the way in).
func (a AppSettings) Key() crypto.PublicKey {
	if a.PublicKey == "" {
		return nil
	}
	k, err := ParsePublicKey(a.PublicKey)
	if err != nil {
		return nil
	}
	return k
}

// Fingerprint identifies the registered key for display: "SHA256:" and
// the unpadded standard base64 of the SHA-256 of its PKIX DER form, the
// form `ssh-keygen -l` made familiar. It is "" when no key is registered.
// A PKCS#1 key and the same key in PKIX form have one fingerprint.
func (a AppSettings) Fingerprint() string {
	k := a.Key()
	if k == nil {
		return ""
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// KeyType describes the registered key for display ("RSA 2048",
// "EC P-256"); "" when no key is registered.
func (a AppSettings) KeyType() string {
	switch k := a.Key().(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	}
	return ""
}

// ParsePublicKey reads one PEM-encoded public key: PKIX "PUBLIC KEY"
// holding an RSA or EC key, or PKCS#1 "RSA PUBLIC KEY". The errors say
// what was given instead, since the usual mistake is pasting the private
// key or the certificate.
func ParsePublicKey(text string) (crypto.PublicKey, error) {
	block, rest := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("not PEM: expected a block starting with -----BEGIN PUBLIC KEY-----")
	}
	if next, _ := pem.Decode(rest); next != nil {
		return nil, fmt.Errorf("more than one PEM block (%s, then %s): register one public key", block.Type, next.Type)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("unexpected text after the PEM block")
	}
	switch {
	case block.Type == "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PUBLIC KEY block does not hold a public key: %v", err)
		}
		switch k := k.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
			return k, nil
		}
		return nil, fmt.Errorf("unsupported key type %s: register an RSA or EC key", keyKind(k))
	case block.Type == "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("RSA PUBLIC KEY block does not hold an RSA public key: %v", err)
		}
		return k, nil
	case strings.HasSuffix(block.Type, "PRIVATE KEY"):
		return nil, fmt.Errorf("a private key was given: register the public key (%s found; openssl pkey -in key.pem -pubout prints the public one)", block.Type)
	case block.Type == "CERTIFICATE":
		return nil, errors.New("a certificate was given: register its public key (openssl x509 -in cert.pem -pubkey -noout)")
	}
	return nil, fmt.Errorf("unsupported PEM block %q: want PUBLIC KEY or RSA PUBLIC KEY", block.Type)
}

// keyKind names a key type ParsePublicKey refuses.
func keyKind(k any) string {
	switch k.(type) {
	case ed25519.PublicKey:
		return "Ed25519"
	case *ecdh.PublicKey:
		return "X25519"
	}
	return fmt.Sprintf("%T", k)
}
