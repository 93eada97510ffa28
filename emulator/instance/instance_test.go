package instance

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func start(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	opts.DB = ":memory:"
	opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	in, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.EnsureDemoTenants(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(in.Handler)
	t.Cleanup(func() { srv.Close(); in.Close() })
	return srv
}

func get(t *testing.T, url string, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestHomeAndHealth(t *testing.T) {
	srv := start(t, Options{Version: "v-test"})
	code, body := get(t, srv.URL+"/", nil)
	for _, want := range []string{"sandbank-demo", "sandbank-demo-secret", srv.URL + "/fintecture", "078000000P"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Fatalf("home page (%d) lacks %q", code, want)
		}
	}
	code, body = get(t, srv.URL+"/_sandbank/healthz", nil)
	var h struct {
		Status, Version string
		Contracts       []string
	}
	json.Unmarshal([]byte(body), &h)
	if code != 200 || h.Status != "ok" || h.Version != "v-test" || len(h.Contracts) == 0 {
		t.Fatalf("healthz: %d %s", code, body)
	}
}

// TestPublicURL: URLs in responses come from --public-url when set, else
// from the request's own Host.
func TestPublicURL(t *testing.T) {
	authorize := "/fintecture/ais/v1/provider/cmcifrpp/authorize?redirect_uri=https%3A%2F%2Fa.example%2Fcb"
	hdr := map[string]string{"app_id": "sandbank-demo"}
	srv := start(t, Options{PublicURL: "http://localhost:8080"})
	if _, body := get(t, srv.URL+authorize, hdr); !strings.Contains(body, `"url":"http://localhost:8080/bank/`) {
		t.Fatalf("public URL not used: %s", body)
	}
	srv = start(t, Options{})
	if _, body := get(t, srv.URL+authorize, hdr); !strings.Contains(body, `"url":"`+srv.URL+`/bank/`) {
		t.Fatalf("request host not used: %s", body)
	}
}
