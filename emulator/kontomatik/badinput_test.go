package kontomatik_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// state is the tenant's stored state as a bundle holds it, without the
// journal (which records every request, refused ones included) and the
// fault-rule counters.
func (h *harness) state(t *testing.T) []byte {
	t.Helper()
	tn, err := h.In.Store.Tenant(t.Context(), "kontomatik", apiKey)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.In.Control.Export(t.Context(), tn.Key())
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Tables []struct {
			Name string          `json:"name"`
			Rows json.RawMessage `json:"rows"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(b.State, &st); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, tb := range st.Tables {
		if strings.Contains(tb.Name, "journal") || strings.Contains(tb.Name, "fault") {
			continue
		}
		out.WriteString(tb.Name + "\n")
		out.Write(tb.Rows)
		out.WriteString("\n")
	}
	if out.Len() == 0 {
		t.Fatal("the bundle has no tables: the comparison would prove nothing")
	}
	return out.Bytes()
}

// TestBadInputChangesNothing sends each operation of both contracts the
// bad inputs a client gets wrong: each answers its exception and leaves
// the stored state as it was.
func TestBadInputChangesNothing(t *testing.T) {
	h := newHarness(t)
	id, sig, consent := h.mockSession(url.Values{"login": {"test"}, "multipleAccess": {"true"}})
	used, usedSig, _ := h.mockSession(url.Values{"login": {"test"}})
	h.importNow(used, usedSig, nil)
	good := func(extra ...string) url.Values {
		v := url.Values{"sessionId": {id}, "sessionIdSignature": {sig}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	imp := "/command/default-import.xml"
	cases := []struct {
		name   string
		r      req
		status int
		want   string
	}{
		{"import without sessionId", req{url: live + imp, form: url.Values{"sessionIdSignature": {sig}}}, 400, "InvalidParameter"},
		{"import without signature", req{url: live + imp, form: url.Values{"sessionId": {id}}}, 400, "InvalidParameter"},
		{"import with a wrong signature", req{url: live + imp, form: good("sessionIdSignature", strings.Repeat("ab", 32))}, 400, "InvalidSessionIdSignature"},
		{"import of an unknown session", req{url: live + imp, form: url.Values{"sessionId": {"987654321"}, "sessionIdSignature": {sigOf(t, h, "987654321")}}}, 404, "InvalidSessionId"},
		{"import since a month 13", req{url: live + imp, form: good("since", "2026-13-01")}, 400, "InvalidSince"},
		{"import since a word", req{url: live + imp, form: good("since", "yesterday")}, 400, "InvalidSince"},
		{"import since the future", req{url: live + imp, form: good("since", "2030-01-01")}, 400, "InvalidSince"},
		{"import with a bad ownerExternalId", req{url: live + imp, form: good("ownerExternalId", "two words")}, 400, "InvalidOwnerExternalId"},
		{"import sent as JSON", req{url: live + imp, json: `{"sessionId":"` + id + `"}`}, 415, "InvalidParameter"},
		{"import a second time", req{url: live + imp, form: url.Values{"sessionId": {used}, "sessionIdSignature": {usedSig}}}, 400, "DefaultImportAlreadyExecuted"},
		{"import by GET", req{url: live + imp}, 405, "MethodNotAllowed"},
		{"command not a number", req{url: live + "/command/abc.xml"}, 404, "InvalidCommandId"},
		{"reuse with no body", req{url: live + "/command/reuse-multiple-access.xml", form: url.Values{}}, 400, "InvalidParameter"},
		{"reuse of an unknown id", req{url: live + "/command/reuse-multiple-access.xml", form: url.Values{"multipleAccessId": {"nope"}}}, 400, "InvalidMultipleAccessId"},
		{"delete without an id", req{url: live + "/command/delete-multiple-access.xml", form: url.Values{"other": {"1"}}}, 400, "InvalidParameter"},
		{"delete of an unknown id", req{url: live + "/command/delete-multiple-access.xml", form: url.Values{"multipleAccessId": {consent + "0"}}}, 400, "InvalidMultipleAccessId"},
		{"mock session multipleAccess=maybe", req{url: live + "/mock-session.xml", form: url.Values{"multipleAccess": {"maybe"}}}, 400, "InvalidParameter"},
		{"mock session in an unknown country", req{url: live + "/mock-session.xml", form: url.Values{"country": {"xx"}}}, 400, "InvalidTarget"},
		{"mock session of an unknown login", req{url: live + "/mock-session.xml", form: url.Values{"login": {"nobody"}}}, 400, "InvalidCredentials"},
		{"mock session with a bad ownerExternalId", req{url: live + "/mock-session.xml", form: url.Values{"ownerExternalId": {"a/b"}}}, 400, "InvalidOwnerExternalId"},
		{"redirection with malformed JSON", req{url: live + "/signin/redirection", json: `{"redirectUri":`}, 400, "InvalidParameter"},
		{"redirection without redirectUri", req{url: live + "/signin/redirection", json: `{}`}, 400, "InvalidParameter"},
		{"redirection to a relative URI", req{url: live + "/signin/redirection", json: `{"redirectUri":"/back"}`}, 400, "InvalidParameter"},
		{"redirection in an unknown mode", req{url: live + "/signin/redirection", json: `{"redirectUri":"https://a.example/","psd2":{"accessMode":"ALL"}}`}, 400, "InvalidParameter"},
		{"redirection to an unserved country", req{url: live + "/signin/redirection", json: `{"redirectUri":"https://a.example/","country":"xx"}`}, 400, "InvalidParameter"},
		{"redirection as a form", req{url: live + "/signin/redirection", form: url.Values{"redirectUri": {"https://a.example/"}}}, 415, "InvalidParameter"},
		{"status without an id", req{url: live + "/signin/redirection-status"}, 400, "InvalidParameter"},
		{"status of an unknown id", req{url: live + "/signin/redirection-status?redirectionId=zzz"}, 404, "InvalidParameter"},
		{"given: import without signature", req{url: spec + imp, form: url.Values{"sessionId": {id}}}, 400, "InvalidParameter"},
		{"given: import since 01-02-2026", req{url: spec + imp, form: good("since", "01-02-2026")}, 400, "InvalidParameter"},
		{"given: redirection in an unknown mode", req{url: spec + "/signin/redirection", json: `{"target":"KontoBank","accessMode":"ALL","redirectUrl":"https://a.example/"}`}, 400, "InvalidParameter"},
		{"given: redirection without target", req{url: spec + "/signin/redirection", json: `{"accessMode":"SINGLE","redirectUrl":"https://a.example/"}`}, 400, "InvalidParameter"},
		{"given: redirection to an unknown target", req{url: spec + "/signin/redirection", json: `{"target":"Nope","accessMode":"SINGLE","redirectUrl":"https://a.example/"}`}, 400, "InvalidTarget"},
		{"given: Multiple Access at a scraping target", req{url: spec + "/signin/redirection", json: `{"target":"KontoBank","accessMode":"MULTIPLE","redirectUrl":"https://a.example/"}`}, 400, "InvalidTarget"},
		{"given: status of a session never issued", req{url: spec + "/signin/redirection-status?sessionId=abc"}, 404, "InvalidSessionId"},
		{"given: reuse with a bad since", req{url: spec + "/command/reuse-multiple-access.xml", form: url.Values{"multipleAccessToken": {consent}, "since": {"bad"}}}, 400, "InvalidParameter"},
		{"given: reuse of an unknown token", req{url: spec + "/command/reuse-multiple-access.xml", form: url.Values{"multipleAccessToken": {"nope"}}}, 400, "InvalidMultipleAccessId"},
	}
	before := h.state(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := h.do(c.r).exception(t, c.status); got != c.want {
				t.Fatalf("exception %s, want %s", got, c.want)
			}
			if after := h.state(t); !bytes.Equal(before, after) {
				t.Fatalf("a refused request changed the stored state")
			}
		})
	}
	// The snapshot sees a change when there is one.
	h.mockSession(url.Values{"login": {"test"}})
	if bytes.Equal(before, h.state(t)) {
		t.Fatal("an accepted mock session left the snapshot unchanged: it cannot tell")
	}
}
