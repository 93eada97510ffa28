package journal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/journal"
	"github.com/sandbank/sandbank/emulator/store"
)

var epoch = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// tenantOffset is the tenant clock the test provider runs on, so entries
// show that At is on the tenant's clock, not the real one.
const tenantOffset = 48 * time.Hour

const (
	appID         = "app"
	bearer        = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJl"
	clientSecret  = "very-secret-client-secret"
	responseToken = "response-access-token-0123456789"
)

type env struct {
	st     *store.Store
	j      *journal.Journal
	clock  *emulator.ManualClock
	tenant *emulator.Tenant
	srv    *httptest.Server
	// streamGo lets the streaming handler go on once the client has read
	// its first, flushed chunk.
	streamGo chan struct{}
}

// newEnv runs the journal middleware around a small provider over a real
// SQLite file. wrap, when given, goes around the journal (as the server's
// outer middleware would).
func newEnv(t *testing.T, opts journal.Options, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	ctx := context.Background()
	clock := emulator.NewManualClock(epoch)
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "j.db"), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tn, err := st.CreateTenant(ctx, emulator.Fintecture, appID, "default", 42)
	if err != nil {
		t.Fatal(err)
	}
	j := journal.New(st, clock, nil, opts)
	t.Cleanup(func() { j.Close() })
	streamGo := make(chan struct{}, 1)
	h := j.Middleware()(provider(st, clock, streamGo))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{st: st, j: j, clock: clock, tenant: tn, srv: srv, streamGo: streamGo}
}

// provider stands in for a provider mount: it names the operation in the
// Trace, then authenticates by the App-Id header the way provider auth
// does (httpapi.WithTenant), so unknown credentials fail with no tenant.
func provider(st *store.Store, clock *emulator.ManualClock, streamGo <-chan struct{}) http.Handler {
	mux := http.NewServeMux()
	op := func(id string, h http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpapi.TraceFrom(r.Context()).Op = httpapi.Operation{Contract: "fintecture", ID: id}
			tn, err := st.Tenant(r.Context(), emulator.Fintecture, r.Header.Get("App-Id"))
			if err != nil {
				http.Error(w, `{"error":"unknown app"}`, http.StatusUnauthorized)
				return
			}
			shifted := *tn
			shifted.Clock.Offset = tenantOffset
			h(w, r.WithContext(httpapi.WithTenant(r.Context(), &shifted)))
		})
	}
	mux.Handle("POST /v1/customers", op("createCustomer", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		clock.Advance(30 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "sid=server-session-cookie; Path=/")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"read": %d, "access_token": %q}`, len(body), responseToken)
	}))
	mux.Handle("POST /oauth/token", op("getToken", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("password") == "" {
			http.Error(w, "no password", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token": %q, "expires_in": 3600}`, responseToken)
	}))
	mux.Handle("GET /v1/accounts", op("getAccounts", func(w http.ResponseWriter, r *http.Request) {
		status, _ := strconv.Atoi(r.URL.Query().Get("status"))
		if status == 0 {
			status = http.StatusOK
		}
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		io.WriteString(w, "accounts"+strings.Repeat("a", size))
	}))
	mux.Handle("GET /v1/stream", op("stream", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		select { // the client reads "first" before the handler goes on
		case <-r.Context().Done():
		case <-streamGo:
		case <-time.After(10 * time.Second):
			io.WriteString(w, " timeout: the flush did not reach the client")
		}
		io.WriteString(w, " second")
	}))
	mux.Handle("GET /v1/drop", op("drop", func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler) // as a fault rule dropping the connection does
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	return mux
}

func (e *env) do(t *testing.T, method, path, contentType, body string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body = nil
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if req.Header.Get("App-Id") == "" {
		req.Header.Set("App-Id", appID)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func (e *env) entries(t *testing.T, f emulator.JournalFilter) []emulator.JournalEntry {
	t.Helper()
	got, err := e.j.Entries(context.Background(), e.tenant, f)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestRecordsExchange also shows Flush at work: with a flush interval of
// an hour, only Entries' flush can make the request visible at once.
func TestRecordsExchange(t *testing.T) {
	e := newEnv(t, journal.Options{FlushInterval: time.Hour}, nil)
	body := `{"name": "Ada", "credentials": {"client_secret": "` + clientSecret + `"}}`
	status, resp := e.do(t, http.MethodPost, "/v1/customers?app_secret=query-app-secret-value&page=2", "application/json", body, http.Header{
		"Authorization": {"Bearer " + bearer},
		"X-Api-Key":     {"header-api-key-value"},
		"Cookie":        {"sid=client-session-cookie"},
	})
	if status != http.StatusCreated || !strings.Contains(resp, fmt.Sprintf(`"read": %d`, len(body))) {
		t.Fatalf("the handler did not get the whole body: %d %s", status, resp)
	}
	got := e.entries(t, emulator.JournalFilter{})
	if len(got) != 1 {
		t.Fatalf("want 1 entry, got %d", len(got))
	}
	en := got[0]
	if en.Operation != "createCustomer" || en.Contract != "fintecture" || en.Method != http.MethodPost || en.Status != http.StatusCreated || en.TenantID != e.tenant.ID {
		t.Fatalf("entry: %+v", en)
	}
	if !strings.HasPrefix(en.URL, e.srv.URL+"/v1/customers?app_secret=quer…") || !strings.HasSuffix(en.URL, "&page=2") {
		t.Errorf("URL: %s", en.URL)
	}
	if !en.At.Equal(epoch.Add(tenantOffset)) || en.Duration != 30*time.Millisecond {
		t.Errorf("At %s (want the tenant clock at the start, %s), duration %s (want 30ms on the real clock)", en.At, epoch.Add(tenantOffset), en.Duration)
	}
	if en.Request.Size != int64(len(body)) || en.Request.Truncated || !strings.Contains(en.Request.Body, `{"name": "Ada", "credentials": {"client_secret": "very…`) {
		t.Errorf("request: %+v", en.Request)
	}
	if en.Response.Header.Get("Content-Type") != "application/json" || !strings.Contains(en.Response.Body, `"access_token": "resp…`) {
		t.Errorf("response: %+v", en.Response)
	}
	for name, want := range map[string]string{"Authorization": "Bearer eyJh…", "X-Api-Key": "head…", "Cookie": "sid=clie…", "Host": strings.TrimPrefix(e.srv.URL, "http://")} {
		if got := en.Request.Header.Get(name); !strings.HasPrefix(got, want) {
			t.Errorf("request header %s: %q, want %q…", name, got, want)
		}
	}
	noSecrets(t, en, bearer, clientSecret, "header-api-key-value", "client-session-cookie", "query-app-secret-value", responseToken, "server-session-cookie")

	// A form body: secrets masked, the handler still parses it.
	status, _ = e.do(t, http.MethodPost, "/oauth/token", "application/x-www-form-urlencoded", "grant_type=password&username=ada&password=correct-horse-battery", nil)
	if status != http.StatusOK {
		t.Fatalf("token: %d", status)
	}
	tok := e.entries(t, emulator.JournalFilter{Operation: "getToken"})
	if len(tok) != 1 || !strings.HasPrefix(tok[0].Request.Body, "grant_type=password&username=ada&password=corr…") {
		t.Fatalf("form entry: %+v", tok)
	}
	noSecrets(t, tok[0], "correct-horse-battery", responseToken)
}

func noSecrets(t *testing.T, e emulator.JournalEntry, secrets ...string) {
	t.Helper()
	b, _ := json.Marshal(e)
	for _, s := range secrets {
		if strings.Contains(string(b), s) {
			t.Errorf("secret %q stored in clear: %s", s, b)
		}
	}
}

// TestBodyCap: the handler reads a body far over the cap whole; the
// journal keeps the first BodyLimit bytes of each body and says so.
func TestBodyCap(t *testing.T) {
	e := newEnv(t, journal.Options{BodyLimit: 1024}, nil)
	big := `{"data": "` + strings.Repeat("x", 100<<10) + `"}`
	if _, resp := e.do(t, http.MethodPost, "/v1/customers", "application/json", big, nil); !strings.Contains(resp, fmt.Sprintf(`"read": %d`, len(big))) {
		t.Fatalf("the handler did not read the whole body: %s", resp)
	}
	e.do(t, http.MethodGet, "/v1/accounts?size=5000", "", "", nil)
	got := e.entries(t, emulator.JournalFilter{})
	if len(got) != 2 {
		t.Fatalf("want 2 entries, got %d", len(got))
	}
	acc, cust := got[0], got[1]
	if r := cust.Request; !r.Truncated || r.Size != int64(len(big)) || len(r.Body) > 1024 || !strings.HasPrefix(r.Body, `{"data": "xxx`) {
		t.Errorf("request: truncated %v, size %d, %d bytes kept", r.Truncated, r.Size, len(r.Body))
	}
	if cust.Response.Truncated {
		t.Error("a small response marked truncated")
	}
	if r := acc.Response; !r.Truncated || r.Size != 5008 || len(r.Body) != 1024 {
		t.Errorf("response: truncated %v, size %d, %d bytes kept", r.Truncated, r.Size, len(r.Body))
	}
}

// TestOnlyTenantRequests: requests no tenant claimed are not journaled.
func TestOnlyTenantRequests(t *testing.T) {
	e := newEnv(t, journal.Options{}, nil)
	e.do(t, http.MethodGet, "/healthz", "", "", nil)
	if status, _ := e.do(t, http.MethodGet, "/v1/accounts", "", "", http.Header{"App-Id": {"unknown"}}); status != http.StatusUnauthorized {
		t.Fatalf("unknown app: %d", status)
	}
	if n, err := e.j.Count(context.Background(), e.tenant); err != nil || n != 0 {
		t.Fatalf("want nothing recorded, got %d (%v)", n, err)
	}
	e.do(t, http.MethodGet, "/v1/accounts", "", "", nil)
	if n, _ := e.j.Count(context.Background(), e.tenant); n != 1 {
		t.Fatalf("want the tenant's request recorded, got %d", n)
	}
}

func TestFilters(t *testing.T) {
	e := newEnv(t, journal.Options{}, nil)
	for i := 0; i < 3; i++ {
		e.do(t, http.MethodGet, "/v1/accounts?status=404&i="+strconv.Itoa(i), "", "", nil)
		e.do(t, http.MethodGet, "/v1/accounts?i="+strconv.Itoa(i), "", "", nil)
	}
	e.do(t, http.MethodPost, "/v1/customers", "application/json", `{}`, nil)
	for _, c := range []struct {
		name string
		f    emulator.JournalFilter
		want int
	}{
		{"operation", emulator.JournalFilter{Operation: "getAccounts"}, 6},
		{"method", emulator.JournalFilter{Method: "post"}, 1},
		{"status class", emulator.JournalFilter{StatusClass: 4}, 3},
		{"status", emulator.JournalFilter{Status: 201}, 1},
		{"path", emulator.JournalFilter{Path: "status=404&i=1"}, 1},
		{"limit", emulator.JournalFilter{Limit: 2}, 2},
	} {
		if got := e.entries(t, c.f); len(got) != c.want {
			t.Errorf("%s: want %d, got %d", c.name, c.want, len(got))
		}
	}
	page := e.entries(t, emulator.JournalFilter{Limit: 3})
	next := e.entries(t, emulator.JournalFilter{Limit: 10, Before: page[2].ID})
	if len(next) != 4 || next[0].ID >= page[2].ID {
		t.Fatalf("cursor: page ends at %d, next page %d entries from %d", page[2].ID, len(next), next[0].ID)
	}
	one, err := e.j.Entry(context.Background(), e.tenant, page[0].ID)
	if err != nil || one.Operation != "createCustomer" {
		t.Fatalf("Entry: %+v %v", one, err)
	}
	if n, err := e.j.Clear(context.Background(), e.tenant); err != nil || n != 7 {
		t.Fatalf("Clear: %d %v", n, err)
	}
}

// TestRetention: five windows' worth of requests, across many batches,
// leave each tenant with its newest KeepPerTenant only.
func TestRetention(t *testing.T) {
	const keep = 10
	e := newEnv(t, journal.Options{KeepPerTenant: keep, Batch: 3}, nil)
	for i := 0; i < 5*keep; i++ {
		e.do(t, http.MethodGet, "/v1/accounts?i="+strconv.Itoa(i), "", "", nil)
	}
	got := e.entries(t, emulator.JournalFilter{Limit: 1000})
	if len(got) != keep {
		t.Fatalf("want %d entries kept, got %d", keep, len(got))
	}
	for k, en := range got {
		if want := fmt.Sprintf("?i=%d", 5*keep-1-k); !strings.HasSuffix(en.URL, want) {
			t.Fatalf("entry %d is %s, want the one ending %s", k, en.URL, want)
		}
	}
}

// TestHAR exports two requests and checks the document's shape against
// HAR 1.2.
func TestHAR(t *testing.T) {
	e := newEnv(t, journal.Options{}, nil)
	e.do(t, http.MethodPost, "/v1/customers?app_secret=query-app-secret-value", "application/json", `{"client_secret": "`+clientSecret+`"}`, nil)
	e.do(t, http.MethodGet, "/v1/accounts?status=404&x=a%20b", "", "", nil)
	b, err := journal.HAR(e.entries(t, emulator.JournalFilter{}), "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	var har struct {
		Log struct {
			Version string `json:"version"`
			Creator struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"creator"`
			Entries []struct {
				StartedDateTime string  `json:"startedDateTime"`
				Time            float64 `json:"time"`
				Operation       string  `json:"_operation"`
				Request         struct {
					Method      string                         `json:"method"`
					URL         string                         `json:"url"`
					HTTPVersion string                         `json:"httpVersion"`
					Cookies     []any                          `json:"cookies"`
					Headers     []struct{ Name, Value string } `json:"headers"`
					QueryString []struct{ Name, Value string } `json:"queryString"`
					PostData    *struct {
						MimeType string `json:"mimeType"`
						Text     string `json:"text"`
					} `json:"postData"`
					HeadersSize int `json:"headersSize"`
					BodySize    int `json:"bodySize"`
				} `json:"request"`
				Response struct {
					Status     int    `json:"status"`
					StatusText string `json:"statusText"`
					Content    struct {
						Size     int    `json:"size"`
						MimeType string `json:"mimeType"`
						Text     string `json:"text"`
					} `json:"content"`
					RedirectURL *string `json:"redirectURL"`
					HeadersSize int     `json:"headersSize"`
					BodySize    int     `json:"bodySize"`
				} `json:"response"`
				Cache   *map[string]any `json:"cache"`
				Timings struct {
					Send, Wait, Receive *float64
				} `json:"timings"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(b, &har); err != nil {
		t.Fatalf("HAR is not JSON: %v\n%s", err, b)
	}
	l := har.Log
	if l.Version != "1.2" || l.Creator.Name != "sandbank" || l.Creator.Version != "1.2.3" || len(l.Entries) != 2 {
		t.Fatalf("log: %+v", l)
	}
	post, get := l.Entries[0], l.Entries[1] // oldest first
	if post.Request.Method != http.MethodPost || post.Operation != "createCustomer" || post.Response.Status != 201 || post.Response.StatusText != "Created" {
		t.Errorf("first entry: %+v", post)
	}
	if pd := post.Request.PostData; pd == nil || pd.MimeType != "application/json" || !strings.Contains(pd.Text, `"client_secret": "very…`) {
		t.Errorf("postData: %+v", pd)
	}
	if post.Request.BodySize <= 0 || post.Request.HeadersSize != -1 || post.Request.HTTPVersion != "HTTP/1.1" || post.Request.Cookies == nil || len(post.Request.Headers) == 0 {
		t.Errorf("request: %+v", post.Request)
	}
	// On the tenant's clock, with milliseconds: the GET started once the
	// POST's 30ms had passed.
	if post.StartedDateTime != "2026-03-04T12:00:00.000Z" || get.StartedDateTime != "2026-03-04T12:00:00.030Z" {
		t.Errorf("startedDateTime %q, %q", post.StartedDateTime, get.StartedDateTime)
	}
	if post.Time != 30 || post.Timings.Wait == nil || *post.Timings.Wait != 30 || post.Timings.Send == nil || post.Timings.Receive == nil || post.Cache == nil {
		t.Errorf("time %v, timings %+v, cache %v", post.Time, post.Timings, post.Cache)
	}
	if get.Request.Method != http.MethodGet || get.Response.Status != 404 || get.Request.PostData != nil || get.Response.Content.Text != "accounts" || get.Response.Content.MimeType != "text/plain" || get.Response.RedirectURL == nil {
		t.Errorf("second entry: %+v", get)
	}
	if q := get.Request.QueryString; len(q) != 2 || q[0].Name != "status" || q[1].Value != "a b" {
		t.Errorf("queryString: %+v", q)
	}
	for _, secret := range []string{clientSecret, "query-app-secret-value", responseToken} {
		if strings.Contains(string(b), secret) {
			t.Errorf("secret %q in the HAR", secret)
		}
	}
}

// TestConcurrentRequests: 8 clients × 100 requests through a small queue
// all land in the journal: a full queue makes requests wait, never drops.
func TestConcurrentRequests(t *testing.T) {
	e := newEnv(t, journal.Options{KeepPerTenant: 10000, QueueSize: 8, Batch: 16}, nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/v1/accounts?g=%d&i=%d", e.srv.URL, g, i), nil)
				req.Header.Set("App-Id", appID)
				resp, err := e.srv.Client().Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	if n, err := e.j.Count(context.Background(), e.tenant); err != nil || n != 800 {
		t.Fatalf("want 800 entries, got %d (%v)", n, err)
	}
}

// TestDroppedConnection: a handler aborting with http.ErrAbortHandler is
// journaled with status 0 and the connection is still dropped.
func TestDroppedConnection(t *testing.T) {
	e := newEnv(t, journal.Options{}, nil)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/drop", nil)
	req.Header.Set("App-Id", appID)
	if resp, err := e.srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("want the connection dropped, got %d", resp.StatusCode)
	}
	got := e.entries(t, emulator.JournalFilter{})
	if len(got) != 1 || got[0].Status != 0 || got[0].Operation != "drop" {
		t.Fatalf("want one entry with status 0, got %+v", got)
	}
}

// TestFlushAndSharedTrace runs the journal inside an outer middleware
// that, like the access log, makes the Trace and wraps the writer in an
// httpapi.Recorder (which has no Flush method): a handler's flush still
// reaches the client, and both layers see the same Trace.
func TestFlushAndSharedTrace(t *testing.T) {
	seen := make(chan httpapi.Trace, 1)
	outer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tr := &httpapi.Trace{}
			next.ServeHTTP(&httpapi.Recorder{ResponseWriter: w}, r.WithContext(httpapi.WithTrace(r.Context(), tr)))
			seen <- *tr
		})
	}
	e := newEnv(t, journal.Options{}, outer)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/stream", nil)
	req.Header.Set("App-Id", appID)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, len("first"))
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "first" {
		t.Fatalf("first chunk: %q %v", first, err)
	}
	e.streamGo <- struct{}{}
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != " second" {
		t.Fatalf("rest: %q", rest)
	}
	if tr := <-seen; tr.Op.ID != "stream" || tr.Tenant == nil {
		t.Fatalf("the outer layer's Trace was not the one filled: %+v", tr)
	}
	got := e.entries(t, emulator.JournalFilter{})
	if len(got) != 1 || got[0].Response.Body != "first second" || got[0].Status != http.StatusOK {
		t.Fatalf("entry: %+v", got)
	}
}

// TestClose: Close writes what is queued; afterwards requests are served
// unrecorded and Flush does not wait.
func TestClose(t *testing.T) {
	e := newEnv(t, journal.Options{FlushInterval: time.Hour}, nil)
	e.do(t, http.MethodGet, "/v1/accounts", "", "", nil)
	if err := e.j.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := e.st.JournalCount(context.Background(), e.tenant); err != nil || n != 1 {
		t.Fatalf("after Close: %d entries (%v)", n, err)
	}
	if status, _ := e.do(t, http.MethodGet, "/v1/accounts", "", "", nil); status != http.StatusOK {
		t.Fatalf("after Close: %d", status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.j.Flush(ctx); err != nil {
		t.Fatalf("Flush after Close: %v", err)
	}
}
