package journal

import (
	"io"
	"net/http"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// Middleware records every request that turns out to belong to a tenant.
// The tenant and the operation are known only once inner layers have run
// (provider auth calls httpapi.WithTenant, pages httpapi.NoteTenant), so it
// reads them from the request's Trace after the handler returns; it reuses
// a Trace an outer middleware made (the access log), or makes one, so both
// see the same whatever their order. Requests no tenant claimed (health,
// home page, credentials rejected before a tenant was known) are not
// recorded.
//
// The request body is recorded as the handler reads it, through a tee, so
// the handler still reads all of it and the journal never reads more than
// the handler did. A handler that panics (http.ErrAbortHandler from a
// fault rule dropping the connection, or a bug that got past recovery) is
// recorded with Status 0, what a client left without a whole answer saw,
// and the panic goes on so the server still drops the connection.
func (j *Journal) Middleware() func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := j.clock.Now()
			tr := httpapi.TraceFrom(r.Context())
			if tr == nil {
				tr = &httpapi.Trace{}
				r = r.WithContext(httpapi.WithTrace(r.Context(), tr))
			}
			reqBody := &capture{limit: j.opts.BodyLimit}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = &teeBody{ReadCloser: r.Body, c: reqBody}
			}
			rec := &recorder{ResponseWriter: w, body: capture{limit: j.opts.BodyLimit}}
			defer func() {
				if v := recover(); v != nil {
					rec.status = 0
					j.record(r, tr, start, reqBody, rec)
					panic(v)
				}
			}()
			next.ServeHTTP(rec, r)
			if rec.status == 0 {
				rec.sent(http.StatusOK) // nothing written: net/http answers 200
			}
			j.record(r, tr, start, reqBody, rec)
		})
	}
}

// record builds the entry of an answered request, masks it and queues it.
// Masking runs here, on the request's goroutine, so the one writer does
// only SQL.
func (j *Journal) record(r *http.Request, tr *httpapi.Trace, start time.Time, reqBody *capture, rec *recorder) {
	t := tr.Tenant
	if t == nil {
		return
	}
	// message masks a copy of each header, so neither is cloned here.
	req := message(r.Header, reqBody)
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if r.Host != "" {
		req.Header.Set("Host", r.Host) // net/http moves it out of Header
	}
	respHeader := rec.header
	if respHeader == nil {
		respHeader = rec.Header()
	}
	e := &emulator.JournalEntry{
		TenantID:  t.ID,
		At:        t.Clock.At(start),
		Method:    r.Method,
		URL:       MaskURL(httpapi.BaseURL(r) + r.URL.RequestURI()),
		Contract:  tr.Op.Contract,
		Operation: tr.Op.ID,
		Status:    rec.status,
		Duration:  j.clock.Now().Sub(start),
		Request:   req,
		Response:  message(respHeader, &rec.body),
	}
	j.enqueue(e)
}

// message masks one half of an exchange. A body with a content encoding
// (gzip…) is bytes to the journal, whatever its type.
func message(h http.Header, c *capture) emulator.HTTPMessage {
	m := emulator.HTTPMessage{Header: MaskHeader(h), Size: c.size, Truncated: c.truncated()}
	if enc := h.Get("Content-Encoding"); enc != "" && enc != "identity" && len(c.buf) > 0 {
		m.Body = binary(c.size)
		return m
	}
	ct := h.Get("Content-Type")
	if ct == "" && len(c.buf) > 0 {
		// net/http sniffs the type of an untyped response after we saw
		// the header; sniff the same way.
		ct = http.DetectContentType(c.buf)
	}
	m.Body = MaskBody(c.buf, c.size, ct)
	return m
}

// capture keeps the first limit bytes written to it and counts them all.
type capture struct {
	limit int
	buf   []byte
	size  int64
}

func (c *capture) write(p []byte) {
	c.size += int64(len(p))
	if room := c.limit - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
}

func (c *capture) truncated() bool { return c.size > int64(len(c.buf)) }

// teeBody copies what the handler reads of the request body into a
// capture.
type teeBody struct {
	io.ReadCloser
	c *capture
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	t.c.write(p[:n])
	return n, err
}

// recorder notes the status, the headers as sent and the first bytes of
// the body, passing everything through.
type recorder struct {
	http.ResponseWriter
	status int
	header http.Header // snapshot when the header went out
	body   capture
}

// sent notes the answer's status and headers the first time they go out.
func (r *recorder) sent(status int) {
	if r.status == 0 {
		r.status = status
		r.header = r.ResponseWriter.Header().Clone()
	}
}

// WriteHeader notes the final status; 1xx informational answers (other
// than 101, which is final) come before it.
func (r *recorder) WriteHeader(status int) {
	if status >= 200 || status == http.StatusSwitchingProtocols {
		r.sent(status)
	}
	r.ResponseWriter.WriteHeader(status)
}

// Write records the first bytes of the body.
func (r *recorder) Write(p []byte) (int, error) {
	r.sent(http.StatusOK)
	n, err := r.ResponseWriter.Write(p)
	r.body.write(p[:n])
	return n, err
}

// Flush passes a flush on through http.ResponseController, which finds a
// Flusher under other wrappers (such as httpapi.Recorder, which only
// offers Unwrap) where a type assertion would not. With no Flusher below
// it does nothing, as flushing an unflushable writer would.
func (r *recorder) Flush() {
	r.sent(http.StatusOK)
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the writer below (deadlines,
// hijacking).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
