package kontomatik_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator/kontomatik"
)

func TestLiveMockSessionImport(t *testing.T) {
	h := newHarness(t)
	id, sig, consent := h.mockSession(url.Values{"login": {"test"}, "ownerExternalId": {"crm-42"}})
	if len(sig) != 64 || consent != "" {
		t.Fatalf("session %s signature %q consent %q", id, sig, consent)
	}

	f := url.Values{"sessionId": {id}, "sessionIdSignature": {sig}, "since": {"2025-12-01"}}
	started := h.do(req{url: live + "/command/default-import.xml", form: f}).reply(t, 202)
	if started.Command.State != "setup" || started.OwnerExternalID != "crm-42" {
		t.Fatalf("started: %+v owner %q", started.Command, started.OwnerExternalID)
	}
	cmd := live + "/command/" + started.Command.ID + ".xml"
	h.Clock.Advance(2 * time.Second)
	if rep := h.do(req{url: cmd}).reply(t, 200); rep.Command.State != "in_progress" || rep.Command.Progress <= 0 || rep.Command.Progress >= 100 {
		t.Fatalf("running: %+v", rep.Command)
	}
	h.Clock.Advance(10 * time.Second)
	done := h.do(req{url: cmd}).reply(t, 200)
	c := done.Command
	if c.State != "successful" || c.Progress != 100 || c.Target != "KontoBank" || len(c.Accounts) == 0 || len(c.Owners) == 0 {
		t.Fatalf("done: %+v", c)
	}
	found := false
	for _, a := range c.Accounts {
		if a.IBAN == "PL69137013140000049678278112" {
			found = true
		}
		for _, x := range a.Transactions {
			if x.On < "2025-11-25" {
				t.Errorf("a transaction of %s came although since was 2025-12-01", x.On)
			}
		}
	}
	if !found {
		t.Fatalf("KontoBank's test account PL69137013140000049678278112 is not in the import: %+v", c.Accounts)
	}

	// Once per session.
	if name := h.do(req{url: live + "/command/default-import.xml", form: f}).exception(t, 400); name != "DefaultImportAlreadyExecuted" {
		t.Fatalf("second import: %s", name)
	}
}

func TestLiveSessionErrors(t *testing.T) {
	h := newHarness(t)
	id, sig, _ := h.mockSession(url.Values{})
	imp := func(f url.Values) resp { return h.do(req{url: live + "/command/default-import.xml", form: f}) }

	if name := imp(url.Values{"sessionId": {id}, "sessionIdSignature": {strings.Repeat("0", 64)}}).exception(t, 400); name != "InvalidSessionIdSignature" {
		t.Fatalf("wrong signature: %s", name)
	}
	r := imp(url.Values{"sessionId": {"999"}, "sessionIdSignature": {sigOf(t, h, "999")}})
	if name := r.exception(t, 404); name != "InvalidSessionId" || !strings.Contains(string(r.Body), "Session expired.") {
		t.Fatalf("unknown session: %s", r.Body)
	}
	if name := imp(url.Values{"sessionId": {id}, "sessionIdSignature": {sig}, "since": {"01/02/2026"}}).exception(t, 400); name != "InvalidSince" {
		t.Fatalf("bad since: %s", name)
	}
	if name := imp(url.Values{"sessionIdSignature": {sig}}).exception(t, 400); name != "InvalidParameter" {
		t.Fatalf("missing sessionId: %s", name)
	}
	// None of the refusals used the session's one import.
	h.Clock.Advance(29 * time.Minute)
	if rep := h.importNow(id, sig, nil); rep.Command.State != "successful" {
		t.Fatalf("import after refusals: %+v", rep.Command)
	}
	id2, sig2, _ := h.mockSession(url.Values{})
	h.Clock.Advance(31 * time.Minute)
	if name := imp(url.Values{"sessionId": {id2}, "sessionIdSignature": {sig2}}).exception(t, 404); name != "InvalidSessionId" {
		t.Fatalf("expired session: %s", name)
	}
	if name := h.do(req{url: live + "/command/123.xml"}).exception(t, 404); name != "InvalidCommandId" {
		t.Fatalf("unknown command: %s", name)
	}
}

// sigOf is the valid signature of a session id that was never issued, so
// the session check, not the signature check, answers.
func sigOf(t *testing.T, h *harness, id string) string {
	t.Helper()
	tn, err := h.In.Store.Tenant(t.Context(), "kontomatik", apiKey)
	if err != nil {
		t.Fatal(err)
	}
	return kontomatik.SignatureFor(tn, id)
}

func TestLiveAuth(t *testing.T) {
	h := newHarness(t)
	rep := h.do(req{url: live + "/catalog.xml", noKey: true}).reply(t, 401)
	if rep.Comment == "" || rep.Exception != nil {
		t.Fatalf("401 carries a comment and no exception: %+v", rep)
	}
	if rep := h.do(req{url: live + "/catalog.xml", noKey: true, header: map[string]string{"X-Api-Key": "no"}}).reply(t, 401); rep.Comment == "" {
		t.Fatal("a malformed key is unknown")
	}
	// The historic apiKey query and form fields.
	if r := h.do(req{url: live + "/catalog.xml?apiKey=" + apiKey, noKey: true}); r.Status != 200 {
		t.Fatalf("apiKey query: %d %s", r.Status, r.Body)
	}
	if r := h.do(req{url: live + "/mock-session.xml", noKey: true, form: url.Values{"apiKey": {apiKey}, "login": {"test"}}}); r.Status != 200 {
		t.Fatalf("apiKey form field: %d %s", r.Status, r.Body)
	}
}

func TestLiveCatalog(t *testing.T) {
	h := newHarness(t)
	rep := h.do(req{url: live + "/catalog.xml"}).reply(t, 200)
	names := map[string]bool{}
	countries := map[string]bool{}
	for _, tg := range rep.Targets {
		names[tg.Name] = true
		countries[tg.Country] = true
	}
	for _, want := range []string{"KontoBank", "KontoBankApi", "KontoBank_cz", "KontoBankApi_cz", "KontoBank_es", "KontoBank_pt", "KontoBank_ee", "KontoBank_lt", "KontoBank_lv"} {
		if !names[want] {
			t.Errorf("catalogue lacks %s", want)
		}
	}
	for _, c := range []string{"PL", "CZ", "ES", "PT", "RO", "LT", "LV", "EE"} {
		if !countries[c] {
			t.Errorf("catalogue has no bank in %s", c)
		}
	}
	pl := h.do(req{url: live + "/catalog.xml?country=pl"}).reply(t, 200)
	for _, tg := range pl.Targets {
		if tg.Country != "PL" {
			t.Errorf("country=pl let %s (%s) through", tg.Name, tg.Country)
		}
	}
}
