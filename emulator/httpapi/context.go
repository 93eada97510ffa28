// Package httpapi is the HTTP plumbing every provider shares: contracts
// mounted from OpenAPI documents (operationId → handler) with request and
// response validation, the request context (operation, tenant, base URL,
// request id), and small helpers that write and read bodies so no handler
// marshals by hand.
package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/sandbank/sandbank/emulator"
)

type ctxKey int

const (
	keyOperation ctxKey = iota
	keyTenant
	keyBaseURL
	keyRequestID
	keyTrace
)

// Operation is what the context knows of the contract operation a request
// matched.
type Operation struct {
	Contract string // e.g. "fintecture"
	ID       string // the operationId
}

// Trace is what the layers deep in the chain learn about a request and
// the outer middleware (access log, journal) reads once it is answered:
// the contract operation it matched and the tenant it belongs to.
type Trace struct {
	Op     Operation
	Tenant *emulator.Tenant
}

// WithTrace gives outer middleware a Trace that inner layers fill in.
func WithTrace(ctx context.Context, tr *Trace) context.Context {
	return context.WithValue(ctx, keyTrace, tr)
}

// TraceFrom returns the request's Trace, or nil outside a traced request.
func TraceFrom(ctx context.Context) *Trace {
	tr, _ := ctx.Value(keyTrace).(*Trace)
	return tr
}

// NoteTenant records in the request's Trace which tenant it belongs to;
// pages that find their tenant without WithTenant call it directly.
func NoteTenant(ctx context.Context, t *emulator.Tenant) {
	if tr := TraceFrom(ctx); tr != nil {
		tr.Tenant = t
	}
}

// OperationFrom returns the matched operation, if any.
func OperationFrom(ctx context.Context) (Operation, bool) {
	op, ok := ctx.Value(keyOperation).(Operation)
	return op, ok
}

// WithTenant stores the authenticated tenant in the context (and notes it
// in the Trace).
func WithTenant(ctx context.Context, t *emulator.Tenant) context.Context {
	NoteTenant(ctx, t)
	return context.WithValue(ctx, keyTenant, t)
}

// TenantFrom returns the tenant an auth middleware resolved.
func TenantFrom(ctx context.Context) *emulator.Tenant {
	t, _ := ctx.Value(keyTenant).(*emulator.Tenant)
	return t
}

// WithBaseURL records the scheme and host every URL Sandbank puts in a
// response is built from (DESIGN.md §2).
func WithBaseURL(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, keyBaseURL, strings.TrimRight(base, "/"))
}

// BaseURL returns the public base URL for this request: --public-url when
// set, else the request's own scheme and Host.
func BaseURL(r *http.Request) string {
	if b, ok := r.Context().Value(keyBaseURL).(string); ok && b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// WithRequestID records the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, keyRequestID, id)
}

// RequestID returns the request id the server middleware assigned.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}
