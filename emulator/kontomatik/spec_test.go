package kontomatik_test

import (
	"encoding/json"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSpecContract(t *testing.T) {
	h := newHarness(t)
	if r := h.do(req{url: spec + "/health", noKey: true}); r.Status != 200 {
		t.Fatalf("health without a key: %d %s", r.Status, r.Body)
	}
	var cat struct {
		Targets []struct {
			ID          string   `json:"id"`
			AccessModes []string `json:"accessModes"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(h.do(req{url: spec + "/ais-catalog"}).Body, &cat); err != nil || len(cat.Targets) == 0 {
		t.Fatalf("catalogue: %v %+v", err, cat)
	}

	r := h.do(req{url: spec + "/signin/redirection", json: `{"target":"KontoBankApi","accessMode":"MULTIPLE","ownerExternalId":"o-9","redirectUrl":"` + back + `"}`})
	var started struct{ SessionID, SessionIDSignature, RedirectURL string }
	if err := json.Unmarshal(r.Body, &started); err != nil || r.Status != 200 || len(started.SessionIDSignature) != 64 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	status := func() string {
		var s struct{ SessionID, Status string }
		json.Unmarshal(h.do(req{url: spec + "/signin/redirection-status?sessionId=" + started.SessionID}).Body, &s)
		return s.Status
	}
	if got := status(); got != "PENDING" {
		t.Fatalf("before sign-in: %s", got)
	}
	f := url.Values{"sessionId": {started.SessionID}, "sessionIdSignature": {started.SessionIDSignature}}
	if name := h.do(req{url: spec + "/command/default-import.xml", form: f}).exception(t, 400); name != "NotSignedIn" {
		t.Fatalf("import before sign-in: %s", name)
	}
	h.page(t, started.RedirectURL, url.Values{"action": {"login"}, "username": {"test"}, "password": {"Test123"}})
	body := string(h.do(req{url: started.RedirectURL, noKey: true}).Body)
	if strings.Contains(body, `name="otp"`) {
		h.page(t, started.RedirectURL, url.Values{"action": {"otp"}, "otp": {"123456"}})
	}
	back := h.page(t, started.RedirectURL, consentForm("approve", string(h.do(req{url: started.RedirectURL, noKey: true}).Body)))
	if back.Query().Get("sessionId") != started.SessionID {
		t.Fatalf("back at %s", back)
	}
	if got := status(); got != "COMPLETED" {
		t.Fatalf("after sign-in: %s", got)
	}

	r = h.do(req{url: spec + "/command/default-import.xml", form: f})
	var acc struct {
		ID     string `xml:"id"`
		Status string `xml:"status"`
	}
	if err := xml.Unmarshal(r.Body, &acc); err != nil || r.Status != 200 || acc.Status != "QUEUED" {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	h.Clock.Advance(time.Minute)
	var res struct {
		Status              string `xml:"status"`
		MultipleAccessToken string `xml:"multipleAccessToken"`
		Accounts            []struct {
			Number string `xml:"number"`
		} `xml:"accounts"`
	}
	r = h.do(req{url: spec + "/command/" + acc.ID + ".xml"})
	if err := xml.Unmarshal(r.Body, &res); err != nil || res.Status != "COMPLETED" || res.MultipleAccessToken == "" || len(res.Accounts) == 0 {
		t.Fatalf("result: %s", r.Body)
	}

	// Reuse with the token starts an import at once.
	r = h.do(req{url: spec + "/command/reuse-multiple-access.xml", form: url.Values{"multipleAccessToken": {res.MultipleAccessToken}}})
	if err := xml.Unmarshal(r.Body, &acc); err != nil || r.Status != 200 || acc.ID == "" {
		t.Fatalf("reuse: %d %s", r.Status, r.Body)
	}
	if r := h.do(req{url: spec + "/command/delete-multiple-access.xml", form: url.Values{"multipleAccessToken": {res.MultipleAccessToken}}}); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	var mock struct {
		SessionID          string `xml:"sessionId"`
		SessionIDSignature string `xml:"sessionIdSignature"`
	}
	r = h.do(req{url: spec + "/mock-session.xml", method: "POST"})
	if err := xml.Unmarshal(r.Body, &mock); err != nil || r.Status != 200 || len(mock.SessionIDSignature) != 64 {
		t.Fatalf("mock session: %d %s", r.Status, r.Body)
	}
}
