package fintecture_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/instance"
	"github.com/sandbank/sandbank/emulator/providertest"
)

// start is the instant every test's clock starts at, so runs are
// reproducible.
var start = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

const (
	appID     = "app-test"
	appSecret = "secret-test"
	clientCB  = "https://client.example/callback"
)

// harness is one Sandbank (providertest: a real SQLite file, a real
// listener, every contract response validated) and the clock it runs on.
type harness struct{ providertest.Harness }

// newHarness starts a Sandbank on a new database with its clock at start;
// tweaks adjust its options.
func newHarness(t testing.TB, tweaks ...func(*instance.Options)) *harness {
	t.Helper()
	return &harness{providertest.StartAt(t, start, tweaks...)}
}

// newHarnessAt starts a Sandbank on the database at db and on clock, so a
// test can start a second one where the first stopped.
func newHarnessAt(t testing.TB, db string, clock *emulator.ManualClock) *harness {
	t.Helper()
	return &harness{providertest.StartOn(t, db, clock)}
}

// runDue runs the tenant's due events, as the scheduler would.
func (h *harness) runDue(app string) { h.RunDue(emulator.Fintecture, app) }

// resp is a reply, with Fintecture's own readings of it.
type resp struct{ providertest.Response }

func (r resp) location(t testing.TB) *url.URL {
	t.Helper()
	if r.Status < 300 || r.Status > 399 {
		t.Fatalf("want a redirect, got %d: %s", r.Status, r.Body)
	}
	u, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// errorCode asserts a Fintecture error envelope and returns errors[0].code.
func (r resp) errorCode(t testing.TB, status int) string {
	t.Helper()
	r.WantStatus(t, status)
	var env struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
		LogID  string `json:"log_id"`
		Errors []struct {
			Code, Title, Message string
		} `json:"errors"`
	}
	r.Decode(t, &env)
	if env.Status != status || env.Code == "" || env.LogID == "" || len(env.Errors) != 1 || env.Errors[0].Title == "" || env.Errors[0].Message == "" {
		t.Fatalf("not a Fintecture error envelope: %s", r.Body)
	}
	return env.Errors[0].Code
}

func (r resp) message(t testing.TB) string {
	var env struct {
		Errors []struct{ Message string } `json:"errors"`
	}
	r.Decode(t, &env)
	return env.Errors[0].Message
}

type req struct {
	method string
	url    string // path under the server, or absolute
	body   []byte
	ctype  string
	header map[string]string
	basic  [2]string
	bearer string
}

func (h *harness) do(r req) resp {
	h.T.Helper()
	// URLs built from a --public-url point at this test server.
	u := strings.Replace(r.url, "http://sandbank.test", h.Srv.URL, 1)
	hr := h.NewRequest(r.method, u, r.ctype, bytes.NewReader(r.body), r.header)
	if r.basic[0] != "" {
		hr.SetBasicAuth(r.basic[0], r.basic[1])
	}
	if r.bearer != "" {
		hr.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	return resp{h.Do(hr)}
}

func (h *harness) get(path, token string) resp {
	return h.do(req{url: path, bearer: token})
}

func (h *harness) postJSON(path, token string, v any) resp {
	h.T.Helper()
	var body []byte
	switch b := v.(type) {
	case string:
		body = []byte(b)
	default:
		var err error
		if body, err = json.Marshal(v); err != nil {
			h.T.Fatal(err)
		}
	}
	return h.do(req{method: http.MethodPost, url: path, body: body, ctype: "application/json", bearer: token})
}

func (h *harness) postForm(path string, form url.Values, basic [2]string) resp {
	return h.do(req{method: http.MethodPost, url: path, body: []byte(form.Encode()), ctype: "application/x-www-form-urlencoded", basic: basic})
}

type tokenJSON struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// token asks for a token with the given form and asserts success.
func (h *harness) token(app, secret string, form url.Values) tokenJSON {
	h.T.Helper()
	r := h.postForm("/fintecture/oauth/accesstoken", form, [2]string{app, secret})
	if r.Status != http.StatusOK {
		h.T.Fatalf("token: %d %s", r.Status, r.Body)
	}
	var tok tokenJSON
	r.Decode(h.T, &tok)
	return tok
}

func (h *harness) customersToken(app, secret string) string {
	return h.token(app, secret, url.Values{"grant_type": {"client_credentials"}, "app_id": {app}, "scope": {"customers"}}).AccessToken
}

// autoConnect completes a journey at the auto-approving bank cmmcfr and
// returns the customer_id and code from the redirect back.
func (h *harness) autoConnect(app string) (customerID, code string) {
	h.T.Helper()
	r := h.do(req{url: "/fintecture/ais/v1/provider/cmmcfr/authorize?response_type=code&state=s1&redirect_uri=" + url.QueryEscape(clientCB), header: map[string]string{"app_id": app}})
	if r.Status != http.StatusOK {
		h.T.Fatalf("authorize: %d %s", r.Status, r.Body)
	}
	var a struct{ Meta struct{ URL string } }
	r.Decode(h.T, &a)
	hop1 := h.do(req{url: a.Meta.URL}).location(h.T)
	back := h.do(req{url: hop1.String()}).location(h.T)
	if got := back.Scheme + "://" + back.Host + back.Path; got != clientCB {
		h.T.Fatalf("second hop should return to the client, went to %s", back)
	}
	q := back.Query()
	return q.Get("customer_id"), q.Get("code")
}

// aisToken exchanges a code for an AIS token.
func (h *harness) aisToken(app, secret, code string) tokenJSON {
	return h.token(app, secret, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "scope": {"AIS"}})
}

// connected is a shortcut: a connection at cmmcfr and its AIS token.
func (h *harness) connected(app, secret string) (customerID, token string) {
	h.T.Helper()
	c, tok := h.connectedFull(app, secret)
	return c, tok.AccessToken
}

func (h *harness) connectedFull(app, secret string) (string, tokenJSON) {
	h.T.Helper()
	h.token(app, secret, url.Values{"grant_type": {"client_credentials"}, "app_id": {app}}) // fixes the secret
	c, code := h.autoConnect(app)
	return c, h.aisToken(app, secret, code)
}

// refresh uses a refresh token and returns the new pair.
func (h *harness) refresh(app, secret, rt string) tokenJSON {
	h.T.Helper()
	r := h.postForm("/fintecture/oauth/refreshtoken", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, [2]string{app, secret})
	if r.Status != http.StatusOK {
		h.T.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	var tok tokenJSON
	r.Decode(h.T, &tok)
	return tok
}
