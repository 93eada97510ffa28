package kontomatik_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

// page posts one bank-page form and returns where it sent the browser.
func (h *harness) page(t *testing.T, pageURL string, v url.Values) *url.URL {
	t.Helper()
	r := h.do(req{url: pageURL, form: v, noKey: true})
	if r.Status < 300 || r.Status > 399 {
		t.Fatalf("page %s %v: %d %s", pageURL, v, r.Status, r.Body)
	}
	u, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if !u.IsAbs() {
		u = (&url.URL{Scheme: "http", Host: strings.TrimPrefix(h.Srv.URL, "http://")}).ResolveReference(u)
	}
	return u
}

// signInAtKontoBank walks the SignIn page and KontoBank's pages as the
// test user and returns where the user came back to.
func (h *harness) signInAtKontoBank(t *testing.T, link, target string, action string) *url.URL {
	t.Helper()
	if r := h.do(req{url: link, noKey: true}); r.Status != 200 || !strings.Contains(string(r.Body), "Kontomatik") || !strings.Contains(string(r.Body), target) {
		t.Fatalf("SignIn page: %d %s", r.Status, r.Body)
	}
	h.page(t, link, url.Values{"action": {"select"}, "bank_id": {target}})
	next := h.page(t, link, url.Values{"action": {"login"}, "username": {"test"}, "password": {"Test123"}})
	if next.Path == mustPath(t, link) {
		// The bank asked for a one-time code or a consent next.
		body := string(h.do(req{url: link, noKey: true}).Body)
		if strings.Contains(body, `name="otp"`) {
			next = h.page(t, link, url.Values{"action": {"otp"}, "otp": {"123456"}})
			body = string(h.do(req{url: link, noKey: true}).Body)
		}
		if next.Path == mustPath(t, link) {
			next = h.page(t, link, consentForm(action, body))
		}
	}
	return next
}

// consentForm answers the consent page: approve with every account it
// offers, or deny.
func consentForm(action, page string) url.Values {
	v := url.Values{"action": {action}}
	if action == "approve" {
		rest := page
		for {
			i := strings.Index(rest, `name="account" value="`)
			if i < 0 {
				break
			}
			rest = rest[i+len(`name="account" value="`):]
			v.Add("account", rest[:strings.Index(rest, `"`)])
		}
	}
	return v
}

func mustPath(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

type liveStatus struct {
	Status string `json:"status"`
	Params struct {
		SessionID          string `json:"sessionId"`
		SessionIDSignature string `json:"sessionIdSignature"`
		MultipleAccessID   string `json:"multipleAccessId"`
		Target             string `json:"target"`
		OfficialName       string `json:"officialName"`
		Exception          string `json:"exception"`
	} `json:"params"`
}

func (h *harness) liveStatus(t *testing.T, id string) liveStatus {
	t.Helper()
	r := h.do(req{url: live + "/signin/redirection-status?redirectionId=" + id})
	if r.Status != 200 {
		t.Fatalf("status: %d %s", r.Status, r.Body)
	}
	var s liveStatus
	if err := json.Unmarshal(r.Body, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLiveSignInRedirection(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{url: live + "/signin/redirection", json: `{"redirectUri":"` + back + `","ownerExternalId":"u-1","country":"pl","locale":"pl","psd2":{"accessMode":"MULTIPLE"}}`})
	if r.Status != 200 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	var started struct{ RedirectionID, RedirectionLink string }
	if err := json.Unmarshal(r.Body, &started); err != nil {
		t.Fatal(err)
	}
	if s := h.liveStatus(t, started.RedirectionID); s.Status != "pending" || s.Params.SessionID != "" {
		t.Fatalf("before sign-in: %+v", s)
	}
	came := h.signInAtKontoBank(t, started.RedirectionLink, "KontoBankApi", "approve")
	if came.Host != "client.example" || came.Query().Get("redirectionId") != started.RedirectionID {
		t.Fatalf("back at %s", came)
	}
	s := h.liveStatus(t, started.RedirectionID)
	if s.Status != "successful" || len(s.Params.SessionIDSignature) != 64 || s.Params.MultipleAccessID == "" || s.Params.Target != "KontoBankApi" || s.Params.OfficialName != "KontoBank" {
		t.Fatalf("after sign-in: %+v", s)
	}
	if again := h.liveStatus(t, started.RedirectionID); again.Params != s.Params {
		t.Fatalf("a second read changed the params: %+v", again)
	}
	done := h.importNow(s.Params.SessionID, s.Params.SessionIDSignature, nil)
	if done.Command.State != "successful" || done.OwnerExternalID != "u-1" {
		t.Fatalf("import: %+v owner %q", done.Command, done.OwnerExternalID)
	}
}

func TestLiveSignInDeniedAndExpired(t *testing.T) {
	h := newHarness(t)
	start := func() (string, string) {
		r := h.do(req{url: live + "/signin/redirection", json: `{"redirectUri":"` + back + `"}`})
		var s struct{ RedirectionID, RedirectionLink string }
		if err := json.Unmarshal(r.Body, &s); err != nil || r.Status != 200 {
			t.Fatalf("start: %d %s", r.Status, r.Body)
		}
		return s.RedirectionID, s.RedirectionLink
	}
	id, link := start()
	h.signInAtKontoBank(t, link, "KontoBank", "deny")
	if s := h.liveStatus(t, id); s.Status != "failed" || s.Params.SessionID != "" || s.Params.Exception == "" {
		t.Fatalf("denied: %+v", s)
	}
	id2, _ := start()
	h.Clock.Advance(16 * time.Minute)
	h.RunDue("kontomatik", apiKey)
	if s := h.liveStatus(t, id2); s.Status != "expired" {
		t.Fatalf("after 16 minutes: %+v", s)
	}
	if r := h.do(req{url: live + "/signin/redirection", json: `{"redirectUri":"not a url"}`}); r.exception(t, 400) != "InvalidParameter" {
		t.Fatalf("bad redirectUri: %s", r.Body)
	}
	if r := h.do(req{url: live + "/signin/redirection", json: `{"redirectUri":`}); r.exception(t, 400) != "InvalidParameter" {
		t.Fatalf("malformed JSON: %s", r.Body)
	}
}

func TestMultipleAccess(t *testing.T) {
	h := newHarness(t)
	_, _, consent := h.mockSession(url.Values{"login": {"test"}, "multipleAccess": {"true"}})
	if consent == "" {
		t.Fatal("multipleAccess=true gives a multipleAccessId")
	}
	reuse := func() (string, string) {
		rep := h.do(req{url: live + "/command/reuse-multiple-access.xml", form: url.Values{"multipleAccessId": {consent}}}).reply(t, 200)
		return rep.Session.ID, rep.Session.Signature
	}
	// Four imports a day: the mock session's own is not one yet; four
	// reused sessions import, the fifth is refused until the day is over.
	for i := 0; i < 4; i++ {
		id, sig := reuse()
		rep := h.importNow(id, sig, url.Values{"since": {"2024-01-01"}})
		from := start.Add(time.Duration(i) * time.Minute).Add(-90 * 24 * time.Hour).Format(time.DateOnly)
		for _, a := range rep.Command.Accounts {
			for _, x := range a.Transactions {
				if x.Status == "DONE" && x.On < from {
					t.Fatalf("a reused session imported %s, older than 90 days", x.On)
				}
			}
		}
	}
	id, sig := reuse()
	f := url.Values{"sessionId": {id}, "sessionIdSignature": {sig}}
	if name := h.do(req{url: live + "/command/default-import.xml", form: f}).exception(t, 400); name != "MultipleAccessLimitExceeded" {
		t.Fatalf("fifth import in a day: %s", name)
	}
	h.Clock.Advance(24 * time.Hour)
	id, sig = reuse()
	if rep := h.importNow(id, sig, nil); rep.Command.State != "successful" {
		t.Fatalf("after a day: %+v", rep.Command)
	}
	// Valid 180 days on the tenant clock.
	h.Clock.Advance(178 * 24 * time.Hour)
	reuse()
	h.Clock.Advance(2 * 24 * time.Hour)
	if name := h.do(req{url: live + "/command/reuse-multiple-access.xml", form: url.Values{"multipleAccessId": {consent}}}).exception(t, 400); name != "InvalidMultipleAccessId" {
		t.Fatalf("after 180 days: %s", name)
	}

	// Revoked.
	_, _, c2 := h.mockSession(url.Values{"multipleAccess": {"true"}})
	h.do(req{url: live + "/command/delete-multiple-access.xml", form: url.Values{"multipleAccessId": {c2}}}).reply(t, 200)
	if name := h.do(req{url: live + "/command/reuse-multiple-access.xml", form: url.Values{"multipleAccessId": {c2}}}).exception(t, 400); name != "InvalidMultipleAccessId" {
		t.Fatalf("revoked: %s", name)
	}
	if name := h.do(req{url: live + "/command/delete-multiple-access.xml", form: url.Values{"multipleAccessId": {c2}}}).exception(t, 400); name != "InvalidMultipleAccessId" {
		t.Fatalf("revoked twice: %s", name)
	}
}
