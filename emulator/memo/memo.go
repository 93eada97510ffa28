// Package memo is a small bounded, concurrency-safe map for memoising
// answers on hot paths (verified tokens, read queries between writes).
package memo

import "sync"

// Map is a bounded map safe for concurrent use. When it holds Max entries
// it starts again from empty: the values are only ever a cache, so losing
// them costs a recomputation, never correctness.
type Map[K comparable, V any] struct {
	Max int

	mu sync.RWMutex
	m  map[K]V
}

// Get returns the value for k, if present.
func (c *Map[K, V]) Get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

// Put stores v under k.
func (c *Map[K, V]) Put(k K, v V) {
	c.mu.Lock()
	if c.m == nil || (c.Max > 0 && len(c.m) >= c.Max) {
		c.m = make(map[K]V)
	}
	c.m[k] = v
	c.mu.Unlock()
}

// Len is the number of entries held.
func (c *Map[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
