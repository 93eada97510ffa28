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
	keyOpSlot
)

// Operation is what the context knows of the contract operation a request
// matched.
type Operation struct {
	Contract string // e.g. "fintecture"
	ID       string // the operationId
}

// WithOperationSlot gives outer middleware (the access log) a place where
// the contract layer, deeper in the chain, records the operation matched.
func WithOperationSlot(ctx context.Context, slot *Operation) context.Context {
	return context.WithValue(ctx, keyOpSlot, slot)
}

// OperationFrom returns the matched operation, if any.
func OperationFrom(ctx context.Context) (Operation, bool) {
	op, ok := ctx.Value(keyOperation).(Operation)
	return op, ok
}

// WithTenant stores the authenticated tenant in the context.
func WithTenant(ctx context.Context, t *emulator.Tenant) context.Context {
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
