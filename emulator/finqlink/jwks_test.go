package finqlink_test

import (
	"testing"
	"time"
)

type jwksBody struct {
	Keys []struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Alg string `json:"alg"`
		Use string `json:"use"`
		N   string `json:"n"`
		E   string `json:"e"`
	} `json:"keys"`
}

// The key set lists exactly two keys, newest first, rotated every 90 days
// of the tenant clock with the replaced key still published.
func TestJWKS(t *testing.T) {
	h := newHarness(t)
	get := func() jwksBody {
		t.Helper()
		r := h.send("GET", base+"/.well-known/jwks.json?client_id="+clientID, "", nil, nil)
		if r.Status != 200 {
			t.Fatalf("jwks: %d %s", r.Status, r.Body)
		}
		var b jwksBody
		r.Decode(t, &b)
		if len(b.Keys) != 2 {
			t.Fatalf("want exactly two keys: %s", r.Body)
		}
		for _, k := range b.Keys {
			if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.Kid == "" || k.N == "" || k.E == "" {
				t.Fatalf("key: %+v", k)
			}
		}
		return b
	}
	first := get()
	if again := get(); again.Keys[0].Kid != first.Keys[0].Kid || again.Keys[1].Kid != first.Keys[1].Kid {
		t.Fatal("the key set changed without time passing")
	}
	h.Clock.Advance(91 * 24 * time.Hour)
	rotated := get()
	if rotated.Keys[1].Kid != first.Keys[0].Kid || rotated.Keys[0].Kid == first.Keys[0].Kid {
		t.Fatalf("after 91 days the new key comes first and the replaced one second: %v → %v", first.Keys, rotated.Keys)
	}
	other := h.send("GET", base+"/.well-known/jwks.json?client_id=another-client", "", nil, nil)
	if other.Status != 200 || string(other.Body) == "" {
		t.Fatalf("another client's keys: %d", other.Status)
	}
	var ob jwksBody
	other.Decode(t, &ob)
	if ob.Keys[0].Kid == rotated.Keys[0].Kid {
		t.Fatal("two clients share a signing key")
	}
	if e := h.send("GET", base+"/.well-known/jwks.json", "", nil, nil).failure(t, 400); e.Code != "validation_error" {
		t.Fatalf("no client_id: %+v", e)
	}
}
