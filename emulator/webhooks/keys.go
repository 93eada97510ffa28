package webhooks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-jose/go-jose/v4"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
)

// Keys signs webhooks with a tenant's current key and publishes the
// tenant's keys as a JWKS, the way FinqLink does (notes/finqlink.md §5).
// The keys live in the store; rotation follows the tenant's clock (see
// store.WebhookKeys). A Keys is safe for concurrent use.
type Keys struct {
	store *store.Store

	mu sync.Mutex
	// rogue holds, per algorithm, one key that is in no JWKS, made on
	// first need: the unknown-kid fault signs with it.
	rogue map[emulator.SigningAlg]emulator.SigningKey
}

// NewKeys serves the signing keys kept in st.
func NewKeys(st *store.Store) *Keys {
	return &Keys{store: st, rogue: map[emulator.SigningAlg]emulator.SigningKey{}}
}

// JWKS is the tenant's public key set as GET /.well-known/jwks.json
// answers it: exactly two keys, the current one (signing new webhooks)
// first, then the previous one, each with kty, kid, alg and use "sig"
// (and n, e for RSA; crv, x, y for EC). Keys that do not exist yet are
// made, so the first call for a tenant may take a moment (RSA).
func (k *Keys) JWKS(ctx context.Context, t *emulator.Tenant) (jose.JSONWebKeySet, error) {
	cur, prev, err := k.store.WebhookKeys(ctx, t, t.Provider, Mint)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	set := jose.JSONWebKeySet{}
	for _, sk := range []emulator.SigningKey{cur, prev} {
		jwk, err := publicJWK(sk)
		if err != nil {
			return jose.JSONWebKeySet{}, err
		}
		set.Keys = append(set.Keys, jwk)
	}
	return set, nil
}

// Signature is what a webhook request carries to prove its origin: JWS
// goes in x-signature, KID in x-signature-kid.
type Signature struct {
	// JWS is the compact serialization header.payload.signature, whose
	// payload is the raw body itself (not detached): notes/finqlink.md §5.
	JWS string
	KID string
	// Faults lists the sabotage applied to this signature.
	Faults []emulator.WebhookFault
}

// Sign signs body with the tenant's current key, applying the signature
// faults of f: UnknownKID signs with a key that is in no JWKS and names
// it; BadSignature keeps the kid and corrupts the signature.
func (k *Keys) Sign(ctx context.Context, t *emulator.Tenant, body []byte, f emulator.WebhookFaults) (Signature, error) {
	cur, _, err := k.store.WebhookKeys(ctx, t, t.Provider, Mint)
	if err != nil {
		return Signature{}, err
	}
	var sig Signature
	if f.UnknownKID {
		if cur, err = k.rogueKey(cur.Alg); err != nil {
			return Signature{}, err
		}
		sig.Faults = append(sig.Faults, emulator.FaultUnknownKID)
	}
	sig.KID = cur.KID
	if sig.JWS, err = signCompact(cur, body); err != nil {
		return Signature{}, err
	}
	if f.BadSignature {
		if sig.JWS, err = corrupt(sig.JWS); err != nil {
			return Signature{}, err
		}
		sig.Faults = append(sig.Faults, emulator.FaultBadSignature)
	}
	return sig, nil
}

// rogueKey returns this process's key outside every JWKS for alg.
func (k *Keys) rogueKey(alg emulator.SigningAlg) (emulator.SigningKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r, ok := k.rogue[alg]; ok {
		return r, nil
	}
	r, err := Mint(alg)
	if err != nil {
		return r, err
	}
	k.rogue[alg] = r
	return r, nil
}

// Mint makes a new signing key: RSA 2048 for RS256, P-256 for ES256, kept
// as PKCS#8 PEM. Its kid is the key's RFC 7638 thumbprint (SHA-256,
// base64url), unique without any registry and stable for the key. It is
// the store.KeyMinter the store makes keys with.
func Mint(alg emulator.SigningAlg) (emulator.SigningKey, error) {
	if err := alg.Validate(); err != nil {
		return emulator.SigningKey{}, err
	}
	var priv crypto.Signer
	var err error
	switch alg {
	case emulator.RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case emulator.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return emulator.SigningKey{}, fmt.Errorf("mint %s key: %w", alg, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return emulator.SigningKey{}, fmt.Errorf("mint %s key: %w", alg, err)
	}
	jwk := jose.JSONWebKey{Key: priv.Public()}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return emulator.SigningKey{}, fmt.Errorf("mint %s key: %w", alg, err)
	}
	return emulator.SigningKey{
		KID:        base64.RawURLEncoding.EncodeToString(thumb),
		Alg:        alg,
		PrivateKey: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
	}, nil
}

// parseKey reads a stored key back and checks it fits its algorithm.
func parseKey(k emulator.SigningKey) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(k.PrivateKey))
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: not a PKCS#8 PEM private key", k)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k, err)
	}
	switch key := key.(type) {
	case *rsa.PrivateKey:
		if k.Alg == emulator.RS256 {
			return key, nil
		}
	case *ecdsa.PrivateKey:
		if k.Alg == emulator.ES256 && key.Curve == elliptic.P256() {
			return key, nil
		}
	}
	return nil, fmt.Errorf("%s: a %T does not sign %s", k, key, k.Alg)
}

func publicJWK(k emulator.SigningKey) (jose.JSONWebKey, error) {
	priv, err := parseKey(k)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	return jose.JSONWebKey{Key: priv.Public(), KeyID: k.KID, Algorithm: string(k.Alg), Use: "sig"}, nil
}

// signCompact makes a compact JWS over payload with protected header
// {alg, kid}.
func signCompact(k emulator.SigningKey, payload []byte) (string, error) {
	priv, err := parseKey(k)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.SignatureAlgorithm(k.Alg),
		Key:       jose.JSONWebKey{Key: priv, KeyID: k.KID},
	}, nil)
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// corrupt flips one bit in the middle of a compact JWS's signature, so
// the header and payload stay readable and only verification fails.
func corrupt(jws string) (string, error) {
	i := strings.LastIndexByte(jws, '.')
	if i < 0 {
		return "", errors.New("corrupt: not a compact JWS")
	}
	sig, err := base64.RawURLEncoding.DecodeString(jws[i+1:])
	if err != nil || len(sig) == 0 {
		return "", fmt.Errorf("corrupt: signature: %v", err)
	}
	sig[len(sig)/2] ^= 0x01
	return jws[:i+1] + base64.RawURLEncoding.EncodeToString(sig), nil
}
