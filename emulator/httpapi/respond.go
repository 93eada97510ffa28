package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator"
)

// Handler is a provider handler: it writes a response or returns an error
// that the provider's adapter turns into its own envelope.
type Handler func(w http.ResponseWriter, r *http.Request) error

// ErrorWriter writes an error in one provider's format.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)

// Adapt turns a Handler into an http.Handler using the provider's
// ErrorWriter for returned errors.
func Adapt(h Handler, ew ErrorWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			ew(w, r, err)
		}
	})
}

// JSON writes v as a JSON body with the given status.
func JSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// NoContent answers 204.
func NoContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Var returns a path variable of the matched route.
func Var(r *http.Request, name string) string { return mux.Vars(r)[name] }

// MaxBody is the largest request body Sandbank reads (DESIGN.md §10).
const MaxBody = 1 << 20

// DecodeJSON reads a JSON body into v strictly enough to report malformed
// input as a 4xx rather than fail later.
func DecodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !isJSONSuffix(mt)) {
			return emulator.Errorf(emulator.CodeUnsupportedType, "Content-Type must be application/json, got %q", ct)
		}
	}
	body, err := ReadBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return emulator.FieldError(emulator.CodeMissing, "body", "a JSON request body is required")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return emulator.FieldError(emulator.CodeInvalid, te.Field, "must be of type %s, got %s", te.Type, te.Value)
		}
		return emulator.FieldError(emulator.CodeInvalid, "body", "malformed JSON: %v", err)
	}
	return nil
}

// ReadBody reads the request body, at most MaxBody bytes, and puts it
// back, so a middleware that needs it (a provider finding its client in
// the body) leaves it whole for validation and the handler.
func ReadBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, emulator.Errorf(emulator.CodeTooLarge, "the request body is larger than %d bytes", MaxBody)
		}
		return nil, emulator.Errorf(emulator.CodeInvalid, "the request body could not be read")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

func isJSONSuffix(mt string) bool {
	return len(mt) > 5 && mt[len(mt)-5:] == "+json"
}

// Recorder wraps a ResponseWriter and remembers the status and the number
// of bytes written, and a copy of the body when Body is set. The access
// log and response validation both see responses through it.
type Recorder struct {
	http.ResponseWriter
	Status int
	Bytes  int
	Body   *bytes.Buffer
}

// WriteHeader records the first status written.
func (r *Recorder) WriteHeader(status int) {
	if r.Status == 0 {
		r.Status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

// Write records the bytes written (and copies them to Body when set).
func (r *Recorder) Write(b []byte) (int, error) {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	if r.Body != nil {
		r.Body.Write(b)
	}
	n, err := r.ResponseWriter.Write(b)
	r.Bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
