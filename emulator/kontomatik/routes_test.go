package kontomatik

import (
	"testing"

	"github.com/sandbank/sandbank/emulator/httpapi"
)

// TestEveryOperationHasAHandler sweeps both contracts: each operation of
// a document has a handler, and every handler is an operation.
func TestEveryOperationHasAHandler(t *testing.T) {
	p := &Provider{}
	for _, tc := range []struct {
		contract func() (*httpapi.Contract, error)
		routes   map[string]httpapi.Handler
		ops      int
	}{{SpecContract, p.specRoutes(), 9}, {LiveContract, p.liveRoutes(), 8}} {
		c, err := tc.contract()
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, op := range c.Operations() {
			seen[op.ID] = true
			if tc.routes[op.ID] == nil {
				t.Errorf("%s: operation %s (%s %s) has no handler", c.Name, op.ID, op.Method, op.Path)
			}
		}
		for id := range tc.routes {
			if !seen[id] {
				t.Errorf("%s: handler %s is not an operation", c.Name, id)
			}
		}
		if len(seen) != tc.ops {
			t.Errorf("%s: %d operations, want %d", c.Name, len(seen), tc.ops)
		}
	}
}
