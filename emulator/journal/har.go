package journal

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// HAR 1.2 wire types (http://www.softwareishard.com/blog/har-12-spec/).
// Fields the spec marks required are always written, even empty; custom
// fields start with "_" as the spec allows.
type (
	harFile struct {
		Log harLog `json:"log"`
	}
	harLog struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
	}
	harCreator struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	harEntry struct {
		StartedDateTime string      `json:"startedDateTime"`
		Time            float64     `json:"time"`
		Request         harRequest  `json:"request"`
		Response        harResponse `json:"response"`
		Cache           struct{}    `json:"cache"`
		Timings         harTimings  `json:"timings"`
		// The operationId ties an entry to the contract, logs and fault
		// rules (STYLE.md, practice 3); the id to the journal.
		Operation string `json:"_operation,omitempty"`
		Contract  string `json:"_contract,omitempty"`
		ID        int64  `json:"_id"`
	}
	harRequest struct {
		Method      string       `json:"method"`
		URL         string       `json:"url"`
		HTTPVersion string       `json:"httpVersion"`
		Cookies     []struct{}   `json:"cookies"`
		Headers     []harNV      `json:"headers"`
		QueryString []harNV      `json:"queryString"`
		PostData    *harPostData `json:"postData,omitempty"`
		HeadersSize int          `json:"headersSize"`
		BodySize    int64        `json:"bodySize"`
	}
	harResponse struct {
		Status      int        `json:"status"`
		StatusText  string     `json:"statusText"`
		HTTPVersion string     `json:"httpVersion"`
		Cookies     []struct{} `json:"cookies"`
		Headers     []harNV    `json:"headers"`
		Content     harContent `json:"content"`
		RedirectURL string     `json:"redirectURL"`
		HeadersSize int        `json:"headersSize"`
		BodySize    int64      `json:"bodySize"`
	}
	harNV struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	harPostData struct {
		MimeType string `json:"mimeType"`
		Text     string `json:"text"`
		Comment  string `json:"comment,omitempty"`
	}
	harContent struct {
		Size     int64  `json:"size"`
		MimeType string `json:"mimeType"`
		Text     string `json:"text,omitempty"`
		Comment  string `json:"comment,omitempty"`
	}
	harTimings struct {
		Send    float64 `json:"send"`
		Wait    float64 `json:"wait"`
		Receive float64 `json:"receive"`
	}
)

// harVersion is the HTTP version HAR entries name. The journal does not
// record it: Sandbank serves plain HTTP/1.1.
const harVersion = "HTTP/1.1"

const truncatedNote = "truncated by the Sandbank journal"

// HAR renders entries as a HAR 1.2 document that browsers' dev tools and
// HAR viewers import. Entries are written oldest first, in the order they
// were recorded (by ID: a tenant's clock may have been moved between
// them, so At need not be monotonic). The whole wait is reported as
// "wait": the journal does not split a request's time.
func HAR(entries []emulator.JournalEntry, creatorVersion string) ([]byte, error) {
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b emulator.JournalEntry) int { return cmp.Compare(a.ID, b.ID) })
	out := harFile{Log: harLog{
		Version: "1.2",
		Creator: harCreator{Name: "sandbank", Version: creatorVersion},
		Entries: make([]harEntry, 0, len(sorted)),
	}}
	for _, e := range sorted {
		out.Log.Entries = append(out.Log.Entries, harEntryOf(e))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // bodies hold HTML and URLs; keep them readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func harEntryOf(e emulator.JournalEntry) harEntry {
	ms := float64(e.Duration) / float64(time.Millisecond)
	req := harRequest{
		Method:      e.Method,
		URL:         e.URL,
		HTTPVersion: harVersion,
		Cookies:     []struct{}{},
		Headers:     harHeaders(e.Request.Header),
		QueryString: harQuery(e.URL),
		HeadersSize: -1,
		BodySize:    e.Request.Size,
	}
	if e.Request.Body != "" {
		req.PostData = &harPostData{MimeType: e.Request.Header.Get("Content-Type"), Text: e.Request.Body}
		if e.Request.Truncated {
			req.PostData.Comment = truncatedNote
		}
	}
	resp := harResponse{
		Status:      e.Status,
		StatusText:  http.StatusText(e.Status),
		HTTPVersion: harVersion,
		Cookies:     []struct{}{},
		Headers:     harHeaders(e.Response.Header),
		Content: harContent{
			Size:     e.Response.Size,
			MimeType: e.Response.Header.Get("Content-Type"),
			Text:     e.Response.Body,
		},
		RedirectURL: e.Response.Header.Get("Location"),
		HeadersSize: -1,
		BodySize:    e.Response.Size,
	}
	if resp.Content.MimeType == "" {
		resp.Content.MimeType = "x-unknown" // what browsers write when there is none
	}
	if e.Response.Truncated {
		resp.Content.Comment = truncatedNote
	}
	return harEntry{
		StartedDateTime: e.At.Format("2006-01-02T15:04:05.000Z07:00"),
		Time:            ms,
		Request:         req,
		Response:        resp,
		Timings:         harTimings{Wait: ms},
		Operation:       e.Operation,
		Contract:        e.Contract,
		ID:              e.ID,
	}
}

// harHeaders lists headers one value per entry, sorted by name so one
// journal gives one file.
func harHeaders(h http.Header) []harNV {
	out := []harNV{}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range h[name] {
			out = append(out, harNV{Name: name, Value: v})
		}
	}
	return out
}

// harQuery lists the URL's query parameters in their order (url.Values
// would sort them), decoded.
func harQuery(u string) []harNV {
	out := []harNV{}
	base, _, _ := strings.Cut(u, "#")
	_, query, ok := strings.Cut(base, "?")
	if !ok || query == "" {
		return out
	}
	for _, p := range strings.Split(query, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		out = append(out, harNV{Name: unescape(k), Value: unescape(v)})
	}
	return out
}

// unescape decodes one part of a query or form, keeping it as it is when
// its escaping is broken.
func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
