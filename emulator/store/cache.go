package store

import (
	"strconv"

	"github.com/sandbank/sandbank/emulator"
)

// readCache memoises read queries between writes. Every write transaction
// bumps the generation before and after it commits, and an answer is only
// served while the generation it was read under is still current, so a
// cached answer is never older than the last committed write. Reads on the
// hot paths (tokens, connections, accounts, balances) then cost a map
// lookup instead of SQL while a test suite mostly reads.
//
// Cached values are shared between callers and must not be modified.
type cacheEntry struct {
	gen uint64
	val any
}

const cacheMax = 100_000

func cacheKey(kind string, t *emulator.Tenant, parts ...string) string {
	k := kind + "\x00" + strconv.FormatInt(t.ID, 10)
	for _, p := range parts {
		k += "\x00" + p
	}
	return k
}

// cached returns the memoised answer for key, or loads and remembers it.
// Errors are not cached.
func cached[T any](s *Store, key string, load func() (T, error)) (T, error) {
	gen := s.gen.Load()
	if e, ok := s.reads.Get(key); ok && e.gen == gen {
		return e.val.(T), nil
	}
	v, err := load()
	if err == nil {
		s.reads.Put(key, cacheEntry{gen: gen, val: v})
	}
	return v, err
}
