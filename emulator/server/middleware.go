package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// Middleware wraps a handler with one cross-cutting behaviour.
type Middleware func(http.Handler) http.Handler

func chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// requestIDs gives every request an id: the client's X-Request-ID when it
// sends one (Fintecture's SDKs do), else the next of a counter hashed into
// UUID form, so a replayed sequence of requests gets the same ids.
func requestIDs() Middleware {
	var n atomic.Uint64
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-ID")
			if id == "" || len(id) > 128 {
				sum := sha256.Sum256([]byte(fmt.Sprintf("sandbank request %d", n.Add(1))))
				h := hex.EncodeToString(sum[:16])
				id = h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
			}
			w.Header().Set("X-Request-ID", id)
			next.ServeHTTP(w, r.WithContext(httpapi.WithRequestID(r.Context(), id)))
		})
	}
}

// baseURL pins the URLs Sandbank writes into responses to --public-url.
func baseURL(public string) Middleware {
	return func(next http.Handler) http.Handler {
		if public == "" {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(httpapi.WithBaseURL(r.Context(), public)))
		})
	}
}

// accessLog writes one slog line per request, with the operationId when
// the request matched a contract operation.
func accessLog(log *slog.Logger, clock emulator.Clock) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := clock.Now()
			sw := &httpapi.Recorder{ResponseWriter: w}
			tr := httpapi.TraceFrom(r.Context())
			if tr == nil {
				tr = &httpapi.Trace{}
			}
			ctx := httpapi.WithTrace(r.Context(), tr)
			next.ServeHTTP(sw, r.WithContext(ctx))
			if !log.Enabled(ctx, slog.LevelInfo) {
				return
			}
			attrs := []any{"method", r.Method, "path", r.URL.Path, "status", sw.Status, "bytes", sw.Bytes,
				"duration", clock.Now().Sub(start), "request_id", httpapi.RequestID(ctx)}
			if tr.Op.ID != "" {
				attrs = append(attrs, "contract", tr.Op.Contract, "operation", tr.Op.ID)
			}
			log.InfoContext(ctx, "request", attrs...)
		})
	}
}

// recoverPanics turns a panic into a logged 500 instead of a dropped
// connection; it is a bug to fix, never an expected answer.
func recoverPanics(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					log.Error("panic serving request", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
					http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// elapsed is how long the server has been up.
func elapsed(clock emulator.Clock, since time.Time) time.Duration {
	return clock.Now().Sub(since).Round(time.Second)
}
