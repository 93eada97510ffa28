package kontomatik

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// exception is one of Kontomatik's named exceptions (notes §7): a request
// that fails answers it as <reply><exception name><message>.
type exception struct {
	name    string
	status  int
	message string
}

func (e *exception) Error() string { return e.name + ": " + e.message }

func raise(name string, status int, format string, args ...any) *exception {
	return &exception{name: name, status: status, message: fmt.Sprintf(format, args...)}
}

// Exceptions handlers raise.
func invalidSessionID() *exception {
	// The capture's exact wording (notes §5).
	return raise("InvalidSessionId", http.StatusNotFound, "Session expired.")
}

func invalidSignature() *exception {
	return raise("InvalidSessionIdSignature", http.StatusBadRequest, "The sessionIdSignature does not match the sessionId.")
}

func invalidMultipleAccessID(id string) *exception {
	return raise("InvalidMultipleAccessId", http.StatusBadRequest, "Multiple access %q is unknown, expired or revoked.", id)
}

// unauthorized is a 401 with a <comment> and no <exception> (notes §1).
type unauthorized struct{ comment string }

func (u *unauthorized) Error() string { return u.comment }

// toException maps a domain error onto Kontomatik's exceptions: the one
// table for every error that is not already one.
func toException(err error) *exception {
	var ex *exception
	if errors.As(err, &ex) {
		return ex
	}
	e := emulator.AsError(err)
	status := 0
	if e.Status != 0 {
		status = e.Status // a fault rule chose it
	}
	pick := func(name string, def int, msg string) *exception {
		if status == 0 {
			status = def
		}
		return &exception{name: name, status: status, message: msg}
	}
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	switch e.Code {
	case emulator.CodeInvalid, emulator.CodeMissing, emulator.CodeConflict:
		return pick("InvalidParameter", 400, msg)
	case emulator.CodeTooLarge:
		return pick("InvalidParameter", 413, msg)
	case emulator.CodeUnsupportedType:
		return pick("InvalidParameter", 415, msg)
	case emulator.CodeNotFound:
		switch e.Resource {
		case "session":
			return pick("InvalidSessionId", 404, invalidSessionID().message)
		case "consent":
			return pick("InvalidMultipleAccessId", 400, invalidMultipleAccessID(e.ID).message)
		case "command":
			return pick("InvalidCommandId", 404, fmt.Sprintf("No command %q.", e.ID))
		case "bank":
			return pick("InvalidTarget", 400, msg)
		}
		return pick("InvalidParameter", 404, msg)
	case emulator.CodeRouteNotFound:
		return pick("NotFound", 404, msg)
	case emulator.CodeMethodNotAllowed:
		return pick("MethodNotAllowed", 405, msg)
	case emulator.CodeRateLimited:
		return pick("JobsQuotaExceeded", 429, msg)
	case emulator.CodeUnavailable:
		return pick("ServiceTemporarilyUnavailable", 503, msg)
	}
	return pick("InternalError", 500, "Internal error.")
}

// writeError is the provider's httpapi.ErrorWriter: every error is an XML
// reply whose status attribute mirrors the HTTP status.
func (p *Provider) writeError(w http.ResponseWriter, r *http.Request, err error) {
	rep := p.reply(r, 0)
	var u *unauthorized
	var ee *emulator.Error
	switch {
	case errors.As(err, &u):
		rep.Comment = u.comment
		rep.setStatus(http.StatusUnauthorized)
	case errors.As(err, &ee) && ee.Code == emulator.CodeUnauthenticated:
		rep.Comment = ee.Message
		rep.setStatus(http.StatusUnauthorized)
	default:
		ex := toException(err)
		if ex.status >= 500 && ex.name == "InternalError" {
			p.log.Error("kontomatik: unexpected error", "err", err, "path", r.URL.Path)
		}
		rep.Exception = &exceptionXML{Name: ex.name, Message: ex.message}
		rep.setStatus(ex.status)
	}
	if err := httpapi.XML(w, rep.code, rep); err != nil {
		p.log.Debug("kontomatik: write error reply", "err", err)
	}
}
