package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"
)

// bareBody is the bare handler's answer: a fixed JSON document shaped like,
// and about as large as, Sandbank's accounts answer for a cmmcfr customer.
const bareBody = `{"data":[{"id":"d51515245f34357431441cd80b2e3b8d","iban":"FR7649453009832299748013342","bic":"CMCIFR2A","currency":"EUR","balances":[{"type":"closingBooked","amount":"951.23","currency":"EUR","timestamp":"2026-11-21T08:41:13Z"},{"type":"expected","amount":"914.51","currency":"EUR","timestamp":"2026-11-21T08:41:13Z"},{"type":"available","amount":"914.51","currency":"EUR","timestamp":"2026-11-21T08:41:13Z"}],"type":"CACC"},{"id":"75b4b45ddecd293eb963b6a928abb3ad","iban":"FR7603584937511931600593849","bic":"CMCIFR2A","currency":"EUR","balances":[{"type":"closingBooked","amount":"16376.68","currency":"EUR","timestamp":"2026-11-21T08:41:13Z"},{"type":"expected","amount":"16376.68","currency":"EUR","timestamp":"2026-11-21T08:41:13Z"},{"type":"available","amount":"16376.68","currency":"EUR","timestamp":"2026-11-21T08:41:13Z"}],"type":"SVGS"}],"meta":{"bench":"bare"}}`

// bareHandler answers every request with bareBody.
func bareHandler() http.Handler {
	body := []byte(bareBody)
	length := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		_, _ = w.Write(body)
	})
}

// serveBare serves bareHandler on addr until ctx is done (SIGTERM).
func serveBare(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: bareHandler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
