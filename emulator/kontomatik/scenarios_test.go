package kontomatik_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator/client"
)

// The built-in scenarios act on Kontomatik: a failing command, a bank that
// is down, a denied sign-in.
func TestScenarios(t *testing.T) {
	h := newHarness(t)
	tenant := func(key, scenario string) {
		if _, err := h.in.Control.CreateTenant(t.Context(), client.NewTenant{Provider: "kontomatik", Credential: key, Scenario: scenario}); err != nil {
			t.Fatal(err)
		}
	}
	tenant("failing-key-01", "command_failing")
	tenant("down-key-0001", "bank_down")
	as := func(key string, r req) resp {
		r.header = map[string]string{"X-Api-Key": key}
		return h.do(r)
	}

	t.Run("command_failing", func(t *testing.T) {
		rep := as("failing-key-01", req{url: live + "/mock-session.xml", form: url.Values{"login": {"test"}}}).reply(t, 200)
		f := url.Values{"sessionId": {rep.Session.ID}, "sessionIdSignature": {rep.Session.Signature}}
		started := as("failing-key-01", req{url: live + "/command/default-import.xml", form: f}).reply(t, 202)
		h.clock.Advance(time.Minute)
		done := as("failing-key-01", req{url: live + "/command/" + started.Command.ID + ".xml"}).reply(t, 200)
		c := done.Command
		if c.State != "error" || c.Exception == nil || c.Exception.Name != "SessionExpired" || c.Exception.FriendlyMessage == "" || len(c.Accounts) != 0 {
			t.Fatalf("failed command: %+v", c)
		}
	})
	t.Run("bank_down", func(t *testing.T) {
		r := as("down-key-0001", req{url: live + "/mock-session.xml", form: url.Values{"login": {"test"}}})
		if name := r.exception(t, 503); name != "ServiceTemporarilyUnavailable" {
			t.Fatalf("KontoBank down: %s", name)
		}
		if r := as("down-key-0001", req{url: live + "/mock-session.xml", form: url.Values{"login": {"test"}, "country": {"cz"}}}); r.status != 200 {
			t.Fatalf("the Czech KontoBank works: %d %s", r.status, r.body)
		}
	})
}
