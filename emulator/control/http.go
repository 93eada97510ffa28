package control

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/scenarios"
)

// Prefix is where the control plane's JSON API lives.
const Prefix = "/_sandbank"

// healthzPath stays with the server (emulator/server), which answers it
// before anything else is wired; Mount leaves it alone.
const healthzPath = Prefix + "/healthz"

// Request body limits: control requests are small; a bundle carries a
// whole tenant's state and journal.
const (
	maxBody   = 1 << 20
	maxBundle = 512 << 20
)

// route is one operation of the control plane's JSON API.
type route struct {
	method, path string
	h            httpapi.Handler
}

// routes lists the control plane's whole surface, one line per
// operation, paths relative to Prefix.
func (a *api) routes() []route {
	return []route{
		{http.MethodGet, "/health", a.health},

		{http.MethodGet, "/tenants", a.listTenants},
		{http.MethodPost, "/tenants", a.createTenant},
		{http.MethodGet, "/tenants/{key}", a.showTenant},
		{http.MethodPatch, "/tenants/{key}", a.changeTenant},
		{http.MethodDelete, "/tenants/{key}", a.deleteTenant},
		{http.MethodPost, "/tenants/{key}/reset", a.resetTenant},
		{http.MethodPost, "/tenants/{key}/scenario", a.loadScenario},
		{http.MethodGet, "/tenants/{key}/app", a.showApp},
		{http.MethodPut, "/tenants/{key}/app", a.setApp},

		{http.MethodGet, "/scenarios", a.listScenarios},
		{http.MethodGet, "/scenarios/{name}", a.showScenario},
		{http.MethodGet, "/scenario.schema.json", a.scenarioSchema},

		{http.MethodGet, "/tenants/{key}/clock", a.showClock},
		{http.MethodPost, "/tenants/{key}/clock", a.changeClock},

		{http.MethodGet, "/tenants/{key}/sca", a.pendingSCA},
		{http.MethodGet, "/tenants/{key}/sca/{id}", a.showSCA},
		{http.MethodPost, "/tenants/{key}/sca/{id}/approve", a.approveSCA},
		{http.MethodPost, "/tenants/{key}/sca/{id}/deny", a.denySCA},
		{http.MethodPost, "/tenants/{key}/sca/{id}/expire", a.expireSCA},

		{http.MethodGet, "/tenants/{key}/world", a.world},
		{http.MethodGet, "/tenants/{key}/accounts/{id}/transactions", a.transactions},
		{http.MethodGet, "/tenants/{key}/connections", a.connections},

		{http.MethodGet, "/tenants/{key}/journal", a.journal},
		{http.MethodDelete, "/tenants/{key}/journal", a.clearJournal},
		{http.MethodGet, "/tenants/{key}/journal/{id}", a.journalEntry},
		{http.MethodGet, "/tenants/{key}/journal.har", a.journalHAR},

		{http.MethodGet, "/tenants/{key}/webhooks", a.listWebhooks},
		{http.MethodGet, "/tenants/{key}/webhooks/{id}", a.showWebhook},
		{http.MethodPost, "/tenants/{key}/webhooks/{id}/resend", a.resendWebhook},

		{http.MethodGet, "/faults", a.listFaults},
		{http.MethodPost, "/faults", a.addFault},
		{http.MethodDelete, "/faults/{id}", a.removeFault},

		{http.MethodGet, "/tenants/{key}/export", a.export},
		{http.MethodPost, "/import", a.importBundle},
	}
}

// api serves the Service over HTTP.
type api struct {
	svc *Service
	log *slog.Logger
}

// Mount registers the control plane's JSON API under /_sandbank on the
// root router r. Every path under /_sandbank except /_sandbank/healthz
// (the server's) belongs to it: an unknown one answers 404 and a known
// one with another method 405 (with Allow), both as JSON errors.
func (s *Service) Mount(r *mux.Router) {
	a := &api{svc: s, log: s.opts.Log}
	sub := r.PathPrefix(Prefix).MatcherFunc(ownsPath).Subrouter()
	byPath := map[string]map[string]http.Handler{}
	var paths []string
	for _, rt := range a.routes() {
		if byPath[rt.path] == nil {
			byPath[rt.path] = map[string]http.Handler{}
			paths = append(paths, rt.path)
		}
		byPath[rt.path][rt.method] = httpapi.Adapt(rt.h, a.writeError)
	}
	// One route per path that dispatches on the method itself, so a known
	// path with another method answers 405 naming the allowed ones.
	for _, p := range paths {
		sub.Path(p).Handler(httpapi.MethodSwitch(byPath[p], a.writeError))
	}
	sub.NotFoundHandler = httpapi.Adapt(func(w http.ResponseWriter, r *http.Request) error {
		return emulator.Errorf(emulator.CodeRouteNotFound, "%s %s is not a control plane operation", r.Method, r.URL.Path)
	}, a.writeError)
}

// ownsPath selects the control plane's paths: /_sandbank and below, less
// the server's health check, whichever was registered first.
func ownsPath(r *http.Request, _ *mux.RouteMatch) bool {
	p := r.URL.Path
	return (p == Prefix || strings.HasPrefix(p, Prefix+"/")) && p != healthzPath
}

// statusOf is the one table from domain error codes to HTTP statuses on
// the control plane.
func statusOf(c emulator.Code) int {
	switch c {
	case emulator.CodeInvalid, emulator.CodeMissing:
		return http.StatusBadRequest
	case emulator.CodeNotFound, emulator.CodeRouteNotFound:
		return http.StatusNotFound
	case emulator.CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case emulator.CodeConflict:
		return http.StatusConflict
	case emulator.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case emulator.CodeUnsupportedType:
		return http.StatusUnsupportedMediaType
	case emulator.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers err as {"error": {...}}. Anything unexpected is
// logged and answered 500 without its details.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := emulator.AsError(err)
	status := statusOf(e.Code)
	if status == http.StatusInternalServerError {
		a.log.Error("control plane request failed", "method", r.Method, "path", r.URL.Path,
			"request_id", httpapi.RequestID(r.Context()), "err", err)
	}
	body := client.ErrorBody{Error: &client.Error{Code: string(e.Code), Message: e.Message, Field: e.Field}}
	if err := httpapi.JSON(w, status, body); err != nil {
		a.log.Debug("control plane: write error response", "err", err)
	}
}

// decode reads a JSON request body into v: JSON only (any other declared
// Content-Type is 415), strict (unknown fields and trailing data are 400,
// naming the field), at most limit bytes (413). An empty body is 400
// unless optional, when v keeps its zero value.
func decode(r *http.Request, v any, limit int64, optional bool) error {
	body := bufio.NewReader(http.MaxBytesReader(nil, r.Body, limit))
	// An empty body is answered before the Content-Type is looked at, as
	// bodyError answers a body of only white space.
	if _, err := body.Peek(1); errors.Is(err, io.EOF) {
		return bodyError(io.EOF, limit, optional)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return emulator.Errorf(emulator.CodeUnsupportedType, "Content-Type must be application/json, got %q", ct)
		}
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// One JSON value and nothing after it.
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	return bodyError(err, limit, optional)
}

// bodyError turns a JSON decoding error into the domain error the client
// sees.
func bodyError(err error, limit int64, optional bool) error {
	var (
		mbe *http.MaxBytesError
		te  *json.UnmarshalTypeError
		se  *json.SyntaxError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &mbe):
		return emulator.Errorf(emulator.CodeTooLarge, "the request body is larger than %d bytes", limit)
	case errors.Is(err, io.EOF):
		if optional {
			return nil
		}
		return emulator.FieldError(emulator.CodeMissing, "body", "a JSON request body is required")
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return emulator.FieldError(emulator.CodeInvalid, field, "must be %s, not a JSON %s", jsonKind(te.Type.Kind().String()), te.Value)
	case errors.As(err, &se):
		return emulator.FieldError(emulator.CodeInvalid, "body", "malformed JSON at byte %d: %v", se.Offset, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return emulator.FieldError(emulator.CodeInvalid, "body", "malformed JSON: the body ends in the middle of a value")
	}
	// encoding/json reports unknown fields only in its message.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, uerr := strconv.Unquote(name); uerr == nil {
			name = n
		}
		return emulator.FieldError(emulator.CodeInvalid, name, "unknown field %q", name)
	}
	var de *emulator.Error
	if errors.As(err, &de) {
		return de
	}
	return emulator.FieldError(emulator.CodeInvalid, "body", "%v", err)
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice", kind == "array":
		return "an array"
	}
	return "an object"
}

// queryInt reads an optional integer query parameter within [min, max];
// absent means def.
func queryInt(r *http.Request, name string, def, min, max int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < min || n > max {
		return 0, emulator.FieldError(emulator.CodeInvalid, name, "must be an integer from %d to %d, got %q", min, max, s)
	}
	return n, nil
}

// queryBool reads an optional true|false query parameter.
func queryBool(r *http.Request, name string) (bool, error) {
	switch s := r.URL.Query().Get(name); s {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, emulator.FieldError(emulator.CodeInvalid, name, "must be true or false, got %q", s)
	}
}

// attachment marks a response as a file to save under name.
func attachment(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
}

// noBody accepts an empty body or {} on actions that take no input, and
// refuses anything else, so a misspelt option is never silently ignored.
func noBody(r *http.Request) error {
	return decode(r, &struct{}{}, maxBody, true)
}

// orEmpty keeps list answers arrays, never null.
func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// safeFilename keeps a generated file name to safe characters.
func safeFilename(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		}
		return '_'
	}, name)
}

// scenarioSchema serves the JSON Schema of scenario files, so an editor can
// check a file against the running Sandbank's own format.
func (a *api) scenarioSchema(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/schema+json")
	_, err := w.Write(scenarios.Schema())
	return err
}
