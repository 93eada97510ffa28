package fintecture

import (
	"errors"
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// envelope is Fintecture's error body (notes/fintecture.md §4): the HTTP
// category in code, the HTTP status, a log id, and the detailed errors.
type envelope struct {
	Status int           `json:"status"`
	Code   string        `json:"code"`
	LogID  string        `json:"log_id"`
	Errors []errorDetail `json:"errors"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// category is the top-level code Fintecture sends for each HTTP status.
var category = map[int]string{
	400: "bad_request",
	401: "unauthorized",
	403: "forbidden",
	404: "not_found",
	405: "method_not_allowed",
	413: "payload_too_large",
	415: "unsupported_media_type",
	409: "conflict",
	422: "unprocessable_entity",
	429: "too_many_requests",
	500: "internal_server_error",
	502: "bad_gateway",
	503: "service_unavailable",
	504: "gateway_timeout",
}

type mapping struct {
	status int
	code   string
	title  string
}

// mapError is the one table from domain errors to Fintecture's status and
// detailed code. Unknown customers and accounts are 400, not 404, as the
// real API answers (notes §4).
func mapError(e *emulator.Error) mapping {
	switch e.Code {
	case emulator.CodeInvalid:
		return mapping{400, "invalid_field", "Invalid Field"}
	case emulator.CodeMissing:
		return mapping{400, "mandatory_field_missing", "Mandatory Field Missing"}
	case emulator.CodeNotFound:
		switch e.Resource {
		case "customer":
			return mapping{400, "customer_unknown", "Customer ID invalid"}
		case "account":
			return mapping{400, "account_unknown", "Account ID invalid"}
		case "session":
			return mapping{400, "session_id_invalid_or_expired", "Session ID invalid or expired"}
		case "bank":
			return mapping{400, "invalid_field", "Invalid Provider"}
		}
		return mapping{404, "not_found", "Not Found"}
	case emulator.CodeUnauthenticated:
		return mapping{401, "invalid_token", "Invalid Token"}
	case emulator.CodeBadSecret:
		return mapping{401, "invalid_app_id", "Invalid App ID"}
	case emulator.CodeBadCode:
		return mapping{401, "invalid_code", "Invalid Code"}
	case emulator.CodeBadSignature:
		// Fintecture documents no code of its own for a refused
		// signature; invalid_signature is Sandbank's.
		return mapping{401, "invalid_signature", "Invalid Signature"}
	case emulator.CodeForbidden:
		return mapping{401, "invalid_scopes", "Invalid Scopes"}
	case emulator.CodeConflict:
		return mapping{400, "bad_request", "Bad Request"}
	case emulator.CodeTooLarge:
		return mapping{413, "payload_too_large", "Payload Too Large"}
	case emulator.CodeUnsupportedType:
		return mapping{415, "unsupported_media_type", "Unsupported Media Type"}
	case emulator.CodeRateLimited:
		return mapping{429, "too_many_requests", "Too Many Requests"}
	case emulator.CodeUnavailable:
		return mapping{503, "service_unavailable", "Service Unavailable"}
	case emulator.CodeRouteNotFound:
		return mapping{404, "not_found", "Not Found"}
	case emulator.CodeMethodNotAllowed:
		return mapping{405, "method_not_allowed", "Method Not Allowed"}
	}
	return mapping{500, "internal_server_error", "Internal Server Error"}
}

// writeError is the provider's httpapi.ErrorWriter.
func (p *Provider) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var de *emulator.Error
	if !errors.As(err, &de) {
		p.log.Error("fintecture: unexpected error", "err", err, "path", r.URL.Path)
	}
	e := emulator.AsError(err)
	m := mapError(e)
	if e.Status != 0 {
		// A fault rule chose the status; the detail keeps the code's.
		m.status = e.Status
	}
	msg := e.Message
	if e.Field != "" && e.Code != emulator.CodeUnsupportedType {
		msg = e.Field + ": " + e.Message
	}
	if m.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fintecture"`)
	}
	body := envelope{
		Status: m.status,
		Code:   statusCategory(m.status),
		LogID:  httpapi.RequestID(r.Context()),
		Errors: []errorDetail{{Code: m.code, Title: m.title, Message: msg}},
	}
	if err := httpapi.JSON(w, m.status, body); err != nil {
		p.log.Debug("fintecture: write error body", "err", err)
	}
}

// statusCategory is Fintecture's top-level code for a status, falling back
// to the status class for the statuses its table does not name.
func statusCategory(status int) string {
	if c, ok := category[status]; ok {
		return c
	}
	if status >= 500 {
		return "internal_server_error"
	}
	return "bad_request"
}
