package faults

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// apply carries out a fired rule: latency first (it delays whatever comes
// next), then a hang, a drop, an error in the provider's envelope, or the
// handler's own answer.
func (e *Engine) apply(w http.ResponseWriter, r *http.Request, f firing, t *emulator.Tenant, at point, ew httpapi.ErrorWriter, next http.Handler) {
	rule := &f.rule.rule
	e.log.InfoContext(r.Context(), "fault fired", "rule", rule.ID, "name", rule.Name, "effect", effect(rule),
		"contract", at.contract, "operation", at.op, "tenant", t.Key())
	if d := rule.Latency.D(); d > 0 && !e.wait(r.Context(), d) {
		return // the client is gone: there is no one to answer
	}
	switch {
	case rule.Hang > 0:
		e.wait(r.Context(), rule.Hang.D())
		abort()
	case rule.Drop:
		abort()
	case rule.Status != 0 || rule.RateLimit != nil:
		status, retry := rule.Status, rule.RetryAfter.D()
		if rule.RateLimit != nil {
			status, retry = 429, f.retry
		}
		if retry > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(int64((retry+time.Second-1)/time.Second), 10))
		}
		// Tells a developer reading the raw answer that Sandbank made it
		// up on purpose, and which rule to look at; clients ignore it.
		w.Header().Set("X-Sandbank-Fault", rule.ID)
		msg := rule.Message
		if msg == "" {
			msg = http.StatusText(status)
		}
		ew(w, r, &emulator.Error{Code: codeFor(status), Status: status, Message: msg})
	default:
		next.ServeHTTP(w, r)
	}
}

// abort closes the connection without an answer: net/http recovers
// http.ErrAbortHandler silently, and the server's recover middleware
// re-panics it rather than answering 500.
func abort() { panic(http.ErrAbortHandler) }

// wait blocks for d, or until the request ends or the engine closes. It
// reports whether the request is still alive. A timer rather than
// time.Sleep, so no goroutine outlives its request.
func (e *Engine) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-e.closed:
	}
	return ctx.Err() == nil
}

// codeFor gives an injected status the domain code closest to it, so a
// provider's envelope carries a fitting error code beside the status.
func codeFor(status int) emulator.Code {
	switch status {
	case http.StatusTooManyRequests:
		return emulator.CodeRateLimited
	case http.StatusInternalServerError:
		return emulator.CodeInternal
	case http.StatusUnauthorized:
		return emulator.CodeUnauthenticated
	case http.StatusForbidden:
		return emulator.CodeForbidden
	case http.StatusNotFound:
		return emulator.CodeNotFound
	case http.StatusConflict:
		return emulator.CodeConflict
	}
	if status < 500 {
		return emulator.CodeInvalid
	}
	return emulator.CodeUnavailable
}

// effect names what a rule does, for the log line.
func effect(r *Rule) string {
	switch {
	case r.Hang > 0:
		return "hang"
	case r.Drop:
		return "drop"
	case r.RateLimit != nil:
		return "rate_limit"
	case r.Status != 0:
		return "status " + strconv.Itoa(r.Status)
	}
	return "latency"
}
