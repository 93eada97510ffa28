package faults

import (
	"encoding/json"
	"hash/fnv"
	"time"
)

// counter is what a rule remembers about one tenant's calls. Counters are
// per tenant so one client's traffic never moves another's "fail after 3
// calls", and in memory only: a restart starts every count again, which is
// what a replayed test run expects.
type counter struct {
	tenant  string // the tenant's key, for ForTenant and ResetCounters
	matched int64  // calls the rule matched
	fired   int64  // calls the rule answered
	// window and inWindow are the rate limit's current fixed window on
	// the tenant's clock and the calls counted in it.
	window   time.Time
	inWindow int
}

// gate counts one matching call and says whether the rule fires on it,
// and for a rate limit how long until its window ends. The gates apply in
// order: After, Every, Probability, RateLimit, Times. A call is counted by
// every rule it matches, whichever of them fires, so a rule behaves the
// same whatever other rules exist. The caller holds the engine's lock.
func (c *compiled) gate(cnt *counter, seed int64, now time.Time) (fire bool, retry time.Duration) {
	r := &c.rule
	cnt.matched++
	n := cnt.matched
	if n <= int64(r.After) {
		return false, 0
	}
	if r.Every > 0 && (n-int64(r.After))%int64(r.Every) != 0 {
		return false, 0
	}
	if r.Probability > 0 && draw(seed, c.content, n) >= r.Probability {
		return false, 0
	}
	if rl := r.RateLimit; rl != nil {
		per := rl.Per.D()
		switch {
		case cnt.window.IsZero() || now.Before(cnt.window):
			// The first call opens the first window; a tenant clock set
			// back opens a new one rather than a window in the future.
			cnt.window, cnt.inWindow = now, 0
		case now.Sub(cnt.window) >= per:
			// Windows stay aligned to the first call however long the
			// tenant was idle.
			cnt.window = cnt.window.Add(now.Sub(cnt.window) / per * per)
			cnt.inWindow = 0
		}
		cnt.inWindow++
		if cnt.inWindow <= rl.Calls {
			return false, 0
		}
		retry = cnt.window.Add(per).Sub(now)
	}
	if r.Times > 0 && cnt.fired >= int64(r.Times) {
		return false, 0
	}
	return true, retry
}

// draw is the deterministic coin of Probability: a number in [0, 1) from
// the tenant's seed, the rule's content and the matched-call number. No
// generator state is kept, so the same calls fail the same way after a
// restart, in another database, or beside other rules.
func draw(seed int64, content uint64, n int64) float64 {
	h := mix(uint64(seed))
	h = mix(h ^ content)
	h = mix(h ^ uint64(n))
	return float64(h>>11) / (1 << 53)
}

// mix is the SplitMix64 finaliser: every input bit moves about half the
// output bits, so consecutive call numbers give unrelated draws.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// contentHash identifies what a rule does, not where it is stored: its
// JSON without the id (assigned by the database) and without the tenant
// (the seed already is the tenant's), so a rule from a scenario and the
// same rule added through the control plane draw the same sequence.
func contentHash(r Rule) uint64 {
	r.ID, r.Match.Tenant = "", ""
	b, err := json.Marshal(r)
	if err != nil {
		// Rule holds only plain values: Marshal cannot fail on it.
		panic(err)
	}
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}
