package emulator

import (
	"errors"
	"fmt"
)

// Code classifies a domain error. Each provider adapter owns the table that
// turns a Code (and the Resource it concerns) into its HTTP status and
// envelope, so handlers never pick status codes themselves.
type Code string

// The closed set of domain error codes.
const (
	CodeInvalid          Code = "invalid"          // a field has a bad value
	CodeMissing          Code = "missing"          // a mandatory field is absent
	CodeNotFound         Code = "not_found"        // an id is unknown to this tenant
	CodeUnauthenticated  Code = "unauthenticated"  // no, unknown or expired credential
	CodeBadSecret        Code = "bad_secret"       // known client, wrong secret
	CodeBadCode          Code = "bad_code"         // authorization code unknown, used or expired
	CodeBadSignature     Code = "bad_signature"    // request signature missing or not verifying
	CodeForbidden        Code = "forbidden"        // credential valid but not allowed (scope)
	CodeConflict         Code = "conflict"         // state does not allow the action
	CodeTooLarge         Code = "too_large"        // body over the limit
	CodeUnsupportedType  Code = "unsupported_type" // wrong content type
	CodeRateLimited      Code = "rate_limited"     // too many requests
	CodeUnavailable      Code = "unavailable"      // bank or provider down
	CodeRouteNotFound    Code = "route_not_found"  // no such path on this contract
	CodeMethodNotAllowed Code = "method_not_allowed"
	CodeInternal         Code = "internal"
)

// Error is the one error type handlers return for expected failures.
type Error struct {
	Code Code
	// Resource names what an id referred to ("customer", "account", ...),
	// so an adapter can answer customer_unknown rather than a generic 404.
	Resource string
	// ID is the id that was not found, beside Resource.
	ID string
	// Field names the request field at fault, when there is one.
	Field string
	// Message is a human sentence for the error body.
	Message string
	// Status, when non-zero, is the HTTP status to answer instead of the
	// one the provider's table gives Code. Fault rules use it to answer
	// any status in the provider's own envelope.
	Status int
}

func (e *Error) Error() string {
	switch {
	case e.Field != "":
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	case e.Resource != "":
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Resource, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError reports a bad or missing request field.
func FieldError(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports an id unknown to the tenant. Another tenant's ids are
// unknown too: isolation never reveals that an id exists elsewhere.
func NotFound(resource, id string) *Error {
	return &Error{Code: CodeNotFound, Resource: resource, ID: id, Message: fmt.Sprintf("%s %q is unknown", resource, id)}
}

// AsError extracts an *Error from err; anything else becomes CodeInternal.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeInternal, Message: "internal error"}
}

// IsCode reports whether err is an *Error with the given code.
func IsCode(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
