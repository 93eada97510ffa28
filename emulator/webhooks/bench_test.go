package webhooks_test

import (
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/webhooks"
)

// BenchmarkMint measures key generation, the slow part of a tenant's
// first webhook or JWKS.
func BenchmarkMint(b *testing.B) {
	for _, alg := range []emulator.SigningAlg{emulator.RS256, emulator.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			for b.Loop() {
				if _, err := webhooks.Mint(alg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDeliver measures one webhook from outbox to a local receiver
// and back into the store: enqueue, claim, sign, POST, record.
func BenchmarkDeliver(b *testing.B) {
	for _, alg := range []emulator.SigningAlg{emulator.RS256, emulator.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			h := newHarness(b, alg, webhooks.Options{})
			rcv := newReceiver(b)
			h.jwks() // keys made outside the loop
			for b.Loop() {
				h.enqueue(rcv.hook(), 1)
				if h.flush() != 1 {
					b.Fatal("not sent")
				}
			}
		})
	}
}
