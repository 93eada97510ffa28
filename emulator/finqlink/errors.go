package finqlink

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// envelope is FinqLink's error body (notes §2): every field required.
type envelope struct {
	ErrorID   string `json:"error_id"`
	RequestID string `json:"request_id"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// failure is an error FinqLink names itself: a code of notes §2 with its
// HTTP status, for refusals the domain has no code for (link_expired,
// consent_not_active, cooldown_failed, ...).
type failure struct {
	status int
	code   string
	msg    string
}

func (f *failure) Error() string { return f.code + ": " + f.msg }

func fail(status int, code, format string, args ...any) *failure {
	return &failure{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// toFailure maps a domain error onto FinqLink's codes: the one table for
// every error that is not already a failure.
func toFailure(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	e := emulator.AsError(err)
	status := e.Status // a fault rule may have chosen it
	pick := func(def int, code string) *failure {
		if status == 0 {
			status = def
		}
		msg := e.Message
		if e.Field != "" {
			msg = e.Field + ": " + msg
		}
		return &failure{status: status, code: code, msg: msg}
	}
	switch e.Code {
	case emulator.CodeMissing, emulator.CodeInvalid:
		return pick(http.StatusBadRequest, "validation_error")
	case emulator.CodeConflict:
		return pick(http.StatusBadRequest, "bad_request")
	case emulator.CodeTooLarge:
		return pick(http.StatusRequestEntityTooLarge, "bad_request")
	case emulator.CodeUnsupportedType:
		return pick(http.StatusUnsupportedMediaType, "bad_request")
	case emulator.CodeUnauthenticated, emulator.CodeBadSecret, emulator.CodeBadCode, emulator.CodeBadSignature, emulator.CodeForbidden:
		return pick(http.StatusUnauthorized, "unauthorized")
	case emulator.CodeNotFound, emulator.CodeRouteNotFound:
		return pick(http.StatusNotFound, "not_found")
	case emulator.CodeMethodNotAllowed:
		return pick(http.StatusMethodNotAllowed, "method_not_allowed")
	case emulator.CodeRateLimited:
		return pick(http.StatusTooManyRequests, "too_many_requests")
	case emulator.CodeUnavailable:
		// A failing bank: notes §2 lists internal_error beside the 5xx.
		return pick(http.StatusServiceUnavailable, "internal_error")
	}
	status = http.StatusInternalServerError
	return &failure{status: status, code: "internal_server_error", msg: "internal error"}
}

// writeError is the provider's httpapi.ErrorWriter.
func (p *Provider) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var oe *oauthError
	if op, ok := httpapi.OperationFrom(r.Context()); (ok && op.ID == "issueToken") || errors.As(err, &oe) {
		p.writeOAuthError(w, asOAuthError(err))
		return
	}
	f := toFailure(err)
	if f.code == "internal_server_error" {
		p.log.Error("finqlink: unexpected error", "err", err, "path", r.URL.Path)
	}
	reqID := httpapi.RequestID(r.Context())
	if err := httpapi.JSON(w, f.status, envelope{ErrorID: errorID(reqID, f), RequestID: reqID, Code: f.code, Message: f.msg}); err != nil {
		p.log.Debug("finqlink: write error", "err", err)
	}
}

// errorID is a UUID naming one error occurrence; derived from the request
// id so a replayed run gives the same ids.
func errorID(reqID string, f *failure) string {
	sum := sha256.Sum256([]byte("sandbank finqlink error\x00" + reqID + "\x00" + f.code + "\x00" + f.msg))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// notYet answers an operation this build does not serve yet, saying so
// plainly rather than pretending.
func (p *Provider) notYet(w http.ResponseWriter, r *http.Request) error {
	return fail(http.StatusNotImplemented, "internal_server_error", "Sandbank does not serve %s yet: FinqLink is being built", r.URL.Path)
}
