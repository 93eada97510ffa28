package emulator

import (
	"sync"
	"time"
)

// Clock is the source of real time. Exactly one implementation reads the
// system clock (SystemClock); everything else asks a Clock, so tests can
// pin time and every tenant can run on its own offset.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock. It is the only place in Sandbank that calls
// time.Now.
type SystemClock struct{}

// Now returns the current wall-clock time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FixedClock always answers the same instant; tests use it to make
// responses byte-identical across runs.
type FixedClock struct{ T time.Time }

// Now returns the fixed instant.
func (c FixedClock) Now() time.Time { return c.T }

// TenantClock is one tenant's view of time: real time shifted by Offset, or
// frozen at FrozenAt. All expiry, job progress and timeouts of a tenant are
// computed on it (DESIGN.md §6).
type TenantClock struct {
	Offset   time.Duration
	FrozenAt *time.Time
}

// At maps a real instant onto the tenant's clock.
func (c TenantClock) At(real time.Time) time.Time {
	if c.FrozenAt != nil {
		return *c.FrozenAt
	}
	return real.Add(c.Offset).UTC()
}

// ManualClock is a clock that only moves when told to; tests use it to
// step through expiries deterministically.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock starts a manual clock at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t.UTC()} }

// Now returns the clock's current instant.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
