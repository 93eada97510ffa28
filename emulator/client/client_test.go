package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
)

// The end-to-end tests of this client run against the real control plane
// in emulator/control (http_test.go); these pin what the client itself
// puts on the wire and how it reads answers that are not the control
// plane's.

func TestTenantKeys(t *testing.T) {
	key := client.TenantKey("fintecture", "app-1")
	if key != emulator.TenantKey(emulator.Fintecture, "app-1") || len(key) != 12 {
		t.Fatalf("TenantKey: %q", key)
	}
	for arg, want := range map[string]string{
		"fintecture:app-1":        key,
		key:                       key,
		"finqlink:id:with:colons": client.TenantKey("finqlink", "id:with:colons"),
	} {
		if got := client.ResolveTenant(arg); got != want {
			t.Errorf("ResolveTenant(%q) = %q, want %q", arg, got, want)
		}
	}
}

// request is what the fake server saw.
type request struct {
	method, uri, contentType, body string
}

func recorder(t *testing.T, status int, answer string) (*client.Client, *request) {
	t.Helper()
	var got request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = request{r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"), string(b)}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	// A trailing slash on the base URL is fine.
	return client.New(srv.URL+"/", client.WithHTTPClient(srv.Client())), &got
}

func TestRequestsOnTheWire(t *testing.T) {
	ctx := context.Background()
	c, got := recorder(t, 200, `{}`)
	at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		call func() error
		want request
	}{
		{func() error { _, err := c.SetLabel(ctx, "abc", ""); return err },
			request{"PATCH", "/_sandbank/tenants/abc", "application/json", `{"label":""}`}},
		{func() error { _, err := c.SetClock(ctx, "abc", at); return err },
			request{"POST", "/_sandbank/tenants/abc/clock", "application/json", `{"at":"2027-01-01T00:00:00Z"}`}},
		{func() error { _, err := c.Advance(ctx, "abc", "90d"); return err },
			request{"POST", "/_sandbank/tenants/abc/clock", "application/json", `{"by":"90d"}`}},
		{func() error { _, err := c.DenySCA(ctx, "abc", "sca/1"); return err },
			request{"POST", "/_sandbank/tenants/abc/sca/sca%2F1/deny", "", ""}},
		{func() error { _, err := c.Transactions(ctx, "abc", "acc1", 10, 5); return err },
			request{"GET", "/_sandbank/tenants/abc/accounts/acc1/transactions?limit=5&offset=10", "", ""}},
		{func() error {
			_, err := c.Journal(ctx, "abc", client.JournalQuery{Operation: "getAccounts", Status: "4xx", Before: 9, Limit: 2})
			return err
		}, request{"GET", "/_sandbank/tenants/abc/journal?before=9&limit=2&operation=getAccounts&status=4xx", "", ""}},
		{func() error { _, err := c.JournalHAR(ctx, "abc", client.JournalQuery{Method: "POST"}); return err },
			request{"GET", "/_sandbank/tenants/abc/journal.har?method=POST", "", ""}},
		{func() error { _, err := c.Faults(ctx, "abc"); return err },
			request{"GET", "/_sandbank/faults?tenant=abc", "", ""}},
		{func() error {
			_, err := c.SetApp(ctx, "abc", client.App{PublicKey: "-----BEGIN PUBLIC KEY-----\n", RequireSignatures: true})
			return err
		}, request{"PUT", "/_sandbank/tenants/abc/app", "application/json", `{"public_key":"-----BEGIN PUBLIC KEY-----\n","require_signatures":true}`}},
		{func() error { _, err := c.SetApp(ctx, "abc", client.App{}); return err },
			request{"PUT", "/_sandbank/tenants/abc/app", "application/json", `{"require_signatures":false}`}},
		{func() error { _, err := c.App(ctx, "abc"); return err },
			request{"GET", "/_sandbank/tenants/abc/app", "", ""}},
		{func() error { _, err := c.Import(ctx, client.Bundle{}, "other", true); return err },
			request{"POST", "/_sandbank/import?credential=other&replace=true", "application/json", ""}},
	} {
		if err := tc.call(); err != nil {
			t.Fatal(err)
		}
		if tc.want.body == "" && tc.want.method == "POST" && tc.want.contentType != "" {
			tc.want.body = got.body // the body itself is checked elsewhere
		}
		if *got != tc.want {
			t.Errorf("sent %+v, want %+v", *got, tc.want)
		}
	}
}

func TestErrorAnswers(t *testing.T) {
	ctx := context.Background()
	c, _ := recorder(t, 409, `{"error": {"code": "conflict", "field": "credential", "message": "exists already"}}`)
	_, err := c.CreateTenant(ctx, client.NewTenant{})
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != 409 || ce.Code != "conflict" || ce.Field != "credential" || ce.Error() != "conflict: credential: exists already" {
		t.Fatalf("control plane error: %#v", err)
	}

	// Something else on that address: the status and what came back.
	c, _ = recorder(t, 502, "Bad Gateway from the proxy\n")
	_, err = c.Health(ctx)
	if !errors.As(err, &ce) || ce.Status != 502 || ce.Code != "http_502" || ce.Message != "Bad Gateway from the proxy" {
		t.Fatalf("foreign error: %#v", err)
	}
	c, _ = recorder(t, 404, "")
	err = c.RemoveFault(ctx, "x")
	if !errors.As(err, &ce) || ce.Status != 404 || ce.Message != "Not Found" {
		t.Fatalf("empty error: %#v", err)
	}

	// A 2xx answer that is not JSON is an error too, not a zero value.
	c, _ = recorder(t, 200, "<html>")
	if _, err := c.Health(ctx); err == nil {
		t.Fatal("HTML read as health")
	}
}
