package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
)

// Contract is one provider dialect: the OpenAPI documents it serves and the
// path prefix it is mounted at. The routes it serves are exactly the
// operations of its documents (DESIGN.md §1, §9).
type Contract struct {
	Name   string // e.g. "fintecture" or "live/fintecture"
	Prefix string // e.g. "/fintecture"
	Docs   []*openapi3.T
}

// ContractOperation is one operation of a contract.
type ContractOperation struct {
	ID     string
	Method string
	Path   string // OpenAPI path template
	route  *routers.Route
}

// Operations lists the contract's operations sorted by path and method.
func (c *Contract) Operations() []ContractOperation {
	var ops []ContractOperation
	for _, doc := range c.Docs {
		spec := validationDoc(doc)
		for _, path := range doc.Paths.InMatchingOrder() {
			item := doc.Paths.Find(path)
			for method, op := range item.Operations() {
				ops = append(ops, ContractOperation{
					ID: op.OperationID, Method: method, Path: path,
					route: &routers.Route{Spec: spec, Path: path, PathItem: item, Method: method, Operation: op},
				})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops
}

// MountOptions say how a contract is served.
type MountOptions struct {
	// Errors writes errors (validation failures included) in the
	// provider's envelope.
	Errors ErrorWriter
	// Auth, when set, wraps every operation before validation, so a
	// request without credentials is refused before its body is judged.
	Auth func(op ContractOperation, next http.Handler) http.Handler
	// ValidateResponses checks every response against the contract and
	// reports violations to OnViolation.
	ValidateResponses bool
	OnViolation       func(r *http.Request, op ContractOperation, err error)
	// Faults, when set, wraps every operation after Auth and before
	// validation: fault rules apply by operationId, to requests whose
	// tenant is known, whatever their body (DESIGN.md §8).
	Faults FaultWrapper
	// Subject tells the fault rules which bank, PSU and account a request
	// concerns; the provider knows how its paths name them.
	Subject SubjectFunc
}

// Subject is what a request concerns in the world, for fault rules that
// match by bank, PSU or account. Empty fields are unknown.
type Subject struct {
	Bank     string // the provider's bank id
	PSU      string // the PSU's login
	Account  string // the account id
	IBAN     string // the account's IBAN
	Provider emulator.Provider
}

// SubjectFunc resolves a request's Subject. It runs only when a rule needs
// it, after authentication, and must not fail the request: unknown parts
// stay empty.
type SubjectFunc func(r *http.Request) Subject

// FaultWrapper wraps one operation's handler with the fault rules.
type FaultWrapper func(c *Contract, op ContractOperation, ew ErrorWriter, subject SubjectFunc, next http.Handler) http.Handler

// Mount registers every operation of c on r under c.Prefix. It fails if an
// operation has no handler or a handler names no operation, which is what
// keeps the served routes and the documents identical.
func Mount(r *mux.Router, c *Contract, handlers map[string]Handler, opts MountOptions) error {
	RegisterXMLBodies() // Kontomatik's XML bodies are validated like JSON ones (DESIGN.md §9)
	ops := c.Operations()
	seen := map[string]bool{}
	var missing []string
	for _, op := range ops {
		if seen[op.ID] {
			return fmt.Errorf("contract %s: operationId %q appears twice", c.Name, op.ID)
		}
		seen[op.ID] = true
		if handlers[op.ID] == nil {
			missing = append(missing, op.ID)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("contract %s: no handler for %s", c.Name, strings.Join(missing, ", "))
	}
	for id := range handlers {
		if !seen[id] {
			return fmt.Errorf("contract %s: handler %q is not an operation of the contract", c.Name, id)
		}
	}
	sub := r.PathPrefix(c.Prefix).Subrouter()
	// One route per path that dispatches on the method itself, so a known
	// path with an unknown method answers 405 in the provider's envelope.
	byPath := map[string]map[string]http.Handler{}
	var paths []string
	for _, op := range ops {
		var h http.Handler = Adapt(handlers[op.ID], opts.Errors)
		h = validateRequest(op, opts.Errors, h)
		if opts.Faults != nil {
			h = opts.Faults(c, op, opts.Errors, opts.Subject, h)
		}
		if opts.Auth != nil {
			h = opts.Auth(op, h)
		}
		if opts.ValidateResponses {
			h = validateResponse(op, opts.OnViolation, h)
		}
		h = tagOperation(Operation{Contract: c.Name, ID: op.ID}, h)
		if byPath[op.Path] == nil {
			byPath[op.Path] = map[string]http.Handler{}
			paths = append(paths, op.Path)
		}
		byPath[op.Path][op.Method] = h
	}
	for _, path := range paths {
		sub.Path(path).Handler(MethodSwitch(byPath[path], opts.Errors))
	}
	sub.NotFoundHandler = Adapt(func(w http.ResponseWriter, r *http.Request) error {
		return emulator.Errorf(emulator.CodeRouteNotFound, "%s %s is not an operation of this API", r.Method, r.URL.Path)
	}, opts.Errors)
	return nil
}

// Dialect is one contract a provider serves, with its handlers.
type Dialect struct {
	Load   func() (*Contract, error)
	Routes map[string]Handler
}

// MountDialects mounts each of a provider's contracts with opts, which
// carry the provider's error writer and subject. authFor, when set, gives
// each contract its auth middleware (Fintecture's signatures depend on the
// contract's mount prefix).
func MountDialects(r *mux.Router, opts MountOptions, authFor func(*Contract) func(ContractOperation, http.Handler) http.Handler, dialects ...Dialect) error {
	for _, d := range dialects {
		c, err := d.Load()
		if err != nil {
			return err
		}
		if authFor != nil {
			opts.Auth = authFor(c)
		}
		if err := Mount(r, c, d.Routes, opts); err != nil {
			return err
		}
	}
	return nil
}

// MethodSwitch serves one path whose handlers differ by method: a method
// it has no handler for answers 405 with Allow, through ew, so the error is
// in the API's own format.
func MethodSwitch(methods map[string]http.Handler, ew ErrorWriter) http.Handler {
	allowed := make([]string, 0, len(methods))
	for m := range methods {
		allowed = append(allowed, m)
	}
	sort.Strings(allowed)
	allow := strings.Join(allowed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := methods[r.Method]; ok {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Allow", allow)
		ew(w, r, emulator.Errorf(emulator.CodeMethodNotAllowed, "%s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, allow))
	})
}

func tagOperation(op Operation, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tr := TraceFrom(r.Context()); tr != nil {
			tr.Op = op
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyOperation, op)))
	})
}

var filterOptions = &openapi3filter.Options{
	// Credentials are checked by each provider's own auth middleware,
	// which answers in the provider's envelope.
	AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	// Defaults stay out of the body the handler reads: handlers apply
	// their own, documented defaults.
	SkipSettingDefaults: true,
}

// validateRequest checks a request against its operation before the
// handler runs, answering 4xx in the provider's envelope and naming the
// field (DESIGN.md §9).
func validateRequest(op ContractOperation, ew ErrorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: mux.Vars(r), Route: op.route, Options: filterOptions}
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			ew(w, r, requestErrorToDomain(err))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requestErrorToDomain names the field a kin-openapi error is about.
func requestErrorToDomain(err error) *emulator.Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return emulator.Errorf(emulator.CodeTooLarge, "the request body is larger than %d bytes", MaxBody)
	}
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return emulator.Errorf(emulator.CodeInvalid, "%v", err)
	}
	var se *openapi3.SchemaError
	hasSchema := errors.As(re.Err, &se)
	switch {
	case re.Parameter != nil:
		field := re.Parameter.Name
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
			return emulator.FieldError(emulator.CodeMissing, field, "the %s parameter %s is required", re.Parameter.In, field)
		}
		reason := re.Reason
		if hasSchema {
			reason = se.Reason
		} else if re.Err != nil {
			reason = re.Err.Error()
		}
		return emulator.FieldError(emulator.CodeInvalid, field, "the %s parameter %s is invalid: %s", re.Parameter.In, field, reason)
	case re.RequestBody != nil:
		if strings.HasPrefix(re.Reason, "header Content-Type has unexpected value") {
			return emulator.FieldError(emulator.CodeUnsupportedType, "Content-Type", "%s", re.Reason)
		}
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
			return emulator.FieldError(emulator.CodeMissing, "body", "a request body is required")
		}
		if hasSchema {
			return schemaErrorToDomain(se)
		}
		msg := re.Reason
		if re.Err != nil {
			msg += ": " + re.Err.Error()
		}
		return emulator.FieldError(emulator.CodeInvalid, "body", "malformed request body (%s)", msg)
	}
	return emulator.Errorf(emulator.CodeInvalid, "%s", re.Error())
}

func validateResponse(op ContractOperation, report func(*http.Request, ContractOperation, error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &Recorder{ResponseWriter: w, Body: new(bytes.Buffer)}
		next.ServeHTTP(rec, r)
		if report == nil || rec.Status == 0 {
			return
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: mux.Vars(r), Route: op.route, Options: filterOptions},
			Status:                 rec.Status,
			Header:                 w.Header(),
			Options:                &openapi3filter.Options{IncludeResponseStatus: rec.Status < 400},
		}
		in.SetBodyBytes(rec.Body.Bytes())
		if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
			report(r, op, err)
		}
	})
}

// jsonSchemaDetail matches one detail line of a JSON Schema 2020-12 error
// as kin-openapi reports it for OpenAPI 3.1 documents.
var jsonSchemaDetail = regexp.MustCompile(`(?m)^\s*- at '([^']*)': (.+)$`)

var missingProperty = regexp.MustCompile(`^missing propert(?:y|ies) '([^']+)'`)

// schemaErrorToDomain names the body field a schema error is about, for
// both the OpenAPI 3.0 validator (JSON pointer + reason) and the 3.1 one
// (a JSON Schema report with "- at '/ptr': reason" lines).
func schemaErrorToDomain(se *openapi3.SchemaError) *emulator.Error {
	field, reason := strings.Join(se.JSONPointer(), "."), se.Reason
	if m := jsonSchemaDetail.FindStringSubmatch(se.Reason); m != nil {
		field = strings.ReplaceAll(strings.Trim(m[1], "/"), "/", ".")
		reason = m[2]
	}
	code := emulator.CodeInvalid
	name := ""
	if m := missingProperty.FindStringSubmatch(reason); m != nil {
		name = m[1]
	} else if strings.HasPrefix(reason, "property \"") && strings.HasSuffix(reason, "\" is missing") {
		name = strings.TrimSuffix(strings.TrimPrefix(reason, "property \""), "\" is missing")
	}
	if name != "" {
		code = emulator.CodeMissing
		// The 3.0 validator's pointer may already end at the property.
		switch {
		case field == "":
			field = name
		case field != name && !strings.HasSuffix(field, "."+name):
			field += "." + name
		}
		reason = name + " is required"
	}
	if field == "" {
		field = "body"
	}
	return emulator.FieldError(code, field, "%s", reason)
}
