package memo

import (
	"sync"
	"testing"
)

func TestMapIsBoundedAndConcurrent(t *testing.T) {
	m := Map[int, int]{Max: 10}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				m.Put(g*1000+i, i)
				m.Get(i)
			}
		}(g)
	}
	wg.Wait()
	if m.Len() > 10 {
		t.Fatalf("holds %d entries, bound is 10", m.Len())
	}
	m.Put(-1, 7)
	if v, ok := m.Get(-1); !ok || v != 7 {
		t.Fatalf("got %v %v", v, ok)
	}
}
