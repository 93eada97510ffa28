package fintecture_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkGetAccounts runs GET accounts through the whole handler chain
// (request id, auth, contract validation, store) without the network, to
// profile Sandbank's own cost: go test -bench GetAccounts -cpuprofile.
func BenchmarkGetAccounts(b *testing.B) {
	h := newHarness(b)
	cust, tok := h.connected(appID, appSecret)
	path := "/fintecture/ais/v1/customer/" + cust + "/accounts"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			w := httptest.NewRecorder()
			h.In.Handler.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
