package fintecture

import (
	"testing"
)

// TestEveryOperationHasAHandler sweeps the contract: each operation of the
// documents has exactly one handler, and every handler is an operation.
func TestEveryOperationHasAHandler(t *testing.T) {
	c, err := SpecContract()
	if err != nil {
		t.Fatal(err)
	}
	routes := (&Provider{}).specRoutes()
	ops := c.Operations()
	if len(ops) != len(routes) {
		t.Errorf("%d operations, %d handlers", len(ops), len(routes))
	}
	for _, op := range ops {
		if routes[op.ID] == nil {
			t.Errorf("operation %s (%s %s) has no handler", op.ID, op.Method, op.Path)
		}
	}
	seen := map[string]bool{}
	for _, op := range ops {
		seen[op.ID] = true
	}
	for id := range routes {
		if !seen[id] {
			t.Errorf("handler %s is not an operation of the contract", id)
		}
	}
	if len(ops) != 20 {
		t.Errorf("the three documents hold 20 operations, found %d", len(ops))
	}
}

// TestEveryLiveOperationHasAHandler is the same sweep for the live contract.
func TestEveryLiveOperationHasAHandler(t *testing.T) {
	c, err := LiveContract()
	if err != nil {
		t.Fatal(err)
	}
	routes := (&Provider{}).liveRoutes()
	seen := map[string]bool{}
	for _, op := range c.Operations() {
		seen[op.ID] = true
		if routes[op.ID] == nil {
			t.Errorf("operation %s (%s %s) has no handler", op.ID, op.Method, op.Path)
		}
	}
	for id := range routes {
		if !seen[id] {
			t.Errorf("handler %s is not an operation of the live contract", id)
		}
	}
	if len(seen) != 22 {
		t.Errorf("the four live documents hold 22 operations, found %d", len(seen))
	}
}
