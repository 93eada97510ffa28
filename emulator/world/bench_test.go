package world

import (
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/fixtures"
	"github.com/sandbank/sandbank/scenarios"
)

// BenchmarkLargeHistory measures the generation of the large_history
// world (one account, over 100,000 transactions): tenant creation waits
// for it.
func BenchmarkLargeHistory(b *testing.B) { benchmarkWorld(b, "large_history") }

// BenchmarkDefault measures the world every new tenant gets by default.
func BenchmarkDefault(b *testing.B) { benchmarkWorld(b, scenarios.Default) }

// benchmarkWorld measures the generation of a built-in's Fintecture world.
func benchmarkWorld(b *testing.B, name string) {
	sc, err := scenarios.Builtin(name)
	if err != nil {
		b.Fatal(err)
	}
	banks, err := fixtures.Banks(emulator.Fintecture)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		w, err := GenerateFor(sc, emulator.Fintecture, sc.Seed, banks, anchor)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(w.Transactions)), "transactions")
	}
}
